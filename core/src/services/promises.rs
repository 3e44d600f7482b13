//! Promises to pay: a debtor names a date within the merchant's window (and optionally an
//! amount, else all the chosen invoices owe) by which they will pay. While the promise is
//! open its invoices carry `promised_until` (the date plus the merchant's grace), which takes
//! them out of collection (`StatusFacts::in_collection`) and shows them as promised. The
//! promises job ([`Review`], hourly) marks each open promise kept once what was paid on its
//! invoices since it was made reaches its amount, or broken once its grace has passed without
//! that; either way the hold ends, the audit log records it and `promise.kept` or
//! `promise.broken` tells the merchant's systems.

use async_trait::async_trait;
use kassa_domain::promise::{Promise as Terms, PromisePolicy, PromiseState};
use kassa_domain::{CustomerId, InvoiceNumber, MerchantId, Money, Problem};
use serde::Serialize;
use serde_json::json;
use time::Date;

use crate::audit;
use crate::db::{self, Pool, Tx};
use crate::error::{Error, Result};
use crate::events::{self, EventType};
use crate::jobs::{Handler, Job};
use crate::principal::{Mode, Principal};
use crate::services::portal::{self, Choice};
use crate::services::records::{self, format_date, parse_date};
use crate::Ctx;

pub const REVIEW: &str = "promises.review";
/// Promises closed per transaction; the review goes on until none is left.
const BATCH: i64 = 200;

/// What a debtor asks for.
#[derive(Debug, Clone)]
pub struct MakePromise {
    /// The invoices it covers, by the merchant's numbers.
    pub invoices: Vec<InvoiceNumber>,
    /// `YYYY-MM-DD`, as a date field sends it.
    pub date: String,
    /// As typed, in the notation of the debtor's language; empty or `None`: all they owe.
    pub amount: Option<String>,
    /// The decimal mark of the debtor's language (`,` or `.`).
    pub decimal: char,
    /// The same key (one per form) answers the same promise.
    pub key: String,
}

/// A promise as staff, the API and the debtor see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Promise {
    pub id: String,
    pub customer: CustomerId,
    pub customer_name: String,
    pub customer_number: String,
    pub invoices: Vec<InvoiceNumber>,
    pub amount: Money,
    /// The date promised.
    pub date: Date,
    /// The last day it holds its invoices out of collection (the date plus grace).
    pub pause_until: Date,
    pub state: PromiseState,
    /// Unix seconds.
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_id: String,
    customer_name: String,
    customer_number: String,
    currency: String,
    amount_minor: i64,
    promised_date: String,
    pause_until: String,
    state: String,
    created_at: i64,
    closed_at: Option<i64>,
}

/// Over `promises p JOIN customers c` ([`FROM`]).
const COLUMNS: &str = "p.id, p.customer_id, c.name AS customer_name, c.number AS customer_number, p.currency, \
                       p.amount_minor, p.promised_date, p.pause_until, p.state, p.created_at, p.closed_at";
const FROM: &str = "promises p JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id";

fn state(text: &str) -> Result<PromiseState> {
    match text {
        "open" => Ok(PromiseState::Open),
        "kept" => Ok(PromiseState::Kept),
        "broken" => Ok(PromiseState::Broken),
        other => Err(Error::internal(format!("promise state {other:?}"))),
    }
}

impl Row {
    async fn promise(self, pool: &Pool, merchant: &MerchantId) -> Result<Promise> {
        let numbers: Vec<String> = sqlx::query_scalar(
            "SELECT i.number FROM promise_invoices pi JOIN invoices i ON i.merchant_id = pi.merchant_id \
             AND i.id = pi.invoice_id WHERE pi.merchant_id = $1 AND pi.promise_id = $2 ORDER BY i.due_date, i.number",
        )
        .bind(merchant.as_str())
        .bind(&self.id)
        .fetch_all(pool)
        .await?;
        let invoices = numbers
            .iter()
            .map(|n| InvoiceNumber::parse(n).map_err(|_| Error::internal(format!("bad invoice number {n:?}"))))
            .collect::<Result<_>>()?;
        Ok(Promise {
            customer: CustomerId::from_raw(self.customer_id),
            customer_name: self.customer_name,
            customer_number: self.customer_number,
            invoices,
            amount: Money::from_minor(self.amount_minor, records::currency(&self.currency)?),
            date: parse_date(&self.promised_date)?,
            pause_until: parse_date(&self.pause_until)?,
            state: state(&self.state)?,
            created_at: self.created_at,
            closed_at: self.closed_at,
            id: self.id,
        })
    }
}

