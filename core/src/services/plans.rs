//! Payment plans: a debtor spreads what chosen invoices owe (their balances less what disputes
//! hold) over instalments, within the merchant's [`PlanPolicy`]. The debtor asks for a
//! [`quote`] (from what they can afford per month, or a number of instalments), checks the
//! whole schedule and [`propose`]s it: within policy it is accepted at once when the policy
//! says so, otherwise it waits for staff, who [`decide`] (approve or reject with a reason).
//!
//! An accepted plan becomes active: its invoices carry `plan_id`, which holds them out of
//! collection (`StatusFacts::in_plan`); a fee or interest is an invoice of its own, made then
//! and covered by the plan. What payments, credit notes and write-offs settle of its invoices
//! from then on pays the instalments in order. The plans job ([`Review`], hourly) tells the
//! merchant's systems of each instalment paid (`plan.instalment_paid`), and closes the plan
//! as completed once all is paid (early or not) or broken once an instalment is unpaid past
//! the grace period; either way the hold ends and its invoices return to normal collection.

use async_trait::async_trait;
use kassa_domain::plan::{
    Breach, Eligible, Frequency, Instalment, PlanError, PlanPolicy, PlanRequest, PlanStatus, Schedule, Standing,
};
use kassa_domain::{CustomerId, InvoiceNumber, MerchantId, Money, Problem};
use serde::Serialize;
use serde_json::json;
use time::{Date, Duration};

use crate::audit;
use crate::db::{self, Pool, Tx};
use crate::error::{Error, Result};
use crate::events::{self, EventType};
use crate::jobs::{Handler, Job};
use crate::principal::{Debtor, Mode, Principal};
use crate::services::invoices::{self, CustomerRef, InvoiceInput, LineInput, NumberStyle};
use crate::services::portal::{self, Choice};
use crate::services::records::{self, format_date, parse_date};
use crate::Ctx;
use sqlx::AnyConnection;

pub const REVIEW: &str = "plans.review";
/// Job `mail.plan`: tells the debtor what became of their plan, or reminds them of an
/// instalment ([`MailKind`]).
pub const PLAN_MAIL: &str = "mail.plan";
/// The debtor is reminded of an instalment this many days before its date.
pub const REMIND_DAYS: i64 = 3;
/// Plans reviewed per query; the review goes on until none is left.
const BATCH: i64 = 200;
/// The most instalments anyone may ask for; more than the policy allows goes to staff.
pub const MAX_INSTALMENTS: u32 = 60;
/// The first instalment at most this many days ahead, whatever the policy (later than the
/// policy allows goes to staff).
pub const MAX_FIRST_DAYS: i64 = 90;
/// The first instalment a quote suggests, this many days ahead (or the policy's limit).
pub const SUGGESTED_FIRST_DAYS: u32 = 14;

/// How the debtor asks for schedules.
#[derive(Debug, Clone)]
pub enum Ask {
    /// What they can afford per month, as typed in their language's notation (`,` or `.` as
    /// the decimal mark): the schedules within policy that fit.
    PerMonth { amount: String, decimal: char },
    /// A number of instalments at a frequency: that one schedule, within policy or not.
    Instalments { count: String, frequency: String },
}

/// What a debtor asks about: the invoices (by the merchant's numbers), the first instalment's
/// date (`YYYY-MM-DD`; empty: [`SUGGESTED_FIRST_DAYS`] ahead) and how (`None`: no schedules
/// yet, only what would be spread and the bounds).
#[derive(Debug, Clone)]
pub struct PlanAsk {
    pub invoices: Vec<InvoiceNumber>,
    pub first: String,
    pub ask: Option<Ask>,
}

/// One schedule a debtor may choose, and where it breaks the policy (empty: within it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub schedule: Schedule,
    pub breaches: Vec<Breach>,
}

/// The schedules for a [`PlanAsk`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The invoices and what the plan spreads of each (balance less what disputes hold).
    pub invoices: Vec<(InvoiceNumber, Money)>,
    pub principal: Money,
    pub first: Date,
    /// The first instalment's date may be from `earliest` to `latest`.
    pub earliest: Date,
    pub latest: Date,
    /// Empty when nothing within policy fits a monthly budget, or nothing was asked.
    pub offers: Vec<Offer>,
    /// Proposals within policy are accepted at once.
    pub accepted_at_once: bool,
    /// The frequencies the policy offers, and the most instalments within it.
    pub frequencies: Vec<Frequency>,
    pub max_instalments: u32,
}

/// What the debtor confirms: the schedule of `count` instalments at `frequency` from `first`
/// for these invoices, recomputed here (the browser decides nothing).
#[derive(Debug, Clone)]
pub struct ProposePlan {
    pub invoices: Vec<InvoiceNumber>,
    pub first: String,
    pub frequency: String,
    pub count: String,
    /// The same key (one per form) answers the same plan.
    pub key: String,
}

/// Staff's (or the API's) answer to a proposal.
#[derive(Debug, Clone)]
pub struct Decide {
    pub plan: String,
    pub approve: bool,
    /// Required to reject: told to the debtor.
    pub reason: Option<String>,
}

/// One instalment of a plan, and whether what was settled since it began covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanInstalment {
    pub seq: u32,
    pub due: Date,
    pub amount: Money,
    pub paid: bool,
}

/// A plan as staff, the API and the debtor see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: String,
    pub customer: CustomerId,
    pub customer_name: String,
    pub customer_number: String,
    pub status: PlanStatus,
    /// The invoices it spreads and what of each, oldest due first; the charge's own invoice
    /// is [`Plan::charge_invoice`].
    pub invoices: Vec<(InvoiceNumber, Money)>,
    pub principal: Money,
    /// Fee or interest on top (its own invoice once active); zero when none.
    pub charge: Money,
    pub total: Money,
    pub frequency: Frequency,
    pub instalments: Vec<PlanInstalment>,
    /// Where the proposal broke the policy (why it went to staff); empty: within it.
    pub breaches: Vec<Breach>,
    pub grace_days: u32,
    /// What was settled towards it since it became active.
    pub paid: Money,
    pub charge_invoice: Option<InvoiceNumber>,
    /// Who decided: `policy` (accepted at once), staff or an API key; none while proposed.
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// Its instalments' direct-debit mandate, once the debtor set one up (or tried).
    pub direct_debit: Option<crate::services::mandates::Mandate>,
}

impl Plan {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            principal: self.principal,
            charge: self.charge,
            frequency: self.frequency,
            instalments: self.instalments.iter().map(|i| Instalment { due: i.due, amount: i.amount }).collect(),
        }
    }

    /// How an active plan stands on `today`.
    pub fn standing(&self, today: Date) -> Standing {
        self.schedule().standing(self.paid, today, self.grace_days)
    }

    /// What is still to pay.
    pub fn remaining(&self) -> Money {
        Money::from_minor((self.total.minor() - self.paid.minor()).max(0), self.total.currency())
    }

    /// The first instalment not yet paid.
    pub fn next(&self) -> Option<&PlanInstalment> {
        self.instalments.iter().find(|i| !i.paid)
    }
}

