//! The demo merchant's web shop, served on its own address (another origin than Kassa, so
//! the widget's CORS is real). Each visit gets a freshly signed widget token. It sends the
//! security headers a merchant's page should, with the Content Security Policy the widget
//! needs today: its script and wasm from Kassa (`'wasm-unsafe-eval'`), its data from Kassa,
//! and `style-src 'unsafe-inline'` because the element writes its styles into its shadow root
//! as a `<style>` (the complete widgets of issue 22 drop that).

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, StatusCode};

use crate::demo;
use kassa_core::Ctx;

const PAGE: &str = include_str!("../../../public/shop/index.html");

#[derive(Clone)]
struct Shop {
    ctx: Ctx,
    origin: String,
}

pub fn router(ctx: Ctx, origin: String) -> Router {
    Router::new().route("/", get(page)).with_state(Shop { ctx, origin })
}

async fn page(State(shop): State<Shop>) -> Response {
    match demo::shop_token(&shop.ctx, &shop.origin).await {
        Ok(token) => {
            let nonce = kassa_core::db::new_id().replace('-', "");
            let kassa = &shop.ctx.public_url;
            let policy = format!(
                "default-src 'self'; script-src 'nonce-{nonce}' {kassa} 'wasm-unsafe-eval'; connect-src {kassa}; \
                 style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; \
                 object-src 'none'; form-action 'self'"
            );
            let html = PAGE
                .replace("{{KASSA_URL}}", kassa)
                .replace("{{TOKEN}}", &token)
                .replace("{{INVOICE}}", demo::SHOP_INVOICE)
                .replace("{{NONCE}}", &nonce);
            let headers = [
                (header::CONTENT_SECURITY_POLICY, policy),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (header::REFERRER_POLICY, "strict-origin-when-cross-origin".to_string()),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ];
            (headers, Html(html)).into_response()
        }
        Err(e) => {
            tracing::error!(error = ?e, "demo shop");
            (StatusCode::SERVICE_UNAVAILABLE, "The demo data is missing: run `kassa demo` first.").into_response()
        }
    }
}
