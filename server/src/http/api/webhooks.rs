//! `/api/v1/webhook_endpoints`: where Kassa sends a merchant's events, signed per Standard
//! Webhooks; their secrets, their delivery log, and replays.

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::services::records;
use kassa_core::services::webhooks::{self, Attempt, Delivery, Endpoint, EndpointChange, EndpointInput};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, IdempotencyKey, Key, ListJson, PageParams, Query};

/// An endpoint as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EndpointJson {
    pub id: String,
    /// Always `webhook_endpoint`.
    pub object: String,
    pub url: String,
    pub description: String,
    /// Event names (`invoice.paid`), groups (`invoice.*`) or `*`.
    pub events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// Why Kassa disabled it (the receiver answered 410, or every delivery failed for 5 days).
    pub disabled_reason: Option<String>,
    /// `test` or `live`: it hears that mode's events only.
    pub mode: String,
    /// The signing secret (`whsec_...`): in the answer that creates the endpoint only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Endpoint> for EndpointJson {
    fn from(e: Endpoint) -> EndpointJson {
        EndpointJson {
            id: e.id,
            object: "webhook_endpoint".into(),
            url: e.url,
            description: e.description,
            events: e.events,
            status: if e.enabled { "enabled" } else { "disabled" }.into(),
            disabled_reason: e.disabled_reason,
            mode: e.mode.as_str().into(),
            secret: None,
            created_at: records::rfc3339(e.created_at),
            updated_at: records::rfc3339(e.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpoint {
    /// Where to POST events: https (plain http is refused for live keys); public addresses only.
    pub url: String,
    /// What to send: `["invoice.paid", "payment.*"]`, or `["*"]` for everything.
    pub events: Vec<String>,
    /// Up to 500 characters, for you.
    pub description: Option<String>,
}

/// Register an endpoint.
///
/// 201 with the endpoint and its signing secret, shown this once.
#[utoipa::path(post, path = "/webhook_endpoints", tag = "webhooks", request_body = CreateEndpoint,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Registered", body = EndpointJson),
        (status = 422, description = "Fields to fix: the URL, the events", body = ErrorJson),
    ))]
pub async fn create(key: Key, Body(body): Body<CreateEndpoint>) -> ApiResult<Response> {
    let input = EndpointInput { url: body.url, events: body.events, description: body.description };
    let created = webhooks::create(&key.ctx, &key.who, input).await?;
    let mut json = EndpointJson::from(created.endpoint);
    json.secret = Some(created.secret.expose_secret().to_string());
    Ok(with_secret((StatusCode::CREATED, Json(json)).into_response()))
}

/// The key's mode's endpoints, oldest first.
#[utoipa::path(get, path = "/webhook_endpoints", tag = "webhooks",
    responses((status = 200, body = ListJson<EndpointJson>)))]
pub async fn list(key: Key) -> ApiResult<Json<ListJson<EndpointJson>>> {
    let found = webhooks::list(&key.ctx, &key.who).await?;
    Ok(Json(ListJson { data: found.into_iter().map(EndpointJson::from).collect(), has_more: false, next_cursor: None }))
}

/// One endpoint (without its secret).
#[utoipa::path(get, path = "/webhook_endpoints/{id}", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, body = EndpointJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<EndpointJson>> {
    Ok(Json(webhooks::get(&key.ctx, &key.who, &id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpoint {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    /// `enabled` or `disabled`. Enabling again clears the reason Kassa disabled it for.
    #[schema(pattern = "^(enabled|disabled)$")]
    pub status: Option<String>,
}

/// Change an endpoint, or enable or disable it.
#[utoipa::path(patch, path = "/webhook_endpoints/{id}", tag = "webhooks", request_body = UpdateEndpoint,
    params(("id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, body = EndpointJson), (status = 404, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn update(
    key: Key,
    Path(id): Path<String>,
    Body(body): Body<UpdateEndpoint>,
) -> ApiResult<Json<EndpointJson>> {
    let enabled = match body.status.as_deref() {
        None => None,
        Some("enabled") => Some(true),
        Some("disabled") => Some(false),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "invalid_status",
                "`status` is `enabled` or `disabled`.",
            ))
        }
    };
    let change = EndpointChange { url: body.url, events: body.events, description: body.description, enabled };
    Ok(Json(webhooks::update(&key.ctx, &key.who, &id, change).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// How long the secrets it had keep signing beside the new one: 0-168 hours, 24 by default.
    #[schema(minimum = 0, maximum = 168)]
    #[serde(default, deserialize_with = "super::whole_number")]
    pub overlap_hours: Option<u32>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    /// The new signing secret, shown this once.
    pub secret: String,
    /// RFC 3339: until then deliveries carry a signature by each secret.
    pub previous_secrets_expire_at: String,
}

/// Rotate the signing secret, with an overlap.
#[utoipa::path(post, path = "/webhook_endpoints/{id}/secret", tag = "webhooks", request_body = RotateSecret,
    params(("id" = String, Path, description = "The endpoint's id"), IdempotencyKey),
    responses((status = 200, body = RotatedSecret), (status = 404, body = ErrorJson)))]
pub async fn rotate_secret(key: Key, Path(id): Path<String>, Body(body): Body<RotateSecret>) -> ApiResult<Response> {
    let hours = body.overlap_hours.unwrap_or(24);
    if hours > 168 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "invalid_overlap",
            "`overlap_hours` is 0-168.",
        ));
    }
    let overlap = i64::from(hours) * 3600;
    let secret = webhooks::rotate_secret(&key.ctx, &key.who, &id, overlap).await?;
    Ok(with_secret(
        Json(RotatedSecret {
            secret: secret.expose_secret().to_string(),
            previous_secrets_expire_at: records::rfc3339(kassa_core::db::now() + overlap),
        })
        .into_response(),
    ))
}