fn status(text: &str) -> Result<PlanStatus> {
    PlanStatus::parse(text).ok_or_else(|| Error::internal(format!("plan status {text:?}")))
}

fn number(text: &str) -> Result<InvoiceNumber> {
    InvoiceNumber::parse(text).map_err(|_| Error::internal(format!("bad invoice number {text:?}")))
}

/// The merchant's rules for plans (the default where it has set none).
pub async fn policy<'e, E>(db: E, merchant: &MerchantId) -> Result<PlanPolicy>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let stored: Option<String> = sqlx::query_scalar("SELECT plan_policy FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(db)
        .await?;
    match stored {
        Some(json) => serde_json::from_str(&json).map_err(Error::internal),
        None => Ok(PlanPolicy::default()),
    }
}

/// Sets the rules of `who`'s merchant (admins, live API keys with the settings scope), if
/// [`PlanPolicy::is_sensible`]. Plans already proposed or running keep their terms.
pub async fn set_policy(ctx: &Ctx, who: &Principal, policy: PlanPolicy) -> Result<PlanPolicy> {
    set_policy_of(ctx, who, None, policy).await
}

/// [`set_policy`] of `merchant` (the system names it: the demo).
pub async fn set_policy_of(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    policy: PlanPolicy,
) -> Result<PlanPolicy> {
    crate::services::merchants::may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, merchant).await?;
    if !policy.is_sensible() {
        return Err(Problem::PlanPolicyInvalid.into());
    }
    let before = self::policy(&ctx.pool, &merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query("UPDATE merchants SET plan_policy = $1 WHERE id = $2")
        .bind(serde_json::to_string(&policy).map_err(Error::internal)?)
        .bind(merchant.as_str())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "settings.plans_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::to_value(before).map_err(Error::internal)?),
        after: Some(serde_json::to_value(&policy).map_err(Error::internal)?),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(policy)
}

/// The chosen invoices, checked for a plan: plans offered, each eligible, something owed.
struct Chosen {
    policy: PlanPolicy,
    /// Invoice id, number and what the plan spreads of it.
    invoices: Vec<(String, InvoiceNumber, Money)>,
    principal: Money,
    earliest: Date,
    latest: Date,
}

async fn choose(ctx: &Ctx, who: &Principal, numbers: &[InvoiceNumber], today: Date) -> Result<Chosen> {
    let debtor = who.debtor()?;
    let policy = policy(&ctx.pool, &debtor.merchant).await?;
    if !policy.offered {
        return Err(Problem::PlansNotOffered.into());
    }
    let selection = portal::selection(ctx, who, &Choice::Numbers(numbers.to_vec())).await?;
    let currency = selection.total.currency();
    let mut invoices = Vec::new();
    for invoice in selection.invoices {
        if invoice.plan.is_some() {
            return Err(Problem::InvoiceAlreadyInPlan { number: invoice.number.to_string() }.into());
        }
        if policy.eligible == Eligible::Overdue && invoice.due_date >= today {
            return Err(Problem::PlanInvoiceNotDue { number: invoice.number.to_string() }.into());
        }
        invoices.push((invoice.id.as_str().to_string(), invoice.number, invoice.collectable));
    }
    let principal = Money::sum(currency, invoices.iter().map(|i| i.2)).map_err(Problem::from)?;
    let latest = today.checked_add(Duration::days(MAX_FIRST_DAYS)).ok_or(Problem::AmountTooLarge)?;
    Ok(Chosen { policy, invoices, principal, earliest: today, latest })
}

impl Chosen {
    /// The first instalment's date as typed, or the suggested one; within the bounds.
    fn first(&self, typed: &str) -> Result<Date> {
        let typed = typed.trim();
        let first = if typed.is_empty() {
            let days = SUGGESTED_FIRST_DAYS.min(self.policy.max_first_days);
            self.earliest + Duration::days(i64::from(days))
        } else {
            parse_date(typed).map_err(|_| Error::from(Problem::InvalidDate { input: typed.to_string() }))?
        };
        if first < self.earliest || first > self.latest {
            return Err(Problem::PlanFirstDateInvalid { earliest: self.earliest, latest: self.latest }.into());
        }
        Ok(first)
    }

    fn request(&self, today: Date, first: Date, frequency: &str, count: &str) -> Result<PlanRequest> {
        let frequency = frequency.trim();
        let frequency = Frequency::parse(frequency)
            .ok_or_else(|| Error::from(Problem::PlanFrequencyUnknown { input: frequency.to_string() }))?;
        let instalments = count
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_INSTALMENTS).contains(n))
            .ok_or(Problem::PlanInstalmentsInvalid { max: MAX_INSTALMENTS })?;
        Ok(PlanRequest { principal: self.principal, start: today, first, frequency, instalments })
    }

    fn schedule(&self, request: &PlanRequest) -> Result<Schedule> {
        self.policy.schedule(request).map_err(|e| {
            Error::from(match e {
                PlanError::NoInstalments => Problem::PlanInstalmentsInvalid { max: MAX_INSTALMENTS },
                PlanError::NothingOwed => Problem::NothingOpen,
                PlanError::FirstBeforeStart { .. } | PlanError::OutOfCalendar => {
                    Problem::PlanFirstDateInvalid { earliest: self.earliest, latest: self.latest }
                }
                PlanError::Money(e) => Problem::from(e),
            })
        })
    }
}

/// The schedules for `ask` (see [`Ask`]), for the debtor's own open invoices.
pub async fn quote(ctx: &Ctx, who: &Principal, ask: PlanAsk) -> Result<Quote> {
    let debtor = who.debtor()?;
    let today = records::today_of(&ctx.pool, &debtor.merchant).await?;
    quote_on(ctx, who, ask, today).await
}

/// [`quote`] as if it were `today` where the merchant is (tests).
pub async fn quote_on(ctx: &Ctx, who: &Principal, ask: PlanAsk, today: Date) -> Result<Quote> {
    let chosen = choose(ctx, who, &ask.invoices, today).await?;
    let first = chosen.first(&ask.first)?;
    let offers = match &ask.ask {
        None => Vec::new(),
        Some(Ask::PerMonth { amount, decimal }) => {
            let per_month =
                Money::parse_typed(amount.trim(), chosen.principal.currency(), *decimal).map_err(Problem::from)?;
            if !per_month.is_positive() {
                return Err(Problem::AmountNotPositive.into());
            }
            chosen
                .policy
                .offers(chosen.principal, today, first, per_month)
                .into_iter()
                .map(|schedule| Offer { schedule, breaches: Vec::new() })
                .collect()
        }
        Some(Ask::Instalments { count, frequency }) => {
            let request = chosen.request(today, first, frequency, count)?;
            let schedule = chosen.schedule(&request)?;
            let breaches = chosen.policy.breaches(&request, &schedule);
            vec![Offer { schedule, breaches }]
        }
    };
    Ok(Quote {
        invoices: chosen.invoices.iter().map(|(_, n, m)| (n.clone(), *m)).collect(),
        principal: chosen.principal,
        first,
        earliest: chosen.earliest,
        latest: chosen.latest,
        offers,
        accepted_at_once: chosen.policy.accept_within_policy,
        frequencies: chosen.policy.frequencies.clone(),
        max_instalments: chosen.policy.max_instalments,
    })
}

