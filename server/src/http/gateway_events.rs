//! `POST /webhooks/{gateway}/{merchant}`: events from payment gateways, as they send them (a
//! raw body and a signature header; no session, no cookie, not bound to an origin). The core
//! checks, stores once and applies each (`kassa_core::services::gateway_events`); the answer
//! is the API's: 200 with `{"received": true}` (also for a repeat), 400
//! `gateway_event_refused` for a bad signature or body, 404 for an unknown gateway or merchant.
//! A 5xx makes the gateway send the event again later, which is safe.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::HeaderMap;
use kassa_core::services::gateway_events::{self, Received};
use kassa_core::Ctx;
use kassa_domain::MerchantSlug;

use crate::http::api::error::ApiError;

pub async fn receive(
    State(ctx): State<Ctx>,
    Path((gateway, merchant)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (Ok(slug), Some(found)) = (MerchantSlug::parse(&merchant), ctx.gateways.get(&gateway)) else {
        return ApiError::not_found().into_response();
    };
    let signature = headers.get(found.signature_header()).and_then(|v| v.to_str().ok()).unwrap_or("");
    match gateway_events::receive(&ctx, &slug, &gateway, signature, &body).await {
        Ok(received) => {
            Json(serde_json::json!({ "received": true, "repeat": received == Received::Repeat })).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
