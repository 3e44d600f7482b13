//! The ledger's entries as a merchant's systems read them back: payments (through Kassa's
//! gateways or recorded by hand) and credit notes, each with what it settled and what it
//! still holds as credit; allocations (value applied to an invoice); write-offs. Every read is
//! scoped like every record: the caller's merchant, and an API key's own mode (test or live).
//! Changing the ledger lives in [`crate::services::ledger`].

use kassa_domain::{CreditNoteId, Currency, CustomerId, CustomerNumber, InvoiceId, InvoiceNumber, MerchantId, Money};
use kassa_domain::{PaymentId, WriteOffReason};
use serde::Serialize;

use crate::db::Pool;
use crate::error::{Error, Result};
use crate::principal::{Mode, Principal};
use crate::services::records::{self, Cursor, Page};
use crate::Ctx;

/// Value applied from a payment or credit note to one invoice: net of any reversal, so a
/// reversed payment's allocations show as zero and are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub invoice: InvoiceId,
    pub invoice_number: InvoiceNumber,
    pub amount: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Succeeded,
    /// A chargeback or a failed direct debit: what it paid is owed again.
    Reversed,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Reversed => "reversed",
        }
    }
}

/// Money received, and where it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRecord {
    pub id: PaymentId,
    pub customer: CustomerId,
    pub customer_number: CustomerNumber,
    pub customer_name: String,
    pub amount: Money,
    /// `card`, `bank_transfer`, `cash`, ...
    pub method: String,
    /// `manual` for money recorded by hand, else the gateway (`sandbox`, `stripe`).
    pub gateway: String,
    /// The bank's, payer's or gateway's reference.
    pub reference: String,
    pub status: PaymentStatus,
    pub allocations: Vec<Allocation>,
    /// What it still holds as credit on the customer (zero once reversed).
    pub unapplied: Money,
    /// What of it was paid back to the payer (refunds that succeeded).
    pub refunded: Money,
    pub reversal_reason: Option<String>,
    pub reversed_at: Option<i64>,
    pub created_at: i64,
}

impl PaymentRecord {
    /// What may still be paid back: what it stands for, nothing once reversed (refunds under
    /// way are checked when one is asked for).
    pub fn refundable(&self) -> Money {
        if self.reversed_at.is_some() {
            return Money::zero(self.amount.currency());
        }
        self.amount.checked_sub(self.refunded).unwrap_or(Money::zero(self.amount.currency()))
    }
}

/// A credit note, and where its value went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditNoteRecord {
    pub id: CreditNoteId,
    pub number: InvoiceNumber,
    pub customer: CustomerId,
    pub customer_number: CustomerNumber,
    pub amount: Money,
    /// The invoice it was issued against, if any.
    pub invoice_number: Option<InvoiceNumber>,
    pub reason: String,
    pub allocations: Vec<Allocation>,
    pub unapplied: Money,
    pub created_at: i64,
}

/// Part of an invoice the merchant no longer asks for. A reversed payment's short-payment
/// write-off shows as a second, negative entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteOffRecord {
    pub id: String,
    pub invoice: InvoiceId,
    pub invoice_number: InvoiceNumber,
    pub customer: CustomerId,
    pub amount: Money,
    pub reason: WriteOffReason,
    pub note: Option<String>,
    /// The payment whose shortfall it covers (`short_payment`).
    pub payment: Option<PaymentId>,
    pub created_at: i64,
}

fn mode_clause(mode: Mode) -> &'static str {
    match mode {
        Mode::Test => "c.mode = 'test'",
        Mode::Live => "c.mode = 'live'",
    }
}

fn money(minor: i64, code: &str) -> Result<Money> {
    Ok(Money::from_minor(minor, records::currency(code)?))
}

