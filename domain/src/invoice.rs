//! Invoices: lines, totals and the status a debtor sees. The status is never stored; it is
//! derived from the total, what has been paid and the due date, so it cannot drift.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::money::{Currency, Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    #[error("no lines")]
    NoLines,
    #[error("line {line}: {source}")]
    Line { line: usize, source: MoneyError },
    #[error("line {line} in {found}, invoice in {expected}")]
    LineCurrency { line: usize, expected: Currency, found: Currency },
    #[error("due {due} before issue {issued}")]
    DueBeforeIssue { issued: Date, due: Date },
    #[error("empty invoice number")]
    EmptyNumber,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Money,
}

impl InvoiceLine {
    /// Quantity × unit price, rounded half away from zero to the minor unit.
    pub fn amount(&self) -> Result<Money, MoneyError> {
        let value = self.quantity.checked_mul(self.unit_price.to_decimal()).ok_or(MoneyError::Overflow)?;
        Money::from_decimal_rounded(value, self.unit_price.currency())
    }
}

/// What a debtor sees on an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceStatus {
    /// Nothing paid, not yet due.
    Open,
    /// Something paid, a balance left, not yet due.
    PartlyPaid,
    /// Past its due date with a balance left (whether or not part was paid).
    Overdue,
    /// In a running payment plan: paid by its instalments, out of collection.
    InPlan,
    /// Part or all of its balance contested by the debtor, the dispute not yet resolved.
    Disputed,
    /// The debtor promised to pay by a date that (with its grace) has not passed.
    Promised,
    /// Nothing left to pay, and payments settled (most of) it.
    Paid,
    /// Nothing left to pay: credit notes settled it, no payment.
    Credited,
    /// Nothing left to pay: written off, with no payment or credit.
    WrittenOff,
}

/// Everything the status of an invoice depends on, in one place: new facts become new
/// fields here, not new arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusFacts {
    pub total: Money,
    /// Applied from payments so far (same currency as `total`).
    pub paid: Money,
    /// Applied from credit notes.
    pub credited: Money,
    pub written_off: Money,
    pub due_date: Date,
    /// The debtor's calendar date.
    pub today: Date,
    /// Held by disputes not yet resolved (zero when none).
    pub disputed: Money,
    /// In a running payment plan (not broken, not completed).
    pub in_plan: bool,
    /// The last day an open promise to pay holds collection (its date plus grace).
    pub promised_until: Option<Date>,
}

impl StatusFacts {
    /// What is still to pay, never below zero.
    pub fn open_balance(&self) -> Money {
        let settled = self.paid.minor() + self.credited.minor() + self.written_off.minor();
        Money::from_minor((self.total.minor() - settled).max(0), self.total.currency())
    }

    /// What may be asked for: the open balance less what disputes hold, never below zero.
    pub fn collectable(&self) -> Money {
        Money::from_minor((self.open_balance().minor() - self.disputed.minor()).max(0), self.total.currency())
    }

    /// A promise to pay holds its collection today.
    pub fn promised(&self) -> bool {
        self.promised_until.is_some_and(|until| self.today <= until)
    }

    /// Reminders and collection may go after it today: overdue with something collectable,
    /// not in a plan, no open promise. The disputed part never is; the rest of a partly
    /// disputed invoice still is.
    pub fn in_collection(&self) -> bool {
        self.today > self.due_date && self.collectable().is_positive() && !self.in_plan && !self.promised()
    }
}

impl InvoiceStatus {
    /// Settled first; then in a plan, disputed, promised; then overdue, partly paid, open.
    pub fn derive(facts: &StatusFacts) -> InvoiceStatus {
        let settled = facts.paid.minor() + facts.credited.minor() + facts.written_off.minor();
        if !facts.open_balance().is_positive() {
            if facts.paid.is_positive() {
                InvoiceStatus::Paid
            } else if facts.credited.is_positive() {
                InvoiceStatus::Credited
            } else {
                InvoiceStatus::WrittenOff
            }
        } else if facts.in_plan {
            InvoiceStatus::InPlan
        } else if facts.disputed.is_positive() {
            InvoiceStatus::Disputed
        } else if facts.promised() {
            InvoiceStatus::Promised
        } else if facts.today > facts.due_date {
            InvoiceStatus::Overdue
        } else if settled > 0 {
            InvoiceStatus::PartlyPaid
        } else {
            InvoiceStatus::Open
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::PartlyPaid => "partly_paid",
            InvoiceStatus::Overdue => "overdue",
            InvoiceStatus::InPlan => "in_plan",
            InvoiceStatus::Disputed => "disputed",
            InvoiceStatus::Promised => "promised",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Credited => "credited",
            InvoiceStatus::WrittenOff => "written_off",
        }
    }
}

