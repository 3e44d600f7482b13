//! Promises to pay: a debtor names a date (and optionally an amount) within the merchant's
//! window; collection of the promised invoices waits until that date plus the grace period;
//! then the promise is kept (paid in time) or broken.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromiseError {
    #[error("the promised date {date} is before today {today}")]
    InThePast { today: Date, date: Date },
    #[error("the promised date {date} is after {latest}, the last the merchant allows")]
    TooFar { date: Date, latest: Date },
    #[error("a promise is of a positive amount, at most what is owed ({owed})")]
    BadAmount { owed: Money },
}

/// The merchant's rules for promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromisePolicy {
    /// The latest date a debtor may promise, in days from the day they promise.
    pub window_days: u32,
    /// Days after the promised date before the promise counts as broken.
    pub grace_days: u32,
}

impl Default for PromisePolicy {
    fn default() -> Self {
        PromisePolicy { window_days: 30, grace_days: 3 }
    }
}

/// A promise as made: to pay `amount` by `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub date: Date,
    pub amount: Money,
}

/// How a promise stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseState {
    /// Waiting for its date (plus grace): collection of its invoices pauses.
    Open,
    Kept,
    Broken,
}

impl PromiseState {
    pub fn as_str(&self) -> &'static str {
        match self {
            PromiseState::Open => "open",
            PromiseState::Kept => "kept",
            PromiseState::Broken => "broken",
        }
    }
}

impl PromisePolicy {
    /// A promise made on `today` to pay `amount` (all that is `owed` when none) by `date`,
    /// if the policy allows it.
    pub fn promise(
        &self,
        today: Date,
        date: Date,
        amount: Option<Money>,
        owed: Money,
    ) -> Result<Promise, PromiseError> {
        if date < today {
            return Err(PromiseError::InThePast { today, date });
        }
        let latest = self.latest(today);
        if date > latest {
            return Err(PromiseError::TooFar { date, latest });
        }
        let amount = amount.unwrap_or(owed);
        if !amount.is_positive() || amount.currency() != owed.currency() || amount.minor() > owed.minor() {
            return Err(PromiseError::BadAmount { owed });
        }
        Ok(Promise { date, amount })
    }

    /// The last date a promise made on `today` may name.
    pub fn latest(&self, today: Date) -> Date {
        today.checked_add(Duration::days(i64::from(self.window_days))).unwrap_or(Date::MAX)
    }

    /// The last day collection waits for `promise`.
    pub fn pause_until(&self, promise: &Promise) -> Date {
        promise.date.checked_add(Duration::days(i64::from(self.grace_days))).unwrap_or(Date::MAX)
    }

    /// How `promise` stands on `today` with `paid` paid towards its invoices since it was
    /// made: kept once the amount is paid by its date plus grace, broken after that.
    pub fn state(&self, promise: &Promise, paid: Money, today: Date) -> PromiseState {
        if paid.minor() >= promise.amount.minor() {
            PromiseState::Kept
        } else if today > self.pause_until(promise) {
            PromiseState::Broken
        } else {
            PromiseState::Open
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;
    use time::macros::date;

    fn eur(minor: i64) -> Money {
        Money::from_minor(minor, Currency::EUR)
    }

    #[test]
    fn a_promise_is_within_the_window_and_of_what_is_owed() {
        let policy = PromisePolicy::default(); // 30 days, 3 days' grace
        let today = date!(2026 - 12 - 01);
        assert_eq!(
            policy.promise(today, date!(2026 - 12 - 15), None, eur(10_000)),
            Ok(Promise { date: date!(2026 - 12 - 15), amount: eur(10_000) })
        );
        assert_eq!(
            policy.promise(today, date!(2026 - 12 - 31), Some(eur(4_000)), eur(10_000)).map(|p| p.amount),
            Ok(eur(4_000))
        );
        assert!(matches!(
            policy.promise(today, date!(2026 - 11 - 30), None, eur(1)),
            Err(PromiseError::InThePast { .. })
        ));
        assert_eq!(
            policy.promise(today, date!(2027 - 01 - 01), None, eur(1)),
            Err(PromiseError::TooFar { date: date!(2027 - 01 - 01), latest: date!(2026 - 12 - 31) })
        );
        assert!(matches!(
            policy.promise(today, today, Some(eur(10_001)), eur(10_000)),
            Err(PromiseError::BadAmount { .. })
        ));
        assert!(matches!(policy.promise(today, today, Some(eur(0)), eur(10_000)), Err(PromiseError::BadAmount { .. })));
    }

    #[test]
    fn kept_when_paid_in_time_broken_after_the_grace() {
        let policy = PromisePolicy::default();
        let promise = Promise { date: date!(2026 - 12 - 15), amount: eur(10_000) };
        assert_eq!(policy.state(&promise, eur(9_999), date!(2026 - 12 - 18)), PromiseState::Open);
        assert_eq!(policy.state(&promise, eur(9_999), date!(2026 - 12 - 19)), PromiseState::Broken);
        assert_eq!(policy.state(&promise, eur(10_000), date!(2026 - 12 - 10)), PromiseState::Kept);
    }

    proptest! {
        #[test]
        fn a_promise_is_never_both_open_and_past_its_grace(days in 0i64..400, paid in 0i64..20_000, grace in 0u32..30) {
            let policy = PromisePolicy { window_days: 60, grace_days: grace };
            let promise = Promise { date: date!(2026 - 12 - 15), amount: eur(10_000) };
            let today = date!(2026 - 12 - 01) + Duration::days(days);
            let state = policy.state(&promise, eur(paid), today);
            prop_assert_eq!(state == PromiseState::Kept, paid >= 10_000);
            prop_assert_eq!(state == PromiseState::Open, paid < 10_000 && today <= policy.pause_until(&promise));
        }
    }
}
