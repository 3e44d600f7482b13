//! A customer's ledger in the database: loading it into the domain's [`CustomerLedger`],
//! storing what the domain decided, and the use cases that change it — recording a payment
//! received elsewhere, issuing a credit note, applying held credit, writing off, reversing a
//! payment. Each runs in one write transaction with the customer locked, so two changes to
//! one customer's ledger never interleave; the domain checks the whole ledger before anything
//! is stored.

use std::collections::HashMap;

use kassa_domain::account::{InvoiceEntry, SourceEntry};
use kassa_domain::{
    Application, Apply, CreditNoteId, Currency, CustomerId, CustomerLedger, InvoiceId, InvoiceNumber, MerchantId,
    Money, PaymentId, Problem, Received, Reversal, SourceKind, WriteOff, WriteOffReason,
};

use crate::audit;
use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::events::{self, EventType};
use crate::principal::{Mode, Principal};
use crate::services::customers::Outcome;
use crate::services::records;
use crate::Ctx;
use sqlx::AnyConnection;

/// Where value on the ledger comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Payment(PaymentId),
    CreditNote(CreditNoteId),
}

impl Source {
    fn payment_id(&self) -> Option<&str> {
        match self {
            Source::Payment(p) => Some(p.as_str()),
            Source::CreditNote(_) => None,
        }
    }
    fn credit_note_id(&self) -> Option<&str> {
        match self {
            Source::CreditNote(c) => Some(c.as_str()),
            Source::Payment(_) => None,
        }
    }
}

pub type Ledger = CustomerLedger<InvoiceId, Source>;

/// A customer's ledger in one currency, and its invoices by number.
pub struct Loaded {
    pub ledger: Ledger,
    pub numbers: HashMap<InvoiceNumber, InvoiceId>,
}

impl Loaded {
    fn invoice(&self, number: &InvoiceNumber) -> Result<InvoiceId> {
        self.numbers.get(number).cloned().ok_or_else(|| Problem::UnknownInvoice { number: number.to_string() }.into())
    }
}

/// May `who` change `merchant`'s ledger? Those who may write ([`Principal::may_write`]) of
/// that merchant; debtors and viewers may not.
pub fn authorise_posting(who: &Principal, merchant: &MerchantId) -> Result<()> {
    match who {
        Principal::Staff(s) if &s.merchant != merchant => Err(Error::NotFound),
        Principal::ApiKey(k) if &k.merchant != merchant => Err(Error::NotFound),
        _ => who.may_write(),
    }
}

/// One row of [`load`]'s read: which list it belongs to (`k`: 0 invoices, 1 payments, 2 credit
/// notes, 3 applications, 4 write-offs) and that list's columns in `t*` (text) and `n*`
/// (amounts, and a payment's reversal time).
#[derive(sqlx::FromRow)]
struct LedgerRow {
    k: i64,
    id: String,
    t1: String,
    t2: Option<String>,
    t3: Option<String>,
    n1: i64,
    n2: Option<i64>,
    n3: i64,
}

