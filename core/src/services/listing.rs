//! Invoice lists a page at a time, for the portal (one customer's) and the admin (all of a
//! merchant's): whatever the count, a page holds at most its size, and the filters (open,
//! overdue, settled) and their counts are worked out by the database, not by loading every
//! invoice. Open invoices come first, oldest due first; settled ones after, newest first.

use kassa_domain::{CustomerId, InvoiceId, MerchantId};
use serde::Serialize;
use sqlx::AnyConnection;
use time::Date;

use crate::error::Result;
use crate::services::records::{self, InvoiceRow, InvoiceState, INVOICE_COLUMNS};

/// Which invoices a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Show {
    #[default]
    All,
    /// Something left to pay.
    Open,
    /// Something left to pay, past its due date (in the merchant's time zone).
    Overdue,
    /// Nothing left to pay: paid, credited or written off.
    Settled,
}

impl Show {
    pub const ALL: [Show; 4] = [Show::All, Show::Open, Show::Overdue, Show::Settled];

    /// `open`, `overdue`, `settled`; anything else (or nothing) is every invoice.
    pub fn parse(text: &str) -> Show {
        match text {
            "open" => Show::Open,
            "overdue" => Show::Overdue,
            "settled" => Show::Settled,
            _ => Show::All,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Open => "open",
            Show::Overdue => "overdue",
            Show::Settled => "settled",
        }
    }
}

/// How many invoices each filter finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub all: u64,
    pub open: u64,
    pub overdue: u64,
    pub settled: u64,
}

impl Counts {
    pub fn of(&self, show: Show) -> u64 {
        match show {
            Show::All => self.all,
            Show::Open => self.open,
            Show::Overdue => self.overdue,
            Show::Settled => self.settled,
        }
    }
}

/// Whose invoices: a merchant's, one customer's, or (a pay link) one invoice.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub merchant: &'a MerchantId,
    pub customer: Option<&'a CustomerId>,
    pub invoice: Option<&'a InvoiceId>,
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub show: Show,
    /// Each invoice with its customer's name.
    pub invoices: Vec<(String, InvoiceState)>,
    /// 1-based; a page past the end shows the last.
    pub page: u32,
    /// At least 1.
    pub pages: u32,
    pub per_page: u32,
    pub counts: Counts,
}

impl Scope<'_> {
    /// The condition that picks the scope's invoices (`$1` the merchant, `$2` the customer,
    /// `$3` the invoice, `''` when not scoped). A scope's own column is compared directly, so
    /// the database finds one customer's invoices by its index (`invoices_by_customer`);
    /// `$2 = '' OR customer_id = $2` would have it read all the merchant's invoices.
    fn condition(&self) -> String {
        let mut sql = String::from("i.merchant_id = $1");
        sql.push_str(match self.customer {
            Some(_) => " AND i.customer_id = $2",
            None => " AND $2 = ''",
        });
        sql.push_str(match self.invoice {
            Some(_) => " AND i.id = $3",
            None => " AND $3 = ''",
        });
        sql
    }
}

/// Page `page` (1-based) of `scope`'s invoices that `show` picks, `per_page` to a page, as they
/// stand on `today`; both its queries on the caller's connection `db`.
pub async fn page(
    db: &mut AnyConnection,
    scope: Scope<'_>,
    show: Show,
    today: Date,
    page: u32,
    per_page: u32,
) -> Result<Listed> {
    let customer = scope.customer.map(CustomerId::as_str).unwrap_or("");
    let invoice = scope.invoice.map(InvoiceId::as_str).unwrap_or("");
    let today_text = records::format_date(today);
    let within = scope.condition();
    let overdue = records::overdue_condition("$4");
    let (all, open, overdue_count): (i64, i64, i64) = sqlx::query_as(&format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN i.open_minor > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM invoices i WHERE {within}"
    ))
    .bind(scope.merchant.as_str())
    .bind(customer)
    .bind(invoice)
    .bind(&today_text)
    .fetch_one(&mut *db)
    .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let counts =
        Counts { all: count(all), open: count(open), overdue: count(overdue_count), settled: count(all - open) };
    let per_page = per_page.max(1);
    let pages = u32::try_from(counts.of(show).div_ceil(u64::from(per_page))).unwrap_or(u32::MAX).max(1);
    let page = page.clamp(1, pages);
    let sql = format!(
        "SELECT {INVOICE_COLUMNS}, c.name AS customer_name FROM invoices i \
         JOIN customers c ON c.merchant_id = i.merchant_id AND c.id = i.customer_id \
         WHERE {within} AND (CASE $5 WHEN 'open' THEN i.open_minor > 0 \
           WHEN 'overdue' THEN {overdue} WHEN 'settled' THEN i.open_minor = 0 ELSE TRUE END) \
         ORDER BY (i.open_minor = 0), CASE WHEN i.open_minor > 0 THEN i.due_date ELSE '' END, i.due_date DESC, i.number \
         LIMIT $6 OFFSET $7"
    );
    let rows = sqlx::query(&sql)
        .bind(scope.merchant.as_str())
        .bind(customer)
        .bind(invoice)
        .bind(&today_text)
        .bind(show.as_str())
        .bind(i64::from(per_page))
        .bind(i64::from(page - 1) * i64::from(per_page))
        .fetch_all(&mut *db)
        .await?;
    let mut invoices = Vec::with_capacity(rows.len());
    for r in rows {
        use sqlx::{FromRow, Row};
        invoices.push((r.try_get("customer_name")?, InvoiceRow::from_row(&r)?.state(today)?));
    }
    Ok(Listed { show, invoices, page, pages, per_page, counts })
}