/// The debtor proposes a plan (see the module's documentation): each invoice open, in one
/// currency, in no other plan proposed or running and no open promise. Within policy (and
/// the policy accepting such at once) it is active on return; otherwise proposed. A repeat
/// with the same key answers the same plan.
pub async fn propose(ctx: &Ctx, who: &Principal, cmd: ProposePlan) -> Result<Plan> {
    let debtor = who.debtor()?;
    let today = records::today_of(&ctx.pool, &debtor.merchant).await?;
    propose_on(ctx, who, cmd, today).await
}

/// [`propose`] as if it were `today` where the merchant is (the demo's history; tests).
pub async fn propose_on(ctx: &Ctx, who: &Principal, cmd: ProposePlan, today: Date) -> Result<Plan> {
    let debtor = who.debtor()?;
    let key = records::form_key(&cmd.key)?;
    let merchant = &debtor.merchant;
    if let Some(id) = records::debtor_keyed(&ctx.pool, "payment_plans", debtor, key).await? {
        return by_id(&ctx.pool, merchant, &id).await;
    }
    let chosen = choose(ctx, who, &cmd.invoices, today).await?;
    let first = chosen.first(&cmd.first)?;
    let request = chosen.request(today, first, &cmd.frequency, &cmd.count)?;
    let schedule = chosen.schedule(&request)?;
    let breaches = chosen.policy.breaches(&request, &schedule);
    let currency = schedule.currency();

    let mut tx = db::begin_write(&ctx.pool).await?;
    db::lock_customer(&mut tx, merchant.as_str(), debtor.customer.as_str()).await?;
    // The same form sent twice at once: the second waited for the first's lock.
    if let Some(id) = records::debtor_keyed(&mut *tx, "payment_plans", debtor, key).await? {
        tx.rollback().await?;
        return by_id(&ctx.pool, merchant, &id).await;
    }
    for (id, number, _) in &chosen.invoices {
        let (planned, promised): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM plan_invoices pi JOIN payment_plans p ON p.merchant_id = pi.merchant_id \
               AND p.id = pi.plan_id WHERE pi.merchant_id = $1 AND pi.invoice_id = $2 \
               AND p.status IN ('proposed', 'active')), \
             (SELECT COUNT(*) FROM promise_invoices pi JOIN promises p ON p.merchant_id = pi.merchant_id \
               AND p.id = pi.promise_id WHERE pi.merchant_id = $1 AND pi.invoice_id = $2 AND p.state = 'open')",
        )
        .bind(merchant.as_str())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if planned > 0 {
            return Err(Problem::InvoiceAlreadyInPlan { number: number.to_string() }.into());
        }
        if promised > 0 {
            return Err(Problem::InvoiceAlreadyPromised { number: number.to_string() }.into());
        }
    }
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO payment_plans (id, merchant_id, customer_id, currency, principal_minor, charge_minor, frequency, \
         start_date, status, breaches, grace_days, idempotency_key, proposed_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'proposed', $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(currency.code())
    .bind(schedule.principal.minor())
    .bind(schedule.charge.minor())
    .bind(schedule.frequency.as_str())
    .bind(format_date(today))
    .bind(serde_json::to_string(&breaches).map_err(Error::internal)?)
    .bind(i64::from(chosen.policy.grace_days))
    .bind(key)
    .bind(audit::actor(who))
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    for (invoice, _, amount) in &chosen.invoices {
        sqlx::query(
            "INSERT INTO plan_invoices (merchant_id, plan_id, invoice_id, amount_minor) VALUES ($1, $2, $3, $4)",
        )
        .bind(merchant.as_str())
        .bind(&id)
        .bind(invoice)
        .bind(amount.minor())
        .execute(&mut *tx)
        .await?;
    }
    for (seq, instalment) in schedule.instalments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO plan_instalments (merchant_id, plan_id, seq, due_date, amount_minor) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(merchant.as_str())
        .bind(&id)
        .bind(seq as i64 + 1)
        .bind(format_date(instalment.due))
        .bind(instalment.amount.minor())
        .execute(&mut *tx)
        .await?;
    }
    let numbers: Vec<&str> = chosen.invoices.iter().map(|(_, n, _)| n.as_str()).collect();
    let data = json!({ "plan": id, "customer": debtor.customer, "invoices": numbers,
        "principal": schedule.principal.amount_string(), "charge": schedule.charge.amount_string(),
        "total": schedule.total().amount_string(), "currency": currency.code(),
        "frequency": schedule.frequency.as_str(), "instalments": schedule.instalments.len(),
        "first": format_date(first), "breaches": breaches });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "plan.proposed",
        subject_type: "plan",
        subject_id: &id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    let mode = records::customer_mode(&mut tx, merchant, &debtor.customer).await?;
    events::emit(&mut tx, merchant, mode, EventType::PlanProposed, &id, data).await?;
    if breaches.is_empty() && chosen.policy.accept_within_policy {
        activate(&mut tx, ctx, who, merchant, mode, &id, today, "policy").await?;
    } else {
        queue_mail(&mut tx, merchant, mode, &id, MailKind::Proposed, 0).await?;
    }
    tx.commit().await?;
    by_id(&ctx.pool, merchant, &id).await
}