/// Loads one customer's ledger in `currency` on `db` (a writer's transaction, or
/// [`verify_all`]'s reading one) and checks its invariants; a broken
/// ledger is an internal error (a bug or a corrupt database), never silently repaired.
pub async fn load(
    db: &mut AnyConnection,
    merchant: &MerchantId,
    customer: &CustomerId,
    currency: Currency,
) -> Result<Loaded> {
    let m = merchant.as_str();
    let c = customer.as_str();
    let code = currency.code();
    let money = |minor: i64| Money::from_minor(minor, currency);
    // One round trip for the five lists (the ledger is loaded under the customer's lock, so
    // each round trip is time the next writer of this customer waits): each row names its
    // list (`k`), and each list comes in its own order, invoices by issue date and number,
    // the rest as they were made.
    let rows: Vec<LedgerRow> = sqlx::query_as(
        "SELECT CAST(0 AS BIGINT) AS k, id, number AS t1, due_date AS t2, CAST(NULL AS TEXT) AS t3, total_minor AS n1, \
             open_minor AS n2, CAST(0 AS BIGINT) AS n3, issue_date AS by_date, number AS by_text, \
             CAST(0 AS BIGINT) AS by_time, id AS by_id \
           FROM invoices WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 \
         UNION ALL SELECT 1, id, '', NULL, NULL, amount_minor, reversed_at, refunded_minor, '', '', created_at, id \
           FROM payments WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 \
         UNION ALL SELECT 2, id, '', NULL, NULL, amount_minor, NULL, 0, '', '', created_at, id \
           FROM credit_notes WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 \
         UNION ALL SELECT 3, invoice_id, '', payment_id, credit_note_id, amount_minor, NULL, 0, '', '', created_at, id \
           FROM applications WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 \
         UNION ALL SELECT 4, invoice_id, reason, payment_id, NULL, amount_minor, NULL, 0, '', '', created_at, id \
           FROM write_offs WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3 \
         ORDER BY k, by_date, by_text, by_time, by_id",
    )
    .bind(m)
    .bind(c)
    .bind(code)
    .fetch_all(&mut *db)
    .await?;
    let mut numbers = HashMap::new();
    let (mut invoices, mut stored_open, mut sources, mut applications, mut write_offs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for LedgerRow { k, id, t1, t2, t3, n1, n2, n3 } in rows {
        match k {
            0 => {
                let open = n2.ok_or_else(|| Error::internal(format!("no open balance on {id}")))?;
                stored_open.push((InvoiceId::from_raw(id.clone()), open));
                let number = InvoiceNumber::parse(&t1).map_err(|_| Error::internal(format!("bad number on {id}")))?;
                numbers.insert(number, InvoiceId::from_raw(id.clone()));
                let due = t2.ok_or_else(|| Error::internal(format!("no due date on {id}")))?;
                invoices.push(InvoiceEntry {
                    invoice: InvoiceId::from_raw(id),
                    total: money(n1),
                    due_date: records::parse_date(&due)?,
                });
            }
            1 => sources.push(SourceEntry {
                source: Source::Payment(PaymentId::from_raw(id)),
                kind: SourceKind::Payment,
                amount: money(n1),
                reversed: n2.is_some(),
                refunded: money(n3),
            }),
            2 => sources.push(SourceEntry {
                source: Source::CreditNote(CreditNoteId::from_raw(id)),
                kind: SourceKind::CreditNote,
                amount: money(n1),
                reversed: false,
                refunded: money(0),
            }),
            3 => {
                let source = match (t2, t3) {
                    (Some(p), None) => Source::Payment(PaymentId::from_raw(p)),
                    (None, Some(c)) => Source::CreditNote(CreditNoteId::from_raw(c)),
                    _ => return Err(Error::internal("an application without exactly one source")),
                };
                applications.push(Application { invoice: InvoiceId::from_raw(id), source, amount: money(n1) });
            }
            _ => write_offs.push(WriteOff {
                invoice: InvoiceId::from_raw(id),
                amount: money(n1),
                reason: WriteOffReason::parse(&t1)
                    .ok_or_else(|| Error::internal(format!("unknown write-off reason {t1:?}")))?,
                source: t2.map(|p| Source::Payment(PaymentId::from_raw(p))),
            }),
        }
    }
    let ledger = Ledger::from_entries(currency, invoices, sources, applications, write_offs)
        .map_err(|e| Error::internal(format!("customer {c} in {code}: {e}")))?;
    for (invoice, open) in stored_open {
        if ledger.balance(&invoice)?.minor() != open {
            return Err(Error::internal(format!(
                "invoice {invoice}: stored open balance {open} differs from its ledger"
            )));
        }
    }
    Ok(Loaded { ledger, numbers })
}

/// Stores applications and write-offs the domain decided.
pub(crate) async fn store(
    tx: &mut Tx,
    merchant: &MerchantId,
    customer: &CustomerId,
    applications: &[Application<InvoiceId, Source>],
    write_offs: &[WriteOff<InvoiceId, Source>],
    note: Option<&str>,
) -> Result<()> {
    let now = db::now();
    for a in applications {
        sqlx::query(
            "INSERT INTO applications (id, merchant_id, customer_id, invoice_id, currency, payment_id, credit_note_id, \
             amount_minor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(db::new_id())
        .bind(merchant.as_str())
        .bind(customer.as_str())
        .bind(a.invoice.as_str())
        .bind(a.amount.currency().code())
        .bind(a.source.payment_id())
        .bind(a.source.credit_note_id())
        .bind(a.amount.minor())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        reduce_open(tx, merchant, &a.invoice, a.amount).await?;
    }
    for w in write_offs {
        sqlx::query(
            "INSERT INTO write_offs (id, merchant_id, customer_id, invoice_id, currency, amount_minor, reason, payment_id, \
             note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(db::new_id())
        .bind(merchant.as_str())
        .bind(customer.as_str())
        .bind(w.invoice.as_str())
        .bind(w.amount.currency().code())
        .bind(w.amount.minor())
        .bind(w.reason.as_str())
        .bind(w.source.as_ref().and_then(Source::payment_id))
        .bind(note)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        reduce_open(tx, merchant, &w.invoice, w.amount).await?;
    }
    Ok(())
}

/// Keeps `invoices.open_minor` equal to what the ledger derives (a negative amount reopens),
/// and marks the invoice changed; a settled invoice may be announced overdue again if it is
/// reopened ([`crate::overdue`]).
async fn reduce_open(tx: &mut Tx, merchant: &MerchantId, invoice: &InvoiceId, amount: Money) -> Result<()> {
    sqlx::query(
        "UPDATE invoices SET open_minor = open_minor - $1, updated_at = $4, \
         overdue_notified_at = CASE WHEN open_minor - $1 = 0 THEN NULL ELSE overdue_notified_at END \
         WHERE merchant_id = $2 AND id = $3",
    )
    .bind(amount.minor())
    .bind(merchant.as_str())
    .bind(invoice.as_str())
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a change leaves behind beside its rows: the audit entry and the events it emits.
pub(crate) struct Aftermath<'a> {
    pub action: &'static str,
    pub subject_type: &'static str,
    pub subject_id: &'a str,
    pub after: serde_json::Value,
    pub events: Vec<(EventType, String, serde_json::Value)>,
    /// Other jobs it queues (a receipt's mail).
    pub jobs: Vec<crate::jobs::NewJob>,
}

/// Writes a change's audit entry, events and jobs in its transaction and, when it changed a
/// ledger (`ledgers` before and after), `invoice.paid` for every invoice it brought to zero.
pub(crate) async fn record_change(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    mode: Mode,
    ledgers: Option<(&Ledger, &Ledger)>,
    change: Aftermath<'_>,
) -> Result<()> {
    let mut emitted = change.events;
    if let Some((before, after)) = ledgers {
        for invoice in after.invoices() {
            let was = before.balance(&invoice.invoice).map(|m| m.minor()).unwrap_or(0);
            let now = after.balance(&invoice.invoice)?;
            if was > 0 && now.is_zero() {
                let data = serde_json::json!({ "invoice": invoice.invoice, "total": invoice.total.amount_string(),
                    "currency": invoice.total.currency().code() });
                emitted.push((EventType::InvoicePaid, invoice.invoice.to_string(), data));
            }
        }
    }
    events::emit_all(tx, merchant, mode, emitted, change.jobs).await?;
    // Last: the entry takes the merchant's audit-chain lock, held until the caller commits, so
    // the less follows it, the less other changes of this merchant wait.
    audit::record(
        tx,
        who,
        &ctx.origin,
        audit::Entry {
            merchant: Some(merchant),
            action: change.action,
            subject_type: change.subject_type,
            subject_id: change.subject_id,
            before: None,
            after: Some(change.after),
        },
    )
    .await
}

fn received_json(received: &Received<InvoiceId, Source>) -> serde_json::Value {
    serde_json::json!({
        "applied": received.applications.iter()
            .map(|a| serde_json::json!({ "invoice": a.invoice, "amount": a.amount.amount_string() }))
            .collect::<Vec<_>>(),
        "written_off": received.write_offs.iter()
            .map(|w| serde_json::json!({ "invoice": w.invoice, "amount": w.amount.amount_string(), "reason": w.reason }))
            .collect::<Vec<_>>(),
        "held_as_credit": received.unapplied.amount_string(),
    })
}

/// Stores what receiving value decided.
pub async fn store_received(
    tx: &mut Tx,
    merchant: &MerchantId,
    customer: &CustomerId,
    received: &Received<InvoiceId, Source>,
) -> Result<()> {
    store(tx, merchant, customer, &received.applications, &received.write_offs, None).await
}

/// One change to a customer's ledger under way, in a write transaction that holds the
/// customer's lock: the ledger as it was loaded, and the ledger the change is deciding on.
pub(crate) struct Posting {
    pub customer: CustomerId,
    /// The customer's mode: its events go to endpoints of that mode.
    pub mode: Mode,
    pub loaded: Loaded,
    before: Ledger,
}

impl Posting {
    /// Loads the customer's ledger in `currency` in the transaction `tx` (which holds the
    /// customer's lock).
    pub async fn load(tx: &mut Tx, merchant: &MerchantId, customer: CustomerId, currency: Currency) -> Result<Posting> {
        let loaded = load(tx, merchant, &customer, currency).await?;
        let mode = records::customer_mode(tx, merchant, &customer).await?;
        Ok(Posting { customer, mode, before: loaded.ledger.clone(), loaded })
    }

    /// Writes the change's audit entry and events (with `invoice.paid` for what it settled);
    /// the caller commits.
    pub async fn record(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        who: &Principal,
        merchant: &MerchantId,
        change: Aftermath<'_>,
    ) -> Result<()> {
        let ledgers = Some((&self.before, &self.loaded.ledger));
        record_change(tx, ctx, who, merchant, self.mode, ledgers, change).await
    }
}

/// A write transaction on one customer's ledger, the customer locked; `UnknownCustomer` if
/// the merchant has no such customer.
async fn begin_for_customer(ctx: &Ctx, who: &Principal, merchant: &MerchantId, customer: &CustomerId) -> Result<Tx> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    lock_in_scope(&mut tx, who, merchant, customer).await?;
    Ok(tx)
}

/// Locks the customer in `tx`; `UnknownCustomer` if the merchant has no such customer.
async fn lock_in_scope(tx: &mut Tx, who: &Principal, merchant: &MerchantId, customer: &CustomerId) -> Result<()> {
    if !in_scope(tx, who, merchant, customer).await? {
        return Err(Problem::UnknownCustomer.into());
    }
    db::lock_customer(tx, merchant.as_str(), customer.as_str()).await?;
    Ok(())
}

/// Whether the merchant has the customer, in the caller's mode when the caller is an API key
/// (a test key never touches live data, nor a live key test data).
async fn in_scope(tx: &mut Tx, who: &Principal, merchant: &MerchantId, customer: &CustomerId) -> Result<bool> {
    let mode: Option<String> = sqlx::query_scalar("SELECT mode FROM customers WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(customer.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match (mode, who) {
        (None, _) => false,
        (Some(mode), Principal::ApiKey(k)) => mode == k.mode.as_str(),
        (Some(_), _) => true,
    })
}

/// A change to the ledger that holds an entry (`owner_sql` selects its `customer_id,
/// currency` by merchant and id); `missing` when the merchant has no such entry.
async fn begin_for_entry(
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    owner_sql: &str,
    id: &str,
    missing: Problem,
) -> Result<(Tx, Posting)> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    let found: Option<(String, String)> =
        sqlx::query_as(owner_sql).bind(merchant.as_str()).bind(id).fetch_optional(&mut *tx).await?;
    let (customer, currency) = found.ok_or(missing.clone())?;
    let customer = CustomerId::from_raw(customer);
    if !in_scope(&mut tx, who, merchant, &customer).await? {
        return Err(missing.into());
    }
    db::lock_customer(&mut tx, merchant.as_str(), customer.as_str()).await?;
    let p = Posting::load(&mut tx, merchant, customer, records::currency(&currency)?).await?;
    Ok((tx, p))
}

