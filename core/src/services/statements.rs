//! A debtor's statement of account for a period of days: per currency, the balance the period
//! opens with, everything that moved it (invoices issued, payments received and reversed,
//! credit notes, write-offs), each with the running balance, and the balance it closes with.
//!
//! The balance is what the customer owes less what they hold as credit: invoices add their
//! total; payments (all of a payment, applied or not), credit notes and write-offs take away;
//! a reversed payment adds its amount back on the day it was reversed. So a statement that
//! ends today closes with what the portal shows as due less the credit it shows. Days are the
//! merchant's (its time zone): an invoice counts on its issue date, anything else on the day
//! it happened there.

use kassa_domain::{Currency, CustomerId, Money, PaymentId, Problem, WriteOffReason};
use serde::Serialize;
use time::Date;

use crate::db::Pool;
use crate::error::{Error, Result};
use crate::principal::{Debtor, Principal};
use crate::services::invoices::parse_date;
use crate::services::records::{self, Merchant};
use crate::Ctx;

/// The most entries one statement lists; a longer period is refused with a message to pick a
/// shorter one (a page or PDF of tens of thousands of lines helps nobody).
pub const MAX_ENTRIES: usize = 2_000;

/// Which days a statement covers, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The period typed as `from` and `to` (`2026-09-01`); either left empty takes the
    /// default: from the first day of the month two months before `today`, to `today`. A
    /// period that ends before it starts is refused, never turned round.
    pub fn parse(from: &str, to: &str, today: Date) -> Result<Period, Problem> {
        let default = Period::default_for(today);
        let day = |text: &str, default: Date| match text.trim() {
            "" => Ok(default),
            text => parse_date(text),
        };
        let (from, to) = (day(from, default.from)?, day(to, default.to)?);
        if from > to {
            return Err(Problem::PeriodReversed { from, to });
        }
        Ok(Period { from, to })
    }

    /// The first day of the month two months back, to `today`: this month and the two before.
    pub fn default_for(today: Date) -> Period {
        let mut first = today.replace_day(1).unwrap_or(today);
        for _ in 0..2 {
            first = first.previous_day().and_then(|d| d.replace_day(1).ok()).unwrap_or(first);
        }
        Period { from: first, to: today }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub merchant: Merchant,
    pub customer_name: String,
    pub customer_number: String,
    pub period: Period,
    /// One per currency with a balance or an entry in the period, by currency code.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub currency: Currency,
    /// The balance before the period's first day.
    pub opening: Money,
    /// Oldest first; on one day, invoices before what paid them.
    pub entries: Vec<Entry>,
    /// The balance at the end of the period's last day.
    pub closing: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub date: Date,
    pub kind: EntryKind,
    /// What it adds to the balance (an invoice) or takes away (negative: a payment).
    pub amount: Money,
    /// The balance after it.
    pub balance: Money,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryKind {
    Invoice {
        number: String,
    },
    Payment {
        payment: PaymentId,
        method: String,
        reference: String,
    },
    PaymentReversed {
        payment: PaymentId,
        method: String,
    },
    CreditNote {
        number: String,
    },
    /// On an invoice; a negative write-off (an undone one, when the payment it closed was
    /// reversed) adds back.
    WriteOff {
        invoice: String,
        reason: WriteOffReason,
    },
}

/// The signed-in debtor's statement at `merchant` (as `portal::debtor_at` found it) for
/// `period`. A pay link's session (one invoice) has no statement: it is `NotFound`, as the
/// account's other invoices are.
pub async fn statement(ctx: &Ctx, who: &Principal, merchant: Merchant, period: Period) -> Result<Statement> {
    let debtor = who.debtor()?;
    if debtor.invoice.is_some() || merchant.id != debtor.merchant {
        return Err(Error::NotFound);
    }
    build(ctx, merchant, debtor, period).await
}

/// A customer's statement for `period` as its merchant's staff (or an API key) read it: the
/// same as its debtor's, for a customer of their merchant and mode.
pub async fn of_customer(ctx: &Ctx, who: &Principal, customer: &CustomerId, period: Period) -> Result<Statement> {
    if who.debtor().is_ok() {
        return Err(Error::Forbidden);
    }
    let found = crate::services::customers::get(ctx, who, customer).await?;
    let merchant = records::scoped_merchant(&ctx.pool, who, None).await?;
    let debtor = Debtor { merchant: merchant.id.clone(), customer: found.id, invoice: None };
    build(ctx, merchant, &debtor, period).await
}

async fn build(ctx: &Ctx, merchant: Merchant, debtor: &Debtor, period: Period) -> Result<Statement> {
    let pool = &ctx.pool;
    let zone = merchant.zone()?;
    let starts = records::start_of_day(&zone, period.from)?;
    let ends = records::start_of_day(&zone, period.to.next_day().unwrap_or(period.to))?;
    let (customer_name, customer_number): (String, String) =
        sqlx::query_as("SELECT name, number FROM customers WHERE merchant_id = $1 AND id = $2")
            .bind(debtor.merchant.as_str())
            .bind(debtor.customer.as_str())
            .fetch_optional(pool)
            .await?
            .ok_or(Error::Unauthenticated)?;

    let openings = openings(pool, debtor, period.from, starts).await?;
    let rows = rows(pool, debtor, period, starts, ends).await?;
    if rows.len() > MAX_ENTRIES {
        return Err(Problem::StatementTooLong { max: MAX_ENTRIES as u32 }.into());
    }
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let (currency, date) = row.when(&zone)?;
        entries.push((currency, row.order(), row.at, date, row.entry(currency)?));
    }
    // By day; on a day invoices first (their moment is 0), then by moment.
    entries.sort_by(|a, b| (a.0.code(), a.3, a.2, a.1).cmp(&(b.0.code(), b.3, b.2, b.1)));

    let mut currencies: Vec<Currency> = openings.iter().map(|(c, _)| *c).collect();
    currencies.extend(entries.iter().map(|e| e.0));
    currencies.sort_by(|a, b| a.code().cmp(b.code()));
    currencies.dedup();
    let mut sections = Vec::new();
    for currency in currencies {
        let opening = openings.iter().find(|(c, _)| *c == currency).map(|(_, m)| *m).unwrap_or(Money::zero(currency));
        let mut balance = opening;
        let mut listed = Vec::new();
        for (_, _, _, date, (kind, amount)) in entries.iter().filter(|e| e.0 == currency) {
            balance = balance.checked_add(*amount)?;
            listed.push(Entry { date: *date, kind: kind.clone(), amount: *amount, balance });
        }
        if opening.is_zero() && listed.is_empty() {
            continue;
        }
        sections.push(Section { currency, opening, entries: listed, closing: balance });
    }
    Ok(Statement { merchant, customer_name, customer_number, period, sections })
}

