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

/// The merchant's currencies with open invoices: a loose index scan (one index probe per
/// currency) instead of reading every invoice.
const OPEN_CURRENCIES: &str = "WITH RECURSIVE c(cur) AS ( \
       SELECT MIN(currency) FROM invoices WHERE merchant_id = $1 AND open_minor > 0 \
       UNION ALL SELECT (SELECT MIN(currency) FROM invoices WHERE merchant_id = $1 AND open_minor > 0 \
         AND currency > c.cur) FROM c WHERE c.cur IS NOT NULL) \
     SELECT cur FROM c WHERE cur IS NOT NULL";

/// Sum and count of open invoices per due-date range of one currency: five range scans of the
/// partial index `invoices_open_by_due` that together read each open invoice once and evaluate
/// no expression per row.
const BUCKETS: &str = "\
     SELECT 0, CAST(COALESCE(SUM(open_minor), 0) AS BIGINT), COUNT(*) FROM invoices \
       WHERE merchant_id = $1 AND currency = $2 AND open_minor > 0 AND due_date >= $3 \
     UNION ALL SELECT 1, CAST(COALESCE(SUM(open_minor), 0) AS BIGINT), COUNT(*) FROM invoices \
       WHERE merchant_id = $1 AND currency = $2 AND open_minor > 0 AND due_date < $3 AND due_date >= $4 \
     UNION ALL SELECT 2, CAST(COALESCE(SUM(open_minor), 0) AS BIGINT), COUNT(*) FROM invoices \
       WHERE merchant_id = $1 AND currency = $2 AND open_minor > 0 AND due_date < $4 AND due_date >= $5 \
     UNION ALL SELECT 3, CAST(COALESCE(SUM(open_minor), 0) AS BIGINT), COUNT(*) FROM invoices \
       WHERE merchant_id = $1 AND currency = $2 AND open_minor > 0 AND due_date < $5 AND due_date >= $6 \
     UNION ALL SELECT 4, CAST(COALESCE(SUM(open_minor), 0) AS BIGINT), COUNT(*) FROM invoices \
       WHERE merchant_id = $1 AND currency = $2 AND open_minor > 0 AND due_date < $6";

/// Aging of every open invoice as of `as_of`, per currency: not yet due, 1-30, 31-60, 61-90
/// and more than 90 days past due. The same plan on both backends (measured by `bench/aging`):
/// range scans of the partial index, which PostgreSQL runs in parallel (an index-only
/// parallel append) once `due_date` compares byte-wise (migration 0010).
pub async fn aging(ctx: &Ctx, who: &Principal, as_of: Date) -> Result<Vec<Aging>> {
    let merchant = staff_merchant(who)?;
    let day = |n: i64| records::format_date(as_of.saturating_sub(Duration::days(n)));
    let currencies: Vec<String> =
        sqlx::query_scalar(OPEN_CURRENCIES).bind(merchant.as_str()).fetch_all(&ctx.pool).await?;
    let mut out = Vec::with_capacity(currencies.len());
    for code in currencies {
        let currency = records::currency(&code)?;
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(BUCKETS)
            .bind(merchant.as_str())
            .bind(&code)
            .bind(day(0))
            .bind(day(30))
            .bind(day(60))
            .bind(day(90))
            .fetch_all(&ctx.pool)
            .await?;
        let mut sums = [0i64; 5];
        let mut invoices = 0;
        for (bucket, sum, count) in rows {
            let slot =
                usize::try_from(bucket).ok().filter(|b| *b < 5).ok_or_else(|| Error::internal("aging bucket"))?;
            sums[slot] = sum;
            invoices += count;
        }
        out.push(aging_row(currency, sums, invoices));
    }
    Ok(out)
}

/// Not yet due, 1-30, 31-60, 61-90, over 90 days.
fn aging_row(currency: Currency, sums: [i64; 5], invoices: i64) -> Aging {
    let m = |minor| Money::from_minor(minor, currency);
    Aging {
        currency,
        current: m(sums[0]),
        days_1_30: m(sums[1]),
        days_31_60: m(sums[2]),
        days_61_90: m(sums[3]),
        over_90: m(sums[4]),
        total: m(sums.iter().sum()),
        invoices,
    }
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
