//! The merchant REST API, `/api/v1`: a merchant's ERP or billing system pushes customers and
//! invoices and reads where they stand. Every handler resolves the API key into a
//! [`Principal`] and calls the same `kassa-core` service the admin and the CLI call; nothing
//! here decides a rule. Conventions (docs/api.md): JSON in and out, money as
//! `{"amount": "1234.56", "currency": "EUR", "minor": 123456}`, dates `YYYY-MM-DD`, times
//! RFC 3339, lists paged by an opaque cursor, one error shape ([`error`]), `Idempotency-Key`
//! on every POST ([`idempotency`]), a `Request-Id` on every response.

pub mod customers;
pub mod error;
pub mod idempotency;
pub mod invoices;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use kassa_core::services::api_keys;
use kassa_core::services::records::{self, Cursor};
use kassa_core::{Ctx, Principal};
use kassa_domain::Money;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::http::AppState;
use error::{ApiError, ApiResult, REQUEST_ID};

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/customers", get(customers::list).post(customers::create))
        .route("/customers/{id}", get(customers::get))
        .route("/customers/by-number/{number}", get(customers::by_number))
        .route("/invoices", get(invoices::list).post(invoices::create))
        .route("/invoices/{id}", get(invoices::get))
        .route("/invoices/by-number/{number}", get(invoices::by_number))
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no_such_endpoint",
                "There is no such endpoint in /api/v1.",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "method_not_allowed",
                "This endpoint does not take that method.",
            )
        })
        .layer(from_fn_with_state(state.ctx.clone(), idempotency::replay))
        .layer(from_fn_with_state(state.ctx, authenticate))
        .layer(from_fn(request_id))
}

/// Gives every request an id (`Request-Id` on the response, `request_id` in errors and logs).
async fn request_id(req: Request, next: Next) -> Response {
    let id = format!("req_{}", uuid::Uuid::new_v4().simple());
    let span = tracing::info_span!("api", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut res = tracing::Instrument::instrument(REQUEST_ID.scope(id.clone(), next.run(req)), span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("request-id", value);
    }
    res.headers_mut().insert(http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Resolves `Authorization: Bearer <key>` into the key's principal, kept in the request's
/// extensions for the handlers ([`Key`]); 401 in the API's error shape otherwise.
async fn authenticate(
    axum::extract::State(ctx): axum::extract::State<Ctx>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|v| SecretString::from(v.trim().to_string()))
        .ok_or_else(ApiError::unauthenticated)?;
    let who = api_keys::authenticate(&ctx, &presented).await?;
    req.extensions_mut().insert(who);
    Ok(next.run(req).await)
}

/// The calling key's principal and the services' context, for a handler.
pub struct Key {
    pub ctx: Ctx,
    pub who: Principal,
}

impl FromRequestParts<AppState> for Key {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Key, ApiError> {
        let who = parts.extensions.get::<Principal>().cloned().ok_or_else(ApiError::unauthenticated)?;
        let ip =
            parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
        let ctx = state.ctx.from_origin(kassa_core::audit::Origin { surface: "api", ip });
        Ok(Key { ctx, who })
    }
}

/// A JSON body, or a 400 that says what in it is wrong (line and column, the field).
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => {
                use axum::extract::rejection::JsonRejection as J;
                let (status, code) = match &rejection {
                    J::MissingJsonContentType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "json_required"),
                    J::JsonSyntaxError(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
                    J::JsonDataError(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
                    _ => (StatusCode::BAD_REQUEST, "invalid_body"),
                };
                Err(ApiError::new(status, "invalid_request", code, rejection.body_text()))
            }
        }
    }
}

/// Money on the wire: a decimal string with its currency, and the minor units.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MoneyJson {
    pub amount: String,
    pub currency: String,
    pub minor: i64,
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> MoneyJson {
        MoneyJson { amount: m.amount_string(), currency: m.currency().code().to_string(), minor: m.minor() }
    }
}

/// `limit` (1-200, 50 by default) and `after` (the `next_cursor` of the page before).
#[derive(Debug, Deserialize)]
pub struct PageParams {
    pub limit: Option<u32>,
    pub after: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> ApiResult<u32> {
        match self.limit {
            None => Ok(50),
            Some(n @ 1..=200) => Ok(n),
            Some(_) => Err(ApiError::bad_request("invalid_limit", "`limit` is 1 to 200.")),
        }
    }

    pub fn cursor(&self) -> ApiResult<Option<Cursor>> {
        self.after.as_deref().map(Cursor::decode).transpose().map_err(ApiError::from)
    }
}

/// A page of a list.
#[derive(Debug, Serialize)]
pub struct ListJson<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

impl<T> ListJson<T> {
    pub fn of<U>(page: records::Page<U>, f: impl Fn(U) -> T) -> ListJson<T> {
        ListJson {
            has_more: page.next.is_some(),
            next_cursor: page.next.map(|c| c.encode()),
            data: page.items.into_iter().map(f).collect(),
        }
    }
}

/// A query string the API could not read, in its error shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Query<T>, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}
