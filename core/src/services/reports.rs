//! Receivables at a glance, for staff: aging by bucket and one customer's balance. Both read
//! `invoices.open_minor` (kept in step with the ledger, see migration 0009) so that aging is
//! one scan of the merchant's invoices, however long its history.

use kassa_domain::{Currency, CustomerId, Money};
use serde::Serialize;
use time::{Date, Duration};

use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::services::records;
use crate::Ctx;

/// Open balances by how far past due they are, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aging {
    pub currency: Currency,
    /// Not yet due.
    pub current: Money,
    pub days_1_30: Money,
    pub days_31_60: Money,
    pub days_61_90: Money,
    pub over_90: Money,
    pub total: Money,
    /// How many invoices are open.
    pub invoices: i64,
}

fn staff_merchant(who: &Principal) -> Result<&kassa_domain::MerchantId> {
    match who {
        Principal::Staff(s) => Ok(&s.merchant),
        Principal::ApiKey(k) => Ok(&k.merchant),
        _ => Err(Error::Unauthenticated),
    }
}

#[derive(sqlx::FromRow)]
struct AgingRow {
    currency: String,
    /// Open on invoices due on or after as-of, as-of minus 30, 60 and 90 days: cumulative,
    /// so each row costs four comparisons and the buckets are differences.
    since_0: i64,
    since_30: i64,
    since_60: i64,
    since_90: i64,
    open: i64,
    invoices: i64,
}

/// Aging of every open invoice as of `as_of`, per currency, in one pass over the covering
/// index `invoices_aging` (merchant, currency, due date, open balance).
pub async fn aging(ctx: &Ctx, who: &Principal, as_of: Date) -> Result<Vec<Aging>> {
    let merchant = staff_merchant(who)?;
    let day = |n: i64| records::format_date(as_of - Duration::days(n));
    let rows: Vec<AgingRow> = sqlx::query_as(
        "SELECT currency, \
           CAST(COALESCE(SUM(CASE WHEN due_date >= $2 THEN open_minor END), 0) AS BIGINT) AS since_0, \
           CAST(COALESCE(SUM(CASE WHEN due_date >= $3 THEN open_minor END), 0) AS BIGINT) AS since_30, \
           CAST(COALESCE(SUM(CASE WHEN due_date >= $4 THEN open_minor END), 0) AS BIGINT) AS since_60, \
           CAST(COALESCE(SUM(CASE WHEN due_date >= $5 THEN open_minor END), 0) AS BIGINT) AS since_90, \
           CAST(SUM(open_minor) AS BIGINT) AS open, COUNT(*) AS invoices \
         FROM invoices WHERE merchant_id = $1 AND open_minor > 0 GROUP BY currency ORDER BY currency",
    )
    .bind(merchant.as_str())
    .bind(day(0))
    .bind(day(30))
    .bind(day(60))
    .bind(day(90))
    .fetch_all(&ctx.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let c = records::currency(&r.currency)?;
            let m = |minor| Money::from_minor(minor, c);
            Ok(Aging {
                currency: c,
                current: m(r.since_0),
                days_1_30: m(r.since_30 - r.since_0),
                days_31_60: m(r.since_60 - r.since_30),
                days_61_90: m(r.since_90 - r.since_60),
                over_90: m(r.open - r.since_90),
                total: m(r.open),
                invoices: r.invoices,
            })
        })
        .collect()
}

/// What one customer owes, per currency: open invoices minus credit held.
pub async fn customer_balance(ctx: &Ctx, who: &Principal, customer: &CustomerId) -> Result<Vec<Money>> {
    let merchant = staff_merchant(who)?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ( \
           SELECT currency, open_minor AS amount FROM invoices WHERE merchant_id = $1 AND customer_id = $2 \
           UNION ALL SELECT currency, -amount_minor FROM payments \
             WHERE merchant_id = $1 AND customer_id = $2 AND reversed_at IS NULL \
           UNION ALL SELECT currency, -amount_minor FROM credit_notes WHERE merchant_id = $1 AND customer_id = $2 \
           UNION ALL SELECT currency, amount_minor FROM applications WHERE merchant_id = $1 AND customer_id = $2 \
         ) AS ledger GROUP BY currency ORDER BY currency",
    )
    .bind(merchant.as_str())
    .bind(customer.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    rows.into_iter().map(|(code, minor)| Ok(Money::from_minor(minor, records::currency(&code)?))).collect()
}