/// The net allocations of the sources `column` (`payment_id` or `credit_note_id`) = `id`.
async fn allocations(pool: &Pool, merchant: &MerchantId, column: &str, id: &str) -> Result<Vec<Allocation>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT a.invoice_id, i.number, a.currency, CAST(SUM(a.amount_minor) AS BIGINT) FROM applications a \
         JOIN invoices i ON i.merchant_id = a.merchant_id AND i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.{column} = $2 GROUP BY a.invoice_id, i.number, a.currency \
         HAVING SUM(a.amount_minor) <> 0 ORDER BY MIN(a.created_at), a.invoice_id"
    ))
    .bind(merchant.as_str())
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(invoice, number, currency, amount)| {
            Ok(Allocation {
                invoice: InvoiceId::from_raw(invoice),
                invoice_number: InvoiceNumber::parse(&number).map_err(Error::internal)?,
                amount: money(amount, &currency)?,
            })
        })
        .collect()
}

fn unapplied(amount: Money, allocations: &[Allocation]) -> Result<Money> {
    let applied = Money::sum(amount.currency(), allocations.iter().map(|a| a.amount)).map_err(Error::internal)?;
    amount.checked_sub(applied).map_err(Error::internal)
}

/// Which way a list runs: the API's lists oldest first (a client follows them to the end),
/// the admin's newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    OldestFirst,
    NewestFirst,
}

/// Up to `limit + 1` rows of `columns` `from` (the entry's table as `alias`, joined to its
/// customer as `c`), of the merchant and mode, of one customer or all, in `order` after the
/// cursor `after`: one page of a list and whether another follows.
#[allow(clippy::too_many_arguments)]
async fn page_rows<R>(
    ctx: &Ctx,
    merchant: &MerchantId,
    mode: Mode,
    columns: &str,
    from: &str,
    alias: &str,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&Cursor>,
    order: Order,
) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let (beyond, start, direction) = match order {
        Order::OldestFirst => (">", (i64::MIN, ""), "ASC"),
        Order::NewestFirst => ("<", (i64::MAX, ""), "DESC"),
    };
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or(start);
    let a = alias;
    let sql = format!(
        "SELECT {columns} {from} WHERE {a}.merchant_id = $1 AND {} AND ($2 = '' OR {a}.customer_id = $2) \
         AND ({a}.created_at {beyond} $3 OR ({a}.created_at = $3 AND {a}.id {beyond} $4)) \
         ORDER BY {a}.created_at {direction}, {a}.id {direction} LIMIT $5",
        mode_clause(mode)
    );
    Ok(sqlx::query_as(&sql)
        .bind(merchant.as_str())
        .bind(customer.map(CustomerId::as_str).unwrap_or(""))
        .bind(after_at)
        .bind(after_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&ctx.pool)
        .await?)
}

const PAYMENT_COLUMNS: &str = "p.id, p.customer_id, c.number, p.currency, p.amount_minor, p.method, p.gateway, \
     p.gateway_reference, p.reversal_reason, p.reversed_at, p.created_at, p.refunded_minor, c.name";

type PaymentRow =
    (String, String, String, String, i64, String, String, String, Option<String>, Option<i64>, i64, i64, String);

async fn payment_record(pool: &Pool, merchant: &MerchantId, row: PaymentRow) -> Result<PaymentRecord> {
    let (
        id,
        customer,
        number,
        currency,
        amount,
        method,
        gateway,
        reference,
        reversal_reason,
        reversed_at,
        created_at,
        refunded,
        customer_name,
    ) = row;
    let amount = money(amount, &currency)?;
    let refunded = money(refunded, &currency)?;
    let allocations = allocations(pool, merchant, "payment_id", &id).await?;
    let status = if reversed_at.is_some() { PaymentStatus::Reversed } else { PaymentStatus::Succeeded };
    let standing = amount.checked_sub(refunded).map_err(Error::internal)?;
    let unapplied =
        if reversed_at.is_some() { Money::zero(amount.currency()) } else { unapplied(standing, &allocations)? };
    Ok(PaymentRecord {
        id: PaymentId::from_raw(id),
        customer: CustomerId::from_raw(customer),
        customer_number: CustomerNumber::parse(&number).map_err(Error::internal)?,
        customer_name,
        amount,
        method,
        gateway,
        reference,
        status,
        allocations,
        unapplied,
        refunded,
        reversal_reason,
        reversed_at,
        created_at,
    })
}

