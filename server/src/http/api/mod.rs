//! The merchant REST API, `/api/v1`: a merchant's ERP or billing system pushes customers and
//! invoices and reads where they stand. Every handler resolves the API key into a
//! [`Principal`] and calls the same `kassa-core` service the admin and the CLI call; nothing
//! here decides a rule. Conventions (docs/api.md): JSON in and out, money as
//! `{"amount": "1234.56", "currency": "EUR", "minor": 123456}`, dates `YYYY-MM-DD`, times
//! RFC 3339, lists paged by an opaque cursor, one error shape ([`error`]), `Idempotency-Key`
//! on every POST ([`idempotency`]), a `Request-Id` on every response.

pub mod allocations;
pub mod credit_notes;
pub mod customers;
pub mod disputes;
pub mod error;
pub mod idempotency;
pub mod imports;
pub mod invoices;
pub mod jobs;
pub mod openapi;
pub mod payments;
pub mod plans;
pub mod promises;
pub mod reference;
pub mod settings;
pub mod webhooks;
pub mod widgets;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use kassa_core::services::api_keys;
use kassa_core::services::records::{self, Cursor};
use kassa_core::services::throttle::{self, Rate};
use kassa_core::{Ctx, Principal};
use kassa_domain::Money;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::http::AppState;
use error::{ApiError, ApiResult, REQUEST_ID};

/// The OpenAPI document's frame; the paths and schemas come from the handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Kassa merchant API",
        version = "1",
        description = "Push customers, invoices, credit notes and payments from your ERP and read where they stand. \
            Guide with examples: docs/api.md in the Kassa repository; reference: /api/docs on your Kassa.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "customers", description = "The merchant's customers, keyed by the merchant's own number."),
        (name = "invoices", description = "Invoices with their lines, and where each stands today; write-offs."),
        (name = "credit notes", description = "Credit notes against an invoice, or held as credit on the customer."),
        (name = "payments", description = "Money received, where it went, money received elsewhere recorded, \
            reversals, and held credit applied."),
        (name = "imports", description = "Files of invoices (CSV) imported in the background, with progress and a \
            report per line."),
        (name = "webhooks", description = "Endpoints Kassa sends your events to, signed per Standard Webhooks 1.0; \
            their delivery log and replays."),
        (name = "jobs", description = "Kassa's background work for you (deliveries, imports): what is queued, \
            running, done or dead, and a second chance for a dead job."),
        (name = "promises", description = "Debtors' promises to pay by a date, made in the portal: open, kept or \
            broken."),
        (name = "disputes", description = "Debtors' disputes of invoices or lines, opened in the portal: their \
            threads, your answers and internal notes, and their resolution (a credit note, or the amount owed again)."),
        (name = "plans", description = "Debtors' payment plans, proposed in the portal: their schedules and what was \
            paid; approve or reject a proposal outside your policy."),
        (name = "widgets", description = "Tokens for the `<kassa-pay>` element on your own site and its pay link \
            (or `<kassa-invoices>`, a customer's open invoices), and for emails: the invoice or customer shown, the \
            sites allowed to show it, how long it lives; revocable at once."),
        (name = "settings", description = "The merchant's own settings: its time zone, where debtors send bank \
            transfers, and its rules for promises and payment plans.")
    )
)]
struct ApiDoc;

/// Every operation takes the key as a bearer token.
struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("An API key: `kassa_test_...` or `kassa_live_...` (`kassa api-key create`)."))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// The API's OpenAPI 3.1 document, as served at `/api/v1/openapi.json`: generated from the
/// handlers, then completed with what every operation shares ([`openapi::complete`]).
pub fn openapi_json() -> serde_json::Value {
    document(operations().split_for_parts().1)
}

fn document(generated: utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(generated).unwrap_or_default();
    openapi::complete(&mut doc);
    doc
}

