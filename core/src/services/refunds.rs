//! Refunds: (part of) a payment goes back to the payer. Staff and API keys ask for one; it is
//! checked against the ledger first (never more than the payment still stands for, less what
//! other refunds under way will take), written down (`pending`), and then:
//!
//! - a payment made through a gateway is refunded through that gateway, with the refund's id
//!   as the gateway's idempotency key (asking again never refunds twice); the ledger moves
//!   when the gateway confirms, at once or later by its event;
//! - a payment received outside Kassa (a bank transfer, cash) is recorded as paid back by the
//!   merchant, and the ledger moves at once.
//!
//! In the ledger a refund takes the credit the payment held first, then reopens what it paid,
//! the latest invoice first (`CustomerLedger::refund`). The customer's balance rises by what
//! went back; a `payment.refunded` event tells the merchant's systems.

use kassa_domain::{CustomerId, MerchantId, Money, PaymentId, Problem};
use serde::Serialize;

use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::events::EventType;
use crate::gateways::{GatewayRefund, RefundPayment as GatewayRefundRequest, RefundStatus};
use crate::principal::Principal;
use crate::services::ledger::{self, Aftermath, Posting, Source};
use crate::services::payments;
use crate::services::records::{self, merchant_by_id};
use crate::Ctx;

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Asked of the gateway, not yet confirmed: the ledger has not moved.
    Pending,
    /// Paid back: in the ledger.
    Succeeded,
    /// The gateway could not pay it back: nothing changed.
    Failed,
}

