//! Disputes: a debtor contests a whole invoice or chosen lines of it, with a reason, the
//! amount they dispute (the chosen lines' amounts by default, less if they say so; never more
//! than is open and not already disputed) and a message that starts the thread with staff.
//! While a dispute is not resolved its amount is out of collection
//! (`invoices.disputed_minor`, read into `StatusFacts::disputed`); the rest of the invoice
//! stays payable. Opening one writes the audit log and emits `dispute.opened`.

use kassa_domain::dispute::{self, DisputeError, DisputeReason, DisputeStatus};
use kassa_domain::{CustomerId, InvoiceNumber, MerchantId, Money, Problem};
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::events::{self, EventType};
use crate::principal::Principal;
use crate::services::portal;
use crate::services::records;
use crate::Ctx;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: u32 = 4_000;

/// What a debtor sends.
#[derive(Debug, Clone)]
pub struct OpenDispute {
    pub invoice: InvoiceNumber,
    /// A [`DisputeReason`] code (`not_received`, `damaged`, ...).
    pub reason: String,
    /// The disputed lines by their position (1 is the first); none: the whole invoice.
    pub lines: Vec<u32>,
    /// As typed, in the notation of the debtor's language; empty or `None`: the lines' amounts.
    pub amount: Option<String>,
    /// The decimal mark of the debtor's language.
    pub decimal: char,
    pub message: String,
    /// The same key (one per form) answers the same dispute.
    pub key: String,
}

/// One message of a dispute's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// `debtor` or `staff`.
    pub author: String,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// A dispute as the debtor, staff and the API see it (the thread without staff's internal
/// notes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    pub id: String,
    pub customer: CustomerId,
    pub customer_name: String,
    pub customer_number: String,
    pub invoice: InvoiceNumber,
    pub reason: DisputeReason,
    pub status: DisputeStatus,
    pub amount: Money,
    /// The disputed lines' positions; empty: the whole invoice.
    pub lines: Vec<u32>,
    pub messages: Vec<Message>,
    /// Unix seconds.
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_id: String,
    customer_name: String,
    customer_number: String,
    invoice_number: String,
    reason: String,
    status: String,
    currency: String,
    amount_minor: i64,
    created_at: i64,
    resolved_at: Option<i64>,
}

const COLUMNS: &str = "d.id, d.customer_id, c.name AS customer_name, c.number AS customer_number, \
                       i.number AS invoice_number, d.reason, d.status, d.currency, d.amount_minor, d.created_at, \
                       d.resolved_at";
const FROM: &str = "disputes d JOIN customers c ON c.merchant_id = d.merchant_id AND c.id = d.customer_id \
                    JOIN invoices i ON i.merchant_id = d.merchant_id AND i.id = d.invoice_id";

impl Row {
    async fn dispute(self, pool: &Pool, merchant: &MerchantId) -> Result<Dispute> {
        let positions: Vec<i64> = sqlx::query_scalar(
            "SELECT position FROM dispute_lines WHERE merchant_id = $1 AND dispute_id = $2 ORDER BY position",
        )
        .bind(merchant.as_str())
        .bind(&self.id)
        .fetch_all(pool)
        .await?;
        let messages: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT author, body, created_at FROM dispute_messages WHERE merchant_id = $1 AND dispute_id = $2 \
             AND internal = 0 ORDER BY created_at, id",
        )
        .bind(merchant.as_str())
        .bind(&self.id)
        .fetch_all(pool)
        .await?;
        Ok(Dispute {
            customer: CustomerId::from_raw(self.customer_id),
            customer_name: self.customer_name,
            customer_number: self.customer_number,
            invoice: InvoiceNumber::parse(&self.invoice_number)
                .map_err(|_| Error::internal(format!("bad invoice number {:?}", self.invoice_number)))?,
            reason: DisputeReason::parse(&self.reason)
                .ok_or_else(|| Error::internal(format!("dispute reason {:?}", self.reason)))?,
            status: DisputeStatus::parse(&self.status)
                .ok_or_else(|| Error::internal(format!("dispute status {:?}", self.status)))?,
            amount: Money::from_minor(self.amount_minor, records::currency(&self.currency)?),
            lines: positions.into_iter().map(|p| u32::try_from(p).unwrap_or(0)).collect(),
            messages: messages
                .into_iter()
                .map(|(author, body, created_at)| Message { author, body, created_at })
                .collect(),
            created_at: self.created_at,
            resolved_at: self.resolved_at,
            id: self.id,
        })
    }
}

async fn by_id(pool: &Pool, merchant: &MerchantId, id: &str) -> Result<Dispute> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND d.id = $2"))
        .bind(merchant.as_str())
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)?;
    row.dispute(pool, merchant).await
}