async fn tolerance(tx: &mut Tx, merchant: &MerchantId, currency: Currency) -> Result<Money> {
    let minor: i64 = sqlx::query_scalar("SELECT short_payment_tolerance_minor FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Ok(Money::from_minor(minor, currency))
}

fn require_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Problem::ReasonRequired.into());
    }
    Ok(reason.to_string())
}

fn resolve(loaded: &Loaded, apply: &Apply<InvoiceNumber>) -> Result<Apply<InvoiceId>> {
    Ok(match apply {
        Apply::OldestDueFirst => Apply::OldestDueFirst,
        Apply::Hold => Apply::Hold,
        Apply::Specified(parts) => {
            Apply::Specified(parts.iter().map(|(n, m)| Ok((loaded.invoice(n)?, *m))).collect::<Result<Vec<_>>>()?)
        }
    })
}

/// Money received outside Kassa's gateways (a bank transfer matched by hand, cash, a cheque).
#[derive(Debug, Clone)]
pub struct RecordPayment {
    pub merchant: MerchantId,
    pub customer: CustomerId,
    pub amount: Money,
    /// `bank_transfer`, `cash`, `cheque`...: shown on receipts.
    pub method: String,
    /// The bank's or payer's reference.
    pub reference: String,
    pub apply: Apply<InvoiceNumber>,
    /// The same key records the payment once; with other content it is refused.
    pub idempotency_key: String,
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub payment: PaymentId,
    pub received: Received<InvoiceId, Source>,
}