/// Makes the proposed plan `id` active in the caller's transaction: the charge's invoice,
/// the hold on its invoices, what was settled of them so far, `plan.accepted`.
#[allow(clippy::too_many_arguments)]
async fn activate(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    mode: Mode,
    id: &str,
    today: Date,
    decided_by: &str,
) -> Result<()> {
    keep_dates_ahead(tx, merchant, id, today).await?;
    let (customer, currency, charge, last): (String, String, i64, String) = sqlx::query_as(
        "SELECT p.customer_id, p.currency, p.charge_minor, \
         (SELECT MAX(s.due_date) FROM plan_instalments s WHERE s.merchant_id = p.merchant_id AND s.plan_id = p.id) \
         FROM payment_plans p WHERE p.merchant_id = $1 AND p.id = $2",
    )
    .bind(merchant.as_str())
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let currency = records::currency(&currency)?;
    let mut charge_invoice = None;
    if charge > 0 {
        let language: String = sqlx::query_scalar("SELECT language FROM customers WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.as_str())
            .bind(&customer)
            .fetch_one(&mut **tx)
            .await?;
        let charge = Money::from_minor(charge, currency);
        // A number of its own the merchant's numbering never makes: the plan id's first part.
        let number = format!("PLAN-{}", id.split('-').next().unwrap_or(id).to_uppercase());
        let input = InvoiceInput {
            customer: CustomerRef::Id(customer.clone()),
            number,
            currency: currency.code().to_string(),
            issue_date: format_date(today),
            due_date: Some(last),
            lines: vec![LineInput {
                description: ctx.labels.plan_charge(&language),
                quantity: "1".into(),
                unit_price: charge.amount_string(),
            }],
            numbers: NumberStyle::Plain,
            payment_reference: None,
            payee_iban: None,
        };
        let (invoice, _) = invoices::create_in(tx, ctx, who, merchant, mode, &input).await?;
        sqlx::query(
            "INSERT INTO plan_invoices (merchant_id, plan_id, invoice_id, amount_minor) VALUES ($1, $2, $3, $4)",
        )
        .bind(merchant.as_str())
        .bind(id)
        .bind(invoice.as_str())
        .bind(charge.minor())
        .execute(&mut **tx)
        .await?;
        charge_invoice = Some(invoice.as_str().to_string());
    }
    sqlx::query(
        "UPDATE invoices SET plan_id = $1 WHERE merchant_id = $2 AND id IN \
         (SELECT invoice_id FROM plan_invoices WHERE merchant_id = $2 AND plan_id = $1)",
    )
    .bind(id)
    .bind(merchant.as_str())
    .execute(&mut **tx)
    .await?;
    let settled = settled(&mut **tx, merchant, &[id.to_string()]).await?.first().map(|s| s.1).unwrap_or(0);
    sqlx::query(
        "UPDATE payment_plans SET status = 'active', settled_before_minor = $1, charge_invoice_id = $2, \
         decided_by = $3, decided_at = $4 WHERE merchant_id = $5 AND id = $6",
    )
    .bind(settled)
    .bind(&charge_invoice)
    .bind(decided_by)
    .bind(db::now())
    .bind(merchant.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let data = json!({ "plan": id, "customer": customer, "decided_by": decided_by });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "plan.accepted",
        subject_type: "plan",
        subject_id: id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(tx, who, &ctx.origin, entry).await?;
    events::emit(tx, merchant, mode, EventType::PlanAccepted, id, data).await?;
    queue_mail(tx, merchant, mode, id, MailKind::Accepted, 0).await?;
    Ok(())
}

/// A proposal approved after its first instalment's date keeps its shape: every date moves on
/// by as many whole periods (weeks, fortnights, months from the first date, month ends kept)
/// as it takes for the first to fall on or after `today`, so the debtor is never late on the
/// day the plan starts and pays on the weekday or day of the month they chose.
async fn keep_dates_ahead(tx: &mut Tx, merchant: &MerchantId, id: &str, today: Date) -> Result<()> {
    let (frequency,): (String,) =
        sqlx::query_as("SELECT frequency FROM payment_plans WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.as_str())
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let frequency =
        Frequency::parse(&frequency).ok_or_else(|| Error::internal(format!("plan frequency {frequency:?}")))?;
    let dues: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, due_date FROM plan_instalments WHERE merchant_id = $1 AND plan_id = $2 ORDER BY seq",
    )
    .bind(merchant.as_str())
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let Some((_, first)) = dues.first() else { return Ok(()) };
    let first = parse_date(first)?;
    if first >= today {
        return Ok(());
    }
    let mut periods = 1;
    while frequency.due(first, periods).map_err(Error::internal)? < today {
        periods += 1;
    }
    for (index, (seq, _)) in dues.iter().enumerate() {
        let index = u32::try_from(index).map_err(Error::internal)?;
        let due = frequency.due(first, index + periods).map_err(Error::internal)?;
        sqlx::query("UPDATE plan_instalments SET due_date = $1 WHERE merchant_id = $2 AND plan_id = $3 AND seq = $4")
            .bind(format_date(due))
            .bind(merchant.as_str())
            .bind(id)
            .bind(seq)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// What payments, credit notes and write-offs have settled of each plan's invoices (ids in
/// `plans`): one query however many.
async fn settled<'e, E>(db: E, merchant: &MerchantId, plans: &[String]) -> Result<Vec<(String, i64)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if plans.is_empty() {
        return Ok(Vec::new());
    }
    let ids = db::placeholders(2, plans.len());
    let sql = format!(
        "SELECT pi.plan_id, CAST(COALESCE(SUM( \
           COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.merchant_id = pi.merchant_id \
             AND a.invoice_id = pi.invoice_id), 0) \
         + COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.merchant_id = pi.merchant_id \
             AND w.invoice_id = pi.invoice_id), 0)), 0) AS BIGINT) \
         FROM plan_invoices pi WHERE pi.merchant_id = $1 AND pi.plan_id IN ({ids}) GROUP BY pi.plan_id"
    );
    let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(merchant.as_str());
    for plan in plans {
        query = query.bind(plan);
    }
    Ok(query.fetch_all(db).await?)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_id: String,
    customer_name: String,
    customer_number: String,
    currency: String,
    principal_minor: i64,
    charge_minor: i64,
    frequency: String,
    status: String,
    breaches: String,
    grace_days: i64,
    settled_before_minor: i64,
    charge_invoice: Option<String>,
    decided_by: Option<String>,
    decision_reason: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
    closed_at: Option<i64>,
}

/// Over `payment_plans p JOIN customers c` ([`FROM`]).
const COLUMNS: &str = "p.id, p.customer_id, c.name AS customer_name, c.number AS customer_number, p.currency, \
                       p.principal_minor, p.charge_minor, p.frequency, p.status, p.breaches, p.grace_days, \
                       p.settled_before_minor, ci.number AS charge_invoice, p.decided_by, p.decision_reason, \
                       p.created_at, p.decided_at, p.closed_at";
const FROM: &str = "payment_plans p JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id \
                    LEFT JOIN invoices ci ON ci.merchant_id = p.merchant_id AND ci.id = p.charge_invoice_id";

/// The plans of `rows` with their invoices, instalments, mandates and what was paid: four
/// queries however many, on one connection (none when there are no plans).
async fn hydrate(db: &mut AnyConnection, merchant: &MerchantId, rows: Vec<Row>) -> Result<Vec<Plan>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let binds = db::placeholders(2, ids.len());
    let invoices_sql = format!(
        "SELECT pi.plan_id, i.number, pi.amount_minor FROM plan_invoices pi \
         JOIN invoices i ON i.merchant_id = pi.merchant_id AND i.id = pi.invoice_id \
         JOIN payment_plans p ON p.merchant_id = pi.merchant_id AND p.id = pi.plan_id \
         WHERE pi.merchant_id = $1 AND pi.plan_id IN ({binds}) \
         AND (p.charge_invoice_id IS NULL OR p.charge_invoice_id <> pi.invoice_id) ORDER BY i.due_date, i.number"
    );
    let mut invoices = sqlx::query_as::<_, (String, String, i64)>(&invoices_sql).bind(merchant.as_str());
    let instalments_sql = format!(
        "SELECT plan_id, seq, due_date, amount_minor FROM plan_instalments \
         WHERE merchant_id = $1 AND plan_id IN ({binds}) ORDER BY seq"
    );
    let mut instalments = sqlx::query_as::<_, (String, i64, String, i64)>(&instalments_sql).bind(merchant.as_str());
    let mandates_sql = format!(
        "SELECT plan_id, status, last4, failure_code FROM plan_mandates WHERE merchant_id = $1 AND plan_id IN ({binds})"
    );
    let mut mandates =
        sqlx::query_as::<_, crate::services::mandates::MandateRow>(&mandates_sql).bind(merchant.as_str());
    for id in &ids {
        invoices = invoices.bind(id);
        instalments = instalments.bind(id);
        mandates = mandates.bind(id);
    }
    let invoices = invoices.fetch_all(&mut *db).await?;
    let instalments = instalments.fetch_all(&mut *db).await?;
    let mandates = mandates.fetch_all(&mut *db).await?;
    let settled = settled(&mut *db, merchant, &ids).await?;
    rows.into_iter()
        .map(|row| {
            let currency = records::currency(&row.currency)?;
            let status = status(&row.status)?;
            let principal = Money::from_minor(row.principal_minor, currency);
            let charge = Money::from_minor(row.charge_minor, currency);
            // Settled since it became active (nothing counts while proposed or rejected).
            let paid = match status {
                PlanStatus::Proposed | PlanStatus::Rejected => 0,
                _ => {
                    let now = settled.iter().find(|s| s.0 == row.id).map(|s| s.1).unwrap_or(0);
                    (now - row.settled_before_minor).max(0)
                }
            };
            let mut due_so_far = 0;
            let instalments = instalments
                .iter()
                .filter(|i| i.0 == row.id)
                .map(|(_, seq, due, amount)| {
                    due_so_far += amount;
                    Ok(PlanInstalment {
                        seq: u32::try_from(*seq).map_err(Error::internal)?,
                        due: parse_date(due)?,
                        amount: Money::from_minor(*amount, currency),
                        paid: paid >= due_so_far,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Plan {
                customer: CustomerId::from_raw(row.customer_id),
                customer_name: row.customer_name,
                customer_number: row.customer_number,
                status,
                invoices: invoices
                    .iter()
                    .filter(|i| i.0 == row.id)
                    .map(|(_, n, amount)| Ok((number(n)?, Money::from_minor(*amount, currency))))
                    .collect::<Result<_>>()?,
                principal,
                charge,
                total: Money::from_minor(row.principal_minor + row.charge_minor, currency),
                frequency: Frequency::parse(&row.frequency)
                    .ok_or_else(|| Error::internal(format!("plan frequency {:?}", row.frequency)))?,
                instalments,
                breaches: serde_json::from_str(&row.breaches).map_err(Error::internal)?,
                grace_days: u32::try_from(row.grace_days).map_err(Error::internal)?,
                paid: Money::from_minor(paid, currency),
                charge_invoice: row.charge_invoice.as_deref().map(number).transpose()?,
                decided_by: row.decided_by,
                decision_reason: row.decision_reason,
                created_at: row.created_at,
                decided_at: row.decided_at,
                closed_at: row.closed_at,
                direct_debit: mandates.iter().find(|m| m.plan_id == row.id).map(|m| m.mandate()).transpose()?,
                id: row.id,
            })
        })
        .collect()
}

async fn by_id(pool: &Pool, merchant: &MerchantId, id: &str) -> Result<Plan> {
    let mut db = pool.acquire().await?;
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND p.id = $2"))
            .bind(merchant.as_str())
            .bind(id)
            .fetch_all(&mut *db)
            .await?;
    hydrate(&mut db, merchant, rows).await?.pop().ok_or(Error::NotFound)
}

/// The plan `id` if `who` may reach it (a debtor: their own, on a pay link only one with
/// that invoice; staff and keys: their merchant's, in their mode): its merchant and
/// customer. Anything else is not found.
async fn reach(db: &mut AnyConnection, who: &Principal, id: &str) -> Result<(MerchantId, CustomerId, Mode)> {
    let (merchant, debtor, mode) = match who {
        Principal::Debtor(d) => (d.merchant.clone(), Some(d), None),
        _ => {
            let (merchant, mode) = records::scope(&mut *db, who, None).await?;
            (merchant, None, Some(mode))
        }
    };
    let only = debtor.and_then(|d| d.invoice.as_ref()).map(|i| i.as_str()).unwrap_or("");
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT p.customer_id, c.mode FROM payment_plans p \
         JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id \
         WHERE p.merchant_id = $1 AND p.id = $2 AND ($3 = '' OR EXISTS (SELECT 1 FROM plan_invoices pi \
           WHERE pi.merchant_id = p.merchant_id AND pi.plan_id = p.id AND pi.invoice_id = $3))",
    )
    .bind(merchant.as_str())
    .bind(id)
    .bind(only)
    .fetch_optional(db)
    .await?;
    let (customer, customer_mode) = found.ok_or(Error::NotFound)?;
    let theirs =
        debtor.is_none_or(|d| d.customer.as_str() == customer) && mode.is_none_or(|m| m.as_str() == customer_mode);
    if !theirs {
        return Err(Error::NotFound);
    }
    let mode = Mode::from_stored(&customer_mode, "a plan's customer")?;
    Ok((merchant, CustomerId::from_raw(customer), mode))
}

/// One plan `who` may see (see [`reach`]).
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<Plan> {
    let (merchant, _, _) = reach(&mut *ctx.pool.acquire().await?, who, id).await?;
    by_id(&ctx.pool, &merchant, id).await
}

/// The plans of `who`'s merchant and mode, newest first: in `status` if given, of
/// `customer` if given, at most `limit`.
pub async fn list(
    ctx: &Ctx,
    who: &Principal,
    status: Option<PlanStatus>,
    customer: Option<&CustomerId>,
    limit: u32,
) -> Result<Vec<Plan>> {
    Ok(page(ctx, who, status, customer, limit, None).await?.items)
}

/// [`list`] a page at a time: the plans after `after` (the cursor of the page before).
pub async fn page(
    ctx: &Ctx,
    who: &Principal,
    status: Option<PlanStatus>,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&records::Cursor>,
) -> Result<records::Page<Plan>> {
    if who.debtor().is_ok() {
        return Err(Error::Forbidden);
    }
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let limit = limit.clamp(1, 500);
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MAX, ""));
    let mut db = ctx.pool.acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND c.mode = $2 AND ($3 = '' OR p.status = $3) \
         AND ($4 = '' OR p.customer_id = $4) AND (p.created_at < $5 OR (p.created_at = $5 AND p.id < $6)) \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $7"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(customer.map(CustomerId::as_str).unwrap_or(""))
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *db)
    .await?;
    let plans = hydrate(&mut db, &merchant, rows).await?;
    Ok(records::Page::of(plans, limit, |p| records::Cursor { created_at: p.created_at, id: p.id.clone() }))
}