/// The debtor disputes (part of) an invoice (see the module's documentation). A repeat with
/// the same key answers the same dispute.
pub async fn open(ctx: &Ctx, who: &Principal, cmd: OpenDispute) -> Result<Dispute> {
    let debtor = who.debtor()?;
    let merchant = &debtor.merchant;
    let key = records::form_key(&cmd.key)?;
    if let Some(id) = records::debtor_keyed(&ctx.pool, "disputes", debtor, key).await? {
        return by_id(&ctx.pool, merchant, &id).await;
    }
    let reason = DisputeReason::parse(cmd.reason.trim())
        .ok_or_else(|| Error::from(Problem::DisputeReasonUnknown { input: cmd.reason.trim().to_string() }))?;
    let message = cmd.message.trim().to_string();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS as usize {
        return Err(Problem::DisputeMessageInvalid { max_chars: MAX_MESSAGE_CHARS }.into());
    }
    let mut positions = cmd.lines.clone();
    positions.sort_unstable();
    positions.dedup();

    let mut tx = db::begin_write(&ctx.pool).await?;
    db::lock_customer(&mut tx, merchant.as_str(), debtor.customer.as_str()).await?;
    // The same form sent twice at once: the second waited for the first's lock.
    if let Some(id) = records::debtor_keyed(&mut *tx, "disputes", debtor, key).await? {
        tx.rollback().await?;
        return by_id(&ctx.pool, merchant, &id).await;
    }
    let row = portal::debtor_invoice(&ctx.pool, debtor, &cmd.invoice).await?;
    let currency = row.currency()?;
    let disputed: i64 = sqlx::query_scalar("SELECT disputed_minor FROM invoices WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(&row.id)
        .fetch_one(&mut *tx)
        .await?;
    // What is open and not already held by another dispute.
    let available = Money::from_minor((row.balance()?.minor() - disputed).max(0), currency);
    let mut line_amounts = Vec::with_capacity(positions.len());
    for position in &positions {
        let amount: Option<i64> = sqlx::query_scalar(
            "SELECT amount_minor FROM invoice_lines WHERE merchant_id = $1 AND invoice_id = $2 AND position = $3",
        )
        .bind(merchant.as_str())
        .bind(&row.id)
        .bind(i64::from(*position))
        .fetch_optional(&mut *tx)
        .await?;
        let amount = amount.ok_or(Problem::DisputeLineUnknown { line: *position })?;
        line_amounts.push(Money::from_minor(amount, currency));
    }
    let asked = match cmd.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(typed) => Some(Money::parse_typed(typed, currency, cmd.decimal).map_err(Problem::from)?),
        None => None,
    };
    let amount = dispute::disputed_amount(available, &line_amounts, asked).map_err(|e| match e {
        DisputeError::NothingOpen => Problem::NothingOpen,
        DisputeError::BadAmount { most } => Problem::DisputeAmountInvalid { most },
        DisputeError::Money(m) => m.into(),
        DisputeError::BadMove { .. } => Problem::NothingOpen,
    })?;

    let id = db::new_id();
    let now = db::now();
    sqlx::query(
        "INSERT INTO disputes (id, merchant_id, customer_id, invoice_id, reason, status, currency, amount_minor, \
         idempotency_key, opened_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(&row.id)
    .bind(reason.as_str())
    .bind(currency.code())
    .bind(amount.minor())
    .bind(key)
    .bind(audit::actor(who))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for position in &positions {
        sqlx::query("INSERT INTO dispute_lines (merchant_id, dispute_id, position) VALUES ($1, $2, $3)")
            .bind(merchant.as_str())
            .bind(&id)
            .bind(i64::from(*position))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO dispute_messages (id, merchant_id, dispute_id, author, written_by, body, internal, created_at) \
         VALUES ($1, $2, $3, 'debtor', $4, $5, 0, $6)",
    )
    .bind(db::new_id())
    .bind(merchant.as_str())
    .bind(&id)
    .bind(audit::actor(who))
    .bind(&message)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE invoices SET disputed_minor = disputed_minor + $1 WHERE merchant_id = $2 AND id = $3")
        .bind(amount.minor())
        .bind(merchant.as_str())
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    let data = json!({ "dispute": id, "customer": debtor.customer, "invoice": row.id, "number": row.number,
        "reason": reason.as_str(), "lines": positions, "amount": amount.amount_string(), "currency": currency.code() });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "dispute.opened",
        subject_type: "dispute",
        subject_id: &id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    let mode = records::customer_mode(&mut tx, merchant, &debtor.customer).await?;
    events::emit(&mut tx, merchant, mode, EventType::DisputeOpened, &id, data).await?;
    tx.commit().await?;
    by_id(&ctx.pool, merchant, &id).await
}

/// The disputes on one of the debtor's invoices (by its id), newest first.
pub async fn of_invoice(pool: &Pool, merchant: &MerchantId, invoice: &str) -> Result<Vec<Dispute>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND d.invoice_id = $2 ORDER BY d.created_at DESC, d.id"
    ))
    .bind(merchant.as_str())
    .bind(invoice)
    .fetch_all(pool)
    .await?;
    let mut disputes = Vec::with_capacity(rows.len());
    for row in rows {
        disputes.push(row.dispute(pool, merchant).await?);
    }
    Ok(disputes)
}

/// The disputes of `who`'s merchant and mode, oldest first (the queue's order): with `status`
/// if given, at most `limit`.
pub async fn list(ctx: &Ctx, who: &Principal, status: Option<DisputeStatus>, limit: u32) -> Result<Vec<Dispute>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND c.mode = $2 AND ($3 = '' OR d.status = $3) \
         ORDER BY d.created_at, d.id LIMIT $4"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(&ctx.pool)
    .await?;
    let mut disputes = Vec::with_capacity(rows.len());
    for row in rows {
        disputes.push(row.dispute(&ctx.pool, &merchant).await?);
    }
    Ok(disputes)
}
