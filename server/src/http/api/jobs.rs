//! `/api/v1/jobs`: the background work Kassa does for the merchant (webhook deliveries,
//! imports, event dispatch), in the key's mode: what is queued, running, done or dead (every
//! attempt used, with the last error), and a second chance for a dead one.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::jobs::{self, JobRecord, State};
use kassa_core::services::records;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{ErrorJson, IdempotencyKey, Key, ListJson, Path, Query};

/// A job and how it went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobJson {
    pub id: String,
    /// Always `job`.
    pub object: String,
    /// `webhook.deliver`, `import.run`, `event.dispatch`, ...
    pub kind: String,
    /// `queued`, `running`, `done` or `dead` (every attempt used; retry it with
    /// `POST /jobs/{id}/retry`).
    pub state: String,
    /// Attempts made, including one running now.
    pub attempts: i64,
    pub max_attempts: i64,
    /// What the last failed attempt said (an error, a panic, or that its worker stopped).
    pub last_error: Option<String>,
    /// RFC 3339: when a queued job runs next.
    pub run_at: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<JobRecord> for JobJson {
    fn from(j: JobRecord) -> JobJson {
        JobJson {
            id: j.id,
            object: "job".into(),
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            run_at: records::rfc3339(j.run_at),
            created_at: records::rfc3339(j.created_at),
            updated_at: records::rfc3339(j.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only jobs in this state: `queued`, `running`, `done` or `dead`.
    #[param(pattern = "^(queued|running|done|dead)$")]
    pub state: Option<String>,
    /// 1-200, 50 by default: the most recently changed first.
    pub limit: Option<u32>,
}

/// The key's mode's jobs, most recently changed first.
#[utoipa::path(get, path = "/jobs", tag = "jobs", params(ListParams),
    responses((status = 200, body = ListJson<JobJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<JobJson>>> {
    let state =
        match p.state.as_deref() {
            None => None,
            Some(s) => Some(State::parse(s).ok_or_else(|| {
                ApiError::bad_request("invalid_query", "`state` is one of queued, running, done, dead.")
            })?),
        };
    let limit = super::PageParams { limit: p.limit, after: None }.limit()?;
    let found = jobs::list_for(&key.ctx, &key.who, state, i64::from(limit)).await?;
    Ok(Json(ListJson { data: found.into_iter().map(JobJson::from).collect(), has_more: false, next_cursor: None }))
}

/// Queue a dead job again, now, with its attempts anew.
///
/// 202 with the job, queued. Only a dead job can be retried (409 `job_not_dead` otherwise).
#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "jobs",
    params(("id" = String, Path, description = "The job's id"), IdempotencyKey),
    responses(
        (status = 202, description = "Queued again", body = JobJson),
        (status = 404, body = ErrorJson),
        (status = 409, description = "The job is not dead", body = ErrorJson),
    ))]
pub async fn retry(key: Key, Path(id): Path<String>) -> ApiResult<Response> {
    let job = jobs::retry_for(&key.ctx, &key.who, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(JobJson::from(job))).into_response())
}