/// The balance per currency before the period: everything dated before its first day.
async fn openings(pool: &Pool, debtor: &Debtor, from: Date, starts: i64) -> Result<Vec<(Currency, Money)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ( \
           SELECT currency, total_minor AS amount FROM invoices \
             WHERE merchant_id = $1 AND customer_id = $2 AND issue_date < $3 \
           UNION ALL SELECT currency, -amount_minor FROM payments \
             WHERE merchant_id = $1 AND customer_id = $2 AND created_at < $4 \
           UNION ALL SELECT currency, amount_minor FROM payments \
             WHERE merchant_id = $1 AND customer_id = $2 AND reversed_at < $4 \
           UNION ALL SELECT currency, -amount_minor FROM credit_notes \
             WHERE merchant_id = $1 AND customer_id = $2 AND created_at < $4 \
           UNION ALL SELECT currency, -amount_minor FROM write_offs \
             WHERE merchant_id = $1 AND customer_id = $2 AND created_at < $4 \
         ) AS before_period GROUP BY currency",
    )
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(records::format_date(from))
    .bind(starts)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(code, minor)| {
            let currency = records::currency(&code)?;
            Ok((currency, Money::from_minor(minor, currency)))
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct Row {
    kind: String,
    currency: String,
    /// An invoice's issue date; the others have only their moment.
    day: Option<String>,
    at: i64,
    amount: i64,
    /// The invoice's or credit note's number, or the payment's id.
    id: String,
    /// A payment's method, a write-off's reason.
    detail: Option<String>,
    /// A payment's reference, a write-off's invoice number.
    reference: Option<String>,
}

impl Row {
    /// On one day, after the moment: invoices first, then what paid, credited, wrote off or
    /// reversed them (in that order when they happened in the same second).
    fn order(&self) -> u8 {
        match self.kind.as_str() {
            "invoice" => 0,
            "payment" => 1,
            "credit_note" => 2,
            "write_off" => 3,
            _ => 4,
        }
    }

    /// Its currency, and its day: an invoice's issue date, or the merchant's day (in `zone`)
    /// of the moment it happened.
    fn when(&self, zone: &jiff::tz::TimeZone) -> Result<(Currency, Date)> {
        let date = match &self.day {
            Some(day) => records::parse_date(day)?,
            None => records::day_in(zone, self.at)?,
        };
        Ok((records::currency(&self.currency)?, date))
    }

    fn entry(&self, currency: Currency) -> Result<(EntryKind, Money)> {
        let money = |minor: i64| Money::from_minor(minor, currency);
        let detail = || self.detail.clone().unwrap_or_default();
        Ok(match self.kind.as_str() {
            "invoice" => (EntryKind::Invoice { number: self.id.clone() }, money(self.amount)),
            "payment" => (
                EntryKind::Payment {
                    payment: PaymentId::from_raw(self.id.clone()),
                    method: detail(),
                    reference: self.reference.clone().unwrap_or_default(),
                },
                money(-self.amount),
            ),
            "reversal" => (
                EntryKind::PaymentReversed { payment: PaymentId::from_raw(self.id.clone()), method: detail() },
                money(self.amount),
            ),
            "credit_note" => (EntryKind::CreditNote { number: self.id.clone() }, money(-self.amount)),
            "write_off" => {
                let reason = WriteOffReason::parse(&detail())
                    .ok_or_else(|| Error::internal(format!("unknown write-off reason {:?}", self.detail)))?;
                let invoice = self.reference.clone().unwrap_or_default();
                (EntryKind::WriteOff { invoice, reason }, money(-self.amount))
            }
            other => return Err(Error::internal(format!("unknown statement entry {other}"))),
        })
    }
}

/// What moved the balance within the period, unordered (the caller sorts by the merchant's
/// days); at most [`MAX_ENTRIES`] + 1, which is enough to know the period is too long.
async fn rows(pool: &Pool, debtor: &Debtor, period: Period, starts: i64, ends: i64) -> Result<Vec<Row>> {
    Ok(sqlx::query_as(
        "SELECT 'invoice' AS kind, currency, issue_date AS day, CAST(0 AS BIGINT) AS at, total_minor AS amount, \
             number AS id, CAST(NULL AS TEXT) AS detail, CAST(NULL AS TEXT) AS reference FROM invoices \
           WHERE merchant_id = $1 AND customer_id = $2 AND issue_date >= $3 AND issue_date <= $4 \
         UNION ALL SELECT 'payment', currency, NULL, created_at, amount_minor, id, method, gateway_reference \
           FROM payments WHERE merchant_id = $1 AND customer_id = $2 AND created_at >= $5 AND created_at < $6 \
         UNION ALL SELECT 'reversal', currency, NULL, reversed_at, amount_minor, id, method, NULL \
           FROM payments WHERE merchant_id = $1 AND customer_id = $2 AND reversed_at >= $5 AND reversed_at < $6 \
         UNION ALL SELECT 'credit_note', currency, NULL, created_at, amount_minor, number, NULL, NULL \
           FROM credit_notes WHERE merchant_id = $1 AND customer_id = $2 AND created_at >= $5 AND created_at < $6 \
         UNION ALL SELECT 'write_off', w.currency, NULL, w.created_at, w.amount_minor, w.id, w.reason, i.number \
           FROM write_offs w JOIN invoices i ON i.merchant_id = w.merchant_id AND i.id = w.invoice_id \
           WHERE w.merchant_id = $1 AND w.customer_id = $2 AND w.created_at >= $5 AND w.created_at < $6 \
         LIMIT $7",
    )
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(records::format_date(period.from))
    .bind(records::format_date(period.to))
    .bind(starts)
    .bind(ends)
    .bind((MAX_ENTRIES + 1) as i64)
    .fetch_all(pool)
    .await?)
}

/// Something that lately moved a debtor's balance, as the overview lists it: an
/// [`Entry`] without the running balance.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub date: Date,
    pub kind: EntryKind,
    /// What it added to the balance (an invoice) or took away (negative: a payment).
    pub amount: Money,
}

