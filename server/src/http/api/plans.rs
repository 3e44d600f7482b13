//! `/api/v1/plans`: debtors' payment plans (proposed in the portal), in the key's mode: read
//! them with their schedules and what was paid, approve or reject a proposal; and
//! `/api/v1/settings/plans`: the merchant's plan policy. The same `kassa-core` service as the
//! portal and the admin.

use axum::Json;
use kassa_core::services::plans::{self, Decide, Plan};
use kassa_domain::plan::{Breach, Charge, Eligible, Frequency, PlanPolicy, PlanStatus};
use kassa_domain::CustomerId;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, Key, ListJson, MoneyJson, Path, Query};

/// An invoice a plan spreads, and how much of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanInvoiceJson {
    /// Your number for it.
    pub number: String,
    /// What the plan spreads of it: its balance less what disputes held when proposed.
    pub amount: MoneyJson,
}

/// One instalment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanInstalmentJson {
    /// 1 for the first.
    pub seq: u32,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub amount: MoneyJson,
    /// What was settled of the plan's invoices since it began covers it (and those before).
    pub paid: bool,
}

/// A rule of the policy a proposal broke (why it waits for you).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreachJson {
    /// `total_below_minimum`, `too_many_instalments`, `too_long`, `instalment_below_minimum`,
    /// `frequency_not_offered` or `first_too_late`.
    pub rule: String,
    /// The policy's limit it broke: minor units, instalments, months or days; none for a
    /// frequency not offered.
    pub limit: Option<i64>,
}

impl From<Breach> for BreachJson {
    fn from(b: Breach) -> BreachJson {
        let (rule, limit) = match b {
            Breach::TotalBelowMinimum { min_minor } => ("total_below_minimum", Some(min_minor)),
            Breach::TooManyInstalments { max } => ("too_many_instalments", Some(i64::from(max))),
            Breach::TooLong { max_months } => ("too_long", Some(i64::from(max_months))),
            Breach::InstalmentBelowMinimum { min_minor } => ("instalment_below_minimum", Some(min_minor)),
            Breach::FrequencyNotOffered => ("frequency_not_offered", None),
            Breach::FirstTooLate { max_days } => ("first_too_late", Some(i64::from(max_days))),
        };
        BreachJson { rule: rule.into(), limit }
    }
}

/// A debtor's payment plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanJson {
    pub id: String,
    /// Always `plan`.
    pub object: String,
    pub customer_id: String,
    /// Your number for the customer.
    pub customer_number: String,
    /// `proposed` (waiting for you), `active` (running: its invoices out of collection),
    /// `completed`, `broken` (an instalment unpaid past the grace period) or `rejected`.
    pub status: String,
    pub invoices: Vec<PlanInvoiceJson>,
    /// What the invoices owed when it was proposed.
    pub principal: MoneyJson,
    /// Its fee or interest (zero when none): an invoice of its own once active.
    pub charge: MoneyJson,
    pub total: MoneyJson,
    /// Settled of its invoices since it became active.
    pub paid: MoneyJson,
    /// `weekly`, `fortnightly` or `monthly`.
    pub frequency: String,
    pub instalments: Vec<PlanInstalmentJson>,
    /// Where the proposal broke your policy; empty: within it.
    pub breaches: Vec<BreachJson>,
    /// Days an instalment may be late before the plan breaks.
    pub grace_days: u32,
    /// The fee or interest's invoice, by number.
    pub charge_invoice: Option<String>,
    /// `policy` (accepted at once, within policy), or who approved or rejected it.
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub decided_at: Option<String>,
    /// When it was completed, broken or rejected.
    pub closed_at: Option<String>,
    /// Its instalments collected by SEPA Direct Debit, once the debtor set that up (or tried).
    pub direct_debit: Option<DirectDebitJson>,
}

/// A plan's SEPA Direct Debit mandate, set up by the debtor on the plan's page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectDebitJson {
    /// `pending` (being set up), `active` (each instalment collected on its date), `failed`
    /// (could not be set up) or `stopped` (by the debtor).
    pub status: String,
    /// The last four digits of the debtor's account, once set up.
    pub last4: Option<String>,
}

