//! `/api/v1/settings`: the merchant's own settings, the same `kassa-core` service as the
//! admin's settings page. Every key reads them; changing them takes the `settings` scope.

use axum::Json;
use kassa_core::services::merchants::{self, Settings, UpdateSettings};
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::{Body, ErrorJson, Key};

/// The merchant's settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingsJson {
    /// Always `settings`.
    pub object: String,
    /// IANA time zone (`Europe/Amsterdam`, the default): an invoice is overdue from midnight
    /// here after its due date, and pages show times on this clock.
    pub time_zone: String,
}

impl From<Settings> for SettingsJson {
    fn from(s: Settings) -> SettingsJson {
        SettingsJson { object: "settings".into(), time_zone: s.time_zone }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettingsJson {
    /// IANA time zone name; 422 `unknown_time_zone` for anything else.
    pub time_zone: Option<String>,
}

/// The merchant's settings.
#[utoipa::path(get, path = "/settings", tag = "settings", responses((status = 200, body = SettingsJson)))]
pub async fn get(key: Key) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(merchants::settings(&key.ctx, &key.who).await?.into()))
}

/// Change the merchant's settings (what the body leaves out stays). They apply to both modes:
/// a live key with the `settings` scope changes them (a test key gets 403 `live_key_required`).
#[utoipa::path(patch, path = "/settings", tag = "settings", request_body = UpdateSettingsJson,
    responses((status = 200, body = SettingsJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn update(key: Key, Body(body): Body<UpdateSettingsJson>) -> ApiResult<Json<SettingsJson>> {
    let change = UpdateSettings { time_zone: body.time_zone };
    Ok(Json(merchants::update_settings(&key.ctx, &key.who, change).await?.into()))
}
