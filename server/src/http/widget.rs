//! Endpoints for `<kassa-pay>` on merchant sites: the element's files (any origin may load
//! them) and the invoice it shows (only the origins its token names may read it: CORS).

use std::path::Path;

use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use kassa_app::i18n::Lang;
use kassa_core::services::widget;
use kassa_core::{Ctx, Error};

use crate::http::paying::StripeJs;
use crate::http::{widget_pay, AppState};

/// The invoice data at `/invoice`, and the pay page the element opens (widget_pay.rs).
pub fn router(stripe_js: StripeJs) -> Router<AppState> {
    Router::new()
        .route("/invoice", get(invoice))
        .route("/pay/{token}", get(widget_pay::page).post(widget_pay::pay))
        .route("/pay/{token}/form/{attempt}", get(widget_pay::form).layer(axum::Extension(stripe_js)))
        .route("/pay/{token}/return/{attempt}", get(widget_pay::returned))
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
    /// The element's language (its `lang`, else the page's); else the customer's.
    lang: Option<String>,
}

fn json_error(status: StatusCode, message: &str) -> Response {
    // Errors carry no invoice data, so any origin may read them and show a clear message.
    (status, [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(serde_json::json!({ "error": message })))
        .into_response()
}

/// What the widget renders: the status as a snake_case code (for the host page's events and
/// styling), and everything it says already in words, formatted for its language on the
/// server, so that the element carries no words or number formats of its own.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetInvoice {
    /// The language the words are in (`en`, `nl`, `da`).
    pub lang: &'static str,
    pub merchant: String,
    pub number: String,
    pub currency: String,
    /// What may be paid now, as a plain decimal (`55.95`).
    pub amount_due: String,
    pub amount_due_text: String,
    pub total_text: String,
    /// The invoice's status code (`open`, `overdue`, `in_plan`, `disputed`, `paid`, ...).
    pub status: &'static str,
    pub words: WidgetWords,
    /// The invoice's pay link in the portal (for emails: it signs the debtor in).
    pub pay_url: String,
    /// The pay page the element opens in its overlay, or in a new tab.
    pub page_url: String,
}

/// The element's words, in [`WidgetInvoice::lang`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetWords {
    /// "Invoice NL-2026-0107 · Bakkerij de Vries"
    pub heading: String,
    pub status: String,
    pub due: String,
    /// The button (`Pay € 55,95`); empty when nothing can be paid through it.
    pub pay: String,
    pub paid: String,
    pub close: String,
    /// The overlay's name for screen readers.
    pub dialog: String,
    pub frame: String,
    pub open_in_tab: String,
}

async fn invoice(
    State(ctx): State<Ctx>,
    Extension(request_lang): Extension<Lang>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = query.lang.as_deref().and_then(Lang::from_code);
    let lang = asked.unwrap_or(request_lang);
    let opened = match widget::open(&ctx, &query.token).await {
        Ok(opened) => opened,
        Err(Error::NotFound) => return json_error(StatusCode::NOT_FOUND, &lang.words().widget_token_invalid()),
        Err(e) => {
            tracing::error!(error = ?e, "widget token");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, &lang.words().widget_went_wrong());
        }
    };
    // Only the sites the token names may read it, and a request that names no site is none
    // of them (a browser names it on every cross-site read).
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !opened.allows(origin) {
        return json_error(StatusCode::FORBIDDEN, &lang.words().widget_origin_refused());
    }
    match widget::invoice(&ctx, &opened).await {
        Ok((merchant, invoice)) => {
            let lang = match asked {
                Some(lang) => lang,
                None => widget::customer_language(&ctx, &opened)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|l| Lang::from_code(&l))
                    .unwrap_or(lang),
            };
            let w = lang.words();
            let money = |m| kassa_app::money::money_in(lang, m);
            let number = invoice.number.to_string();
            let words = WidgetWords {
                heading: format!("{} · {}", w.widget_invoice_number(&number), merchant.name),
                status: w.widget_status(kassa_app::words::status_in(lang, invoice.status)),
                due: w.widget_due_by(kassa_app::dates::date_in(lang, invoice.due_date)),
                pay: if invoice.collectable.minor() > 0 {
                    w.widget_pay(money(invoice.collectable))
                } else {
                    String::new()
                },
                paid: w.widget_paid_thanks(),
                close: w.widget_close(),
                dialog: w.widget_overlay_label(&number),
                frame: w.widget_frame_title(),
                open_in_tab: w.widget_open_in_tab(),
            };
            let root = ctx.public_url.trim_end_matches('/');
            let body = WidgetInvoice {
                lang: lang.code(),
                merchant: merchant.name,
                currency: invoice.balance.currency().to_string(),
                amount_due: invoice.collectable.amount_string(),
                amount_due_text: money(invoice.collectable),
                total_text: money(invoice.total),
                status: invoice.status.as_str(),
                words,
                pay_url: format!("{root}/p/{}/pay/{}", merchant.slug, query.token),
                page_url: format!("{root}/w/v1/pay/{}?lang={}", query.token, lang.code()),
                number,
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
        Err(Error::NotFound) => json_error(StatusCode::NOT_FOUND, &lang.words().widget_invoice_gone()),
        Err(e) => {
            tracing::error!(error = ?e, "widget invoice");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, &lang.words().widget_went_wrong())
        }
    }
}