/// Records a payment and applies it as asked; what is left is held as credit. A shortfall no
/// larger than the merchant's tolerance is written off (reason `short_payment`).
pub async fn record_payment(ctx: &Ctx, who: &Principal, cmd: RecordPayment) -> Result<PaymentId> {
    authorise_posting(who, &cmd.merchant)?;
    let key = cmd.idempotency_key.trim();
    if key.is_empty() || key.len() > 200 {
        return Err(Problem::FormExpired.into());
    }
    let mut tx = begin_for_customer(ctx, who, &cmd.merchant, &cmd.customer).await?;
    let earlier: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, customer_id, currency, amount_minor FROM payments WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(cmd.merchant.as_str())
    .bind(key)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id, customer, currency, amount)) = earlier {
        let same = customer == cmd.customer.as_str()
            && currency == cmd.amount.currency().code()
            && amount == cmd.amount.minor();
        return if same { Ok(PaymentId::from_raw(id)) } else { Err(Problem::IdempotencyKeyReused.into()) };
    }
    let currency = cmd.amount.currency();
    let tolerance = tolerance(&mut tx, &cmd.merchant, currency).await?;
    let mut p = Posting::load(&mut tx, &cmd.merchant, cmd.customer.clone(), currency).await?;
    let apply = resolve(&p.loaded, &cmd.apply)?;
    let payment = PaymentId::from_raw(db::new_id());
    let received =
        p.loaded.ledger.receive(Source::Payment(payment.clone()), SourceKind::Payment, cmd.amount, apply, tolerance)?;
    sqlx::query(
        "INSERT INTO payments (id, merchant_id, customer_id, currency, amount_minor, method, gateway, gateway_reference, \
         status, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'manual', $7, 'succeeded', $8, $9)",
    )
    .bind(payment.as_str())
    .bind(cmd.merchant.as_str())
    .bind(cmd.customer.as_str())
    .bind(currency.code())
    .bind(cmd.amount.minor())
    .bind(cmd.method.trim())
    .bind(cmd.reference.trim())
    .bind(key)
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    store_received(&mut tx, &cmd.merchant, &cmd.customer, &received).await?;
    let data = serde_json::json!({ "payment": payment, "customer": cmd.customer, "amount": cmd.amount.amount_string(),
        "currency": currency.code(), "method": cmd.method.trim(), "reference": cmd.reference.trim() });
    let mut after = received_json(&received);
    after["payment"] = data.clone();
    let change = Aftermath {
        action: "payment.recorded",
        subject_type: "payment",
        subject_id: payment.as_str(),
        after,
        events: vec![(EventType::PaymentSucceeded, payment.to_string(), data)],
        jobs: Vec::new(),
    };
    p.record(&mut tx, ctx, who, &cmd.merchant, change).await?;
    tx.commit().await?;
    Ok(payment)
}