/// The debtor's own plans, newest first (on a pay link: those with its invoice).
pub async fn mine(ctx: &Ctx, who: &Principal) -> Result<Vec<Plan>> {
    mine_on(&mut *ctx.pool.acquire().await?, who.debtor()?).await
}

/// [`mine`] on connection `db` (a page that reads more on it).
pub async fn mine_on(db: &mut AnyConnection, debtor: &Debtor) -> Result<Vec<Plan>> {
    let only = debtor.invoice.as_ref().map(|i| i.as_str()).unwrap_or("");
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND p.customer_id = $2 \
         AND ($3 = '' OR EXISTS (SELECT 1 FROM plan_invoices pi WHERE pi.merchant_id = p.merchant_id \
           AND pi.plan_id = p.id AND pi.invoice_id = $3)) ORDER BY p.created_at DESC, p.id LIMIT 100"
    ))
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(only)
    .fetch_all(&mut *db)
    .await?;
    hydrate(db, &debtor.merchant, rows).await
}

/// The plan proposed or running that invoice `invoice` (an id) is in, if any: its id and
/// status.
pub async fn open_for_invoice<'e, E>(
    db: E,
    merchant: &MerchantId,
    invoice: &str,
) -> Result<Option<(String, PlanStatus)>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT p.id, p.status FROM plan_invoices pi JOIN payment_plans p ON p.merchant_id = pi.merchant_id \
         AND p.id = pi.plan_id WHERE pi.merchant_id = $1 AND pi.invoice_id = $2 \
         AND p.status IN ('proposed', 'active') ORDER BY p.created_at DESC LIMIT 1",
    )
    .bind(merchant.as_str())
    .bind(invoice)
    .fetch_optional(db)
    .await?;
    found.map(|(id, text)| Ok((id, status(&text)?))).transpose()
}