impl From<Plan> for PlanJson {
    fn from(p: Plan) -> PlanJson {
        use kassa_core::services::records::{format_date, rfc3339};
        PlanJson {
            object: "plan".into(),
            customer_id: p.customer.to_string(),
            customer_number: p.customer_number,
            status: p.status.as_str().into(),
            invoices: p
                .invoices
                .into_iter()
                .map(|(number, amount)| PlanInvoiceJson { number: number.to_string(), amount: amount.into() })
                .collect(),
            principal: p.principal.into(),
            charge: p.charge.into(),
            total: p.total.into(),
            paid: p.paid.into(),
            frequency: p.frequency.as_str().into(),
            instalments: p
                .instalments
                .into_iter()
                .map(|i| PlanInstalmentJson {
                    seq: i.seq,
                    due_date: format_date(i.due),
                    amount: i.amount.into(),
                    paid: i.paid,
                })
                .collect(),
            breaches: p.breaches.into_iter().map(BreachJson::from).collect(),
            grace_days: p.grace_days,
            charge_invoice: p.charge_invoice.map(|n| n.to_string()),
            decided_by: p.decided_by,
            decision_reason: p.decision_reason,
            created_at: rfc3339(p.created_at),
            decided_at: p.decided_at.map(rfc3339),
            closed_at: p.closed_at.map(rfc3339),
            direct_debit: p.direct_debit.map(|d| DirectDebitJson { status: d.status.as_str().into(), last4: d.last4 }),
            id: p.id,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only plans with this status: `proposed`, `active`, `completed`, `broken` or `rejected`.
    #[param(pattern = "^(proposed|active|completed|broken|rejected)$")]
    pub status: Option<String>,
    /// Only this customer's (its id).
    pub customer_id: Option<String>,
    /// 1-200, 50 by default: the newest first.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

/// The key's mode's payment plans, newest first.
#[utoipa::path(get, path = "/plans", tag = "plans", params(ListParams),
    responses((status = 200, body = ListJson<PlanJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<PlanJson>>> {
    let status = match p.status.as_deref() {
        None => None,
        Some(text) => Some(PlanStatus::parse(text).ok_or_else(|| {
            ApiError::bad_request("invalid_query", "`status` is one of proposed, active, completed, broken, rejected.")
        })?),
    };
    let paging = super::PageParams { limit: p.limit, after: p.after };
    let (limit, after) = (paging.limit()?, paging.cursor()?);
    let customer = p.customer_id.map(CustomerId::from_raw);
    let found = plans::page(&key.ctx, &key.who, status, customer.as_ref(), limit, after.as_ref()).await?;
    Ok(Json(ListJson::of(found, PlanJson::from)))
}

/// One payment plan.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans",
    params(("id" = String, Path, description = "The plan's id")),
    responses((status = 200, body = PlanJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<PlanJson>> {
    Ok(Json(plans::get(&key.ctx, &key.who, &id).await?.into()))
}

/// Why you approve or reject a proposal: told to the debtor.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    /// Required to reject (1-4,000 characters); optional to approve.
    pub reason: Option<String>,
}

/// Approve a proposed plan.
///
/// It runs from now as the debtor proposed it: its invoices leave collection, a fee or
/// interest becomes an invoice of its own; emits `plan.accepted`. Approving it again answers
/// the plan as it is; a plan rejected or accepted within policy is a 409 `plan_decided`.
#[utoipa::path(post, path = "/plans/{id}/approve", tag = "plans", request_body = PlanDecision,
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "Approved", body = PlanJson),
        (status = 400, body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson),
    ))]
pub async fn approve(key: Key, Path(id): Path<String>, Body(body): Body<PlanDecision>) -> ApiResult<Json<PlanJson>> {
    let cmd = Decide { plan: id, approve: true, reason: body.reason };
    Ok(Json(plans::decide(&key.ctx, &key.who, cmd).await?.into()))
}

/// Reject a proposed plan, with a reason.
///
/// Its invoices stay in collection and may be proposed again; emits `plan.rejected`.
/// Rejecting it again answers the plan as it is; a plan already running is a 409
/// `plan_decided`.
#[utoipa::path(post, path = "/plans/{id}/reject", tag = "plans", request_body = PlanDecision,
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "Rejected", body = PlanJson),
        (status = 400, body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson),
    ))]
pub async fn reject(key: Key, Path(id): Path<String>, Body(body): Body<PlanDecision>) -> ApiResult<Json<PlanJson>> {
    let cmd = Decide { plan: id, approve: false, reason: body.reason };
    Ok(Json(plans::decide(&key.ctx, &key.who, cmd).await?.into()))
}

/// What a plan costs the debtor beyond what is owed.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanChargeJson {
    /// `none`, `fee` (a flat fee per plan) or `interest` (simple, per year, on what is still
    /// owed between instalments).
    #[schema(pattern = "^(none|fee|interest)$")]
    pub kind: String,
    /// The fee in minor units of the plan's currency (`fee` only).
    #[schema(minimum = 0)]
    pub minor: Option<i64>,
    /// The yearly rate in basis points, 800 = 8.00%, at most 5000 (`interest` only).
    #[schema(minimum = 0, maximum = 5000)]
    pub basis_points: Option<u32>,
}