/// The answer holds a signing secret: the idempotency store keeps it sealed.
fn with_secret(mut res: Response) -> Response {
    res.extensions_mut().insert(super::idempotency::CarriesSecret);
    res
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttemptJson {
    /// What the receiver answered; none when it could not be reached.
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// The first 500 characters of the receiver's answer.
    pub response: Option<String>,
    /// RFC 3339.
    pub attempted_at: String,
}

impl From<Attempt> for AttemptJson {
    fn from(a: Attempt) -> AttemptJson {
        AttemptJson {
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            error: a.error,
            response: a.response,
            attempted_at: records::rfc3339(a.attempted_at),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryJson {
    pub id: String,
    /// Always `webhook_delivery`.
    pub object: String,
    pub endpoint: String,
    /// The event's id: the `webhook-id` header, the same on every try.
    pub event: String,
    pub event_type: String,
    /// `pending` (being tried), `delivered` or `failed` (given up, or the endpoint was disabled).
    pub status: String,
    pub attempts: Vec<AttemptJson>,
    /// RFC 3339.
    pub created_at: String,
    pub delivered_at: Option<String>,
}

impl From<Delivery> for DeliveryJson {
    fn from(d: Delivery) -> DeliveryJson {
        DeliveryJson {
            id: d.id,
            object: "webhook_delivery".into(),
            endpoint: d.endpoint,
            event: d.event,
            event_type: d.event_type,
            status: d.status,
            attempts: d.attempts.into_iter().map(AttemptJson::from).collect(),
            created_at: records::rfc3339(d.created_at),
            delivered_at: d.delivered_at.map(records::rfc3339),
        }
    }
}

/// An endpoint's deliveries, newest first, each with every attempt.
#[utoipa::path(get, path = "/webhook_endpoints/{id}/deliveries", tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id"), PageParams),
    responses((status = 200, body = ListJson<DeliveryJson>), (status = 404, body = ErrorJson)))]
pub async fn deliveries(
    key: Key,
    Path(id): Path<String>,
    Query(page): Query<PageParams>,
) -> ApiResult<Json<ListJson<DeliveryJson>>> {
    let found = webhooks::deliveries(&key.ctx, &key.who, &id, page.limit()?, page.cursor()?.as_ref()).await?;
    Ok(Json(ListJson::of(found, DeliveryJson::from)))
}

/// Send one delivery again.
#[utoipa::path(post, path = "/webhook_deliveries/{id}/replay", tag = "webhooks",
    params(("id" = String, Path, description = "The delivery's id"), IdempotencyKey),
    responses((status = 202, description = "Queued", body = DeliveryJson), (status = 404, body = ErrorJson)))]
pub async fn replay(key: Key, Path(id): Path<String>) -> ApiResult<Response> {
    let delivery = webhooks::replay(&key.ctx, &key.who, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(DeliveryJson::from(delivery))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRange {
    /// RFC 3339: deliveries created at or after.
    #[schema(format = DateTime)]
    pub since: String,
    /// RFC 3339: created at or before; now when left out.
    #[schema(format = DateTime)]
    pub until: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Replayed {
    /// How many failed deliveries were queued again.
    pub replayed: u64,
}

/// Send again every failed delivery of an endpoint in a time range.
#[utoipa::path(post, path = "/webhook_endpoints/{id}/replay", tag = "webhooks", request_body = ReplayRange,
    params(("id" = String, Path, description = "The endpoint's id"), IdempotencyKey),
    responses((status = 202, body = Replayed), (status = 404, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn replay_range(key: Key, Path(id): Path<String>, Body(body): Body<ReplayRange>) -> ApiResult<Response> {
    let time = |name: &'static str, text: &str| {
        time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_request",
                    "invalid_time",
                    format!("`{name}` is a time like 2026-11-25T06:00:00Z."),
                )
            })
    };
    let since = time("since", &body.since)?;
    let until = match &body.until {
        Some(u) => time("until", u)?,
        None => kassa_core::db::now(),
    };
    let replayed = webhooks::replay_range(&key.ctx, &key.who, &id, since, until).await?;
    Ok((StatusCode::ACCEPTED, Json(Replayed { replayed })).into_response())
}