impl RefundState {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundState::Pending => "pending",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<RefundState> {
        match text {
            "pending" => Ok(RefundState::Pending),
            "succeeded" => Ok(RefundState::Succeeded),
            "failed" => Ok(RefundState::Failed),
            other => Err(Error::internal(format!("refund state {other:?}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RefundPayment {
    pub merchant: MerchantId,
    pub payment: PaymentId,
    /// As typed (`12.50`); `None`: all the payment still stands for.
    pub amount: Option<String>,
    /// Why, in the merchant's words (kept with the refund and in the audit log).
    pub reason: String,
    /// The same key answers the same refund and never refunds twice.
    pub key: String,
}

/// A refund as it may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub payment: PaymentId,
    pub amount: Money,
    pub state: RefundState,
    /// The gateway it went through; `None` when the merchant paid it back outside Kassa.
    pub gateway: Option<String>,
    pub reason: String,
    /// Unix seconds.
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    payment_id: String,
    customer_id: String,
    payment_reference: String,
    currency: String,
    amount_minor: i64,
    state: String,
    gateway: Option<String>,
    reason: String,
    request_hash: String,
    created_at: i64,
}

const COLUMNS: &str = "id, payment_id, customer_id, payment_reference, currency, amount_minor, state, gateway, \
                       reason, request_hash, created_at";

impl Row {
    fn refund(&self) -> Result<Refund> {
        Ok(Refund {
            id: self.id.clone(),
            payment: PaymentId::from_raw(self.payment_id.clone()),
            amount: Money::from_minor(self.amount_minor, records::currency(&self.currency)?),
            state: RefundState::parse(&self.state)?,
            gateway: self.gateway.clone(),
            reason: self.reason.clone(),
            created_at: self.created_at,
        })
    }
}

async fn by_key(tx: &mut Tx, merchant: &MerchantId, key: &str) -> Result<Option<Row>> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE merchant_id = $1 AND idempotency_key = $2"))
        .bind(merchant.as_str())
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?)
}

/// A refund's row inside `tx`.
async fn row_in(tx: &mut Tx, merchant: &MerchantId, id: &str) -> Result<Row> {
    Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE merchant_id = $1 AND id = $2"))
        .bind(merchant.as_str())
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

async fn by_id(pool: &db::Pool, merchant: &MerchantId, id: &str) -> Result<Row> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM refunds WHERE merchant_id = $1 AND id = $2"))
        .bind(merchant.as_str())
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.ok_or_else(|| Error::internal(format!("refund {id} vanished")))
}

/// Refunds (part of) a payment (see the module's documentation). A repeat with the same key
/// and the same request answers the same refund, asking the gateway again while it is
/// pending; the same key with another request is refused.
pub async fn refund(ctx: &Ctx, who: &Principal, cmd: RefundPayment) -> Result<Refund> {
    ledger::authorise_posting(who, &cmd.merchant)?;
    let reason = cmd.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Problem::ReasonRequired.into());
    }
    let key = records::form_key(&cmd.key)?;
    let (mut tx, mut posting) = ledger::begin_for_payment(ctx, who, &cmd.merchant, &cmd.payment).await?;
    let source = Source::Payment(cmd.payment.clone());
    let currency = posting.loaded.ledger.currency();
    // What was asked, so that a key reused with another request is recognised.
    let hash = {
        use sha2::{Digest, Sha256};
        let asked = format!("{} {}", cmd.payment, cmd.amount.as_deref().map(str::trim).unwrap_or("all"));
        hex::encode(Sha256::digest(asked.as_bytes()))
    };
    if let Some(seen) = by_key(&mut tx, &cmd.merchant, key).await? {
        tx.rollback().await?;
        if seen.request_hash != hash {
            return Err(Problem::IdempotencyKeyReused.into());
        }
        return settle_with_gateway(ctx, who, &cmd.merchant, seen).await;
    }
    // What other refunds under way will take is not available to this one.
    let pending: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM refunds WHERE merchant_id = $1 \
         AND payment_id = $2 AND state = 'pending'",
    )
    .bind(cmd.merchant.as_str())
    .bind(cmd.payment.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let standing = posting
        .loaded
        .ledger
        .sources()
        .iter()
        .find(|s| s.source == source)
        .map(|s| s.standing())
        .ok_or(Problem::NotInLedger)?;
    let amount = match cmd.amount.as_deref().map(str::trim) {
        Some(typed) => Money::parse(typed, currency).map_err(Problem::from)?,
        None => Money::from_minor(standing - pending, currency),
    };
    // The ledger decides whether it may be refunded at all (a credit note, a reversed
    // payment, more than it stands for), on a copy: it moves only once the money went back.
    let mut trial = posting.loaded.ledger.clone();
    trial.refund(&source, amount).map_err(Problem::from)?;
    if amount.minor() > standing - pending {
        return Err(Problem::RefundExceedsPayment { paid: Money::from_minor(standing - pending, currency) }.into());
    }
    let (gateway, reference): (String, String) =
        sqlx::query_as("SELECT gateway, gateway_reference FROM payments WHERE merchant_id = $1 AND id = $2")
            .bind(cmd.merchant.as_str())
            .bind(cmd.payment.as_str())
            .fetch_one(&mut *tx)
            .await?;
    // A payment recorded by the merchant (API, import, cash application) came in outside any
    // gateway Kassa can pay back through.
    let through = ctx.gateways.get(&gateway).is_some().then_some(gateway);
    let id = db::new_id();
    let now = db::now();
    sqlx::query(
        "INSERT INTO refunds (id, merchant_id, customer_id, payment_id, currency, amount_minor, state, gateway, \
         payment_reference, idempotency_key, request_hash, reason, requested_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(cmd.merchant.as_str())
    .bind(posting.customer.as_str())
    .bind(cmd.payment.as_str())
    .bind(currency.code())
    .bind(amount.minor())
    .bind(&through)
    .bind(&reference)
    .bind(key)
    .bind(&hash)
    .bind(&reason)
    .bind(crate::audit::actor(who))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if through.is_none() {
        // Paid back by the merchant outside Kassa: recorded as done.
        let row = row_in(&mut tx, &cmd.merchant, &id).await?;
        apply(&mut tx, ctx, who, &cmd.merchant, &mut posting, &row).await?;
        tx.commit().await?;
        return by_id(&ctx.pool, &cmd.merchant, &id).await?.refund();
    }
    tx.commit().await?;
    let row = by_id(&ctx.pool, &cmd.merchant, &id).await?;
    settle_with_gateway(ctx, who, &cmd.merchant, row).await
}

/// Asks the refund's gateway (again, with the refund's id as its key) while it is pending, and
/// settles it by the answer.
async fn settle_with_gateway(ctx: &Ctx, who: &Principal, merchant_id: &MerchantId, row: Row) -> Result<Refund> {
    let (Some(gateway_name), RefundState::Pending) = (&row.gateway, RefundState::parse(&row.state)?) else {
        return row.refund();
    };
    let merchant = merchant_by_id(&ctx.pool, merchant_id).await?;
    let gateway = ctx.gateways.get(gateway_name).cloned().ok_or(Problem::PaymentsUnavailable)?;
    let account = payments::accounts(ctx, &merchant, gateway_name)
        .await?
        .into_iter()
        .next()
        .ok_or(Problem::PaymentsUnavailable)?;
    let refund = row.refund()?;
    let request = GatewayRefundRequest {
        refund: row.id.clone(),
        payment_reference: row.payment_reference.clone(),
        amount: refund.amount,
        idempotency_key: format!("kassa-refund-{}", row.id),
    };
    let answer = gateway.refund(&account, request).await.map_err(|e| Error::Internal(e.into()))?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    settle_in(&mut tx, ctx, who, merchant_id, &row.id, &answer).await?;
    tx.commit().await?;
    by_id(&ctx.pool, merchant_id, &row.id).await?.refund()
}

/// A gateway's report about the refund `refund_id` (its answer, or its event), inside `tx`:
/// it moves from pending, once.
pub(crate) async fn settle_in(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    refund_id: &str,
    answer: &GatewayRefund,
) -> Result<()> {
    sqlx::query(
        "UPDATE refunds SET gateway_reference = $1, updated_at = $2 WHERE merchant_id = $3 AND id = $4 \
         AND gateway_reference IS NULL",
    )
    .bind(&answer.reference)
    .bind(db::now())
    .bind(merchant.as_str())
    .bind(refund_id)
    .execute(&mut **tx)
    .await?;
    match answer.status {
        RefundStatus::Pending => Ok(()),
        RefundStatus::Failed => finish(tx, merchant, refund_id, RefundState::Failed).await.map(|_| ()),
        RefundStatus::Succeeded => {
            let row = row_in(tx, merchant, refund_id).await?;
            db::lock_customer(tx, merchant.as_str(), &row.customer_id).await?;
            let customer = CustomerId::from_raw(row.customer_id.clone());
            let mut posting = Posting::load(tx, merchant, customer, records::currency(&row.currency)?).await?;
            apply(tx, ctx, who, merchant, &mut posting, &row).await
        }
    }
}

/// A gateway's event about one of its refunds, inside the event's transaction: the refund it
/// belongs to (by the gateway's reference, else by the refund id the gateway keeps, when its
/// first answer has not reached Kassa yet) moves from pending, once. An event for a refund
/// Kassa did not ask for changes nothing.
pub(crate) async fn apply_reported(
    tx: &mut Tx,
    ctx: &Ctx,
    merchant: &MerchantId,
    gateway: &str,
    answer: &GatewayRefund,
) -> Result<()> {
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM refunds WHERE merchant_id = $1 AND gateway = $2 AND (gateway_reference = $3 \
         OR (gateway_reference IS NULL AND id = $4))",
    )
    .bind(merchant.as_str())
    .bind(gateway)
    .bind(&answer.reference)
    .bind(answer.refund.as_deref().unwrap_or(""))
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(id) => settle_in(tx, ctx, &Principal::System, merchant, &id, answer).await,
        None => {
            tracing::warn!(merchant = %merchant, gateway, reference = %answer.reference, "an event for a refund Kassa did not ask for");
            Ok(())
        }
    }
}

