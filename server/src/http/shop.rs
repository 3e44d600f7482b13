//! The demo merchant's web shop, served on its own address (another origin than Kassa, so
//! the widget's CORS is real). Each visit gets a freshly signed widget token.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::StatusCode;

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
        Ok(token) => Html(
            PAGE.replace("{{KASSA_URL}}", &shop.ctx.public_url)
                .replace("{{TOKEN}}", &token)
                .replace("{{INVOICE}}", demo::SHOP_INVOICE),
        )
        .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "demo shop");
            (StatusCode::SERVICE_UNAVAILABLE, "The demo data is missing: run `kassa demo` first.").into_response()
        }
    }
}