/// The merchant's rules for promises.
pub async fn policy(pool: &Pool, merchant: &MerchantId) -> Result<PromisePolicy> {
    let (window, grace): (i64, i64) =
        sqlx::query_as("SELECT promise_window_days, promise_grace_days FROM merchants WHERE id = $1")
            .bind(merchant.as_str())
            .fetch_one(pool)
            .await?;
    Ok(PromisePolicy {
        window_days: u32::try_from(window).map_err(Error::internal)?,
        grace_days: u32::try_from(grace).map_err(Error::internal)?,
    })
}

/// Sets the rules of `who`'s merchant (admins, live API keys with the settings scope): a
/// window of 1 to 365 days, a grace of 0 to 60. Promises already made keep theirs.
pub async fn set_policy(ctx: &Ctx, who: &Principal, policy: PromisePolicy) -> Result<PromisePolicy> {
    crate::services::merchants::may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, None).await?;
    if !(1..=365).contains(&policy.window_days) || policy.grace_days > 60 {
        return Err(Problem::PromisePolicyInvalid.into());
    }
    let before = self::policy(&ctx.pool, &merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query("UPDATE merchants SET promise_window_days = $1, promise_grace_days = $2 WHERE id = $3")
        .bind(i64::from(policy.window_days))
        .bind(i64::from(policy.grace_days))
        .bind(merchant.as_str())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "settings.promises_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::to_value(before).map_err(Error::internal)?),
        after: Some(serde_json::to_value(policy).map_err(Error::internal)?),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(policy)
}

/// What payments have applied to these invoices, net of reversals and refunds.
async fn paid_on(tx: &mut Tx, merchant: &MerchantId, promise: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(a.amount_minor), 0) AS BIGINT) FROM applications a \
         JOIN promise_invoices pi ON pi.merchant_id = a.merchant_id AND pi.invoice_id = a.invoice_id \
         WHERE a.merchant_id = $1 AND pi.promise_id = $2 AND a.payment_id IS NOT NULL",
    )
    .bind(merchant.as_str())
    .bind(promise)
    .fetch_one(&mut **tx)
    .await?)
}

async fn by_id(pool: &Pool, merchant: &MerchantId, id: &str) -> Result<Promise> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND p.id = $2"))
        .bind(merchant.as_str())
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)?;
    row.promise(pool, merchant).await
}

/// The debtor promises to pay the chosen invoices (see the module's documentation). Each must
/// be open, in one currency, and in no other open promise; the date within the merchant's
/// window; the amount above zero and at most what they owe less what their disputes hold. A repeat with the same key
/// answers the same promise.
pub async fn make(ctx: &Ctx, who: &Principal, cmd: MakePromise) -> Result<Promise> {
    let debtor = who.debtor()?;
    let today = records::today_of(&ctx.pool, &debtor.merchant).await?;
    make_on(ctx, who, cmd, today).await
}