/// The merchant's rules for payment plans. Amounts are in minor units of each plan's own
/// currency.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPolicyJson {
    /// Debtors may propose plans at all.
    pub offered: bool,
    /// `open` (any invoice with a balance) or `overdue` (only those past their due date).
    #[schema(pattern = "^(open|overdue)$")]
    pub eligible: String,
    /// The least a plan may spread.
    #[schema(minimum = 0)]
    pub min_total_minor: i64,
    #[schema(minimum = 1, maximum = 60)]
    pub max_instalments: u32,
    /// The last instalment at most this many months after the plan starts.
    #[schema(minimum = 1, maximum = 60)]
    pub max_months: u32,
    /// The least one instalment may be.
    #[schema(minimum = 0)]
    pub min_instalment_minor: i64,
    /// At least one of `weekly`, `fortnightly`, `monthly`.
    pub frequencies: Vec<String>,
    pub charge: PlanChargeJson,
    /// Proposals within these rules run at once; otherwise (and all proposals when false)
    /// they wait for you.
    pub accept_within_policy: bool,
    /// 0-60: days an instalment may be late before the plan breaks.
    #[schema(minimum = 0, maximum = 60)]
    pub grace_days: u32,
    /// 0-90: the first instalment at most this many days after the plan starts.
    #[schema(minimum = 0, maximum = 90)]
    pub max_first_days: u32,
}

impl From<PlanPolicy> for PlanPolicyJson {
    fn from(p: PlanPolicy) -> PlanPolicyJson {
        let charge = match p.charge {
            Charge::None => PlanChargeJson { kind: "none".into(), minor: None, basis_points: None },
            Charge::Fee { minor } => PlanChargeJson { kind: "fee".into(), minor: Some(minor), basis_points: None },
            Charge::Interest { basis_points } => {
                PlanChargeJson { kind: "interest".into(), minor: None, basis_points: Some(basis_points) }
            }
        };
        PlanPolicyJson {
            offered: p.offered,
            eligible: match p.eligible {
                Eligible::Open => "open",
                Eligible::Overdue => "overdue",
            }
            .into(),
            min_total_minor: p.min_total_minor,
            max_instalments: p.max_instalments,
            max_months: p.max_months,
            min_instalment_minor: p.min_instalment_minor,
            frequencies: p.frequencies.iter().map(|f| f.as_str().to_string()).collect(),
            charge,
            accept_within_policy: p.accept_within_policy,
            grace_days: p.grace_days,
            max_first_days: p.max_first_days,
        }
    }
}

impl TryFrom<PlanPolicyJson> for PlanPolicy {
    type Error = ApiError;

    fn try_from(p: PlanPolicyJson) -> Result<PlanPolicy, ApiError> {
        let invalid = || ApiError::from(kassa_domain::Problem::PlanPolicyInvalid);
        let eligible = match p.eligible.as_str() {
            "open" => Eligible::Open,
            "overdue" => Eligible::Overdue,
            _ => return Err(invalid()),
        };
        let mut frequencies = Vec::new();
        for text in &p.frequencies {
            let frequency = Frequency::parse(text)
                .ok_or_else(|| ApiError::from(kassa_domain::Problem::PlanFrequencyUnknown { input: text.clone() }))?;
            if !frequencies.contains(&frequency) {
                frequencies.push(frequency);
            }
        }
        let charge = match (p.charge.kind.as_str(), p.charge.minor, p.charge.basis_points) {
            ("none", None, None) => Charge::None,
            ("fee", Some(minor), None) => Charge::Fee { minor },
            ("interest", None, Some(basis_points)) => Charge::Interest { basis_points },
            _ => return Err(invalid()),
        };
        Ok(PlanPolicy {
            offered: p.offered,
            eligible,
            min_total_minor: p.min_total_minor,
            max_instalments: p.max_instalments,
            max_months: p.max_months,
            min_instalment_minor: p.min_instalment_minor,
            frequencies,
            charge,
            accept_within_policy: p.accept_within_policy,
            grace_days: p.grace_days,
            max_first_days: p.max_first_days,
        })
    }
}

/// The merchant's rules for payment plans.
#[utoipa::path(get, path = "/settings/plans", tag = "settings", responses((status = 200, body = PlanPolicyJson)))]
pub async fn plan_policy(key: Key) -> ApiResult<Json<PlanPolicyJson>> {
    let (merchant, _) = kassa_core::services::records::scope(&key.ctx.pool, &key.who, None).await?;
    Ok(Json(plans::policy(&key.ctx.pool, &merchant).await?.into()))
}

/// Set the merchant's rules for payment plans (both modes). A live key with the `settings`
/// scope; plans already proposed or running keep their terms.
#[utoipa::path(put, path = "/settings/plans", tag = "settings", request_body = PlanPolicyJson,
    responses((status = 200, body = PlanPolicyJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn set_plan_policy(key: Key, Body(body): Body<PlanPolicyJson>) -> ApiResult<Json<PlanPolicyJson>> {
    let policy = PlanPolicy::try_from(body)?;
    Ok(Json(plans::set_policy(&key.ctx, &key.who, policy).await?.into()))
}
