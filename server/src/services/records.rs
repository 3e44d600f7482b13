//! Rows as the database returns them, and their conversion into domain values. A row that
//! does not convert (an unknown currency, a malformed date) is a corrupt database: an internal
//! error, never shown to a visitor.

use anyhow::{anyhow, Context};
use kassa_app::model::{Branding, InvoiceSummary};
use kassa_domain::{Currency, InvoiceStatus, Money};
use time::Date;

use crate::db::Pool;
use crate::error::{Error, Result};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn parse_date(text: &str) -> Result<Date> {
    Ok(Date::parse(text, DATE).with_context(|| format!("bad date in database: {text}"))?)
}

pub fn format_date(date: Date) -> String {
    date.format(DATE).expect("dates always format")
}

pub fn format_timestamp(unix: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(fmt).unwrap_or_default()
}

pub fn currency(code: &str) -> Result<Currency> {
    Currency::parse(code).map_err(|e| Error::Other(anyhow!("bad currency in database: {e}")))
}

pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MerchantRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub brand_color: String,
    pub logo_url: Option<String>,
}

impl MerchantRow {
    pub fn branding(&self) -> Branding {
        Branding { slug: self.slug.clone(), name: self.name.clone(), logo_url: self.logo_url.clone() }
    }
}

pub async fn merchant_by_slug(pool: &Pool, slug: &str) -> Result<MerchantRow> {
    sqlx::query_as::<_, MerchantRow>("SELECT id, slug, name, brand_color, logo_url FROM merchants WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn merchant_by_id(pool: &Pool, id: &str) -> Result<MerchantRow> {
    sqlx::query_as::<_, MerchantRow>("SELECT id, slug, name, brand_color, logo_url FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

/// An invoice with what has been allocated to it so far.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct InvoiceRow {
    pub id: String,
    pub customer_id: String,
    pub number: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub total_minor: i64,
    pub paid_minor: i64,
}

/// Select list for [`InvoiceRow`] over `invoices i`.
pub const INVOICE_COLUMNS: &str =
    "i.id, i.customer_id, i.number, i.currency, i.issue_date, i.due_date, i.total_minor, \
     CAST(COALESCE((SELECT SUM(a.amount_minor) FROM allocations a \
       WHERE a.merchant_id = i.merchant_id AND a.invoice_id = i.id), 0) AS BIGINT) AS paid_minor";

impl InvoiceRow {
    pub fn currency(&self) -> Result<Currency> {
        currency(&self.currency)
    }
    pub fn total(&self) -> Result<Money> {
        Ok(Money::from_minor(self.total_minor, self.currency()?))
    }
    pub fn paid(&self) -> Result<Money> {
        Ok(Money::from_minor(self.paid_minor, self.currency()?))
    }
    pub fn balance(&self) -> Result<Money> {
        Ok(Money::from_minor((self.total_minor - self.paid_minor).max(0), self.currency()?))
    }
    pub fn summary(&self, today: Date) -> Result<InvoiceSummary> {
        let due_date = parse_date(&self.due_date)?;
        Ok(InvoiceSummary {
            number: self.number.clone(),
            issue_date: parse_date(&self.issue_date)?,
            due_date,
            total: self.total()?,
            balance: self.balance()?,
            status: InvoiceStatus::derive(self.total()?, self.paid()?, due_date, today),
        })
    }
}