/// [`make`] as if it were `today` where the merchant is (the demo's history; tests).
pub async fn make_on(ctx: &Ctx, who: &Principal, cmd: MakePromise, today: Date) -> Result<Promise> {
    let debtor = who.debtor()?;
    let key = records::form_key(&cmd.key)?;
    let merchant = &debtor.merchant;
    if let Some(id) = records::debtor_keyed(&ctx.pool, "promises", debtor, key).await? {
        return by_id(&ctx.pool, merchant, &id).await;
    }
    let date = records::parse_date(cmd.date.trim())
        .map_err(|_| Error::from(Problem::InvalidDate { input: cmd.date.trim().to_string() }))?;
    let selection = portal::selection(ctx, who, &Choice::Numbers(cmd.invoices)).await?;
    let currency = selection.total.currency();
    let amount = match cmd.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(typed) => Some(Money::parse_typed(typed, currency, cmd.decimal).map_err(Problem::from)?),
        None => None,
    };
    // What is asked for: the balances less what disputes hold.
    let owed = Money::sum(currency, selection.invoices.iter().map(|i| i.collectable))?;
    let policy = policy(&ctx.pool, merchant).await?;
    let terms: Terms = policy.promise(today, date, amount, owed).map_err(Problem::from)?;
    let pause_until = policy.pause_until(&terms);

    let mut tx = db::begin_write(&ctx.pool).await?;
    db::lock_customer(&mut tx, merchant.as_str(), debtor.customer.as_str()).await?;
    // The same form sent twice at once: the second waited for the first's lock.
    if let Some(id) = records::debtor_keyed(&mut *tx, "promises", debtor, key).await? {
        tx.rollback().await?;
        return by_id(&ctx.pool, merchant, &id).await;
    }
    for invoice in &selection.invoices {
        let promised: Option<String> = sqlx::query_scalar(
            "SELECT p.id FROM promise_invoices pi JOIN promises p ON p.merchant_id = pi.merchant_id \
             AND p.id = pi.promise_id WHERE pi.merchant_id = $1 AND pi.invoice_id = $2 AND p.state = 'open'",
        )
        .bind(merchant.as_str())
        .bind(invoice.id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if promised.is_some() {
            return Err(Problem::InvoiceAlreadyPromised { number: invoice.number.to_string() }.into());
        }
        // In a plan proposed or running: its instalments are the promise.
        if crate::services::plans::open_for_invoice(&mut *tx, merchant, invoice.id.as_str()).await?.is_some() {
            return Err(Problem::InvoiceAlreadyInPlan { number: invoice.number.to_string() }.into());
        }
    }
    let id = db::new_id();
    let now = db::now();
    sqlx::query(
        "INSERT INTO promises (id, merchant_id, customer_id, currency, amount_minor, promised_date, pause_until, \
         state, paid_before_minor, idempotency_key, made_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', 0, $8, $9, $10)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(currency.code())
    .bind(terms.amount.minor())
    .bind(format_date(terms.date))
    .bind(format_date(pause_until))
    .bind(key)
    .bind(audit::actor(who))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for invoice in &selection.invoices {
        sqlx::query("INSERT INTO promise_invoices (merchant_id, promise_id, invoice_id) VALUES ($1, $2, $3)")
            .bind(merchant.as_str())
            .bind(&id)
            .bind(invoice.id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE invoices SET promised_until = $1 WHERE merchant_id = $2 AND id = $3")
            .bind(format_date(pause_until))
            .bind(merchant.as_str())
            .bind(invoice.id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let paid_before = paid_on(&mut tx, merchant, &id).await?;
    sqlx::query("UPDATE promises SET paid_before_minor = $1 WHERE merchant_id = $2 AND id = $3")
        .bind(paid_before)
        .bind(merchant.as_str())
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    let numbers: Vec<&str> = selection.invoices.iter().map(|i| i.number.as_str()).collect();
    let data = json!({ "promise": id, "customer": debtor.customer, "invoices": numbers,
        "amount": terms.amount.amount_string(), "currency": currency.code(), "date": format_date(terms.date),
        "pause_until": format_date(pause_until) });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "promise.made",
        subject_type: "promise",
        subject_id: &id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    let mode = records::customer_mode(&mut tx, merchant, &debtor.customer).await?;
    events::emit(&mut tx, merchant, mode, EventType::PromiseMade, &id, data).await?;
    tx.commit().await?;
    by_id(&ctx.pool, merchant, &id).await
}

/// The open promise an invoice is in, if any (the debtor's own invoice, or staff's).
pub async fn open_for_invoice(pool: &Pool, merchant: &MerchantId, invoice: &str) -> Result<Option<Promise>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} JOIN promise_invoices pi ON pi.merchant_id = p.merchant_id \
         AND pi.promise_id = p.id WHERE p.merchant_id = $1 AND pi.invoice_id = $2 AND p.state = 'open'"
    ))
    .bind(merchant.as_str())
    .bind(invoice)
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) => Ok(Some(row.promise(pool, merchant).await?)),
        None => Ok(None),
    }
}

/// One promise of `who`'s merchant and mode, by id.
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<Promise> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Row =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND c.mode = $2 AND p.id = $3"))
            .bind(merchant.as_str())
            .bind(mode.as_str())
            .bind(id)
            .fetch_optional(&ctx.pool)
            .await?
            .ok_or(Error::NotFound)?;
    row.promise(&ctx.pool, &merchant).await
}

/// The promises of `who`'s merchant and mode, newest first: in `state` if given, of
/// `customer` if given, at most `limit`.
pub async fn list(
    ctx: &Ctx,
    who: &Principal,
    state: Option<PromiseState>,
    customer: Option<&CustomerId>,
    limit: u32,
) -> Result<Vec<Promise>> {
    Ok(page(ctx, who, state, customer, limit, None).await?.items)
}

/// [`list`] a page at a time: the promises after `after` (the cursor of the page before).
pub async fn page(
    ctx: &Ctx,
    who: &Principal,
    state: Option<PromiseState>,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&records::Cursor>,
) -> Result<records::Page<Promise>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let limit = limit.clamp(1, 500);
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MAX, ""));
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE p.merchant_id = $1 AND c.mode = $2 AND ($3 = '' OR p.state = $3) \
         AND ($4 = '' OR p.customer_id = $4) AND (p.created_at < $5 OR (p.created_at = $5 AND p.id < $6)) \
         ORDER BY p.created_at DESC, p.id DESC LIMIT $7"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(state.map(|s| s.as_str()).unwrap_or(""))
    .bind(customer.map(CustomerId::as_str).unwrap_or(""))
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&ctx.pool)
    .await?;
    let mut promises = Vec::with_capacity(rows.len());
    for row in rows {
        promises.push(row.promise(&ctx.pool, &merchant).await?);
    }
    Ok(records::Page::of(promises, limit, |p| records::Cursor { created_at: p.created_at, id: p.id.clone() }))
}

