//! One customer's ledger in one currency: invoices owed, value received (payments and credit
//! notes), how that value is applied to invoices, and write-offs. Every balance is derived
//! from these entries, never stored, and [`CustomerLedger::check`] states the invariants as
//! code:
//!
//! 1. a source (payment or credit note) never applies more than its amount less what was
//!    refunded of it, nor less than nothing; a reversed source applies nothing; a refund never
//!    exceeds its payment;
//! 2. an invoice's open balance — total − applied − written off — is never below zero;
//! 3. the customer's balance — open invoices − unapplied credit — equals the sum of the
//!    ledger: Σ invoice totals − Σ write-offs − Σ (amount − refunded) of sources still
//!    standing.
//!
//! Operations either succeed whole, returning the entries to persist, or fail with a
//! [`LedgerError`] and change nothing. The server loads a customer's entries into this type,
//! asks it to decide, and stores what it answers in one transaction.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::LedgerError;
use crate::money::{Currency, Money, MoneyError};

/// Where value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Money received (card, bank transfer, cash...).
    Payment,
    /// Value the merchant gives back on paper: a credit note.
    CreditNote,
}

/// Why an invoice's balance was written off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOffReason {
    /// A payment fell short by no more than the merchant's tolerance.
    ShortPayment,
    /// The debt will not be collected.
    BadDebt,
    /// A balance too small to chase.
    SmallBalance,
    Other,
}

impl WriteOffReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            WriteOffReason::ShortPayment => "short_payment",
            WriteOffReason::BadDebt => "bad_debt",
            WriteOffReason::SmallBalance => "small_balance",
            WriteOffReason::Other => "other",
        }
    }
    pub fn parse(text: &str) -> Option<WriteOffReason> {
        [WriteOffReason::ShortPayment, WriteOffReason::BadDebt, WriteOffReason::SmallBalance, WriteOffReason::Other]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceEntry<I> {
    pub invoice: I,
    pub total: Money,
    pub due_date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry<S> {
    pub source: S,
    pub kind: SourceKind,
    pub amount: Money,
    /// A reversed payment (chargeback, failed direct debit) no longer counts; its
    /// applications have been undone.
    pub reversed: bool,
    /// What of a payment went back to the payer (refunds); zero for a credit note.
    pub refunded: Money,
}

impl<S> SourceEntry<S> {
    /// What the source still brings: its amount less what was refunded of it.
    pub fn standing(&self) -> i64 {
        self.amount.minor() - self.refunded.minor()
    }
}

/// Value moved from a source onto an invoice; negative when an earlier application is undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application<I, S> {
    pub invoice: I,
    pub source: S,
    pub amount: Money,
}

/// Part of an invoice's balance the merchant no longer asks for; negative when a short
/// payment's write-off is undone with the payment's reversal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOff<I, S> {
    pub invoice: I,
    pub amount: Money,
    pub reason: WriteOffReason,
    /// The payment whose shortfall this wrote off, if any: it stands and falls with it.
    pub source: Option<S>,
}

/// How received value settles invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Apply<I> {
    /// Oldest due date first (then the order invoices were opened); the rest stays as credit.
    OldestDueFirst,
    /// These amounts to these invoices, as the payer specified; the rest stays as credit.
    Specified(Vec<(I, Money)>),
    /// Nothing now: all of it is held as credit on the customer.
    Hold,
}

/// What receiving value decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received<I, S> {
    pub applications: Vec<Application<I, S>>,
    /// Short payments within the tolerance, written off.
    pub write_offs: Vec<WriteOff<I, S>>,
    /// What is left as credit on the customer.
    pub unapplied: Money,
}

/// What refunding (part of) a payment decided: the credit it held goes back first; what is
/// left undoes its applications, the latest first, so those invoices are open again (with
/// the short-payment write-offs that payment had made on them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund<I, S> {
    pub amount: Money,
    /// Of `amount`, what came out of the credit the payment held.
    pub from_credit: Money,
    /// The undoing (negative) applications.
    pub applications: Vec<Application<I, S>>,
    pub write_offs: Vec<WriteOff<I, S>>,
}

/// What reinstating a reversed payment (a chargeback the merchant won) applied again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reinstatement<I, S> {
    pub applications: Vec<Application<I, S>>,
    /// What is held as credit on the customer.
    pub unapplied: Money,
}

/// What reversing a payment undid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal<I, S> {
    pub applications: Vec<Application<I, S>>,
    pub write_offs: Vec<WriteOff<I, S>>,
}