fn operations() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa::OpenApi;
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::get))
        .routes(routes!(customers::by_number))
        .routes(routes!(invoices::list, invoices::create))
        .routes(routes!(invoices::get))
        .routes(routes!(invoices::by_number))
        .routes(routes!(allocations::write_offs))
        .routes(routes!(allocations::write_off))
        .routes(routes!(credit_notes::list, credit_notes::create))
        .routes(routes!(credit_notes::get))
        .routes(routes!(credit_notes::by_number))
        .routes(routes!(payments::list, payments::create))
        .routes(routes!(payments::get))
        .routes(routes!(payments::by_key))
        .routes(routes!(payments::reverse))
        .routes(routes!(allocations::create))
        .routes({
            // Files are larger than JSON bodies.
            let (schemas, paths, route) = routes!(imports::create);
            (schemas, paths, route.layer(axum::extract::DefaultBodyLimit::max(imports::MAX_FORM_BYTES)))
        })
        .routes(routes!(imports::get))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::replay_range))
        .routes(routes!(webhooks::replay))
        .routes(routes!(jobs::list))
        .routes(routes!(jobs::retry))
        .routes(routes!(settings::get, settings::update))
        .routes(routes!(settings::set_bank_account))
        .routes(routes!(payments::refund, payments::refunds_of))
        .routes(routes!(settings::stripe_accounts, settings::connect_stripe))
        .routes(routes!(settings::disconnect_stripe))
        .routes(routes!(promises::list))
        .routes(routes!(promises::get))
        .routes(routes!(promises::policy, promises::set_policy))
        .routes(routes!(disputes::list))
        .routes(routes!(disputes::get))
        .routes(routes!(disputes::file))
        .routes(routes!(disputes::answer))
        .routes(routes!(disputes::resolve))
        .routes(routes!(plans::list))
        .routes(routes!(plans::get))
        .routes(routes!(plans::approve))
        .routes(routes!(plans::reject))
        .routes(routes!(plans::plan_policy, plans::set_plan_policy))
        .routes(routes!(widgets::list, widgets::create))
        .routes(routes!(widgets::get, widgets::update))
        .routes(routes!(widgets::revoke))
}

/// `limit` requests per minute per API key (`--api-rate-limit`).
pub fn router(state: AppState, limit: u32) -> Router<AppState> {
    let (operations, generated) = operations().split_for_parts();
    let document = std::sync::Arc::new(document(generated).to_string());
    // Only the operations need a key; the document is public.
    let operations = operations
        .layer(from_fn_with_state(state.ctx.clone(), idempotency::replay))
        .layer(from_fn_with_state((state.ctx.clone(), Rate { limit, window_secs: 60 }), rate_limit))
        .layer(from_fn_with_state(state.ctx, authenticate));
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { ([(http::header::CONTENT_TYPE, "application/json")], document.to_string()) }
            }),
        )
        .merge(operations)
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

/// Counts the request against its key's budget for the minute and says where it stands in
/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on every answer
/// (the IETF httpapi rate-limit header fields); over the limit it is a 429 with
/// `Retry-After`, and nothing runs.
async fn rate_limit(
    axum::extract::State((ctx, rate)): axum::extract::State<(Ctx, Rate)>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(Principal::ApiKey(key)) = req.extensions().get::<Principal>() else {
        return Err(ApiError::unauthenticated());
    };
    let state = throttle::hit(&ctx.pool, "api", &key.key_id, rate).await?;
    let mut res = if state.allowed {
        next.run(req).await
    } else {
        tracing::warn!(key = %key.key_id, limit = rate.limit, "API rate limit reached");
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit",
            "rate_limited",
            format!(
                "This key made more than {} requests this minute; retry after {} seconds.",
                rate.limit, state.reset_secs
            ),
        )
        .retry_after(u64::from(state.reset_secs))
        .into_response()
    };
    let headers = res.headers_mut();
    headers.insert("ratelimit-limit", state.limit.into());
    headers.insert("ratelimit-remaining", state.remaining.into());
    headers.insert("ratelimit-reset", state.reset_secs.into());
    if let Ok(policy) = HeaderValue::from_str(&format!("{};w={}", rate.limit, rate.window_secs)) {
        headers.insert("ratelimit-policy", policy);
    }
    Ok(res)
}

/// The calling key's principal and the services' context, for a handler.
pub struct Key {
    pub ctx: Ctx,
    pub who: Principal,
    pub api_key: kassa_core::principal::ApiKey,
}

impl Key {
    /// The key's merchant.
    pub fn merchant(&self) -> &kassa_domain::MerchantId {
        &self.api_key.merchant
    }

    /// `test` or `live`.
    pub fn mode(&self) -> &'static str {
        self.api_key.mode.as_str()
    }
}

impl FromRequestParts<AppState> for Key {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Key, ApiError> {
        let Some(Principal::ApiKey(api_key)) = parts.extensions.get::<Principal>().cloned() else {
            return Err(ApiError::unauthenticated());
        };
        let ip = parts.extensions.get::<kassa_core::audit::ClientIp>().map(|c| c.0.to_string());
        let ctx = state.ctx.from_origin(kassa_core::audit::Origin { surface: "api", ip });
        Ok(Key { ctx, who: Principal::ApiKey(api_key.clone()), api_key })
    }
}

/// A JSON body, or a 400 that says what in it is wrong (line and column, the field).
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Body<T>, ApiError> {
        let json = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request",
                "json_required",
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::new(r.status(), "invalid_request", "invalid_body", r.body_text()))?;
        // No database stores a NUL in text (PostgreSQL refuses it): a caller's mistake, said so.
        if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "invalid_body",
                "Text may not contain a NUL character (\\u0000).",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
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

