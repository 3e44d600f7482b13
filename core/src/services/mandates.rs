//! Direct debit for a running plan's instalments: the debtor signs a SEPA Direct Debit mandate
//! with the merchant's provider on Kassa's form (Stripe: a SetupIntent for a Customer made
//! for it; the IBAN goes from Stripe's own fields to Stripe, never through Kassa), and the
//! plans job collects each instalment on its date from it, without them.
//!
//! 1. [`start`] writes the plan's mandate (`pending`) and asks the gateway to set it up, with
//!    a key per setup, so a double click makes one.
//! 2. [`form`] gives Kassa's form what the provider's script needs while the setup waits for
//!    the debtor; back from it, or when the provider reports ([`apply_reported`]), the setup's
//!    outcome makes the mandate `active` (with the method to charge) or `failed`. A mandate
//!    only moves on from `pending`: a late or repeated report changes nothing.
//! 3. The plans job ([`collect`]) charges what the plan asks for once an instalment's date has
//!    come: one attempt per instalment (key `plan-debit:{plan}:{seq}`), through the payment
//!    machinery every payment goes through; the debit is on its way for days and settles by
//!    the provider's event. While it is on its way the plan does not break
//!    ([`debit_in_flight`]); when it fails the debtor and staff are told as of any payment on
//!    its way that fails, and the debtor may pay what is due on the plan's page.
//! 4. The debtor may [`stop`] it; then they pay each instalment themselves.

use kassa_domain::plan::PlanStatus;
use kassa_domain::{Currency, MerchantId, Problem};
use serde::Serialize;
use serde_json::json;
use time::Date;

use crate::audit;
use crate::db::{self, Pool, Tx};
use crate::error::{Error, Result};
use crate::gateways::{GatewaySetup, SavedMethod, SetupMandate, SetupStatus};
use crate::principal::{Debtor, Mode, Principal};
use crate::services::payments;
use crate::services::plans::{self, Plan};
use crate::services::records::{merchant_by_id, Merchant};
use crate::Ctx;

/// Where a plan's mandate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MandateStatus {
    /// Being set up: the debtor has not finished the form, or the provider is checking it.
    Pending,
    /// Set up: each instalment is collected from it on its date.
    Active,
    /// The provider refused it (or it was given up); the debtor may set it up again.
    Failed,
    /// The debtor stopped it; they may set it up again.
    Stopped,
}

impl MandateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MandateStatus::Pending => "pending",
            MandateStatus::Active => "active",
            MandateStatus::Failed => "failed",
            MandateStatus::Stopped => "stopped",
        }
    }

    fn parse(text: &str) -> Result<MandateStatus> {
        Ok(match text {
            "pending" => MandateStatus::Pending,
            "active" => MandateStatus::Active,
            "failed" => MandateStatus::Failed,
            "stopped" => MandateStatus::Stopped,
            other => return Err(Error::internal(format!("mandate status {other:?}"))),
        })
    }
}

/// A plan's mandate as the debtor and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mandate {
    pub status: MandateStatus,
    /// The account's last four digits, once set up.
    pub last4: Option<String>,
    /// The provider's reason, when it failed.
    pub failure_code: Option<String>,
}

/// A plan's mandate as plans read it with the plan (`plans::hydrate`).
#[derive(sqlx::FromRow)]
pub(crate) struct MandateRow {
    pub plan_id: String,
    status: String,
    last4: Option<String>,
    failure_code: Option<String>,
}

impl MandateRow {
    pub(crate) fn mandate(&self) -> Result<Mandate> {
        Ok(Mandate {
            status: MandateStatus::parse(&self.status)?,
            last4: self.last4.clone(),
            failure_code: self.failure_code.clone(),
        })
    }
}

/// Direct debit for one plan: whether the debtor may set it up, and the mandate if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Debit {
    pub offered: bool,
    pub mandate: Option<Mandate>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    gateway: String,
    mode: String,
    status: String,
    setup_reference: Option<String>,
    gateway_customer: Option<String>,
    payment_method: Option<String>,
    mandate_reference: Option<String>,
    last4: Option<String>,
}

