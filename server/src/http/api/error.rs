//! The API's one error shape:
//!
//! ```json
//! { "error": { "type": "invalid_request", "code": "validation_failed",
//!              "message": "Invoice NL-1 has 2 problems.",
//!              "errors": [ { "field": "lines[0].quantity", "code": "quantity_invalid",
//!                            "message": "...", "line": 1, "input": "two" } ],
//!              "request_id": "..." } }
//! ```
//!
//! `type` says what kind of fix it needs, `code` is stable for programs, `message` is for the
//! developer reading it, and a [`Problem`]'s fields ride along (`balance`, `line`, ...).
//! Everything a caller can fix is a 4xx; database and internal causes are logged and answered
//! with a generic 500 that names only the request id.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::Error;
use kassa_domain::Problem;
use serde_json::{json, Value};

tokio::task_local! {
    /// The request id of the API request being served (set by `api::request_id`).
    pub static REQUEST_ID: String;
}

/// An error answer (boxed: it travels in every handler's `Result`).
#[derive(Debug)]
pub struct ApiError(Box<Parts>);

#[derive(Debug)]
pub struct Parts {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: &'static str,
    pub message: String,
    /// A problem's own fields, merged into the error object.
    pub fields: Value,
    pub errors: Vec<Value>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError(Box::new(Parts {
            status,
            kind,
            code,
            message: message.into(),
            fields: Value::Null,
            errors: Vec::new(),
            retry_after: None,
        }))
    }

    /// Asks the caller to wait this long before retrying (`Retry-After`).
    pub fn retry_after(mut self, secs: u64) -> ApiError {
        self.0.retry_after = Some(secs);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", code, message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "not_found", "No such resource for this API key.")
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "authentication",
            "invalid_api_key",
            "Send a valid API key as `Authorization: Bearer kassa_test_...` (create one with `kassa api-key create`).",
        )
    }

    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "api_error",
            "internal",
            "Something went wrong on Kassa's side. Retry with the same Idempotency-Key; if it persists, \
             report the request id.",
        )
    }
}

/// Where a problem goes: its one status ([`Problem::http_status`]), as the pages use it too.
fn problem_status(p: &Problem) -> StatusCode {
    StatusCode::from_u16(p.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

/// A problem as an object: its code, words and fields.
fn problem_json(p: &Problem) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or_else(|_| json!({ "code": p.code() }));
    v["message"] = Value::String(kassa_app::words::problem(p));
    v
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        let status = problem_status(&p);
        let kind = match status {
            StatusCode::CONFLICT => "conflict",
            StatusCode::NOT_FOUND => "not_found",
            _ => "invalid_request",
        };
        let mut fields = serde_json::to_value(&p).unwrap_or(Value::Null);
        if let Some(o) = fields.as_object_mut() {
            o.remove("code");
        }
        let mut e = ApiError::new(status, kind, p.code(), kassa_app::words::problem(&p));
        e.0.fields = fields;
        e
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match e {
            Error::NotFound => ApiError::not_found(),
            Error::Unauthenticated => ApiError::unauthenticated(),
            Error::Forbidden => {
                ApiError::new(StatusCode::FORBIDDEN, "permission", "forbidden", "This key may not do this.")
            }
            Error::ScopeMissing(scope) => {
                let mut e = ApiError::new(
                    StatusCode::FORBIDDEN,
                    "permission",
                    "scope_missing",
                    format!(
                        "This API key lacks the `{0}` scope. Use a key that has it (an admin makes one with \
                         `kassa api-key create --scopes read,write,settings`).",
                        scope.as_str()
                    ),
                );
                e.0.fields = json!({ "scope": scope.as_str() });
                e
            }
            Error::Problem(p) => p.into(),
            Error::Invalid(problems) => {
                let errors: Vec<Value> = problems
                    .iter()
                    .map(|f| {
                        let mut v = problem_json(&f.problem);
                        v["field"] = Value::String(f.field.clone());
                        v
                    })
                    .collect();
                // A conflict first; 404 only when all that is wrong is what it names.
                let statuses: Vec<StatusCode> = problems.iter().map(|f| problem_status(&f.problem)).collect();
                let status = if statuses.contains(&StatusCode::CONFLICT) {
                    StatusCode::CONFLICT
                } else if statuses.iter().all(|s| *s == StatusCode::NOT_FOUND) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let message = match problems.as_slice() {
                    [one] => format!("{}: {}", one.field, kassa_app::words::problem(&one.problem)),
                    more => format!("{} fields need fixing; see `errors`.", more.len()),
                };
                let kind = if status == StatusCode::NOT_FOUND { "not_found" } else { "invalid_request" };
                let mut e = ApiError::new(status, kind, "validation_failed", message);
                e.0.errors = errors;
                e
            }
            Error::Database(_) | Error::Internal(_) => {
                tracing::error!(error = ?e, "API request failed");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Parts { status, kind, code, message, fields, errors, retry_after } = *self.0;
        let request_id = REQUEST_ID.try_with(Clone::clone).ok();
        let mut error = json!({
            "type": kind,
            "code": code,
            "message": message,
            "request_id": request_id,
        });
        if let (Some(o), Value::Object(fields)) = (error.as_object_mut(), fields) {
            for (k, v) in fields {
                o.entry(k).or_insert(v);
            }
        }
        if !errors.is_empty() {
            error["errors"] = Value::Array(errors);
        }
        let mut res = (status, Json(json!({ "error": error }))).into_response();
        if let Some(secs) = retry_after {
            res.headers_mut().insert(http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