/// Whether a debtor may propose a plan of `invoice` on `today` under `policy` (not counting
/// plans and promises it is already in): plans offered, something asked for, and overdue
/// where the policy covers overdue invoices only.
pub fn eligible(policy: &PlanPolicy, invoice: &records::InvoiceState, today: Date) -> bool {
    policy.offered
        && invoice.collectable.is_positive()
        && (policy.eligible == Eligible::Open || invoice.due_date < today)
}

/// What paying a running plan's next instalment charges: what is missing up to and including
/// it (an instalment late or paid in part included), spread over the plan's invoices oldest due
/// first (the charge's invoice, due with the last instalment, last), each at most what it
/// still asks for.
#[derive(Debug, Clone)]
pub struct InstalmentDue {
    pub plan: Plan,
    pub amount: Money,
    /// Invoice id, number and the part of `amount` for it.
    pub parts: Vec<(kassa_domain::InvoiceId, InvoiceNumber, Money)>,
}

/// [`InstalmentDue`] for the debtor's own plan `id`: `plan_not_active` unless it runs,
/// `nothing_open` once all is paid.
pub async fn instalment_due(ctx: &Ctx, who: &Principal, id: &str) -> Result<InstalmentDue> {
    let debtor = who.debtor()?;
    let (merchant, _, _) = reach(&mut *ctx.pool.acquire().await?, who, id).await?;
    let plan = by_id(&ctx.pool, &merchant, id).await?;
    if plan.status != PlanStatus::Active {
        return Err(Problem::PlanNotActive.into());
    }
    let today = records::today_of(&ctx.pool, &merchant).await?;
    let missing = match plan.standing(today) {
        Standing::OnTrack { missing, .. } | Standing::Late { missing, .. } | Standing::Broken { missing, .. } => {
            missing
        }
        Standing::Completed => return Err(Problem::NothingOpen.into()),
    };
    let sql = format!(
        "SELECT {} FROM invoices i WHERE i.merchant_id = $1 AND i.customer_id = $2 AND i.plan_id = $3 \
         ORDER BY i.due_date, i.number",
        records::INVOICE_COLUMNS
    );
    let rows: Vec<records::InvoiceRow> = sqlx::query_as(&sql)
        .bind(merchant.as_str())
        .bind(debtor.customer.as_str())
        .bind(id)
        .fetch_all(&ctx.pool)
        .await?;
    let mut left = missing.minor();
    let mut parts = Vec::new();
    for row in rows {
        let state = row.state(today)?;
        let part = left.min(state.collectable.minor());
        if part > 0 {
            parts.push((state.id, state.number, Money::from_minor(part, missing.currency())));
            left -= part;
        }
    }
    let amount = Money::from_minor(missing.minor() - left, missing.currency());
    if !amount.is_positive() {
        return Err(Problem::NothingOpen.into());
    }
    Ok(InstalmentDue { plan, amount, parts })
}