#[derive(Debug, Clone)]
pub struct IssueCreditNote {
    pub merchant: MerchantId,
    pub customer: CustomerId,
    /// The merchant's credit note number, unique per merchant.
    pub number: String,
    pub amount: Money,
    /// The invoice it credits, if any; what that invoice does not need is held as credit.
    pub against: Option<InvoiceNumber>,
    pub reason: String,
}

/// Issues a credit note. Issuing the same number again with the same content answers the
/// same credit note, `Unchanged` (safe to retry); with other content it is refused.
pub async fn issue_credit_note(ctx: &Ctx, who: &Principal, cmd: IssueCreditNote) -> Result<(CreditNoteId, Outcome)> {
    authorise_posting(who, &cmd.merchant)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let issued = issue_credit_note_in(&mut tx, ctx, who, &cmd).await?;
    tx.commit().await?;
    Ok(issued)
}

/// [`issue_credit_note`] inside the caller's write transaction (imports run many in one),
/// for a caller already authorised. Nothing is committed here.
pub(crate) async fn issue_credit_note_in(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    cmd: &IssueCreditNote,
) -> Result<(CreditNoteId, Outcome)> {
    let number = InvoiceNumber::parse(&cmd.number)?;
    let reason = require_reason(&cmd.reason)?;
    lock_in_scope(tx, who, &cmd.merchant, &cmd.customer).await?;
    let earlier: Option<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, customer_id, currency, amount_minor FROM credit_notes WHERE merchant_id = $1 AND number = $2",
    )
    .bind(cmd.merchant.as_str())
    .bind(number.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((id, customer, currency, amount)) = earlier {
        let same = customer == cmd.customer.as_str()
            && currency == cmd.amount.currency().code()
            && amount == cmd.amount.minor();
        return if same {
            Ok((CreditNoteId::from_raw(id), Outcome::Unchanged))
        } else {
            Err(Problem::CreditNoteNumberTaken { number: number.to_string() }.into())
        };
    }
    let currency = cmd.amount.currency();
    let mut p = Posting::load(tx, &cmd.merchant, cmd.customer.clone(), currency).await?;
    let against = cmd.against.as_ref().map(|n| p.loaded.invoice(n)).transpose()?;
    let apply = match &against {
        Some(invoice) => {
            let part = cmd.amount.min(p.loaded.ledger.balance(invoice)?)?;
            if part.is_positive() {
                Apply::Specified(vec![(invoice.clone(), part)])
            } else {
                Apply::Hold
            }
        }
        None => Apply::Hold,
    };
    let id = CreditNoteId::from_raw(db::new_id());
    let received = p.loaded.ledger.receive(
        Source::CreditNote(id.clone()),
        SourceKind::CreditNote,
        cmd.amount,
        apply,
        Money::zero(currency),
    )?;
    sqlx::query(
        "INSERT INTO credit_notes (id, merchant_id, customer_id, number, currency, amount_minor, invoice_id, reason, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_str())
    .bind(cmd.merchant.as_str())
    .bind(cmd.customer.as_str())
    .bind(number.as_str())
    .bind(currency.code())
    .bind(cmd.amount.minor())
    .bind(against.as_ref().map(InvoiceId::as_str))
    .bind(&reason)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    store_received(tx, &cmd.merchant, &cmd.customer, &received).await?;
    let data = serde_json::json!({ "credit_note": id, "number": number, "customer": cmd.customer,
        "amount": cmd.amount.amount_string(), "currency": currency.code(), "against": cmd.against, "reason": reason });
    let mut after = received_json(&received);
    after["credit_note"] = data.clone();
    let change = Aftermath {
        action: "credit_note.issued",
        subject_type: "credit_note",
        subject_id: id.as_str(),
        after,
        events: vec![(EventType::CreditNoteCreated, id.to_string(), data)],
        jobs: Vec::new(),
    };
    p.record(tx, ctx, who, &cmd.merchant, change).await?;
    Ok((id, Outcome::Created))
}

#[derive(Debug, Clone)]
pub struct ApplyCredit {
    pub merchant: MerchantId,
    pub customer: CustomerId,
    pub source: Source,
    pub invoice: InvoiceNumber,
    /// How much; `None` applies as much as the credit and the invoice allow.
    pub amount: Option<Money>,
}

/// Applies credit a payment or credit note still holds to an invoice of the same customer.
pub async fn apply_credit(ctx: &Ctx, who: &Principal, cmd: ApplyCredit) -> Result<Application<InvoiceId, Source>> {
    authorise_posting(who, &cmd.merchant)?;
    let mut tx = begin_for_customer(ctx, who, &cmd.merchant, &cmd.customer).await?;
    let currency = source_currency(&mut tx, &cmd.merchant, &cmd.customer, &cmd.source).await?;
    let mut p = Posting::load(&mut tx, &cmd.merchant, cmd.customer.clone(), currency).await?;
    let invoice = p.loaded.invoice(&cmd.invoice)?;
    let application = p.loaded.ledger.apply_credit(&cmd.source, &invoice, cmd.amount)?;
    store(&mut tx, &cmd.merchant, &cmd.customer, std::slice::from_ref(&application), &[], None).await?;
    let source_id = cmd.source.payment_id().or(cmd.source.credit_note_id()).unwrap_or_default().to_string();
    let change = Aftermath {
        action: "credit.applied",
        subject_type: "invoice",
        subject_id: invoice.as_str(),
        after: serde_json::json!({ "source": source_id, "amount": application.amount.amount_string() }),
        events: Vec::new(),
        jobs: Vec::new(),
    };
    p.record(&mut tx, ctx, who, &cmd.merchant, change).await?;
    tx.commit().await?;
    Ok(application)
}

/// The currency of a customer's payment or credit note, or `NotInLedger`.
async fn source_currency(
    tx: &mut Tx,
    merchant: &MerchantId,
    customer: &CustomerId,
    source: &Source,
) -> Result<Currency> {
    let sql = match source {
        Source::Payment(_) => "SELECT currency FROM payments WHERE merchant_id = $1 AND customer_id = $2 AND id = $3",
        Source::CreditNote(_) => {
            "SELECT currency FROM credit_notes WHERE merchant_id = $1 AND customer_id = $2 AND id = $3"
        }
    };
    let id = source.payment_id().or(source.credit_note_id()).unwrap_or_default();
    let code: Option<String> = sqlx::query_scalar(sql)
        .bind(merchant.as_str())
        .bind(customer.as_str())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    records::currency(&code.ok_or(Problem::NotInLedger)?)
}

#[derive(Debug, Clone)]
pub struct WriteOffInvoice {
    pub merchant: MerchantId,
    pub invoice: InvoiceNumber,
    /// How much; `None` writes off the whole open balance.
    pub amount: Option<Money>,
    pub reason: WriteOffReason,
    pub note: String,
}

pub async fn write_off(ctx: &Ctx, who: &Principal, cmd: WriteOffInvoice) -> Result<WriteOff<InvoiceId, Source>> {
    authorise_posting(who, &cmd.merchant)?;
    let note = require_reason(&cmd.note)?;
    let (mut tx, mut p) = begin_for_entry(
        ctx,
        who,
        &cmd.merchant,
        "SELECT customer_id, currency FROM invoices WHERE merchant_id = $1 AND number = $2",
        cmd.invoice.as_str(),
        Problem::UnknownInvoice { number: cmd.invoice.to_string() },
    )
    .await?;
    let invoice = p.loaded.invoice(&cmd.invoice)?;
    let amount = match cmd.amount {
        Some(a) => a,
        None => p.loaded.ledger.balance(&invoice)?,
    };
    let w = p.loaded.ledger.write_off(&invoice, amount, cmd.reason)?;
    store(&mut tx, &cmd.merchant, &p.customer, &[], std::slice::from_ref(&w), Some(&note)).await?;
    let change = Aftermath {
        action: "invoice.written_off",
        subject_type: "invoice",
        subject_id: invoice.as_str(),
        after: serde_json::json!({ "amount": w.amount.amount_string(), "reason": w.reason, "note": note,
            "balance": p.loaded.ledger.balance(&invoice)?.amount_string() }),
        events: Vec::new(),
        jobs: Vec::new(),
    };
    p.record(&mut tx, ctx, who, &cmd.merchant, change).await?;
    tx.commit().await?;
    Ok(w)
}

#[derive(Debug, Clone)]
pub struct ReversePayment {
    pub merchant: MerchantId,
    pub payment: PaymentId,
    /// `chargeback`, `direct_debit_failed`, or a person's words.
    pub reason: String,
}

/// A change to the ledger that holds `payment` (the customer locked); `NotInLedger` when the
/// merchant has no such payment in the caller's mode.
pub(crate) async fn begin_for_payment(
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    payment: &PaymentId,
) -> Result<(Tx, Posting)> {
    begin_for_entry(
        ctx,
        who,
        merchant,
        "SELECT customer_id, currency FROM payments WHERE merchant_id = $1 AND id = $2",
        payment.as_str(),
        Problem::NotInLedger,
    )
    .await
}

/// Reverses a payment: exactly what it paid is owed again, the credit it held is gone.
pub async fn reverse_payment(ctx: &Ctx, who: &Principal, cmd: ReversePayment) -> Result<Reversal<InvoiceId, Source>> {
    authorise_posting(who, &cmd.merchant)?;
    let reason = require_reason(&cmd.reason)?;
    let (mut tx, mut p) = begin_for_entry(
        ctx,
        who,
        &cmd.merchant,
        "SELECT customer_id, currency FROM payments WHERE merchant_id = $1 AND id = $2",
        cmd.payment.as_str(),
        Problem::NotInLedger,
    )
    .await?;
    let reversal = reverse_with(&mut tx, ctx, who, &cmd.merchant, &mut p, &cmd.payment, &reason).await?;
    tx.commit().await?;
    Ok(reversal)
}

/// Reverses `payment` in `tx` on the loaded ledger `p` (its customer locked): its entries,
/// the payment marked, the audit entry and `payment.reversed`.
pub(crate) async fn reverse_with(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    p: &mut Posting,
    payment: &PaymentId,
    reason: &str,
) -> Result<Reversal<InvoiceId, Source>> {
    let reversal = p.loaded.ledger.reverse(&Source::Payment(payment.clone()))?;
    store(tx, merchant, &p.customer, &reversal.applications, &reversal.write_offs, Some(reason)).await?;
    sqlx::query("UPDATE payments SET reversed_at = $1, reversal_reason = $2 WHERE merchant_id = $3 AND id = $4")
        .bind(db::now())
        .bind(reason)
        .bind(merchant.as_str())
        .bind(payment.as_str())
        .execute(&mut **tx)
        .await?;
    let reopened: Vec<_> = reversal
        .applications
        .iter()
        .map(|a| serde_json::json!({ "invoice": a.invoice, "amount": (-a.amount.minor()).to_string() }))
        .collect();
    let data = serde_json::json!({ "payment": payment, "customer": p.customer, "reason": reason });
    let change = Aftermath {
        action: "payment.reversed",
        subject_type: "payment",
        subject_id: payment.as_str(),
        after: serde_json::json!({ "reason": reason, "reopened_minor": reopened }),
        events: vec![(EventType::PaymentReversed, payment.to_string(), data)],
        jobs: Vec::new(),
    };
    p.record(tx, ctx, who, merchant, change).await?;
    Ok(reversal)
}

/// Stands a reversed `payment` again in `tx` on the loaded ledger `p` (a chargeback won): it
/// applies to `plan`'s invoices as far as they are still open, the rest held as credit; the
/// audit entry and `payment.reinstated`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn reinstate_with(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    p: &mut Posting,
    payment: &PaymentId,
    plan: &[(InvoiceId, Money)],
    reason: &str,
) -> Result<()> {
    let back = p.loaded.ledger.reinstate(&Source::Payment(payment.clone()), plan)?;
    store(tx, merchant, &p.customer, &back.applications, &[], Some(reason)).await?;
    sqlx::query("UPDATE payments SET reversed_at = NULL, reversal_reason = NULL WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(payment.as_str())
        .execute(&mut **tx)
        .await?;
    let applied: Vec<_> = back
        .applications
        .iter()
        .map(|a| serde_json::json!({ "invoice": a.invoice, "amount": a.amount.amount_string() }))
        .collect();
    let data = serde_json::json!({ "payment": payment, "customer": p.customer, "reason": reason,
        "held_as_credit": back.unapplied.amount_string() });
    let change = Aftermath {
        action: "payment.reinstated",
        subject_type: "payment",
        subject_id: payment.as_str(),
        after: serde_json::json!({ "reason": reason, "applied": applied, "held_as_credit": back.unapplied.amount_string() }),
        events: vec![(EventType::PaymentReinstated, payment.to_string(), data)],
        jobs: Vec::new(),
    };
    p.record(tx, ctx, who, merchant, change).await
}

/// Loads and checks every customer's ledger in every currency; returns how many were checked.
/// For tests, and for an operator who suspects the database was edited by hand.
pub async fn verify_all(pool: &db::Pool) -> Result<u64> {
    let pairs: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT merchant_id, customer_id, currency FROM invoices \
         UNION SELECT DISTINCT merchant_id, customer_id, currency FROM payments \
         UNION SELECT DISTINCT merchant_id, customer_id, currency FROM credit_notes",
    )
    .fetch_all(pool)
    .await?;
    let mut tx = pool.begin().await?;
    for (merchant, customer, currency) in &pairs {
        load(
            &mut tx,
            &MerchantId::from_raw(merchant.clone()),
            &CustomerId::from_raw(customer.clone()),
            records::currency(currency)?,
        )
        .await?;
    }
    tx.rollback().await?;
    Ok(pairs.len() as u64)
}
