//! What a signed-in debtor reads: their invoices with totals, one invoice with its lines and
//! payments, and a payment's receipt. Every query is scoped to the session's merchant and
//! customer (and to one invoice for pay-link sessions).

use kassa_app::model::*;
use kassa_domain::{Currency, InvoiceStatus, Money};
use tower_sessions::Session;

use crate::db::Pool;
use crate::error::{Error, Result};
use crate::services::auth::{self, DebtorSession};
use crate::services::records::{self, merchant_by_slug, InvoiceRow, INVOICE_COLUMNS};

async fn customer_name(pool: &Pool, debtor: &DebtorSession) -> Result<String> {
    sqlx::query_scalar("SELECT name FROM customers WHERE merchant_id = $1 AND id = $2")
        .bind(&debtor.merchant_id)
        .bind(&debtor.customer_id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::Unauthorized)
}

pub async fn debtor_invoices(pool: &Pool, debtor: &DebtorSession) -> Result<Vec<InvoiceRow>> {
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.customer_id = $2 \
         AND ($3 IS NULL OR i.id = $4) ORDER BY i.due_date, i.number"
    );
    Ok(sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(&debtor.merchant_id)
        .bind(&debtor.customer_id)
        .bind(&debtor.invoice_id)
        .bind(&debtor.invoice_id)
        .fetch_all(pool)
        .await?)
}

pub async fn debtor_invoice(pool: &Pool, debtor: &DebtorSession, number: &str) -> Result<InvoiceRow> {
    let sql = format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.customer_id = $2 AND i.number = $3 \
         AND ($4 IS NULL OR i.id = $5)"
    );
    sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(&debtor.merchant_id)
        .bind(&debtor.customer_id)
        .bind(number)
        .bind(&debtor.invoice_id)
        .bind(&debtor.invoice_id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn overview(pool: &Pool, session: &Session, slug: &str) -> Result<PortalOverview> {
    let merchant = merchant_by_slug(pool, slug).await?;
    let debtor = auth::debtor(session, &merchant).await?;
    let today = records::today();
    let rows = debtor_invoices(pool, &debtor).await?;
    let mut invoices = Vec::with_capacity(rows.len());
    for row in &rows {
        invoices.push(row.summary(today)?);
    }
    Ok(PortalOverview {
        merchant: merchant.branding(),
        customer_name: customer_name(pool, &debtor).await?,
        totals: totals(&invoices)?,
        invoices,
    })
}

/// What is due and overdue, per currency, in a stable order.
fn totals(invoices: &[InvoiceSummary]) -> Result<Vec<CurrencyTotals>> {
    let mut currencies: Vec<Currency> = invoices.iter().map(|i| i.balance.currency()).collect();
    currencies.sort();
    currencies.dedup();
    let mut out = Vec::new();
    for c in currencies {
        let of = |overdue_only: bool| {
            Money::sum(
                c,
                invoices
                    .iter()
                    .filter(|i| i.balance.currency() == c && (!overdue_only || i.status == InvoiceStatus::Overdue))
                    .map(|i| i.balance),
            )
        };
        let due = of(false).map_err(anyhow::Error::from)?;
        let overdue = of(true).map_err(anyhow::Error::from)?;
        if due.is_positive() {
            out.push(CurrencyTotals { due, overdue });
        }
    }
    Ok(out)
}

pub async fn invoice(pool: &Pool, session: &Session, slug: &str, number: &str) -> Result<InvoiceDetail> {
    let merchant = merchant_by_slug(pool, slug).await?;
    let debtor = auth::debtor(session, &merchant).await?;
    let row = debtor_invoice(pool, &debtor, number).await?;
    let currency = row.currency()?;
    let lines: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT description, quantity, unit_price_minor, amount_minor FROM invoice_lines \
         WHERE merchant_id = $1 AND invoice_id = $2 ORDER BY position",
    )
    .bind(&merchant.id)
    .bind(&row.id)
    .fetch_all(pool)
    .await?;
    let payments: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "SELECT p.id, p.created_at, a.amount_minor, p.method FROM allocations a \
         JOIN payments p ON p.merchant_id = a.merchant_id AND p.id = a.payment_id \
         WHERE a.merchant_id = $1 AND a.invoice_id = $2 ORDER BY p.created_at",
    )
    .bind(&merchant.id)
    .bind(&row.id)
    .fetch_all(pool)
    .await?;
    Ok(InvoiceDetail {
        merchant: merchant.branding(),
        customer_name: customer_name(pool, &debtor).await?,
        invoice: row.summary(records::today())?,
        lines: lines
            .into_iter()
            .map(|(description, quantity, unit, amount)| LineView {
                description,
                quantity,
                unit_price: Money::from_minor(unit, currency),
                amount: Money::from_minor(amount, currency),
            })
            .collect(),
        paid: row.paid()?,
        pay_key: crate::db::new_id(),
        payments: payments
            .into_iter()
            .map(|(id, at, amount, method)| PaymentLine {
                id,
                paid_at: records::format_timestamp(at),
                amount: Money::from_minor(amount, currency),
                method,
            })
            .collect(),
    })
}

pub async fn receipt(pool: &Pool, session: &Session, slug: &str, payment_id: &str) -> Result<Receipt> {
    let merchant = merchant_by_slug(pool, slug).await?;
    let debtor = auth::debtor(session, &merchant).await?;
    let payment: (String, i64, i64, String, String) = sqlx::query_as(
        "SELECT currency, amount_minor, created_at, method, gateway_reference FROM payments \
         WHERE merchant_id = $1 AND customer_id = $2 AND id = $3 AND status = 'succeeded'",
    )
    .bind(&merchant.id)
    .bind(&debtor.customer_id)
    .bind(payment_id)
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)?;
    let (currency, amount, created_at, method, reference) = payment;
    let currency = records::currency(&currency)?;
    let sql = format!(
        "SELECT {INVOICE_COLUMNS}, a.amount_minor AS allocated FROM allocations a \
         JOIN invoices i ON i.merchant_id = a.merchant_id AND i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.payment_id = $2 ORDER BY i.number"
    );
    let rows: Vec<(InvoiceRow, i64)> = sqlx::query(&sql)
        .bind(&merchant.id)
        .bind(payment_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            use sqlx::{FromRow, Row};
            Ok((InvoiceRow::from_row(r)?, r.try_get::<i64, _>("allocated")?))
        })
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    let today = records::today();
    let mut invoices = Vec::new();
    for (row, allocated) in rows {
        let summary = row.summary(today)?;
        invoices.push(ReceiptInvoice {
            number: row.number.clone(),
            allocated: Money::from_minor(allocated, currency),
            balance_after: summary.balance,
            status: summary.status,
        });
    }
    Ok(Receipt {
        merchant: merchant.branding(),
        payment_id: payment_id.to_string(),
        paid_at: records::format_timestamp(created_at),
        amount: Money::from_minor(amount, currency),
        method,
        reference,
        invoices,
    })
}
