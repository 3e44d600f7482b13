//! A debtor pays (part of) one invoice. The order of events makes every step safe to retry:
//! an idempotency key from the pay form identifies the attempt; the gateway is asked with
//! that key (it answers a replay with the same payment); the payment and its allocation are
//! written in one transaction that a second writer with the same key cannot duplicate.

use kassa_app::model::{PayRequest, SandboxOutcome};
use kassa_domain::ledger::{allocate, pay_one};
use kassa_domain::{LedgerError, Money, OpenItem};
use tower_sessions::Session;

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::gateways::{GatewayStatus, PaymentGateway, StartPayment};
use crate::services::auth;
use crate::services::portal::debtor_invoice;
use crate::services::records::{merchant_by_slug, INVOICE_COLUMNS};

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Paid { payment_id: String },
    Declined { reason: String },
}

impl Outcome {
    /// The receipt's path for a payment, the decline as an error.
    fn answer(self, merchant_slug: &str) -> Result<String> {
        match self {
            Outcome::Paid { payment_id } => Ok(format!("/p/{merchant_slug}/payments/{payment_id}")),
            Outcome::Declined { reason } => Err(Error::Declined(reason)),
        }
    }
}

async fn existing(pool: &Pool, merchant_id: &str, key: &str) -> Result<Option<Outcome>> {
    let row: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, failure_reason FROM payments WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(merchant_id)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, status, reason)| match status.as_str() {
        "succeeded" => Outcome::Paid { payment_id: id },
        _ => Outcome::Declined { reason: reason.unwrap_or_default() },
    }))
}

fn ledger_message(e: LedgerError) -> Error {
    Error::Invalid(match e {
        LedgerError::NotPositive => "Enter an amount above zero.".into(),
        LedgerError::MoreThanOpen { balance, .. } => {
            format!("You can pay at most {balance}, the open balance.")
        }
        LedgerError::NothingOpen => "This invoice is already paid.".into(),
        LedgerError::Money(m) => format!("The amount is not valid: {m}."),
    })
}

pub async fn pay(
    pool: &Pool,
    gateway: &dyn PaymentGateway,
    session: &Session,
    slug: &str,
    request: PayRequest,
) -> Result<String> {
    let merchant = merchant_by_slug(pool, slug).await?;
    let debtor = auth::debtor(session, &merchant).await?;
    let key = request.pay_key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(Error::Invalid("The form is out of date. Reload the page and pay again.".into()));
    }
    if let Some(outcome) = existing(pool, &merchant.id, key).await? {
        return outcome.answer(&merchant.slug);
    }

    let invoice = debtor_invoice(pool, &debtor, &request.number).await?;
    let currency = invoice.currency()?;
    let amount = Money::parse(&request.amount, currency).map_err(|e| Error::Invalid(format!("{e}.")))?;
    let item = OpenItem { invoice: invoice.id.clone(), balance: invoice.balance()? };
    if let Err(e) = pay_one(amount, &item) {
        // A twin request with this key (a double click) may have just paid the balance:
        // then this one answers with that payment, not with "already paid".
        return match existing(pool, &merchant.id, key).await? {
            Some(outcome) => outcome.answer(&merchant.slug),
            None => Err(ledger_message(e)),
        };
    }

    let gateway_payment = gateway
        .start(StartPayment {
            amount,
            idempotency_key: format!("{}:{}", merchant.id, key),
            description: format!("{} invoice {}", merchant.name, invoice.number),
            sandbox_approve: request.outcome == SandboxOutcome::Succeed,
        })
        .await
        .map_err(|e| Error::Other(e.into()))?;

    let payment_id = db::new_id();
    let now = db::now();
    let (status, reason) = match &gateway_payment.status {
        GatewayStatus::Succeeded => ("succeeded", None),
        GatewayStatus::Declined { reason } => ("declined", Some(reason.clone())),
    };

    // The customer's ledger is locked for this transaction, so the read below cannot go stale.
    let mut tx = db::begin_write(pool).await?;
    db::lock_customer(&mut tx, &merchant.id, &debtor.customer_id).await?;
    // The balance is read again inside the transaction: a payment that landed meanwhile
    // (another tab, another key) leaves the excess unapplied instead of overpaying.
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.id = $2");
    let fresh: crate::services::records::InvoiceRow =
        sqlx::query_as(&sql).bind(&merchant.id).bind(&invoice.id).fetch_one(&mut *tx).await?;
    let plan = if status == "succeeded" {
        Some(
            allocate(amount, &[OpenItem { invoice: invoice.id.clone(), balance: fresh.balance()? }])
                .map_err(ledger_message)?,
        )
    } else {
        None
    };
    let inserted = sqlx::query(
        "INSERT INTO payments (id, merchant_id, customer_id, currency, amount_minor, unapplied_minor, method, gateway, \
         gateway_reference, status, failure_reason, idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
    )
    .bind(&payment_id)
    .bind(&merchant.id)
    .bind(&debtor.customer_id)
    .bind(currency.code())
    .bind(amount.minor())
    .bind(plan.as_ref().map(|p| p.unapplied.minor()).unwrap_or(0))
    .bind(gateway.method_label())
    .bind(gateway.name())
    .bind(&gateway_payment.reference)
    .bind(status)
    .bind(&reason)
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
            .bind(&merchant.id)
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
    match existing(pool, &merchant.id, key).await? {
        Some(outcome) => {
            tracing::info!(merchant = %merchant.slug, invoice = %invoice.number, %amount, ?outcome, "payment attempt");
            outcome.answer(&merchant.slug)
        }
        None => Err(Error::Other(anyhow::anyhow!("payment {payment_id} vanished after commit"))),
    }
}
