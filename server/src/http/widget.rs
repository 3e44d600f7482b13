//! Endpoints for `<kassa-pay>` on merchant sites: the element's files (any origin may load
//! them) and the invoice it shows (only the origins its token names may read it: CORS).

use std::path::Path;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::Error;
use crate::http::AppState;
use crate::services::{widget, Services};

pub fn router(site_root: &Path) -> Router<AppState> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ))
        .service(ServeDir::new(site_root.join("w")));
    Router::new().route("/invoice", get(invoice)).fallback_service(files)
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

async fn invoice(State(services): State<Services>, Query(query): Query<TokenQuery>, headers: HeaderMap) -> Response {
    let Ok(claims) = services.tokens.verify(&query.token) else {
        return json_error(StatusCode::NOT_FOUND, "This payment button has expired or is not valid. Reload the page.");
    };
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(origin) = origin {
        if !claims.o.iter().any(|allowed| allowed == origin) {
            return json_error(StatusCode::FORBIDDEN, "This payment button is not allowed on this website.");
        }
    }
    match widget::widget_invoice(&services.pool, &services.public_url, &query.token, &claims).await {
        Ok(invoice) => {
            let mut response = Json(invoice).into_response();
            let h = response.headers_mut();
            if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(Error::NotFound) => json_error(StatusCode::NOT_FOUND, "This invoice is no longer available."),
        Err(e) => e.into_response(),
    }
}
