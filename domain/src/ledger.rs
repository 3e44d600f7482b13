//! How a payment settles invoices. The rules a ledger must never break are written down as
//! code in [`Payment::check`]: every cent of a payment is either allocated to an
//! invoice or left unapplied, and no invoice receives more than its balance.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("amount not positive")]
    NotPositive,
    #[error("{amount} exceeds open balance {balance}")]
    MoreThanOpen { amount: Money, balance: Money },
    #[error("nothing open")]
    NothingOpen,
    #[error("applies {applied}, more than the {received} received")]
    MoreThanReceived { applied: Money, received: Money },
    #[error("{amount} exceeds credit {credit}")]
    MoreThanCredit { amount: Money, credit: Money },
    #[error("no credit left")]
    NoCredit,
    #[error("already reversed")]
    AlreadyReversed,
    #[error("not reversed")]
    NotReversed,
    #[error("only payments can be reversed or refunded")]
    NotAPayment,
    #[error("{amount} exceeds the {paid} the payment still stands for")]
    MoreThanPaid { amount: Money, paid: Money },
    #[error("unknown invoice or source")]
    UnknownEntry,
    #[error("entry already in the ledger")]
    DuplicateEntry,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// An invoice with a balance still to pay, as the allocator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem<K> {
    pub invoice: K,
    pub balance: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation<K> {
    pub invoice: K,
    pub amount: Money,
}

/// Cash received and how it settles invoices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment<K> {
    pub amount: Money,
    pub allocations: Vec<Allocation<K>>,
    /// Cash received that settles no invoice (an overpayment); kept, never dropped.
    pub unapplied: Money,
}

/// Applies `payment` to `open` in the given order (callers pass the oldest due first), each
/// invoice taking at most its balance; what is left stays unapplied.
pub fn allocate<K: Clone + PartialEq>(payment: Money, open: &[OpenItem<K>]) -> Result<Payment<K>, LedgerError> {
    if !payment.is_positive() {
        return Err(LedgerError::NotPositive);
    }
    let mut remaining = payment;
    let mut allocations = Vec::new();
    for item in open {
        if remaining.is_zero() {
            break;
        }
        if !item.balance.is_positive() {
            continue;
        }
        let amount = remaining.min(item.balance)?;
        remaining = remaining.checked_sub(amount)?;
        allocations.push(Allocation { invoice: item.invoice.clone(), amount });
    }
    let plan = Payment { amount: payment, allocations, unapplied: remaining };
    debug_assert!(plan.check(open).is_ok());
    Ok(plan)
}

/// A debtor paying (part of) one invoice from the portal: at most its balance, never zero.
pub fn pay_one<K: Clone + PartialEq>(amount: Money, item: &OpenItem<K>) -> Result<Payment<K>, LedgerError> {
    if !item.balance.is_positive() {
        return Err(LedgerError::NothingOpen);
    }
    if !amount.is_positive() {
        return Err(LedgerError::NotPositive);
    }
    if amount.currency() != item.balance.currency() {
        return Err(MoneyError::CurrencyMismatch(amount.currency(), item.balance.currency()).into());
    }
    if amount.minor() > item.balance.minor() {
        return Err(LedgerError::MoreThanOpen { amount, balance: item.balance });
    }
    allocate(amount, std::slice::from_ref(item))
}

impl<K: Clone> Payment<K> {
    /// The ledger invariants. Returns the first one broken.
    pub fn check(&self, open: &[OpenItem<K>]) -> Result<(), &'static str>
    where
        K: PartialEq,
    {
        let currency = self.amount.currency();
        let allocated = Money::sum(currency, self.allocations.iter().map(|a| a.amount))
            .map_err(|_| "allocations mix currencies or overflow")?;
        if allocated.checked_add(self.unapplied) != Ok(self.amount) {
            return Err("allocated + unapplied != payment");
        }
        if self.unapplied.is_negative() {
            return Err("unapplied cash is negative");
        }
        for a in &self.allocations {
            if !a.amount.is_positive() {
                return Err("an allocation is not positive");
            }
            let Some(item) = open.iter().find(|o| o.invoice == a.invoice) else {
                return Err("an allocation names an invoice that is not open");
            };
            if a.amount.minor() > item.balance.minor() {
                return Err("an allocation exceeds the invoice balance");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn oldest_first_then_unapplied() {
        let open = vec![OpenItem { invoice: 1, balance: eur(500) }, OpenItem { invoice: 2, balance: eur(300) }];
        let plan = allocate(eur(1000), &open).unwrap();
        assert_eq!(
            plan.allocations,
            vec![Allocation { invoice: 1, amount: eur(500) }, Allocation { invoice: 2, amount: eur(300) }]
        );
        assert_eq!(plan.unapplied, eur(200));
    }

    #[test]
    fn paying_one_invoice_is_bounded_by_its_balance() {
        let item = OpenItem { invoice: "A", balance: eur(500) };
        assert_eq!(pay_one(eur(200), &item).unwrap().allocations[0].amount, eur(200));
        assert!(matches!(pay_one(eur(501), &item), Err(LedgerError::MoreThanOpen { .. })));
        assert_eq!(pay_one(eur(0), &item), Err(LedgerError::NotPositive));
        let settled = OpenItem { invoice: "B", balance: eur(0) };
        assert_eq!(pay_one(eur(1), &settled), Err(LedgerError::NothingOpen));
        let dkk = Money::from_minor(1, Currency::DKK);
        assert!(matches!(pay_one(dkk, &item), Err(LedgerError::Money(_))));
    }

    proptest! {
        #[test]
        fn allocation_keeps_every_cent(
            payment in 1i64..5_000_000,
            balances in proptest::collection::vec(-1000i64..2_000_000, 0..12),
        ) {
            let open: Vec<_> = balances.iter().enumerate()
                .map(|(i, b)| OpenItem { invoice: i, balance: eur(*b) })
                .collect();
            let plan = allocate(eur(payment), &open).unwrap();
            prop_assert_eq!(plan.check(&open), Ok(()));
            let open_total: i64 = balances.iter().filter(|b| **b > 0).sum();
            // Unapplied cash only exists once every open invoice is settled.
            prop_assert_eq!(plan.unapplied.minor(), (payment - open_total).max(0));
        }
    }
}
