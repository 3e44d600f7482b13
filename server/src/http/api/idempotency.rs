//! `Idempotency-Key` on POST: the first response to a key is kept for 24 hours; the same key
//! with the same method, path and body replays it (with `Idempotent-Replayed: true`), with
//! anything else it is a 409. A key whose first request is still running answers 409
//! `request_in_progress` (retry shortly); one whose request died (no answer within a minute)
//! is taken over. Answers that say "try again" (5xx, 429) are not kept, so the retry runs.
//! Keys belong to the merchant and mode of the API key that sent them.
//!
//! An answer that carries a secret (a new webhook signing secret) says so with
//! [`CarriesSecret`] and is kept sealed, under the key that seals those secrets themselves: the
//! database never holds it in plain text, and a replay still returns it.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode};
use kassa_core::{db, Ctx, Principal};
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// The largest JSON body the API reads (imports take files up to their own limit).
pub const MAX_BODY: usize = 1024 * 1024;
const KEEP_SECS: i64 = 24 * 3600;
/// A request that has not answered in this long is taken to have died.
const ABANDONED_SECS: i64 = 60;

/// Marks a response whose body holds a secret: the idempotency store keeps it sealed.
#[derive(Debug, Clone, Copy)]
pub struct CarriesSecret;

pub async fn replay(State(ctx): State<Ctx>, req: Request, next: Next) -> Result<Response, ApiError> {
    let key = match req.headers().get("idempotency-key") {
        Some(v) if req.method() == Method::POST => v,
        _ => return Ok(next.run(req).await),
    };
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        .ok_or_else(|| {
            ApiError::bad_request("invalid_idempotency_key", "An Idempotency-Key is 1-255 printable ASCII characters.")
        })?
        .to_string();
    let Some(Principal::ApiKey(api_key)) = req.extensions().get::<Principal>().cloned() else {
        return Err(ApiError::unauthenticated());
    };
    let (merchant, mode) = (api_key.merchant.to_string(), api_key.mode.as_str());
    let (parts, body) = req.into_parts();
    let limit = if parts.uri.path().ends_with("/imports") { super::imports::MAX_FORM_BYTES } else { MAX_BODY };
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        let message = format!("The body is over {} MiB.", limit / 1024 / 1024);
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", "body_too_large", message)
    })?;
    let mut h = Sha256::new();
    for part in [parts.method.as_str().as_bytes(), parts.uri.path().as_bytes(), &bytes] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    let hash = format!("{:x}", h.finalize());

    let slot = Slot { merchant, mode, key };
    let now = db::now();
    // Claim the key: a new row, or an expired or abandoned one taken over.
    let inserted = slot
        .query(
            "INSERT INTO api_requests (merchant_id, mode, key, request_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (merchant_id, mode, key) DO NOTHING",
        )
        .bind(&hash)
        .bind(now)
        .execute(&ctx.pool)
        .await
        .map_err(internal)?
        .rows_affected();
    let claimed = inserted == 1
        || slot
            .query(
                "UPDATE api_requests SET request_hash = $4, status = NULL, response = NULL, created_at = $5 \
                 WHERE merchant_id = $1 AND mode = $2 AND key = $3 \
                 AND (created_at <= $6 OR (status IS NULL AND request_hash = $4 AND created_at <= $7))",
            )
            .bind(&hash)
            .bind(now)
            .bind(now - KEEP_SECS)
            .bind(now - ABANDONED_SECS)
            .execute(&ctx.pool)
            .await
            .map_err(internal)?
            .rows_affected()
            == 1;
    if !claimed {
        let (stored_hash, status, response): (String, Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT request_hash, status, response FROM api_requests WHERE merchant_id = $1 AND mode = $2 AND key = $3",
        )
        .bind(&slot.merchant)
        .bind(slot.mode)
        .bind(&slot.key)
        .fetch_one(&ctx.pool)
        .await
        .map_err(internal)?;
        if stored_hash != hash {
            return Err(kassa_domain::Problem::IdempotencyKeyReused.into());
        }
        return match (status, response) {
            (Some(status), Some(body)) => {
                let status = u16::try_from(status)
                    .ok()
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .ok_or_else(ApiError::internal)?;
                let body = match kassa_core::secrets::Sealer::is_sealed(&body) {
                    // Not readable if KASSA_SECRET changed since: nothing to replay then.
                    true => ctx.webhook_secrets.open(&body).ok_or_else(ApiError::internal)?,
                    false => body,
                };
                let mut res = (status, [(http::header::CONTENT_TYPE, "application/json")], body).into_response();
                res.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
                Ok(res)
            }
            _ => Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "request_in_progress",
                "A request with this Idempotency-Key is still being processed. Retry in a few seconds.",
            )
            .retry_after(2)),
        };
    }

    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = res.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        let delete = "DELETE FROM api_requests WHERE merchant_id = $1 AND mode = $2 AND key = $3";
        slot.query(delete).execute(&ctx.pool).await.map_err(internal)?;
        return Ok(res);
    }
    let (parts, body) = res.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.map_err(|_| ApiError::internal())?;
    let kept = String::from_utf8_lossy(&bytes).into_owned();
    let kept = if parts.extensions.get::<CarriesSecret>().is_some() { ctx.webhook_secrets.seal(&kept) } else { kept };
    slot.query("UPDATE api_requests SET status = $4, response = $5 WHERE merchant_id = $1 AND mode = $2 AND key = $3")
        .bind(i64::from(status.as_u16()))
        .bind(kept)
        .execute(&ctx.pool)
        .await
        .map_err(internal)?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// One key's row: the merchant's, in the key's mode.
struct Slot {
    merchant: String,
    mode: &'static str,
    key: String,
}

impl Slot {
    /// `sql` with the row's key bound as `$1` (merchant), `$2` (mode) and `$3` (key).
    fn query<'q>(&'q self, sql: &'q str) -> kassa_core::db::Query<'q> {
        sqlx::query(sql).bind(self.merchant.as_str()).bind(self.mode).bind(self.key.as_str())
    }
}

fn internal(e: sqlx::Error) -> ApiError {
    tracing::error!(error = %e, "idempotency store");
    ApiError::internal()
}