/// The `limit` latest things that moved the signed-in debtor's balance at `merchant`, in every
/// currency, newest first: invoices by issue date, the rest by when they happened in the
/// merchant's days; on one day what paid an invoice before the invoice. None for a pay link's
/// session (one invoice, whose page shows what settled it).
pub async fn recent_activity(
    db: &mut sqlx::AnyConnection,
    debtor: &Debtor,
    merchant: &Merchant,
    limit: u32,
) -> Result<Vec<Activity>> {
    if debtor.invoice.is_some() || merchant.id != debtor.merchant || limit == 0 {
        return Ok(Vec::new());
    }
    let zone = merchant.zone()?;
    // Each kind's latest `limit` (each subquery wrapped, so SQLite and PostgreSQL both take
    // its ORDER BY and LIMIT); the newest `limit` of all are among them.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT * FROM (SELECT 'invoice' AS kind, currency, issue_date AS day, CAST(0 AS BIGINT) AS at, \
             total_minor AS amount, number AS id, CAST(NULL AS TEXT) AS detail, CAST(NULL AS TEXT) AS reference \
           FROM invoices WHERE merchant_id = $1 AND customer_id = $2 ORDER BY issue_date DESC, number DESC LIMIT $3) AS i \
         UNION ALL SELECT * FROM (SELECT 'payment', currency, CAST(NULL AS TEXT), created_at, amount_minor, id, method, \
             gateway_reference FROM payments WHERE merchant_id = $1 AND customer_id = $2 \
           ORDER BY created_at DESC LIMIT $3) AS p \
         UNION ALL SELECT * FROM (SELECT 'reversal', currency, CAST(NULL AS TEXT), reversed_at, amount_minor, id, \
             method, CAST(NULL AS TEXT) FROM payments \
           WHERE merchant_id = $1 AND customer_id = $2 AND reversed_at IS NOT NULL \
           ORDER BY reversed_at DESC LIMIT $3) AS r \
         UNION ALL SELECT * FROM (SELECT 'credit_note', currency, CAST(NULL AS TEXT), created_at, amount_minor, number, \
             CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM credit_notes WHERE merchant_id = $1 AND customer_id = $2 \
           ORDER BY created_at DESC LIMIT $3) AS c \
         UNION ALL SELECT * FROM (SELECT 'write_off', w.currency, CAST(NULL AS TEXT), w.created_at, w.amount_minor, \
             w.id, w.reason, i.number FROM write_offs w \
             JOIN invoices i ON i.merchant_id = w.merchant_id AND i.id = w.invoice_id \
           WHERE w.merchant_id = $1 AND w.customer_id = $2 ORDER BY w.created_at DESC LIMIT $3) AS w",
    )
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in rows {
        let (currency, date) = row.when(&zone)?;
        let (kind, amount) = row.entry(currency)?;
        listed.push((date, row.at, row.order(), Activity { date, kind, amount }));
    }
    // Newest first: the reverse of the statement's order (by day, on a day invoices before
    // what happened to them, then by moment).
    listed.sort_by_key(|a| std::cmp::Reverse((a.0, a.1, a.2)));
    Ok(listed.into_iter().take(limit as usize).map(|(_, _, _, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_period_is_this_month_and_the_two_before() {
        let p = Period::default_for(date!(2026 - 12 - 02));
        assert_eq!((p.from, p.to), (date!(2026 - 10 - 01), date!(2026 - 12 - 02)));
        let p = Period::default_for(date!(2026 - 01 - 31));
        assert_eq!(p.from, date!(2025 - 11 - 01));
        let p = Period::default_for(date!(2026 - 03 - 01));
        assert_eq!(p.from, date!(2026 - 01 - 01));
    }

    #[test]
    fn a_typed_period_is_read_exactly_and_never_turned_round() {
        let today = date!(2026 - 12 - 02);
        assert_eq!(
            Period::parse("2026-01-01", "2026-06-30", today).unwrap(),
            Period { from: date!(2026 - 01 - 01), to: date!(2026 - 06 - 30) }
        );
        assert_eq!(Period::parse("", "", today).unwrap(), Period::default_for(today));
        assert_eq!(Period::parse(" 2026-11-01 ", "", today).unwrap().to, today);
        assert!(matches!(Period::parse("2026-06-30", "2026-01-01", today), Err(Problem::PeriodReversed { .. })));
        assert!(matches!(Period::parse("30-06-2026", "", today), Err(Problem::InvalidDate { .. })));
        assert!(matches!(Period::parse("1066-10-14", "", today), Err(Problem::DateOutOfRange { .. })));
    }
}