/// Money on the wire: a decimal string with its currency, and the minor units. Never a float.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(example = json!({ "amount": "1234.56", "currency": "EUR", "minor": 123456 }))]
pub struct MoneyJson {
    /// A decimal string with the currency's number of decimals: `1234.56`.
    pub amount: String,
    /// ISO 4217: `EUR`, `DKK`.
    pub currency: String,
    /// The amount in minor units (cents, øre).
    pub minor: i64,
}

impl From<Money> for MoneyJson {
    fn from(m: Money) -> MoneyJson {
        MoneyJson { amount: m.amount_string(), currency: m.currency().code().to_string(), minor: m.minor() }
    }
}

/// `limit` (1-200, 50 by default) and `after` (the `next_cursor` of the page before).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-200, 50 by default.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

impl PageParams {
    /// The most a page holds (the OpenAPI document states it from here).
    pub const MAX_LIMIT: u32 = 200;

    pub fn limit(&self) -> ApiResult<u32> {
        match self.limit {
            None => Ok(50),
            Some(n @ 1..=Self::MAX_LIMIT) => Ok(n),
            Some(_) => Err(ApiError::bad_request("invalid_limit", format!("`limit` is 1 to {}.", Self::MAX_LIMIT))),
        }
    }

    /// A cursor that does not read is a query parameter Kassa cannot read: 400, like `limit`.
    pub fn cursor(&self) -> ApiResult<Option<Cursor>> {
        self.after
            .as_deref()
            .map(Cursor::decode)
            .transpose()
            .map_err(|p| ApiError::bad_request(p.code(), kassa_app::words::problem(&p)))
    }
}

/// `customer` (Kassa's id), `limit` and `after`: the paging of lists of ledger entries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CustomerPageParams {
    /// Only this customer's (Kassa's id).
    pub customer: Option<String>,
    /// 1-200, 50 by default.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

impl CustomerPageParams {
    /// The customer filter, and the page.
    pub fn split(self) -> (Option<kassa_domain::CustomerId>, PageParams) {
        (self.customer.map(kassa_domain::CustomerId::from_raw), PageParams { limit: self.limit, after: self.after })
    }
}

/// A page of a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListJson<T> {
    pub data: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Pass as `after` for the next page.
    pub next_cursor: Option<String>,
}

/// The one error shape (see docs/api.md).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    pub error: ErrorBodyJson,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBodyJson {
    /// `invalid_request`, `authentication`, `permission`, `not_found`, `conflict`, `api_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Stable, for programs: `validation_failed`, `invoice_number_taken`, ...
    pub code: String,
    /// For the developer reading it.
    pub message: String,
    /// Every field to fix, for `validation_failed`: `field` (`lines[0].quantity`), `code`,
    /// `message`, and the problem's own fields.
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<serde_json::Value>>,
    /// Also in the `Request-Id` header.
    pub request_id: String,
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

/// The `Idempotency-Key` of an operation that moves money, which needs one.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct RequiredIdempotencyKey {
    /// 1-255 printable characters, unique per request you mean: the same key records the
    /// money once, ever; with another request it is a 409.
    #[serde(rename = "Idempotency-Key")]
    #[param(rename = "Idempotency-Key")]
    pub key: String,
}

/// The `Idempotency-Key` header every POST takes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1-255 printable characters, unique per request you mean: for 24 hours the same key with
    /// the same request replays the first answer; with another request it is a 409.
    #[serde(rename = "Idempotency-Key")]
    #[param(rename = "Idempotency-Key")]
    pub key: Option<String>,
}

/// Whether percent-encoded URL text decodes to a NUL character.
fn has_nul(encoded: &str) -> bool {
    encoded.as_bytes().windows(3).any(|w| w == b"%00")
}

/// A path segment the API could not read (not UTF-8, say): no such resource, in the API's
/// error shape rather than axum's plain text.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Path<T>, ApiError> {
        // No record's id or number holds a NUL (and PostgreSQL cannot even compare one).
        if has_nul(parts.uri.path()) {
            return Err(ApiError::not_found());
        }
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|_| ApiError::not_found())
    }
}

/// A query string the API could not read, in its error shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Query<T>, ApiError> {
        if parts.uri.query().is_some_and(has_nul) {
            return Err(ApiError::bad_request("invalid_query", "A query parameter holds a NUL character (%00)."));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// A whole number as JSON may write it, `24` or `24.0` (JSON Schema's `integer` is both), for
/// an optional field: `#[serde(default, deserialize_with = "super::whole_number")]`.
pub(crate) fn whole_number<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error as _;
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    let whole = n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64));
    let whole = whole.ok_or_else(|| D::Error::custom(format!("invalid type: {n}, expected a whole number")))?;
    T::try_from(whole).map(Some).map_err(|_| D::Error::custom(format!("{n} is out of range")))
}
