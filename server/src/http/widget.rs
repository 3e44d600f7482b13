//! Endpoints for `<kassa-pay>` on merchant sites: the element's files (any origin may load
//! them) and the invoice it shows (only the origins its token names may read it: CORS).

use std::path::Path;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use kassa_core::services::widget;
use kassa_core::{Ctx, Error};

use crate::http::AppState;

/// The invoice data at `/invoice`.
pub fn router() -> Router<AppState> {
    Router::new().route("/invoice", get(invoice))
}

/// The element's files (`/w/v1/kassa.js` and its wasm), from memory: any site may load them,
/// and a merchant's page gets a new version within five minutes.
pub fn files(site_root: &Path) -> Router<AppState> {
    let cache = memory_serve::CacheControl::Custom("public, max-age=300");
    crate::http::assets::router(&site_root.join("w"), "/w/v1", cache)
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
}

fn json_error(status: StatusCode, message: &str) -> Response {
    // Errors carry no invoice data, so any origin may read them and show a clear message.
    (status, [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(serde_json::json!({ "error": message })))
        .into_response()
}

/// What the widget renders: amounts as plain decimals (for the element's own formatting)
/// and as text, the status as a snake_case code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetInvoice {
    pub merchant: String,
    pub number: String,
    pub currency: String,
    pub amount_due: String,
    pub amount_due_text: String,
    pub total_text: String,
    /// The invoice's status code (`open`, `overdue`, `in_plan`, `disputed`, `paid`, ...).
    pub status: &'static str,
    pub pay_url: String,
}

async fn invoice(State(ctx): State<Ctx>, Query(query): Query<TokenQuery>, headers: HeaderMap) -> Response {
    let opened = match widget::open(&ctx, &query.token).await {
        Ok(opened) => opened,
        Err(Error::NotFound) => {
            return json_error(
                StatusCode::NOT_FOUND,
                "This payment button has expired or is not valid. Reload the page.",
            )
        }
        Err(e) => {
            tracing::error!(error = ?e, "widget token");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. Try again in a moment.");
        }
    };
    // Only the sites the token names may read it, and a request that names no site is none
    // of them (a browser names it on every cross-site read).
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !opened.allows(origin) {
        return json_error(StatusCode::FORBIDDEN, "This payment button is not allowed on this website.");
    }
    match widget::invoice(&ctx, &opened).await {
        Ok((merchant, invoice)) => {
            let body = WidgetInvoice {
                merchant: merchant.name,
                number: invoice.number.to_string(),
                currency: invoice.balance.currency().to_string(),
                amount_due: invoice.balance.amount_string(),
                amount_due_text: invoice.balance.to_string(),
                total_text: invoice.total.to_string(),
                status: invoice.status.as_str(),
                pay_url: format!("{}/p/{}/pay/{}", ctx.public_url, merchant.slug, query.token),
            };
            let mut response = Json(body).into_response();
            let h = response.headers_mut();
            if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(Error::NotFound) => json_error(StatusCode::NOT_FOUND, "This invoice is no longer available."),
        Err(e) => {
            tracing::error!(error = ?e, "widget invoice");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong. Try again in a moment.")
        }
    }
}
