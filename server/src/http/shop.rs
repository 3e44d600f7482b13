//! The demo merchant's web shop, served on its own address (another origin than Kassa, so
//! the widget's CORS is real). Each visit gets a freshly signed widget token. It sends the
//! security headers a merchant's page should, with the strict Content Security Policy the
//! embedding guide (docs/widgets.md) gives: the widget's script and wasm from Kassa
//! (`'wasm-unsafe-eval'`), its data from Kassa, its overlay framed from Kassa; the page's own
//! inline script and style by nonce. The element needs nothing for its styles (a constructed
//! stylesheet).

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
                 frame-src {kassa}; style-src 'nonce-{nonce}'; img-src 'self' data:; frame-ancestors 'none'; \
                 base-uri 'none'; object-src 'none'; form-action 'self'"
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