/// The hourly review of open promises (see the module's documentation).
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

/// An open promise as the review reads it, with its merchant's time zone and grace.
#[derive(sqlx::FromRow)]
struct OpenRow {
    id: String,
    merchant_id: String,
    customer_id: String,
    mode: String,
    currency: String,
    amount_minor: i64,
    promised_date: String,
    paid_before_minor: i64,
    time_zone: String,
    promise_grace_days: i64,
}

/// Open promises as the review reads them.
const OPEN: &str = "SELECT p.id, p.merchant_id, p.customer_id, c.mode, p.currency, p.amount_minor, p.promised_date, \
                    p.paid_before_minor, m.time_zone, m.promise_grace_days FROM promises p \
                    JOIN merchants m ON m.id = p.merchant_id \
                    JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id \
                    WHERE p.state = 'open'";

/// Reviews one promise as [`review`] does (the demo closes the promises it made); whether it
/// closed it.
pub async fn review_one(ctx: &Ctx, id: &str, today: impl Fn(&jiff::tz::TimeZone) -> Date) -> Result<bool> {
    let row: Option<OpenRow> =
        sqlx::query_as(&format!("{OPEN} AND p.id = $1")).bind(id).fetch_optional(&ctx.pool).await?;
    match row {
        Some(row) => close_if_due(ctx, &row, &today).await,
        None => Ok(false),
    }
}

/// Closes every open promise that is kept or broken on the day `today` gives for its
/// merchant's time zone (the job passes the clock's; tests pass the day they need); how many
/// it closed. Safe to run twice: a promise closes once.
pub async fn review(ctx: &Ctx, today: impl Fn(&jiff::tz::TimeZone) -> Date) -> Result<usize> {
    let mut closed = 0;
    let mut after = String::new();
    loop {
        let rows: Vec<OpenRow> = sqlx::query_as(&format!("{OPEN} AND p.id > $1 ORDER BY p.id LIMIT $2"))
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&ctx.pool)
            .await?;
        let Some(last) = rows.last() else { return Ok(closed) };
        after = last.id.clone();
        for row in rows {
            if close_if_due(ctx, &row, &today).await? {
                closed += 1;
            }
        }
    }
}

async fn close_if_due(ctx: &Ctx, row: &OpenRow, today: &impl Fn(&jiff::tz::TimeZone) -> Date) -> Result<bool> {
    let zone = records::time_zone(&row.time_zone)
        .ok_or_else(|| Error::internal(format!("merchant {}: unknown time zone", row.merchant_id)))?;
    let today = today(&zone);
    let merchant = MerchantId::from_raw(row.merchant_id.clone());
    let currency = records::currency(&row.currency)?;
    let terms = Terms { date: parse_date(&row.promised_date)?, amount: Money::from_minor(row.amount_minor, currency) };
    let policy = PromisePolicy { window_days: 0, grace_days: u32::try_from(row.promise_grace_days).unwrap_or(0) };
    let mut tx = db::begin_write(&ctx.pool).await?;
    let paid = paid_on(&mut tx, &merchant, &row.id).await? - row.paid_before_minor;
    let verdict = policy.state(&terms, Money::from_minor(paid, currency), today);
    if verdict == PromiseState::Open {
        tx.rollback().await?;
        return Ok(false);
    }
    let moved = sqlx::query("UPDATE promises SET state = $1, closed_at = $2 WHERE id = $3 AND state = 'open'")
        .bind(verdict.as_str())
        .bind(db::now())
        .bind(&row.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if moved == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "UPDATE invoices SET promised_until = NULL WHERE merchant_id = $1 AND id IN \
         (SELECT invoice_id FROM promise_invoices WHERE merchant_id = $1 AND promise_id = $2)",
    )
    .bind(merchant.as_str())
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    let (action, kind) = match verdict {
        PromiseState::Kept => ("promise.kept", EventType::PromiseKept),
        _ => ("promise.broken", EventType::PromiseBroken),
    };
    let data = json!({ "promise": row.id, "customer": row.customer_id, "date": row.promised_date,
        "amount": terms.amount.amount_string(), "currency": currency.code(),
        "paid": Money::from_minor(paid.max(0), currency).amount_string() });
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action,
        subject_type: "promise",
        subject_id: &row.id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, &Principal::System, &ctx.origin, entry).await?;
    let mode = Mode::from_stored(&row.mode, "a promise's customer")?;
    events::emit(&mut tx, &merchant, mode, kind, &row.id, data).await?;
    tx.commit().await?;
    Ok(true)
}