/// One payment of `who`'s merchant and mode.
pub async fn payment(ctx: &Ctx, who: &Principal, id: &PaymentId) -> Result<PaymentRecord> {
    find_payment(ctx, who, "p.id = $2", id.as_str()).await
}

/// A payment recorded through the API or by staff, by the `Idempotency-Key` it was recorded
/// with: the merchant's own number for it (a receipt, a bank transaction's id).
pub async fn payment_by_key(ctx: &Ctx, who: &Principal, key: &str) -> Result<PaymentRecord> {
    find_payment(ctx, who, "p.gateway = 'manual' AND p.idempotency_key = $2", key).await
}

/// The payment `filter` (over `payments p`, with `$2` for `value`) finds, in `who`'s mode.
async fn find_payment(ctx: &Ctx, who: &Principal, filter: &str, value: &str) -> Result<PaymentRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Option<PaymentRow> = sqlx::query_as(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN customers c ON c.merchant_id = p.merchant_id \
         AND c.id = p.customer_id WHERE p.merchant_id = $1 AND {filter} AND {}",
        mode_clause(mode)
    ))
    .bind(merchant.as_str())
    .bind(value)
    .fetch_optional(&ctx.pool)
    .await?;
    payment_record(&ctx.pool, &merchant, row.ok_or(Error::NotFound)?).await
}

/// A page of payments in `order`, of one customer or all.
pub async fn payments(
    ctx: &Ctx,
    who: &Principal,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&Cursor>,
    order: Order,
) -> Result<Page<PaymentRecord>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let from = "FROM payments p JOIN customers c ON c.merchant_id = p.merchant_id AND c.id = p.customer_id";
    let rows: Vec<PaymentRow> =
        page_rows(ctx, &merchant, mode, PAYMENT_COLUMNS, from, "p", customer, limit, after, order).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(payment_record(&ctx.pool, &merchant, row).await?);
    }
    Ok(Page::of(items, limit, |p| Cursor { created_at: p.created_at, id: p.id.to_string() }))
}

const CREDIT_NOTE_COLUMNS: &str = "n.id, n.number, n.customer_id, c.number, n.currency, n.amount_minor, i.number, \
     n.reason, n.created_at";

type CreditNoteRow = (String, String, String, String, String, i64, Option<String>, String, i64);

const CREDIT_NOTE_FROM: &str = "FROM credit_notes n JOIN customers c ON c.merchant_id = n.merchant_id \
     AND c.id = n.customer_id LEFT JOIN invoices i ON i.merchant_id = n.merchant_id AND i.id = n.invoice_id";

async fn credit_note_record(pool: &Pool, merchant: &MerchantId, row: CreditNoteRow) -> Result<CreditNoteRecord> {
    let (id, number, customer, customer_number, currency, amount, invoice_number, reason, created_at) = row;
    let amount = money(amount, &currency)?;
    let allocations = allocations(pool, merchant, "credit_note_id", &id).await?;
    Ok(CreditNoteRecord {
        id: CreditNoteId::from_raw(id),
        number: InvoiceNumber::parse(&number).map_err(Error::internal)?,
        customer: CustomerId::from_raw(customer),
        customer_number: CustomerNumber::parse(&customer_number).map_err(Error::internal)?,
        amount,
        invoice_number: invoice_number.map(|n| InvoiceNumber::parse(&n)).transpose().map_err(Error::internal)?,
        reason,
        unapplied: unapplied(amount, &allocations)?,
        allocations,
        created_at,
    })
}

async fn find_credit_note(ctx: &Ctx, who: &Principal, column: &str, value: &str) -> Result<CreditNoteRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Option<CreditNoteRow> = sqlx::query_as(&format!(
        "SELECT {CREDIT_NOTE_COLUMNS} {CREDIT_NOTE_FROM} WHERE n.merchant_id = $1 AND n.{column} = $2 AND {}",
        mode_clause(mode)
    ))
    .bind(merchant.as_str())
    .bind(value)
    .fetch_optional(&ctx.pool)
    .await?;
    credit_note_record(&ctx.pool, &merchant, row.ok_or(Error::NotFound)?).await
}