/// A validated invoice: a number, one currency, lines, issue and due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    number: String,
    currency: Currency,
    issue_date: Date,
    due_date: Date,
    lines: Vec<InvoiceLine>,
    total: Money,
}

impl Invoice {
    /// The first and last day Kassa takes on an invoice (or any date a merchant sends). Wide
    /// enough for any real invoice, and far enough from the calendar's ends that terms, plans
    /// and reports can add years to a date without leaving it.
    pub const EARLIEST_DATE: Date = time::macros::date!(1900 - 01 - 01);
    pub const LATEST_DATE: Date = time::macros::date!(2999 - 12 - 31);

    /// `date` if Kassa works with it, else the problem naming the range.
    pub fn date_in_range(date: Date) -> Result<Date, crate::Problem> {
        if (Self::EARLIEST_DATE..=Self::LATEST_DATE).contains(&date) {
            Ok(date)
        } else {
            Err(crate::Problem::DateOutOfRange {
                input: date.to_string(),
                earliest: Self::EARLIEST_DATE,
                latest: Self::LATEST_DATE,
            })
        }
    }

    pub fn new(
        number: &str,
        currency: Currency,
        issue_date: Date,
        due_date: Date,
        lines: Vec<InvoiceLine>,
    ) -> Result<Invoice, InvoiceError> {
        let number = number.trim();
        if number.is_empty() {
            return Err(InvoiceError::EmptyNumber);
        }
        if lines.is_empty() {
            return Err(InvoiceError::NoLines);
        }
        if due_date < issue_date {
            return Err(InvoiceError::DueBeforeIssue { issued: issue_date, due: due_date });
        }
        let mut total = Money::zero(currency);
        for (i, line) in lines.iter().enumerate() {
            let found = line.unit_price.currency();
            if found != currency {
                return Err(InvoiceError::LineCurrency { line: i + 1, expected: currency, found });
            }
            let amount = line.amount().map_err(|source| InvoiceError::Line { line: i + 1, source })?;
            total = total.checked_add(amount)?;
        }
        if total.minor() > Money::MAX_MINOR {
            return Err(MoneyError::Overflow.into());
        }
        Ok(Invoice { number: number.to_string(), currency, issue_date, due_date, lines, total })
    }

    pub fn number(&self) -> &str {
        &self.number
    }
    pub fn currency(&self) -> Currency {
        self.currency
    }
    pub fn issue_date(&self) -> Date {
        self.issue_date
    }
    pub fn due_date(&self) -> Date {
        self.due_date
    }
    pub fn lines(&self) -> &[InvoiceLine] {
        &self.lines
    }
    pub fn total(&self) -> Money {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn line(qty: &str, price_minor: i64) -> InvoiceLine {
        InvoiceLine {
            description: "Consulting".into(),
            quantity: qty.parse().unwrap(),
            unit_price: Money::from_minor(price_minor, Currency::EUR),
        }
    }

    #[test]
    fn total_is_the_sum_of_rounded_lines() {
        let inv = Invoice::new(
            "2026-001",
            Currency::EUR,
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 15),
            vec![line("1.5", 3333), line("3", 1000)],
        )
        .unwrap();
        // 1.5 × 33.33 = 49.995 -> 50.00
        assert_eq!(inv.total(), Money::from_minor(5000 + 3000, Currency::EUR));
    }

    #[test]
    fn rejects_bad_invoices_with_reasons() {
        let d = date!(2026 - 11 - 01);
        assert_eq!(Invoice::new(" ", Currency::EUR, d, d, vec![line("1", 1)]), Err(InvoiceError::EmptyNumber));
        assert_eq!(Invoice::new("1", Currency::EUR, d, d, vec![]), Err(InvoiceError::NoLines));
        let dkk_line = InvoiceLine { unit_price: Money::from_minor(1, Currency::DKK), ..line("1", 1) };
        assert!(matches!(
            Invoice::new("1", Currency::EUR, d, d, vec![dkk_line]),
            Err(InvoiceError::LineCurrency { line: 1, .. })
        ));
        assert!(matches!(
            Invoice::new("1", Currency::EUR, d, date!(2026 - 10 - 01), vec![line("1", 1)]),
            Err(InvoiceError::DueBeforeIssue { .. })
        ));
    }