const COLUMNS: &str = "id, gateway, mode, status, setup_reference, gateway_customer, payment_method, \
                       mandate_reference, last4";

impl Row {
    /// The method to charge, once active.
    fn saved(&self) -> Option<SavedMethod> {
        match (&self.gateway_customer, &self.payment_method) {
            (Some(customer), Some(method)) if self.status == "active" => Some(SavedMethod {
                customer: customer.clone(),
                payment_method: method.clone(),
                mandate: self.mandate_reference.clone(),
            }),
            _ => None,
        }
    }
}

async fn row<'e, E>(db: E, merchant: &MerchantId, plan: &str) -> Result<Option<Row>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM plan_mandates WHERE merchant_id = $1 AND plan_id = $2"))
        .bind(merchant.as_str())
        .bind(plan)
        .fetch_optional(db)
        .await?)
}

/// Whether `plan`'s instalments may be collected by direct debit: it runs, in euros (SEPA),
/// and the merchant pays through a gateway that collects by mandate with SEPA Direct Debit
/// among its methods (or every method its account enables): that gateway and account, if so.
async fn offered(ctx: &Ctx, merchant: &Merchant, plan: &Plan) -> Result<Option<Through>> {
    if plan.status != PlanStatus::Active || plan.total.currency() != Currency::EUR {
        return Ok(None);
    }
    let (name, gateway, account) = match payments::gateway_for(ctx, merchant).await {
        Ok(found) => found,
        Err(Error::Problem(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    let methods = account.credentials.as_ref().map(|c| c.methods.as_slice()).unwrap_or_default();
    let debits = gateway.mandates() && (methods.is_empty() || methods.iter().any(|m| m == "sepa_debit"));
    Ok(debits.then_some((name, gateway, account)))
}

/// A gateway by name, and the merchant's account with it.
type Through = (&'static str, std::sync::Arc<dyn crate::gateways::PaymentGateway>, crate::gateways::Account);

/// Direct debit for `plan` of `merchant` (reached by the caller: the debtor's own, or staff's).
pub async fn debit(ctx: &Ctx, merchant: &Merchant, plan: &Plan) -> Result<Debit> {
    Ok(Debit { offered: offered(ctx, merchant, plan).await?.is_some(), mandate: plan.direct_debit.clone() })
}

/// The debtor's own running plan and its merchant.
async fn own_plan(ctx: &Ctx, who: &Principal, plan: &str) -> Result<(Merchant, Plan)> {
    let debtor = who.debtor()?;
    let plan = plans::get(ctx, who, plan).await?;
    let merchant = merchant_by_id(&ctx.pool, &debtor.merchant).await?;
    Ok((merchant, plan))
}

/// Starts setting up the mandate for the debtor's own running plan (the form is next: [`form`]).
/// Again while a setup waits, that one goes on; once active, nothing changes.
pub async fn start(ctx: &Ctx, who: &Principal, plan: &str) -> Result<()> {
    let (merchant, plan) = own_plan(ctx, who, plan).await?;
    if plan.status != PlanStatus::Active {
        return Err(Problem::PlanNotActive.into());
    }
    let Some((gateway_name, gateway, account)) = offered(ctx, &merchant, &plan).await? else {
        return Err(Problem::DirectDebitUnavailable.into());
    };
    let now = db::now();
    // A new setup unless one waits or runs (a twin request finds the row its twin wrote).
    sqlx::query(
        "INSERT INTO plan_mandates (merchant_id, plan_id, id, customer_id, gateway, mode, status, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) \
         ON CONFLICT (merchant_id, plan_id) DO UPDATE SET id = excluded.id, gateway = excluded.gateway, \
         mode = excluded.mode, status = 'pending', setup_reference = NULL, gateway_customer = NULL, \
         payment_method = NULL, mandate_reference = NULL, last4 = NULL, failure_code = NULL, \
         updated_at = excluded.updated_at WHERE plan_mandates.status IN ('failed', 'stopped')",
    )
    .bind(merchant.id.as_str())
    .bind(&plan.id)
    .bind(db::new_id())
    .bind(plan.customer.as_str())
    .bind(gateway_name)
    .bind(if account.live { Mode::Live } else { Mode::Test }.as_str())
    .bind(now)
    .execute(&ctx.pool)
    .await?;
    let found = row(&ctx.pool, &merchant.id, &plan.id).await?.ok_or_else(|| Error::internal("a mandate vanished"))?;
    if found.status != "pending" || found.setup_reference.is_some() {
        return Ok(());
    }
    let (name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM customers WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.id.as_str())
            .bind(plan.customer.as_str())
            .fetch_one(&ctx.pool)
            .await?;
    let request = SetupMandate {
        idempotency_key: format!("{}:mandate:{}", merchant.id, found.id),
        mandate: found.id.clone(),
        name,
        email: Some(email).filter(|e| !e.trim().is_empty()),
        description: format!("{} payment plan {}", merchant.name, plan.id),
    };
    let setup = gateway.setup(&account, request).await.map_err(|e| Error::Internal(e.into()))?;
    sqlx::query(
        "UPDATE plan_mandates SET setup_reference = $1, gateway_customer = $2, updated_at = $3 \
         WHERE merchant_id = $4 AND plan_id = $5 AND id = $6",
    )
    .bind(&setup.reference)
    .bind(setup.saved.as_ref().map(|s| s.customer.as_str()))
    .bind(db::now())
    .bind(merchant.id.as_str())
    .bind(&plan.id)
    .bind(&found.id)
    .execute(&ctx.pool)
    .await?;
    apply(ctx, &merchant, &plan.id, &setup).await
}

/// What Kassa's mandate form needs to let the provider's script take the debtor's account
/// and their acceptance of the mandate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateForm {
    pub publishable_key: String,
    pub client_secret: String,
    /// Where the provider sends the debtor afterwards.
    pub return_url: String,
    pub plan: Plan,
    pub merchant: Merchant,
}

/// The form for the debtor's plan while its mandate's setup waits for them; `None` once it
/// does not (set up, failed, stopped: the plan's page says which), after recording what the
/// provider reports. Back from the provider's form, the same answers where it stands.
pub async fn form(ctx: &Ctx, who: &Principal, plan: &str) -> Result<Option<MandateForm>> {
    let (merchant, plan) = own_plan(ctx, who, plan).await?;
    let Some(found) = row(&ctx.pool, &merchant.id, &plan.id).await? else { return Ok(None) };
    let Some(reference) = &found.setup_reference else { return Ok(None) };
    // Made active by the provider's event, which names the method without its details: the
    // account's last digits are asked for once, for the debtor's page and mails.
    let fill_last4 = found.status == "active" && found.last4.is_none();
    if found.status != "pending" && !fill_last4 {
        return Ok(None);
    }
    let gateway = ctx
        .gateways
        .get(&found.gateway)
        .cloned()
        .ok_or_else(|| Error::internal(format!("a mandate with an unknown gateway {}", found.gateway)))?;
    let live = found.mode == Mode::Live.as_str();
    let account = payments::accounts(ctx, &merchant, &found.gateway)
        .await?
        .into_iter()
        .find(|a| a.live == live)
        .ok_or(Problem::DirectDebitUnavailable)?;
    let setup = gateway.retrieve_setup(&account, reference).await.map_err(|e| Error::Internal(e.into()))?;
    if fill_last4 {
        apply(ctx, &merchant, &plan.id, &setup).await?;
        return Ok(None);
    }
    if let (Some(client_secret), Some(credentials)) = (&setup.client_secret, &account.credentials) {
        return Ok(Some(MandateForm {
            publishable_key: credentials.publishable_key.clone(),
            client_secret: client_secret.clone(),
            return_url: format!("{}/p/{}/plans/{}/debit/return", ctx.public_url, merchant.slug, plan.id),
            plan,
            merchant,
        }));
    }
    apply(ctx, &merchant, &plan.id, &setup).await?;
    Ok(None)
}

/// The debtor stops collection by direct debit for their plan: they pay each instalment
/// themselves from now on (a debit already on its way goes on).
pub async fn stop(ctx: &Ctx, who: &Principal, plan: &str) -> Result<()> {
    let (merchant, plan) = own_plan(ctx, who, plan).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let stopped = sqlx::query(
        "UPDATE plan_mandates SET status = 'stopped', updated_at = $1 \
         WHERE merchant_id = $2 AND plan_id = $3 AND status IN ('pending', 'active')",
    )
    .bind(db::now())
    .bind(merchant.id.as_str())
    .bind(&plan.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if stopped > 0 {
        record(&mut tx, ctx, who, &merchant.id, &plan.id, "plan.direct_debit_stopped", json!({ "plan": plan.id }))
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn record(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    plan: &str,
    action: &'static str,
    data: serde_json::Value,
) -> Result<()> {
    let entry = audit::Entry {
        merchant: Some(merchant),
        action,
        subject_type: "plan",
        subject_id: plan,
        before: None,
        after: Some(data),
    };
    audit::record(tx, who, &ctx.origin, entry).await
}

/// What the provider reports of a setup, recorded in its own transaction.
async fn apply(ctx: &Ctx, merchant: &Merchant, plan: &str, setup: &GatewaySetup) -> Result<()> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    if let Some(found) = row(&mut *tx, &merchant.id, plan).await? {
        apply_to(&mut tx, ctx, &merchant.id, plan, &found, setup).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A setup's event from `gateway` (a webhook), applied in the event's transaction; a setup
/// that is none of this merchant's mandates changes nothing.
pub(crate) async fn apply_reported(
    tx: &mut Tx,
    ctx: &Ctx,
    merchant: &Merchant,
    gateway: &str,
    setup: &GatewaySetup,
) -> Result<()> {
    let sql = format!(
        "SELECT plan_id, {COLUMNS} FROM plan_mandates WHERE merchant_id = $1 AND gateway = $2 \
         AND (setup_reference = $3 OR id = $4)"
    );
    #[derive(sqlx::FromRow)]
    struct Found {
        plan_id: String,
        #[sqlx(flatten)]
        row: Row,
    }
    let found: Option<Found> = sqlx::query_as(&sql)
        .bind(merchant.id.as_str())
        .bind(gateway)
        .bind(&setup.reference)
        .bind(setup.mandate.as_deref().unwrap_or(""))
        .fetch_optional(&mut **tx)
        .await?;
    match found {
        Some(found) => apply_to(tx, ctx, &merchant.id, &found.plan_id, &found.row, setup).await,
        None => Ok(()),
    }
}

/// Moves a pending mandate on by its setup's outcome; anything else stays as it is (a late or
/// repeated report, a setup replaced by a newer one).
async fn apply_to(
    tx: &mut Tx,
    ctx: &Ctx,
    merchant: &MerchantId,
    plan: &str,
    found: &Row,
    setup: &GatewaySetup,
) -> Result<()> {
    let ours = found.setup_reference.as_deref() == Some(setup.reference.as_str())
        || setup.mandate.as_deref() == Some(found.id.as_str());
    if let (true, "active", None, Some(last4)) = (ours, found.status.as_str(), &found.last4, &setup.last4) {
        // The provider's event made it active first, naming the method without its details
        // (the debtor's return had read it pending): this report has the account's last digits.
        sqlx::query(
            "UPDATE plan_mandates SET last4 = $1 WHERE merchant_id = $2 AND plan_id = $3 AND id = $4 \
             AND last4 IS NULL",
        )
        .bind(last4)
        .bind(merchant.as_str())
        .bind(plan)
        .bind(&found.id)
        .execute(&mut **tx)
        .await?;
        return Ok(());
    }
    if found.status != "pending" || !ours {
        return Ok(());
    }
    let now = db::now();
    match (&setup.status, &setup.saved) {
        (SetupStatus::Succeeded, Some(saved)) => {
            sqlx::query(
                "UPDATE plan_mandates SET status = 'active', setup_reference = $1, gateway_customer = $2, \
                 payment_method = $3, mandate_reference = $4, last4 = $5, updated_at = $6 \
                 WHERE merchant_id = $7 AND plan_id = $8 AND id = $9",
            )
            .bind(&setup.reference)
            .bind(&saved.customer)
            .bind(&saved.payment_method)
            .bind(saved.mandate.as_deref())
            .bind(setup.last4.as_deref())
            .bind(now)
            .bind(merchant.as_str())
            .bind(plan)
            .bind(&found.id)
            .execute(&mut **tx)
            .await?;
            let data = json!({ "plan": plan, "gateway": found.gateway, "last4": setup.last4 });
            record(tx, ctx, &Principal::System, merchant, plan, "plan.direct_debit_active", data).await?;
        }
        (SetupStatus::Failed { code }, _) => fail(tx, merchant, plan, &found.id, code, now).await?,
        (SetupStatus::Canceled, _) => fail(tx, merchant, plan, &found.id, "canceled", now).await?,
        _ => {}
    }
    Ok(())
}

async fn fail(tx: &mut Tx, merchant: &MerchantId, plan: &str, id: &str, code: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE plan_mandates SET status = 'failed', failure_code = $1, updated_at = $2 \
         WHERE merchant_id = $3 AND plan_id = $4 AND id = $5",
    )
    .bind(code)
    .bind(now)
    .bind(merchant.as_str())
    .bind(plan)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The key of the debit of instalment `seq` of `plan`.
fn debit_key(plan: &str, seq: u32) -> String {
    format!("plan-debit:{plan}:{seq}")
}

/// The plans job: collects what `plan` asks for from its active mandate once its next
/// instalment's date has come (`today`), once per instalment. Whether a debit was made.
pub(crate) async fn collect(ctx: &Ctx, merchant: &MerchantId, plan: &Plan, today: Date) -> Result<bool> {
    let Some(found) = row(&ctx.pool, merchant, &plan.id).await? else { return Ok(false) };
    let (Some(saved), Some(next)) = (found.saved(), plan.next()) else { return Ok(false) };
    if next.due > today || plan.status != PlanStatus::Active {
        return Ok(false);
    }
    let key = debit_key(&plan.id, next.seq);
    // Made before (on its way, paid or failed): one debit per instalment.
    let made: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM payment_attempts WHERE merchant_id = $1 AND idempotency_key = $2")
            .bind(merchant.as_str())
            .bind(&key)
            .fetch_optional(&ctx.pool)
            .await?;
    if made.is_some() {
        return Ok(false);
    }
    let who = Principal::Debtor(Debtor { merchant: merchant.clone(), customer: plan.customer.clone(), invoice: None });
    let account = (found.gateway.as_str(), found.mode == Mode::Live.as_str());
    match payments::debit_instalment(ctx, &who, &plan.id, &key, account, saved).await {
        Ok(_) => Ok(true),
        // Paid meanwhile, a payment of the debtor's on its way, already tried: nothing now.
        Err(Error::Problem(problem)) => {
            tracing::info!(plan = %plan.id, seq = next.seq, code = problem.code(), "no direct debit now");
            Ok(false)
        }
        Err(e) => {
            tracing::warn!(plan = %plan.id, seq = next.seq, error = %e, "a direct debit could not be made");
            Ok(false)
        }
    }
}

/// Whether a debit of `plan` is on its way (a SEPA Direct Debit takes days): the plan does not
/// break while it is.
pub(crate) async fn debit_in_flight(pool: &Pool, merchant: &MerchantId, plan: &str) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM payment_attempts WHERE merchant_id = $1 AND idempotency_key LIKE $2 \
         AND state IN ('pending', 'processing') LIMIT 1",
    )
    .bind(merchant.as_str())
    .bind(format!("plan-debit:{plan}:%"))
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}
