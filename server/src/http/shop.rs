//! The demo merchant's web shop, served on its own address (another origin than Kassa, so
//! the widget's CORS is real): an order page with `<kassa-pay>` for one invoice (`/`) and a
//! customer's account page with `<kassa-invoices>` (`/account`). Each visit gets a signed
//! widget token. It sends the
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
const ACCOUNT: &str = include_str!("../../../public/shop/account.html");

#[derive(Clone)]
struct Shop {
    ctx: Ctx,
    origin: String,
}

pub fn router(ctx: Ctx, origin: String) -> Router {
    Router::new().route("/", get(page)).route("/account", get(account)).with_state(Shop { ctx, origin })
}

async fn page(State(shop): State<Shop>) -> Response {
    let token = demo::shop_token(&shop.ctx, &shop.origin).await;
    serve(&shop, PAGE, token)
}

async fn account(State(shop): State<Shop>) -> Response {
    let token = demo::shop_account_token(&shop.ctx, &shop.origin).await;
    serve(&shop, ACCOUNT, token)
}

/// `page` with `token` in it, under the strict policy of the embedding guide.
fn serve(shop: &Shop, page: &str, token: anyhow::Result<String>) -> Response {
    match token {
        Ok(token) => {
            let nonce = kassa_core::db::new_id().replace('-', "");
            let kassa = &shop.ctx.public_url;
            let policy = format!(
                "default-src 'self'; script-src 'nonce-{nonce}' {kassa} 'wasm-unsafe-eval'; connect-src {kassa}; \
                 frame-src {kassa}; style-src 'nonce-{nonce}'; img-src 'self' data:; frame-ancestors 'none'; \
                 base-uri 'none'; object-src 'none'; form-action 'self'"
            );
            let html = page
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