    #[test]
    fn status_follows_payments_and_the_calendar() {
        let total = Money::from_minor(10_000, Currency::EUR);
        let due_date = date!(2026 - 11 - 15);
        let eur = |minor| Money::from_minor(minor, Currency::EUR);
        let status = |paid: i64, credited: i64, written_off: i64, today| {
            InvoiceStatus::derive(&StatusFacts {
                total,
                paid: eur(paid),
                credited: eur(credited),
                written_off: eur(written_off),
                due_date,
                today,
                disputed: eur(0),
                in_plan: false,
                promised_until: None,
            })
        };
        assert_eq!(status(0, 0, 0, date!(2026 - 11 - 15)), InvoiceStatus::Open);
        assert_eq!(status(1, 0, 0, date!(2026 - 11 - 10)), InvoiceStatus::PartlyPaid);
        assert_eq!(status(0, 500, 0, date!(2026 - 11 - 10)), InvoiceStatus::PartlyPaid);
        assert_eq!(status(1, 0, 0, date!(2026 - 11 - 16)), InvoiceStatus::Overdue);
        assert_eq!(status(10_000, 0, 0, date!(2027 - 01 - 01)), InvoiceStatus::Paid);
        assert_eq!(status(9_995, 0, 5, date!(2027 - 01 - 01)), InvoiceStatus::Paid, "a short payment is paid");
        assert_eq!(status(0, 10_000, 0, date!(2027 - 01 - 01)), InvoiceStatus::Credited);
        assert_eq!(status(0, 4_000, 6_000, date!(2027 - 01 - 01)), InvoiceStatus::Credited);
        assert_eq!(status(0, 0, 10_000, date!(2027 - 01 - 01)), InvoiceStatus::WrittenOff);
    }

    fn facts(paid: i64, disputed: i64, today: Date) -> StatusFacts {
        let eur = |minor| Money::from_minor(minor, Currency::EUR);
        StatusFacts {
            total: eur(10_000),
            paid: eur(paid),
            credited: eur(0),
            written_off: eur(0),
            due_date: date!(2026 - 11 - 15),
            today,
            disputed: eur(disputed),
            in_plan: false,
            promised_until: None,
        }
    }

    #[test]
    fn only_the_disputed_part_leaves_collection() {
        let late = date!(2026 - 12 - 01);
        let part = facts(2_000, 3_000, late);
        assert_eq!(InvoiceStatus::derive(&part), InvoiceStatus::Disputed);
        assert_eq!(part.open_balance().minor(), 8_000);
        assert_eq!(part.collectable().minor(), 5_000, "the undisputed rest stays payable");
        assert!(part.in_collection());
        let whole = facts(2_000, 8_000, late);
        assert_eq!(whole.collectable().minor(), 0);
        assert!(!whole.in_collection());
        let more = facts(9_000, 8_000, late);
        assert_eq!(more.collectable().minor(), 0, "never below zero");
        assert_eq!(InvoiceStatus::derive(&facts(10_000, 3_000, late)), InvoiceStatus::Paid, "settled wins");
    }

    #[test]
    fn a_plan_or_an_open_promise_pauses_collection() {
        let late = date!(2026 - 12 - 01);
        let planned = StatusFacts { in_plan: true, ..facts(0, 0, late) };
        assert_eq!(InvoiceStatus::derive(&planned), InvoiceStatus::InPlan);
        assert!(!planned.in_collection());
        assert_eq!(planned.collectable().minor(), 10_000, "still payable");
        let promised = StatusFacts { promised_until: Some(date!(2026 - 12 - 04)), ..facts(0, 0, late) };
        assert_eq!(InvoiceStatus::derive(&promised), InvoiceStatus::Promised);
        assert!(!promised.in_collection());
        let broken = StatusFacts { today: date!(2026 - 12 - 05), ..promised };
        assert_eq!(InvoiceStatus::derive(&broken), InvoiceStatus::Overdue, "a promise past its grace holds nothing");
        assert!(broken.in_collection());
        let early = facts(0, 0, date!(2026 - 11 - 15));
        assert!(!early.in_collection(), "not yet due");
    }

    proptest::proptest! {
        #[test]
        fn collectable_is_never_negative_nor_more_than_open(
            total in 0i64..1_000_000, paid in 0i64..1_000_000, credited in 0i64..1_000_000,
            disputed in 0i64..1_000_000, days in -30i64..30, in_plan: bool,
        ) {
            let eur = |minor| Money::from_minor(minor, Currency::EUR);
            let f = StatusFacts {
                total: eur(total), paid: eur(paid), credited: eur(credited), written_off: eur(0),
                due_date: date!(2026 - 11 - 15), today: date!(2026 - 11 - 15) + time::Duration::days(days),
                disputed: eur(disputed), in_plan, promised_until: None,
            };
            proptest::prop_assert!(f.collectable().minor() >= 0);
            proptest::prop_assert!(f.collectable().minor() <= f.open_balance().minor());
            proptest::prop_assert_eq!(f.collectable().minor(), (total - paid - credited).max(0).saturating_sub(disputed).max(0));
            if f.in_collection() {
                proptest::prop_assert!(!in_plan && days > 0 && f.collectable().is_positive());
            }
        }
    }
}