/// Staff or an API key approve a proposal (it becomes active as if accepted at once) or
/// reject it with a reason. The same decision again answers the plan as it is; another
/// after a decision is `plan_decided`.
pub async fn decide(ctx: &Ctx, who: &Principal, cmd: Decide) -> Result<Plan> {
    if who.debtor().is_ok() {
        return Err(Error::Forbidden);
    }
    who.may_write()?;
    let reason = cmd.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let mut tx = db::begin_write(&ctx.pool).await?;
    let (merchant, customer, mode) = reach(&mut tx, who, &cmd.plan).await?;
    if !cmd.approve && reason.is_none() {
        return Err(Problem::ReasonRequired.into());
    }
    db::lock_customer(&mut tx, merchant.as_str(), customer.as_str()).await?;
    let today = records::today_of(&mut *tx, &merchant).await?;
    let (current, decided_by): (String, Option<String>) =
        sqlx::query_as("SELECT status, decided_by FROM payment_plans WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.as_str())
            .bind(&cmd.plan)
            .fetch_one(&mut *tx)
            .await?;
    let current = status(&current)?;
    if current != PlanStatus::Proposed {
        tx.rollback().await?;
        let same = if cmd.approve {
            current != PlanStatus::Rejected && decided_by.as_deref() != Some("policy")
        } else {
            current == PlanStatus::Rejected
        };
        return if same { by_id(&ctx.pool, &merchant, &cmd.plan).await } else { Err(Problem::PlanDecided.into()) };
    }
    if cmd.approve {
        if let Some(reason) = reason {
            sqlx::query("UPDATE payment_plans SET decision_reason = $1 WHERE merchant_id = $2 AND id = $3")
                .bind(reason)
                .bind(merchant.as_str())
                .bind(&cmd.plan)
                .execute(&mut *tx)
                .await?;
        }
        activate(&mut tx, ctx, who, &merchant, mode, &cmd.plan, today, &audit::actor(who)).await?;
    } else {
        let now = db::now();
        sqlx::query(
            "UPDATE payment_plans SET status = 'rejected', decided_by = $1, decision_reason = $2, decided_at = $3, \
             closed_at = $3 WHERE merchant_id = $4 AND id = $5",
        )
        .bind(audit::actor(who))
        .bind(reason)
        .bind(now)
        .bind(merchant.as_str())
        .bind(&cmd.plan)
        .execute(&mut *tx)
        .await?;
        let data = json!({ "plan": cmd.plan, "customer": customer, "reason": reason });
        let entry = audit::Entry {
            merchant: Some(&merchant),
            action: "plan.rejected",
            subject_type: "plan",
            subject_id: &cmd.plan,
            before: None,
            after: Some(data.clone()),
        };
        audit::record(&mut tx, who, &ctx.origin, entry).await?;
        events::emit(&mut tx, &merchant, mode, EventType::PlanRejected, &cmd.plan, data).await?;
        queue_mail(&mut tx, &merchant, mode, &cmd.plan, MailKind::Rejected, 0).await?;
    }
    tx.commit().await?;
    by_id(&ctx.pool, &merchant, &cmd.plan).await
}

/// The hourly review of active plans (see the module's documentation).
pub struct Review;

#[async_trait]
impl Handler for Review {
    fn kind(&self) -> &'static str {
        REVIEW
    }

    async fn run(&self, ctx: &Ctx, _job: &Job) -> anyhow::Result<()> {
        review(ctx, records::today_in).await?;
        Ok(())
    }
}

/// An active plan as the review reads it, with its merchant's time zone.
#[derive(sqlx::FromRow)]
struct ActiveRow {
    id: String,
    merchant_id: String,
    mode: String,
    time_zone: String,
    instalments_paid: i64,
    reminded_through: i64,
}

const ACTIVE: &str = "SELECT p.id, p.merchant_id, c.mode, m.time_zone, p.instalments_paid, p.reminded_through \
                      FROM payment_plans p \
                      JOIN merchants m ON m.id = p.merchant_id \
                      JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id \
                      WHERE p.status = 'active'";

/// What the review did to the plans it looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reviewed {
    pub instalments_paid: usize,
    pub completed: usize,
    pub broken: usize,
    /// Reminders queued of an instalment due within [`REMIND_DAYS`].
    pub reminders: usize,
    /// Instalments collected by direct debit (on their way).
    pub debits: usize,
}

/// Reviews every active plan on the day `today` gives for its merchant's time zone (the job
/// passes the clock's; tests pass the day they need): records instalments newly paid,
/// reminds the debtor of the next one [`REMIND_DAYS`] ahead, closes plans completed or
/// broken (telling the debtor). Safe to run twice: each instalment, reminder and close counts
/// once.
pub async fn review(ctx: &Ctx, today: impl Fn(&jiff::tz::TimeZone) -> Date) -> Result<Reviewed> {
    let mut done = Reviewed::default();
    let mut after = String::new();
    loop {
        let rows: Vec<ActiveRow> = sqlx::query_as(&format!("{ACTIVE} AND p.id > $1 ORDER BY p.id LIMIT $2"))
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&ctx.pool)
            .await?;
        let Some(last) = rows.last() else { return Ok(done) };
        after = last.id.clone();
        for row in rows {
            review_plan(ctx, &row, &today, &mut done).await?;
        }
    }
}

/// Reviews one plan as [`review`] does (the demo moves the plan it made).
pub async fn review_one(ctx: &Ctx, id: &str, today: impl Fn(&jiff::tz::TimeZone) -> Date) -> Result<Reviewed> {
    let mut done = Reviewed::default();
    let row: Option<ActiveRow> =
        sqlx::query_as(&format!("{ACTIVE} AND p.id = $1")).bind(id).fetch_optional(&ctx.pool).await?;
    if let Some(row) = row {
        review_plan(ctx, &row, &today, &mut done).await?;
    }
    Ok(done)
}

