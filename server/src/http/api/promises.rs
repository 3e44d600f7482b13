//! `/api/v1/promises`: debtors' promises to pay (made in the portal), in the key's mode, and
//! `/api/v1/settings/promises`: how far ahead a debtor may promise and the grace after the
//! date. The same `kassa-core` service as the portal and the admin.

use axum::Json;
use kassa_core::services::promises::{self, Promise};
use kassa_domain::promise::{PromisePolicy, PromiseState};
use kassa_domain::CustomerId;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, Key, ListJson, MoneyJson, Path, Query};

/// A promise to pay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PromiseJson {
    pub id: String,
    /// Always `promise`.
    pub object: String,
    pub customer_id: String,
    /// Your number for the customer.
    pub customer_number: String,
    /// The invoices it covers, by your numbers.
    pub invoices: Vec<String>,
    pub amount: MoneyJson,
    /// The date promised (`YYYY-MM-DD`, the merchant's calendar).
    pub date: String,
    /// The last day its invoices are out of collection: the date plus the grace period.
    pub pause_until: String,
    /// `open` (waiting for its date), `kept` (paid in time) or `broken`.
    pub state: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when it was found kept or broken.
    pub closed_at: Option<String>,
}

impl From<Promise> for PromiseJson {
    fn from(p: Promise) -> PromiseJson {
        use kassa_core::services::records::{format_date, rfc3339};
        PromiseJson {
            id: p.id,
            object: "promise".into(),
            customer_id: p.customer.to_string(),
            customer_number: p.customer_number,
            invoices: p.invoices.iter().map(ToString::to_string).collect(),
            amount: p.amount.into(),
            date: format_date(p.date),
            pause_until: format_date(p.pause_until),
            state: p.state.as_str().into(),
            created_at: rfc3339(p.created_at),
            closed_at: p.closed_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only promises in this state: `open`, `kept` or `broken`.
    #[param(pattern = "^(open|kept|broken)$")]
    pub state: Option<String>,
    /// Only this customer's (its id).
    pub customer_id: Option<String>,
    /// 1-200, 50 by default: the newest first.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

/// The key's mode's promises, newest first.
#[utoipa::path(get, path = "/promises", tag = "promises", params(ListParams),
    responses((status = 200, body = ListJson<PromiseJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<PromiseJson>>> {
    let state = match p.state.as_deref() {
        None => None,
        Some("open") => Some(PromiseState::Open),
        Some("kept") => Some(PromiseState::Kept),
        Some("broken") => Some(PromiseState::Broken),
        Some(_) => return Err(ApiError::bad_request("invalid_query", "`state` is one of open, kept, broken.")),
    };
    let paging = super::PageParams { limit: p.limit, after: p.after };
    let (limit, after) = (paging.limit()?, paging.cursor()?);
    let customer = p.customer_id.map(CustomerId::from_raw);
    let found = promises::page(&key.ctx, &key.who, state, customer.as_ref(), limit, after.as_ref()).await?;
    Ok(Json(ListJson::of(found, PromiseJson::from)))
}

/// One promise.
#[utoipa::path(get, path = "/promises/{id}", tag = "promises",
    params(("id" = String, Path, description = "The promise's id")),
    responses((status = 200, body = PromiseJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<PromiseJson>> {
    Ok(Json(promises::get(&key.ctx, &key.who, &id).await?.into()))
}

/// How far ahead debtors may promise, and the grace after the date.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromisePolicyJson {
    /// 1-365: the latest date a debtor may promise, in days from the day they promise (30 by
    /// default).
    #[schema(minimum = 1, maximum = 365)]
    pub window_days: u32,
    /// 0-60: days after the promised date before the promise counts as broken and its
    /// invoices return to collection (3 by default).
    #[schema(minimum = 0, maximum = 60)]
    pub grace_days: u32,
}

impl From<PromisePolicy> for PromisePolicyJson {
    fn from(p: PromisePolicy) -> PromisePolicyJson {
        PromisePolicyJson { window_days: p.window_days, grace_days: p.grace_days }
    }
}

/// The merchant's rules for promises.
#[utoipa::path(get, path = "/settings/promises", tag = "settings", responses((status = 200, body = PromisePolicyJson)))]
pub async fn policy(key: Key) -> ApiResult<Json<PromisePolicyJson>> {
    let (merchant, _) = kassa_core::services::records::scope(&key.ctx.pool, &key.who, None).await?;
    Ok(Json(promises::policy(&key.ctx.pool, &merchant).await?.into()))
}

/// Set the merchant's rules for promises (both modes). A live key with the `settings` scope;
/// promises already made keep their dates.
#[utoipa::path(put, path = "/settings/promises", tag = "settings", request_body = PromisePolicyJson,
    responses((status = 200, body = PromisePolicyJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn set_policy(key: Key, Body(body): Body<PromisePolicyJson>) -> ApiResult<Json<PromisePolicyJson>> {
    let policy = PromisePolicy { window_days: body.window_days, grace_days: body.grace_days };
    Ok(Json(promises::set_policy(&key.ctx, &key.who, policy).await?.into()))
}
