//! A debtor pays (part of) one invoice. The order of events makes every step safe to retry:
//! an idempotency key from the pay form identifies the attempt; the gateway is asked with
//! that key (it answers a replay with the same payment); the payment and its allocation are
//! written in one transaction that a second writer with the same key cannot duplicate.

use kassa_domain::ledger::{allocate, pay_one};
use kassa_domain::{InvoiceNumber, Money, OpenItem, PaymentId, Problem};
use serde::{Deserialize, Serialize};

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::gateways::{GatewayStatus, StartPayment};
use crate::principal::Principal;
use crate::services::portal::debtor_invoice;
use crate::services::records::{self, merchant_by_id, INVOICE_COLUMNS};
use crate::Ctx;

/// The sandbox gateway's outcome, chosen on the test-mode pay form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SandboxOutcome {
    Succeed,
    Decline,
}

#[derive(Debug, Clone)]
pub struct PayInvoice {
    pub number: InvoiceNumber,
    /// As the debtor typed it (`12,50`, `1.234,56`), read in the invoice's currency.
    pub amount: String,
    /// The pay form's idempotency key: the same key pays at most once.
    pub key: String,
    pub sandbox_outcome: SandboxOutcome,
}

/// The stored outcome of an attempt with this key, if there is one.
async fn existing(pool: &Pool, merchant_id: &str, key: &str) -> Result<Option<Result<PaymentId>>> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, failure_reason FROM payments WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(merchant_id)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, status, reason)| match status.as_str() {
        "succeeded" => Ok(PaymentId::from_raw(id)),
        _ => Err(Problem::PaymentDeclined { decline_code: reason.unwrap_or_default() }.into()),
    }))
}

/// Pays and returns the payment (for its receipt), or why not.
pub async fn pay(ctx: &Ctx, who: &Principal, cmd: PayInvoice) -> Result<PaymentId> {
    let debtor = who.debtor()?;
    let pool = &ctx.pool;
    let merchant = merchant_by_id(pool, &debtor.merchant).await?;
    let key = cmd.key.trim();
    if key.is_empty() || key.len() > 100 || key.chars().any(char::is_control) {
        return Err(Problem::FormExpired.into());
    }
    if let Some(outcome) = existing(pool, merchant.id.as_str(), key).await? {
        return outcome;
    }

    let invoice = debtor_invoice(pool, debtor, &cmd.number).await?;
    let currency = invoice.currency()?;
    let amount = Money::parse(&cmd.amount, currency)?;
    let item = OpenItem { invoice: invoice.id.clone(), balance: invoice.balance()? };
    if let Err(e) = pay_one(amount, &item) {
        // A twin request with this key (a double click) may have just paid the balance:
        // then this one answers with that payment, not with "already paid".
        return match existing(pool, merchant.id.as_str(), key).await? {
            Some(outcome) => outcome,
            None => Err(e.into()),
        };
    }

    let gateway = ctx.gateway.as_ref();
    let gateway_payment = gateway
        .start(StartPayment {
            amount,
            idempotency_key: format!("{}:{}", merchant.id, key),
            description: format!("{} invoice {}", merchant.name, invoice.number),
            sandbox_approve: cmd.sandbox_outcome == SandboxOutcome::Succeed,
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?;

    let payment_id = db::new_id();
    let now = db::now();
    let (status, decline_code) = match &gateway_payment.status {
        GatewayStatus::Succeeded => ("succeeded", None),
        GatewayStatus::Declined { decline_code } => ("declined", Some(decline_code.clone())),
    };

    // The customer's ledger is locked for this transaction, so the read below cannot go stale.
    let mut tx = db::begin_write(pool).await?;
    db::lock_customer(&mut tx, merchant.id.as_str(), debtor.customer.as_str()).await?;
    // The balance is read again inside the transaction: a payment that landed meanwhile
    // (another tab, another key) leaves the excess unapplied instead of overpaying.
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.id = $2");
    let fresh: records::InvoiceRow =
        sqlx::query_as(&sql).bind(merchant.id.as_str()).bind(&invoice.id).fetch_one(&mut *tx).await?;
    let plan = match status {
        "succeeded" => Some(allocate(amount, &[OpenItem { invoice: invoice.id.clone(), balance: fresh.balance()? }])?),
        _ => None,
    };
    let inserted = sqlx::query(
        "INSERT INTO payments (id, merchant_id, customer_id, currency, amount_minor, unapplied_minor, method, gateway, \
         gateway_reference, status, failure_reason, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
    )
    .bind(&payment_id)
    .bind(merchant.id.as_str())
    .bind(debtor.customer.as_str())
    .bind(currency.code())
    .bind(amount.minor())
    .bind(plan.as_ref().map(|p| p.unapplied.minor()).unwrap_or(0))
    .bind(gateway.method_label())
    .bind(gateway.name())
    .bind(&gateway_payment.reference)
    .bind(status)
    .bind(&decline_code)
    .bind(key)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        for allocation in plan.iter().flat_map(|p| p.allocations.iter()) {
            sqlx::query(
                "INSERT INTO allocations (id, merchant_id, payment_id, invoice_id, amount_minor, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(db::new_id())
            .bind(merchant.id.as_str())
            .bind(&payment_id)
            .bind(&allocation.invoice)
            .bind(allocation.amount.minor())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;

    // Whoever won the race with this key, answer with what is stored.
    let outcome = existing(pool, merchant.id.as_str(), key)
        .await?
        .ok_or_else(|| Error::internal(format!("payment {payment_id} vanished after commit")))?;
    tracing::info!(merchant = %merchant.slug, invoice = %invoice.number, %amount, ok = outcome.is_ok(), "payment attempt");
    outcome
}