/// A broken invariant: the ledger is wrong, which is a bug or a corrupt database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger invariant broken: {0}")]
pub struct InvariantViolation(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerLedger<I, S> {
    currency: Currency,
    invoices: Vec<InvoiceEntry<I>>,
    sources: Vec<SourceEntry<S>>,
    applications: Vec<Application<I, S>>,
    write_offs: Vec<WriteOff<I, S>>,
}

impl<I: Clone + PartialEq, S: Clone + PartialEq> CustomerLedger<I, S> {
    pub fn new(currency: Currency) -> Self {
        CustomerLedger {
            currency,
            invoices: Vec::new(),
            sources: Vec::new(),
            applications: Vec::new(),
            write_offs: Vec::new(),
        }
    }

    /// Rebuilds a ledger from stored entries and checks it.
    pub fn from_entries(
        currency: Currency,
        invoices: Vec<InvoiceEntry<I>>,
        sources: Vec<SourceEntry<S>>,
        applications: Vec<Application<I, S>>,
        write_offs: Vec<WriteOff<I, S>>,
    ) -> Result<Self, InvariantViolation> {
        let ledger = CustomerLedger { currency, invoices, sources, applications, write_offs };
        ledger.check()?;
        Ok(ledger)
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn invoices(&self) -> &[InvoiceEntry<I>] {
        &self.invoices
    }

    pub fn sources(&self) -> &[SourceEntry<S>] {
        &self.sources
    }

    fn money(&self, minor: i64) -> Money {
        Money::from_minor(minor, self.currency)
    }

    fn same_currency(&self, amount: Money) -> Result<(), LedgerError> {
        if amount.currency() != self.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, amount.currency()).into());
        }
        Ok(())
    }

    fn invoice(&self, invoice: &I) -> Result<&InvoiceEntry<I>, LedgerError> {
        self.invoices.iter().find(|i| &i.invoice == invoice).ok_or(LedgerError::UnknownEntry)
    }

    fn source(&self, source: &S) -> Result<&SourceEntry<S>, LedgerError> {
        self.sources.iter().find(|s| &s.source == source).ok_or(LedgerError::UnknownEntry)
    }

    fn applied_to(&self, invoice: &I) -> i64 {
        self.applications.iter().filter(|a| &a.invoice == invoice).map(|a| a.amount.minor()).sum()
    }

    fn written_off(&self, invoice: &I) -> i64 {
        self.write_offs.iter().filter(|w| &w.invoice == invoice).map(|w| w.amount.minor()).sum()
    }

    fn applied_from(&self, source: &S) -> i64 {
        self.applications.iter().filter(|a| &a.source == source).map(|a| a.amount.minor()).sum()
    }

    /// What is still open on an invoice.
    pub fn balance(&self, invoice: &I) -> Result<Money, LedgerError> {
        let entry = self.invoice(invoice)?;
        Ok(self.money(entry.total.minor() - self.applied_to(invoice) - self.written_off(invoice)))
    }

    /// What a source has not yet applied (nothing, once reversed).
    pub fn unapplied(&self, source: &S) -> Result<Money, LedgerError> {
        let entry = self.source(source)?;
        if entry.reversed {
            return Ok(self.money(0));
        }
        Ok(self.money(entry.standing() - self.applied_from(source)))
    }

    /// All credit held on the customer: what payments and credit notes have not applied.
    pub fn unapplied_credit(&self) -> Money {
        let minor =
            self.sources.iter().filter(|s| !s.reversed).map(|s| s.standing() - self.applied_from(&s.source)).sum();
        self.money(minor)
    }

    /// What the customer owes: open invoices minus credit held (negative when in credit).
    pub fn customer_balance(&self) -> Money {
        let open: i64 = self
            .invoices
            .iter()
            .map(|i| i.total.minor() - self.applied_to(&i.invoice) - self.written_off(&i.invoice))
            .sum();
        self.money(open - self.unapplied_credit().minor())
    }

    /// Adds an invoice the customer owes.
    pub fn open_invoice(&mut self, invoice: I, total: Money, due_date: Date) -> Result<(), LedgerError> {
        self.same_currency(total)?;
        if self.invoices.iter().any(|i| i.invoice == invoice) {
            return Err(LedgerError::DuplicateEntry);
        }
        if !total.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        self.invoices.push(InvoiceEntry { invoice, total, due_date });
        Ok(())
    }

    /// Receives value (a payment or a credit note) and applies it as asked. A `tolerance`
    /// above zero writes off what an invoice still lacks after this source, when that is no
    /// more than the tolerance (a short payment); the write-off is returned, reason
    /// `ShortPayment`.
    pub fn receive(
        &mut self,
        source: S,
        kind: SourceKind,
        amount: Money,
        apply: Apply<I>,
        tolerance: Money,
    ) -> Result<Received<I, S>, LedgerError> {
        self.same_currency(amount)?;
        self.same_currency(tolerance)?;
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        if self.sources.iter().any(|s| s.source == source) {
            return Err(LedgerError::DuplicateEntry);
        }
        let plan: Vec<(I, i64)> = match apply {
            Apply::Hold => Vec::new(),
            Apply::OldestDueFirst => {
                let mut open: Vec<(usize, &InvoiceEntry<I>)> = self.invoices.iter().enumerate().collect();
                open.sort_by_key(|(position, i)| (i.due_date, *position));
                let mut left = amount.minor();
                let mut plan = Vec::new();
                for (_, entry) in open {
                    if left == 0 {
                        break;
                    }
                    let balance = self.balance(&entry.invoice)?.minor();
                    let take = left.min(balance);
                    if take > 0 {
                        plan.push((entry.invoice.clone(), take));
                        left -= take;
                    }
                }
                plan
            }
            Apply::Specified(parts) => {
                let mut plan: Vec<(I, i64)> = Vec::new();
                for (invoice, part) in parts {
                    self.same_currency(part)?;
                    if !part.is_positive() {
                        return Err(LedgerError::NotPositive);
                    }
                    let already: i64 = plan.iter().filter(|(i, _)| *i == invoice).map(|(_, m)| m).sum();
                    let balance = self.balance(&invoice)?;
                    if already + part.minor() > balance.minor() {
                        return Err(LedgerError::MoreThanOpen {
                            amount: part,
                            balance: self.money(balance.minor() - already),
                        });
                    }
                    plan.push((invoice, part.minor()));
                }
                let total: i64 = plan.iter().map(|(_, m)| m).sum();
                if total > amount.minor() {
                    return Err(LedgerError::MoreThanReceived { applied: self.money(total), received: amount });
                }
                plan
            }
        };
        let applications: Vec<Application<I, S>> = plan
            .into_iter()
            .map(|(invoice, minor)| Application { invoice, source: source.clone(), amount: self.money(minor) })
            .collect();
        self.sources.push(SourceEntry {
            source: source.clone(),
            kind,
            amount,
            reversed: false,
            refunded: self.money(0),
        });
        self.applications.extend(applications.iter().cloned());
        let mut write_offs = Vec::new();
        if tolerance.is_positive() {
            for a in &applications {
                let left = self.balance(&a.invoice)?;
                if left.is_positive()
                    && left.minor() <= tolerance.minor()
                    && !write_offs.iter().any(|w: &WriteOff<I, S>| w.invoice == a.invoice)
                {
                    write_offs.push(WriteOff {
                        invoice: a.invoice.clone(),
                        amount: left,
                        reason: WriteOffReason::ShortPayment,
                        source: Some(source.clone()),
                    });
                }
            }
            self.write_offs.extend(write_offs.iter().cloned());
        }
        let unapplied = self.unapplied(&source)?;
        Ok(Received { applications, write_offs, unapplied })
    }

    /// Applies credit a source still holds to an invoice: `amount`, or as much as both allow.
    pub fn apply_credit(
        &mut self,
        source: &S,
        invoice: &I,
        amount: Option<Money>,
    ) -> Result<Application<I, S>, LedgerError> {
        let available = self.unapplied(source)?;
        let balance = self.balance(invoice)?;
        if !balance.is_positive() {
            return Err(LedgerError::NothingOpen);
        }
        let amount = match amount {
            Some(a) => {
                self.same_currency(a)?;
                if !a.is_positive() {
                    return Err(LedgerError::NotPositive);
                }
                if a.minor() > balance.minor() {
                    return Err(LedgerError::MoreThanOpen { amount: a, balance });
                }
                if a.minor() > available.minor() {
                    return Err(LedgerError::MoreThanCredit { amount: a, credit: available });
                }
                a
            }
            None => {
                let a = available.min(balance)?;
                if !a.is_positive() {
                    return Err(LedgerError::NoCredit);
                }
                a
            }
        };
        let application = Application { invoice: invoice.clone(), source: source.clone(), amount };
        self.applications.push(application.clone());
        Ok(application)
    }

    /// Writes off (part of) an invoice's open balance.
    pub fn write_off(
        &mut self,
        invoice: &I,
        amount: Money,
        reason: WriteOffReason,
    ) -> Result<WriteOff<I, S>, LedgerError> {
        self.same_currency(amount)?;
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        let balance = self.balance(invoice)?;
        if !balance.is_positive() {
            return Err(LedgerError::NothingOpen);
        }
        if amount.minor() > balance.minor() {
            return Err(LedgerError::MoreThanOpen { amount, balance });
        }
        let w = WriteOff { invoice: invoice.clone(), amount, reason, source: None };
        self.write_offs.push(w.clone());
        Ok(w)
    }

    /// What `source` has applied to each invoice, net of what was undone, in the order it
    /// first applied to them.
    fn net_applied(&self, source: &S) -> Vec<(I, i64)> {
        let mut net: Vec<(I, i64)> = Vec::new();
        for a in self.applications.iter().filter(|a| &a.source == source) {
            match net.iter_mut().find(|(i, _)| *i == a.invoice) {
                Some((_, m)) => *m += a.amount.minor(),
                None => net.push((a.invoice.clone(), a.amount.minor())),
            }
        }
        net
    }

    /// Refunds `amount` of a payment (see [`Refund`]). Refused for a credit note, a reversed
    /// payment, or more than the payment still stands for.
    pub fn refund(&mut self, source: &S, amount: Money) -> Result<Refund<I, S>, LedgerError> {
        self.same_currency(amount)?;
        if !amount.is_positive() {
            return Err(LedgerError::NotPositive);
        }
        let entry = self.source(source)?;
        if entry.kind != SourceKind::Payment {
            return Err(LedgerError::NotAPayment);
        }
        if entry.reversed {
            return Err(LedgerError::AlreadyReversed);
        }
        let standing = self.money(entry.standing());
        if amount.minor() > standing.minor() {
            return Err(LedgerError::MoreThanPaid { amount, paid: standing });
        }
        let refunded = self.money(entry.refunded.minor() + amount.minor());
        let from_credit = self.unapplied(source)?.min(amount)?;
        let mut left = amount.minor() - from_credit.minor();
        // Undone from the invoice it paid last.
        let mut undo = Vec::new();
        for (invoice, applied) in self.net_applied(source).into_iter().rev() {
            if left == 0 {
                break;
            }
            let take = left.min(applied);
            if take > 0 {
                undo.push(Application { invoice, source: source.clone(), amount: self.money(-take) });
                left -= take;
            }
        }
        let undo_write_offs: Vec<WriteOff<I, S>> = self
            .write_offs
            .iter()
            .filter(|w| w.source.as_ref() == Some(source) && undo.iter().any(|a| a.invoice == w.invoice))
            .map(|w| WriteOff { amount: self.money(-w.amount.minor()), ..w.clone() })
            .collect();
        // Net per invoice and source: a write-off already undone is not undone twice.
        let undo_write_offs: Vec<WriteOff<I, S>> = undo_write_offs
            .into_iter()
            .filter(|w| {
                let net: i64 = self
                    .write_offs
                    .iter()
                    .filter(|x| x.invoice == w.invoice && x.source == w.source)
                    .map(|x| x.amount.minor())
                    .sum();
                net > 0
            })
            .collect();
        self.applications.extend(undo.iter().cloned());
        self.write_offs.extend(undo_write_offs.iter().cloned());
        if let Some(s) = self.sources.iter_mut().find(|s| &s.source == source) {
            s.refunded = refunded;
        }
        Ok(Refund { amount, from_credit, applications: undo, write_offs: undo_write_offs })
    }

    /// Reverses a payment (a chargeback, a failed direct debit): every application it made is
    /// undone, so exactly what it paid is open again, the credit it held is gone, and a
    /// shortfall written off because of it is owed again. Returns the undoing (negative)
    /// applications and write-offs.
    pub fn reverse(&mut self, source: &S) -> Result<Reversal<I, S>, LedgerError> {
        let entry = self.source(source)?;
        if entry.reversed {
            return Err(LedgerError::AlreadyReversed);
        }
        if entry.kind != SourceKind::Payment {
            return Err(LedgerError::NotAPayment);
        }
        let undo: Vec<Application<I, S>> = self
            .net_applied(source)
            .into_iter()
            .filter(|(_, m)| *m != 0)
            .map(|(invoice, m)| Application { invoice, source: source.clone(), amount: self.money(-m) })
            .collect();
        let undo_write_offs: Vec<WriteOff<I, S>> = self
            .write_offs
            .iter()
            .filter(|w| w.source.as_ref() == Some(source))
            .map(|w| WriteOff { amount: self.money(-w.amount.minor()), ..w.clone() })
            .collect();
        self.applications.extend(undo.iter().cloned());
        self.write_offs.extend(undo_write_offs.iter().cloned());
        if let Some(s) = self.sources.iter_mut().find(|s| &s.source == source) {
            s.reversed = true;
        }
        Ok(Reversal { applications: undo, write_offs: undo_write_offs })
    }

    /// Stands a reversed payment again (a chargeback won: the money came back): it applies to
    /// `plan`'s invoices, each up to its part and its balance now, in that order; the rest is
    /// held as credit.
    pub fn reinstate(&mut self, source: &S, plan: &[(I, Money)]) -> Result<Reinstatement<I, S>, LedgerError> {
        let entry = self.source(source)?;
        if entry.kind != SourceKind::Payment {
            return Err(LedgerError::NotAPayment);
        }
        if !entry.reversed {
            return Err(LedgerError::NotReversed);
        }
        let mut left = entry.standing();
        let mut applications: Vec<Application<I, S>> = Vec::new();
        for (invoice, part) in plan {
            self.same_currency(*part)?;
            let balance = self.balance(invoice)?.minor();
            let already: i64 = applications.iter().filter(|a| &a.invoice == invoice).map(|a| a.amount.minor()).sum();
            let take = left.min(part.minor()).min(balance - already);
            if take > 0 {
                applications.push(Application {
                    invoice: invoice.clone(),
                    source: source.clone(),
                    amount: self.money(take),
                });
                left -= take;
            }
        }
        if let Some(s) = self.sources.iter_mut().find(|s| &s.source == source) {
            s.reversed = false;
        }
        self.applications.extend(applications.iter().cloned());
        Ok(Reinstatement { applications, unapplied: self.money(left) })
    }

    /// The invariants (see the module's documentation); the first one broken.
    pub fn check(&self) -> Result<(), InvariantViolation> {
        let broken = |what: String| Err(InvariantViolation(what));
        let all_money = self
            .invoices
            .iter()
            .map(|i| i.total)
            .chain(self.sources.iter().map(|s| s.amount))
            .chain(self.applications.iter().map(|a| a.amount))
            .chain(self.write_offs.iter().map(|w| w.amount));
        for m in all_money {
            if m.currency() != self.currency {
                return broken(format!("an entry in {} in a {} ledger", m.currency(), self.currency));
            }
        }
        for s in &self.sources {
            let applied = self.applied_from(&s.source);
            if applied < 0 || applied > s.standing() {
                return broken(format!("a source of {} applies {}", s.amount, self.money(applied)));
            }
            if s.refunded.currency() != self.currency
                || s.refunded.is_negative()
                || s.refunded.minor() > s.amount.minor()
                || (s.kind != SourceKind::Payment && !s.refunded.is_zero())
            {
                return broken(format!("a source of {} has {} refunded", s.amount, s.refunded));
            }
            if s.reversed && applied != 0 {
                return broken(format!("a reversed source still applies {}", self.money(applied)));
            }
        }
        for a in &self.applications {
            if self.invoice(&a.invoice).is_err() || self.source(&a.source).is_err() {
                return broken("an application names an unknown invoice or source".into());
            }
        }
        for w in &self.write_offs {
            if w.amount.is_zero() || self.invoice(&w.invoice).is_err() {
                return broken("a write-off is zero or names an unknown invoice".into());
            }
            if let Some(source) = &w.source {
                let Ok(s) = self.source(source) else {
                    return broken("a write-off names an unknown source".into());
                };
                let net: i64 = self
                    .write_offs
                    .iter()
                    .filter(|x| x.source.as_ref() == Some(source))
                    .map(|x| x.amount.minor())
                    .sum();
                if net < 0 || (s.reversed && net != 0) {
                    return broken(format!("the write-offs of a source net to {}", self.money(net)));
                }
            }
        }
        for i in &self.invoices {
            if self.written_off(&i.invoice) < 0 {
                return broken(format!("an invoice of {} has negative write-offs", i.total));
            }
            let balance = i.total.minor() - self.applied_to(&i.invoice) - self.written_off(&i.invoice);
            if balance < 0 || balance > i.total.minor() {
                return broken(format!("an invoice of {} has an open balance of {}", i.total, self.money(balance)));
            }
        }
        let totals: i64 = self.invoices.iter().map(|i| i.total.minor()).sum();
        let written_off: i64 = self.write_offs.iter().map(|w| w.amount.minor()).sum();
        // The customer's balance, computed the other way round: from the ledger's sums.
        let standing: i64 = self.sources.iter().filter(|s| !s.reversed).map(|s| s.standing()).sum();
        if self.customer_balance().minor() != totals - written_off - standing {
            return broken("the customer's balance is not the sum of its ledger".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;
    use time::Duration;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    fn ledger() -> CustomerLedger<&'static str, &'static str> {
        let mut l = CustomerLedger::new(Currency::EUR);
        l.open_invoice("late", eur(10_000), date!(2026 - 12 - 01)).unwrap();
        l.open_invoice("early", eur(5_000), date!(2026 - 11 - 01)).unwrap();
        l
    }

    #[test]
    fn oldest_due_first_then_credit() {
        let mut l = ledger();
        let r = l.receive("p1", SourceKind::Payment, eur(16_000), Apply::OldestDueFirst, eur(0)).unwrap();
        assert_eq!(
            r.applications.iter().map(|a| (a.invoice, a.amount.minor())).collect::<Vec<_>>(),
            [("early", 5_000), ("late", 10_000)]
        );
        assert_eq!(r.unapplied, eur(1_000));
        assert_eq!(l.customer_balance(), eur(-1_000), "an overpayment is credit on the customer");
        l.check().unwrap();
    }

    #[test]
    fn credit_applies_later_to_a_new_invoice() {
        let mut l = ledger();
        l.receive("p1", SourceKind::Payment, eur(16_000), Apply::OldestDueFirst, eur(0)).unwrap();
        l.open_invoice("next", eur(2_500), date!(2027 - 01 - 01)).unwrap();
        let a = l.apply_credit(&"p1", &"next", None).unwrap();
        assert_eq!(a.amount, eur(1_000));
        assert_eq!(l.balance(&"next").unwrap(), eur(1_500));
        assert_eq!(l.apply_credit(&"p1", &"next", None), Err(LedgerError::NoCredit));
        l.check().unwrap();
    }

    #[test]
    fn a_credit_note_against_an_invoice_and_a_free_one() {
        let mut l = ledger();
        let r = l
            .receive("cn1", SourceKind::CreditNote, eur(2_000), Apply::Specified(vec![("late", eur(2_000))]), eur(0))
            .unwrap();
        assert_eq!(r.unapplied, eur(0));
        assert_eq!(l.balance(&"late").unwrap(), eur(8_000));
        let r = l.receive("cn2", SourceKind::CreditNote, eur(700), Apply::Hold, eur(0)).unwrap();
        assert_eq!(r.unapplied, eur(700));
        assert_eq!(l.customer_balance(), eur(15_000 - 2_000 - 700));
        assert_eq!(l.reverse(&"cn1"), Err(LedgerError::NotAPayment));
        l.check().unwrap();
    }

    #[test]
    fn a_short_payment_within_tolerance_is_written_off_and_recorded() {
        let mut l = ledger();
        let r = l
            .receive("p1", SourceKind::Payment, eur(4_995), Apply::Specified(vec![("early", eur(4_995))]), eur(10))
            .unwrap();
        assert_eq!(
            r.write_offs,
            [WriteOff { invoice: "early", amount: eur(5), reason: WriteOffReason::ShortPayment, source: Some("p1") }]
        );
        assert_eq!(l.balance(&"early").unwrap(), eur(0));
        // Beyond the tolerance nothing is written off.
        let r = l
            .receive("p2", SourceKind::Payment, eur(9_000), Apply::Specified(vec![("late", eur(9_000))]), eur(10))
            .unwrap();
        assert!(r.write_offs.is_empty());
        l.check().unwrap();
    }

    #[test]
    fn a_reversal_reopens_exactly_what_the_payment_paid() {
        let mut l = ledger();
        l.receive("p1", SourceKind::Payment, eur(3_000), Apply::Specified(vec![("early", eur(3_000))]), eur(0))
            .unwrap();
        // p2 settles early's rest and late, and holds 2,000 that later pays "next".
        l.receive("p2", SourceKind::Payment, eur(14_000), Apply::OldestDueFirst, eur(0)).unwrap();
        l.open_invoice("next", eur(1_000), date!(2027 - 01 - 01)).unwrap();
        l.apply_credit(&"p2", &"next", None).unwrap();
        let balances = |l: &CustomerLedger<_, _>| ["early", "late", "next"].map(|i| l.balance(&i).unwrap().minor());
        assert_eq!(balances(&l), [0, 0, 0]);
        let undone = l.reverse(&"p2").unwrap();
        assert_eq!(undone.applications.len(), 3);
        assert_eq!(balances(&l), [2_000, 10_000, 1_000], "p1's 3,000 still stands");
        assert_eq!(l.unapplied_credit(), eur(0));
        assert_eq!(l.reverse(&"p2"), Err(LedgerError::AlreadyReversed));
        l.check().unwrap();
    }

    #[test]
    fn reversing_a_short_payment_owes_the_shortfall_again() {
        let mut l = ledger();
        l.receive("p1", SourceKind::Payment, eur(14_995), Apply::OldestDueFirst, eur(10)).unwrap();
        assert_eq!(l.balance(&"late").unwrap(), eur(0), "5 cents short, written off");
        let undone = l.reverse(&"p1").unwrap();
        assert_eq!(undone.write_offs.len(), 1);
        assert_eq!(l.balance(&"late").unwrap(), eur(10_000));
        assert_eq!(l.customer_balance(), eur(15_000));
        l.check().unwrap();
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let mut l = ledger();
        assert_eq!(
            l.receive(
                "p1",
                SourceKind::Payment,
                eur(100),
                Apply::Specified(vec![("early", eur(60)), ("late", eur(60))]),
                eur(0)
            ),
            Err(LedgerError::MoreThanReceived { applied: eur(120), received: eur(100) })
        );
        assert!(matches!(
            l.receive("p1", SourceKind::Payment, eur(9_000), Apply::Specified(vec![("early", eur(6_000))]), eur(0)),
            Err(LedgerError::MoreThanOpen { .. })
        ));
        assert_eq!(l.write_off(&"nope", eur(1), WriteOffReason::Other), Err(LedgerError::UnknownEntry));
        assert_eq!(l, ledger(), "a refused operation changes nothing");
        let dkk = Money::from_minor(1, Currency::DKK);
        assert!(matches!(l.receive("p1", SourceKind::Payment, dkk, Apply::Hold, eur(0)), Err(LedgerError::Money(_))));
    }

    #[test]
    fn a_refund_takes_the_credit_first_then_reopens_the_latest_invoice() {
        let mut l = ledger();
        // ledger(): "early" (50.00) and "late" (100.00); 200.00 pays both and holds 50.00.
        l.receive("p", SourceKind::Payment, eur(20_000), Apply::OldestDueFirst, eur(0)).unwrap();
        assert_eq!(l.unapplied(&"p").unwrap(), eur(5_000));
        let r = l.refund(&"p", eur(7_000)).unwrap();
        assert_eq!(r.from_credit, eur(5_000));
        assert_eq!(r.applications, vec![Application { invoice: "late", source: "p", amount: eur(-2_000) }]);
        assert_eq!((l.balance(&"early").unwrap(), l.balance(&"late").unwrap()), (eur(0), eur(2_000)));
        assert_eq!(l.sources()[0].refunded, eur(7_000));
        assert_eq!(l.customer_balance(), eur(2_000));
        // What is left of the payment can be refunded, no more; then reversed, nothing twice.
        assert_eq!(
            l.refund(&"p", eur(13_001)),
            Err(LedgerError::MoreThanPaid { amount: eur(13_001), paid: eur(13_000) })
        );
        l.reverse(&"p").unwrap();
        assert_eq!(l.customer_balance(), eur(15_000));
        assert_eq!(l.refund(&"p", eur(1)), Err(LedgerError::AlreadyReversed));
        l.receive("cn", SourceKind::CreditNote, eur(100), Apply::Hold, eur(0)).unwrap();
        assert_eq!(l.refund(&"cn", eur(100)), Err(LedgerError::NotAPayment));
        assert_eq!(l.check(), Ok(()));
    }

    #[test]
    fn a_won_chargeback_stands_the_payment_again_as_planned() {
        let mut l = ledger();
        l.receive("p", SourceKind::Payment, eur(12_000), Apply::OldestDueFirst, eur(0)).unwrap();
        assert_eq!(l.reinstate(&"p", &[]), Err(LedgerError::NotReversed));
        l.reverse(&"p").unwrap();
        assert_eq!(l.customer_balance(), eur(15_000));
        // Meanwhile "early" was paid otherwise: the reinstated payment pays "late" and holds the rest.
        l.receive("q", SourceKind::Payment, eur(5_000), Apply::Specified(vec![("early", eur(5_000))]), eur(0)).unwrap();
        let back = l.reinstate(&"p", &[("early", eur(5_000)), ("late", eur(7_000))]).unwrap();
        assert_eq!(back.applications, vec![Application { invoice: "late", source: "p", amount: eur(7_000) }]);
        assert_eq!(back.unapplied, eur(5_000));
        assert_eq!(l.customer_balance(), eur(-2_000));
        assert_eq!(l.reinstate(&"p", &[]), Err(LedgerError::NotReversed));
        assert_eq!(l.check(), Ok(()));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Open { total: i64, due_in: i64 },
        Receive { credit_note: bool, amount: i64, how: u8, parts: Vec<(usize, i64)>, tolerance: i64 },
        ApplyCredit { source: usize, invoice: usize, amount: Option<i64> },
        WriteOff { invoice: usize, amount: i64 },
        Reverse { source: usize },
        Refund { source: usize, amount: i64 },
        Reinstate { source: usize, plan: Vec<(usize, i64)> },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..50_000, 0i64..90).prop_map(|(total, due_in)| Op::Open { total, due_in }),
            (
                any::<bool>(),
                -10i64..80_000,
                0u8..3,
                proptest::collection::vec((0usize..8, -5i64..30_000), 0..4),
                0i64..50
            )
                .prop_map(|(credit_note, amount, how, parts, tolerance)| Op::Receive {
                    credit_note,
                    amount,
                    how,
                    parts,
                    tolerance
                }),
            (0usize..8, 0usize..8, proptest::option::of(-5i64..20_000))
                .prop_map(|(source, invoice, amount)| Op::ApplyCredit { source, invoice, amount }),
            (0usize..8, -5i64..20_000).prop_map(|(invoice, amount)| Op::WriteOff { invoice, amount }),
            (0usize..8).prop_map(|source| Op::Reverse { source }),
            (0usize..8, -5i64..60_000).prop_map(|(source, amount)| Op::Refund { source, amount }),
            (0usize..8, proptest::collection::vec((0usize..8, 0i64..30_000), 0..4))
                .prop_map(|(source, plan)| Op::Reinstate { source, plan }),
        ]
    }

    proptest! {
        #[test]
        fn every_operation_sequence_keeps_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
            let mut l: CustomerLedger<usize, usize> = CustomerLedger::new(Currency::EUR);
            let (mut invoices, mut sources) = (0usize, 0usize);
            for op in ops {
                let before = l.clone();
                let result = match op.clone() {
                    Op::Open { total, due_in } => {
                        invoices += 1;
                        l.open_invoice(invoices - 1, eur(total), date!(2026 - 01 - 01) + Duration::days(due_in)).map(|_| ())
                    }
                    Op::Receive { credit_note, amount, how, parts, tolerance } => {
                        let kind = if credit_note { SourceKind::CreditNote } else { SourceKind::Payment };
                        let apply = match how {
                            0 => Apply::OldestDueFirst,
                            1 => Apply::Specified(parts.into_iter().map(|(i, m)| (i, eur(m))).collect()),
                            _ => Apply::Hold,
                        };
                        let r = l.receive(sources, kind, eur(amount), apply, eur(tolerance));
                        if let Ok(received) = &r {
                            sources += 1;
                            let applied: i64 = received.applications.iter().map(|a| a.amount.minor()).sum();
                            prop_assert_eq!(applied + received.unapplied.minor(), amount, "every cent applied or held");
                        }
                        r.map(|_| ())
                    }
                    Op::ApplyCredit { source, invoice, amount } => {
                        l.apply_credit(&source, &invoice, amount.map(eur)).map(|_| ())
                    }
                    Op::WriteOff { invoice, amount } => l.write_off(&invoice, eur(amount), WriteOffReason::BadDebt).map(|_| ()),
                    Op::Reverse { source } => {
                        let open_before: Vec<i64> = (0..invoices).map(|i| l.balance(&i).unwrap().minor()).collect();
                        let r = l.reverse(&source);
                        if let Ok(undone) = &r {
                            // Exactly what the payment paid (and its shortfall write-off) is open again.
                            for (i, before) in open_before.iter().enumerate() {
                                let reopened: i64 = undone.applications.iter()
                                    .filter(|a| a.invoice == i).map(|a| -a.amount.minor()).sum::<i64>()
                                    + undone.write_offs.iter().filter(|w| w.invoice == i).map(|w| -w.amount.minor()).sum::<i64>();
                                prop_assert_eq!(l.balance(&i).unwrap().minor(), before + reopened);
                            }
                            prop_assert_eq!(l.unapplied(&source).unwrap(), eur(0));
                        }
                        r.map(|_| ())
                    }
                    Op::Reinstate { source, plan } => {
                        let balance_before = l.customer_balance().minor();
                        let plan: Vec<(usize, Money)> = plan.into_iter().map(|(i, m)| (i, eur(m))).collect();
                        let r = l.reinstate(&source, &plan);
                        if let Ok(back) = &r {
                            // The payment counts again, in full (less its refunds).
                            let standing = l.sources().iter().find(|s| s.source == source).unwrap().standing();
                            prop_assert_eq!(l.customer_balance().minor(), balance_before - standing);
                            let applied: i64 = back.applications.iter().map(|a| a.amount.minor()).sum();
                            prop_assert_eq!(applied + back.unapplied.minor(), standing);
                        }
                        r.map(|_| ())
                    }
                    Op::Refund { source, amount } => {
                        let balance_before = l.customer_balance().minor();
                        let credit_before = l.unapplied(&source).map(|m| m.minor()).unwrap_or(0);
                        let r = l.refund(&source, eur(amount));
                        if let Ok(refund) = &r {
                            // What went back is owed again, and so are the short-payment
                            // write-offs the payment made on the invoices it undoes: the
                            // customer's balance rises by both.
                            let written_back: i64 = refund.write_offs.iter().map(|w| -w.amount.minor()).sum();
                            prop_assert!(refund.write_offs.iter().all(|w| w.amount.minor() < 0));
                            prop_assert_eq!(l.customer_balance().minor(), balance_before + amount + written_back);
                            prop_assert_eq!(refund.from_credit.minor(), credit_before.min(amount));
                            let undone: i64 = refund.applications.iter().map(|a| -a.amount.minor()).sum();
                            prop_assert_eq!(refund.from_credit.minor() + undone, amount);
                        }
                        r.map(|_| ())
                    }
                };
                if result.is_err() {
                    prop_assert_eq!(&l, &before, "a refused {:?} changed the ledger", op);
                }
                prop_assert_eq!(l.check(), Ok(()), "after {:?}", op);
            }
        }
    }
}