async fn review_plan(
    ctx: &Ctx,
    row: &ActiveRow,
    today: &impl Fn(&jiff::tz::TimeZone) -> Date,
    done: &mut Reviewed,
) -> Result<()> {
    let zone = records::time_zone(&row.time_zone)
        .ok_or_else(|| Error::internal(format!("merchant {}: unknown time zone", row.merchant_id)))?;
    let today = today(&zone);
    let merchant = MerchantId::from_raw(row.merchant_id.clone());
    let mode = Mode::from_stored(&row.mode, "a plan's customer")?;
    let mut plan = by_id(&ctx.pool, &merchant, &row.id).await?;
    // A due instalment collected by direct debit first (it may succeed at once).
    if crate::services::mandates::collect(ctx, &merchant, &plan, today).await? {
        done.debits += 1;
        plan = by_id(&ctx.pool, &merchant, &row.id).await?;
    }
    let covered = plan.instalments.iter().filter(|i| i.paid).count();
    // Every invoice of it settled, whatever the schedule says (a credit note, say).
    let (invoiced,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(i.total_minor), 0) AS BIGINT) FROM plan_invoices pi \
         JOIN invoices i ON i.merchant_id = pi.merchant_id AND i.id = pi.invoice_id \
         WHERE pi.merchant_id = $1 AND pi.plan_id = $2",
    )
    .bind(merchant.as_str())
    .bind(&row.id)
    .fetch_one(&ctx.pool)
    .await?;
    let settled_now = settled(&ctx.pool, &merchant, std::slice::from_ref(&row.id)).await?.first().map(|s| s.1);
    let all_settled = settled_now.is_some_and(|s| s >= invoiced);
    let closing = match plan.standing(today) {
        Standing::Completed => Some(PlanStatus::Completed),
        _ if all_settled => Some(PlanStatus::Completed),
        // Not while a direct debit is on its way (it takes days): its outcome decides.
        Standing::Broken { .. }
            if !crate::services::mandates::debit_in_flight(&ctx.pool, &merchant, &row.id).await? =>
        {
            Some(PlanStatus::Broken)
        }
        _ => None,
    };
    let newly_paid = usize::try_from(row.instalments_paid).map_or(0, |before| covered.saturating_sub(before));
    let remind = plan
        .next()
        .filter(|next| closing.is_none() && i64::from(next.seq) > row.reminded_through)
        .filter(|next| (0..=REMIND_DAYS).contains(&(next.due - today).whole_days()))
        .map(|next| next.seq);
    if newly_paid == 0 && closing.is_none() && remind.is_none() {
        return Ok(());
    }
    let mut tx = db::begin_write(&ctx.pool).await?;
    // Another review got here first: it recorded the same.
    let moved = sqlx::query(
        "UPDATE payment_plans SET instalments_paid = $1, reminded_through = $2 WHERE merchant_id = $3 AND id = $4 \
         AND status = 'active' AND instalments_paid = $5 AND reminded_through = $6",
    )
    .bind(covered as i64)
    .bind(remind.map_or(row.reminded_through, i64::from))
    .bind(merchant.as_str())
    .bind(&row.id)
    .bind(row.instalments_paid)
    .bind(row.reminded_through)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        tx.rollback().await?;
        return Ok(());
    }
    let currency = plan.total.currency();
    for instalment in plan.instalments.iter().filter(|i| i.paid).skip(covered - newly_paid) {
        let data = json!({ "plan": row.id, "customer": plan.customer, "instalment": instalment.seq,
            "due_date": format_date(instalment.due), "amount": instalment.amount.amount_string(),
            "currency": currency.code(), "paid": plan.paid.amount_string(),
            "remaining": plan.remaining().amount_string() });
        events::emit(&mut tx, &merchant, mode, EventType::PlanInstalmentPaid, &row.id, data).await?;
        done.instalments_paid += 1;
    }
    if let Some(seq) = remind {
        queue_mail(&mut tx, &merchant, mode, &row.id, MailKind::Reminder, seq).await?;
        done.reminders += 1;
    }
    if let Some(closing) = closing {
        sqlx::query("UPDATE payment_plans SET status = $1, closed_at = $2 WHERE merchant_id = $3 AND id = $4")
            .bind(closing.as_str())
            .bind(db::now())
            .bind(merchant.as_str())
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE invoices SET plan_id = NULL WHERE merchant_id = $1 AND plan_id = $2")
            .bind(merchant.as_str())
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
        let (action, kind) = match closing {
            PlanStatus::Completed => ("plan.completed", EventType::PlanCompleted),
            _ => ("plan.broken", EventType::PlanBroken),
        };
        let missed = match plan.standing(today) {
            Standing::Broken { due, missing } => {
                json!({ "due_date": format_date(due), "missing": missing.amount_string() })
            }
            _ => serde_json::Value::Null,
        };
        let data = json!({ "plan": row.id, "customer": plan.customer, "currency": currency.code(),
            "total": plan.total.amount_string(), "paid": plan.paid.amount_string(),
            "remaining": plan.remaining().amount_string(), "missed": missed });
        let entry = audit::Entry {
            merchant: Some(&merchant),
            action,
            subject_type: "plan",
            subject_id: &row.id,
            before: None,
            after: Some(data.clone()),
        };
        audit::record(&mut tx, &Principal::System, &ctx.origin, entry).await?;
        events::emit(&mut tx, &merchant, mode, kind, &row.id, data).await?;
        let mail = match closing {
            PlanStatus::Completed => {
                done.completed += 1;
                MailKind::Completed
            }
            _ => {
                done.broken += 1;
                MailKind::Broken
            }
        };
        queue_mail(&mut tx, &merchant, mode, &row.id, mail, 0).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a plan's mail tells the debtor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Received, waiting for staff.
    Proposed,
    /// Running: the agreement (with its PDF).
    Accepted,
    Rejected,
    /// An instalment falls due in [`REMIND_DAYS`] days.
    Reminder,
    /// Ended by a missed instalment: the invoices are due again.
    Broken,
    Completed,
}

/// Queues the mail of `kind` about plan `id` (`seq`: the instalment a reminder is about).
async fn queue_mail(tx: &mut Tx, merchant: &MerchantId, mode: Mode, id: &str, kind: MailKind, seq: u32) -> Result<()> {
    let payload = json!({ "merchant": merchant, "plan": id, "kind": kind, "seq": seq });
    crate::jobs::enqueue(tx, crate::jobs::NewJob::mail(PLAN_MAIL, payload, merchant, mode)).await?;
    Ok(())
}

/// What a plan's mail says, gathered when the job runs.
#[derive(Debug, Clone)]
pub struct PlanMail {
    pub merchant: records::Merchant,
    /// The debtor, if the merchant has their address.
    pub to: Option<crate::services::notices::Addressee>,
    /// Staff who act on it (admins and collectors), told of a proposal waiting for them and
    /// of a plan broken.
    pub staff: Vec<crate::services::notices::Addressee>,
    /// The plan's page in the admin.
    pub admin_url: String,
    pub plan: Plan,
    pub kind: MailKind,
    /// The instalment a reminder is about.
    pub instalment: Option<PlanInstalment>,
    /// The plan's page in the portal (the debtor signs in).
    pub url: String,
    /// The merchant's logo, for the agreement's PDF (accepted plans).
    pub logo: Option<crate::services::logos::Logo>,
}

/// The mail job `payload` asks for; `None` for a reminder whose instalment was paid
/// meanwhile.
pub async fn mail(ctx: &Ctx, payload: &serde_json::Value) -> Result<Option<PlanMail>> {
    let field = |name: &str| {
        payload[name].as_str().map(str::to_string).ok_or_else(|| Error::internal(format!("a job without {name}")))
    };
    let merchant = records::merchant_by_id(&ctx.pool, &MerchantId::from_raw(field("merchant")?)).await?;
    let plan = by_id(&ctx.pool, &merchant.id, &field("plan")?).await?;
    let kind: MailKind = serde_json::from_value(payload["kind"].clone()).map_err(Error::internal)?;
    let seq = payload["seq"].as_u64().unwrap_or(0);
    let instalment = plan.instalments.iter().find(|i| u64::from(i.seq) == seq).cloned();
    if kind == MailKind::Reminder && (plan.status != PlanStatus::Active || instalment.as_ref().is_none_or(|i| i.paid)) {
        return Ok(None);
    }
    let to = crate::services::notices::addressee(ctx, &merchant, &plan.customer).await?;
    let staff = match kind {
        MailKind::Proposed | MailKind::Broken => crate::services::notices::payment_staff(ctx, &merchant).await?,
        _ => Vec::new(),
    };
    let url = format!("{}/p/{}/plans/{}", ctx.public_url, merchant.slug, plan.id);
    let admin_url = format!("{}/admin/plans/{}", ctx.public_url, plan.id);
    let logo = if kind == MailKind::Accepted && merchant.logo_url.is_some() {
        crate::services::logos::of(&ctx.pool, &merchant.id).await?
    } else {
        None
    };
    Ok(Some(PlanMail { merchant, to, staff, admin_url, plan, kind, instalment, url, logo }))
}