/// Moves a pending refund to `state`; whether it was pending.
async fn finish(tx: &mut Tx, merchant: &MerchantId, refund_id: &str, state: RefundState) -> Result<bool> {
    let moved = sqlx::query(
        "UPDATE refunds SET state = $1, updated_at = $2 WHERE merchant_id = $3 AND id = $4 AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(db::now())
    .bind(merchant.as_str())
    .bind(refund_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(moved > 0)
}

/// Moves a pending refund into the ledger (the customer locked in `tx`): once; a refund
/// already applied or failed is left alone.
async fn apply(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    posting: &mut Posting,
    row: &Row,
) -> Result<()> {
    if !finish(tx, merchant, &row.id, RefundState::Succeeded).await? {
        return Ok(());
    }
    let refund = row.refund()?;
    let source = Source::Payment(refund.payment.clone());
    let done = posting.loaded.ledger.refund(&source, refund.amount).map_err(Problem::from)?;
    ledger::store(tx, merchant, &posting.customer, &done.applications, &done.write_offs, Some(&refund.reason)).await?;
    sqlx::query("UPDATE payments SET refunded_minor = refunded_minor + $1 WHERE merchant_id = $2 AND id = $3")
        .bind(refund.amount.minor())
        .bind(merchant.as_str())
        .bind(refund.payment.as_str())
        .execute(&mut **tx)
        .await?;
    let reopened: Vec<_> = done
        .applications
        .iter()
        .map(|a| serde_json::json!({ "invoice": a.invoice, "amount": (-a.amount.minor()).to_string() }))
        .collect();
    let data = serde_json::json!({ "refund": refund.id, "payment": refund.payment, "customer": posting.customer,
        "amount": refund.amount.amount_string(), "currency": refund.amount.currency().code(),
        "from_credit": done.from_credit.amount_string(), "reason": refund.reason });
    let change = Aftermath {
        action: "payment.refunded",
        subject_type: "payment",
        subject_id: refund.payment.as_str(),
        after: serde_json::json!({ "refund": refund.id, "amount": refund.amount.amount_string(),
            "from_credit": done.from_credit.amount_string(), "reopened_minor": reopened, "reason": refund.reason }),
        events: vec![(EventType::PaymentRefunded, refund.payment.to_string(), data)],
        jobs: Vec::new(),
    };
    posting.record(tx, ctx, who, merchant, change).await
}

/// A payment's refunds, newest first (the payment in `who`'s merchant and mode, else none).
pub async fn of_payment(ctx: &Ctx, who: &Principal, payment: &PaymentId) -> Result<Vec<Refund>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM refunds r WHERE merchant_id = $1 AND payment_id = $2 AND EXISTS \
         (SELECT 1 FROM customers c WHERE c.merchant_id = r.merchant_id AND c.id = r.customer_id AND c.mode = $3) \
         ORDER BY created_at DESC, id"
    ))
    .bind(merchant.as_str())
    .bind(payment.as_str())
    .bind(mode.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    rows.iter().map(Row::refund).collect()
}