pub async fn credit_note(ctx: &Ctx, who: &Principal, id: &CreditNoteId) -> Result<CreditNoteRecord> {
    find_credit_note(ctx, who, "id", id.as_str()).await
}

/// A credit note by the merchant's number.
pub async fn credit_note_by_number(ctx: &Ctx, who: &Principal, number: &InvoiceNumber) -> Result<CreditNoteRecord> {
    find_credit_note(ctx, who, "number", number.as_str()).await
}

/// A page of credit notes, oldest first, of one customer or all.
pub async fn credit_notes(
    ctx: &Ctx,
    who: &Principal,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<CreditNoteRecord>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let rows: Vec<CreditNoteRow> = page_rows(
        ctx,
        &merchant,
        mode,
        CREDIT_NOTE_COLUMNS,
        CREDIT_NOTE_FROM,
        "n",
        customer,
        limit,
        after,
        Order::OldestFirst,
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(credit_note_record(&ctx.pool, &merchant, row).await?);
    }
    Ok(Page::of(items, limit, |n| Cursor { created_at: n.created_at, id: n.id.to_string() }))
}

type WriteOffRow = (String, String, String, String, String, i64, String, Option<String>, Option<String>, i64);

/// The write-offs of one invoice, oldest first.
pub async fn write_offs(ctx: &Ctx, who: &Principal, invoice: &InvoiceId) -> Result<Vec<WriteOffRecord>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let rows: Vec<WriteOffRow> = sqlx::query_as(&format!(
        "SELECT w.id, w.invoice_id, i.number, w.customer_id, w.currency, w.amount_minor, w.reason, w.note, \
             w.payment_id, w.created_at FROM write_offs w \
             JOIN invoices i ON i.merchant_id = w.merchant_id AND i.id = w.invoice_id \
             JOIN customers c ON c.merchant_id = w.merchant_id AND c.id = w.customer_id \
             WHERE w.merchant_id = $1 AND w.invoice_id = $2 AND {} ORDER BY w.created_at, w.id",
        mode_clause(mode)
    ))
    .bind(merchant.as_str())
    .bind(invoice.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    rows.into_iter()
        .map(|(id, invoice, number, customer, currency, amount, reason, note, payment, created_at)| {
            Ok(WriteOffRecord {
                id,
                invoice: InvoiceId::from_raw(invoice),
                invoice_number: InvoiceNumber::parse(&number).map_err(Error::internal)?,
                customer: CustomerId::from_raw(customer),
                amount: money(amount, &currency)?,
                reason: WriteOffReason::parse(&reason)
                    .ok_or_else(|| Error::internal(format!("unknown write-off reason {reason:?}")))?,
                note,
                payment: payment.map(PaymentId::from_raw),
                created_at,
            })
        })
        .collect()
}

/// The currency a customer's ledger entry `id` (payment or credit note) is in, checked
/// against the caller's scope; for callers that name an entry and then change it.
pub async fn owner_of_source(ctx: &Ctx, who: &Principal, kind: SourceRef<'_>) -> Result<(CustomerId, Currency)> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let (table, id) = match kind {
        SourceRef::Payment(id) => ("payments", id),
        SourceRef::CreditNote(id) => ("credit_notes", id),
    };
    let row: Option<(String, String)> = sqlx::query_as(&format!(
        "SELECT s.customer_id, s.currency FROM {table} s JOIN customers c ON c.merchant_id = s.merchant_id \
         AND c.id = s.customer_id WHERE s.merchant_id = $1 AND s.id = $2 AND {}",
        mode_clause(mode)
    ))
    .bind(merchant.as_str())
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await?;
    let (customer, currency) = row.ok_or(Error::NotFound)?;
    Ok((CustomerId::from_raw(customer), records::currency(&currency)?))
}

/// A payment or a credit note, by id.
#[derive(Debug, Clone, Copy)]
pub enum SourceRef<'a> {
    Payment(&'a str),
    CreditNote(&'a str),
}
