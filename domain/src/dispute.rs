//! Disputes: a debtor contests a whole invoice or chosen lines. Only the disputed amount
//! leaves collection; the rest stays payable. A dispute moves open -> under review ->
//! resolved (or open -> resolved), and a resolved one never reopens.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeError {
    #[error("a disputed amount is positive and at most {most}")]
    BadAmount { most: Money },
    #[error("nothing left to dispute on this invoice")]
    NothingOpen,
    #[error("a dispute {from} cannot become {to}")]
    BadMove { from: &'static str, to: &'static str },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Why the debtor disputes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeReason {
    NotReceived,
    Damaged,
    WrongPriceOrQuantity,
    AlreadyPaid,
    Other,
}

impl DisputeReason {
    pub const ALL: [DisputeReason; 5] = [
        DisputeReason::NotReceived,
        DisputeReason::Damaged,
        DisputeReason::WrongPriceOrQuantity,
        DisputeReason::AlreadyPaid,
        DisputeReason::Other,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeReason::NotReceived => "not_received",
            DisputeReason::Damaged => "damaged",
            DisputeReason::WrongPriceOrQuantity => "wrong_price_or_quantity",
            DisputeReason::AlreadyPaid => "already_paid",
            DisputeReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeReason> {
        DisputeReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Where a dispute is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    Open,
    UnderReview,
    Resolved,
}

impl DisputeStatus {
    pub const ALL: [DisputeStatus; 3] = [DisputeStatus::Open, DisputeStatus::UnderReview, DisputeStatus::Resolved];

    pub fn as_str(&self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::UnderReview => "under_review",
            DisputeStatus::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeStatus> {
        DisputeStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Takes the amount it disputes out of collection.
    pub fn holds(&self) -> bool {
        !matches!(self, DisputeStatus::Resolved)
    }

    /// Moves to `to` if a dispute may: forward only, and never out of resolved.
    pub fn move_to(self, to: DisputeStatus) -> Result<DisputeStatus, DisputeError> {
        match (self, to) {
            (DisputeStatus::Open, DisputeStatus::UnderReview | DisputeStatus::Resolved)
            | (DisputeStatus::UnderReview, DisputeStatus::Resolved) => Ok(to),
            _ => Err(DisputeError::BadMove { from: self.as_str(), to: to.as_str() }),
        }
    }
}

/// How staff resolved a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A credit note for the disputed amount.
    CreditedInFull,
    /// A credit note for part of it; the rest is owed again.
    CreditedInPart,
    /// Nothing credited: the whole amount is owed again, with the reason given.
    Rejected,
    /// The invoice was corrected another way (a new invoice, a changed line); nothing here.
    Adjusted,
}

impl Outcome {
    pub const ALL: [Outcome; 4] =
        [Outcome::CreditedInFull, Outcome::CreditedInPart, Outcome::Rejected, Outcome::Adjusted];

    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Issues a credit note.
    pub fn credits(&self) -> bool {
        matches!(self, Outcome::CreditedInFull | Outcome::CreditedInPart)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::CreditedInFull => "credited_in_full",
            Outcome::CreditedInPart => "credited_in_part",
            Outcome::Rejected => "rejected",
            Outcome::Adjusted => "adjusted",
        }
    }

    /// What `credit` (the credit note's amount, if any) must be for this outcome of a
    /// dispute of `disputed`.
    pub fn check_credit(&self, disputed: Money, credit: Option<Money>) -> Result<(), DisputeError> {
        let zero = Money::from_minor(0, disputed.currency());
        let credit = credit.unwrap_or(zero);
        let fits = credit.currency() == disputed.currency()
            && match self {
                Outcome::CreditedInFull => credit == disputed,
                Outcome::CreditedInPart => credit.is_positive() && credit.minor() < disputed.minor(),
                Outcome::Rejected | Outcome::Adjusted => credit.is_zero(),
            };
        if fits {
            Ok(())
        } else {
            Err(DisputeError::BadAmount { most: disputed })
        }
    }
}

/// The amount a new dispute holds: by default the chosen lines' amounts (the whole open
/// balance when no line is chosen), never more than the invoice's open balance; the debtor
/// may ask for less (`asked`), never more.
pub fn disputed_amount(open_balance: Money, lines: &[Money], asked: Option<Money>) -> Result<Money, DisputeError> {
    if !open_balance.is_positive() {
        return Err(DisputeError::NothingOpen);
    }
    let most = if lines.is_empty() {
        open_balance
    } else {
        Money::sum(open_balance.currency(), lines.iter().copied())?.min(open_balance)?
    };
    match asked {
        None if most.is_positive() => Ok(most),
        Some(asked) if asked.is_positive() && asked.currency() == most.currency() && asked.minor() <= most.minor() => {
            Ok(asked)
        }
        _ => Err(DisputeError::BadAmount { most }),
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
    fn the_lines_amounts_by_default_editable_down_never_above_the_balance() {
        assert_eq!(disputed_amount(eur(50_000), &[], None), Ok(eur(50_000)));
        assert_eq!(disputed_amount(eur(50_000), &[eur(12_000), eur(3_000)], None), Ok(eur(15_000)));
        assert_eq!(disputed_amount(eur(10_000), &[eur(12_000), eur(3_000)], None), Ok(eur(10_000)), "part paid");
        assert_eq!(disputed_amount(eur(50_000), &[eur(12_000)], Some(eur(5_000))), Ok(eur(5_000)));
        assert_eq!(
            disputed_amount(eur(50_000), &[eur(12_000)], Some(eur(12_001))),
            Err(DisputeError::BadAmount { most: eur(12_000) })
        );
        assert!(disputed_amount(eur(50_000), &[], Some(eur(0))).is_err());
        assert_eq!(disputed_amount(eur(0), &[], None), Err(DisputeError::NothingOpen));
    }

    #[test]
    fn a_dispute_moves_forward_only() {
        use DisputeStatus::*;
        assert_eq!(Open.move_to(UnderReview), Ok(UnderReview));
        assert_eq!(Open.move_to(Resolved), Ok(Resolved));
        assert_eq!(UnderReview.move_to(Resolved), Ok(Resolved));
        assert!(Resolved.move_to(Open).is_err());
        assert!(Resolved.move_to(UnderReview).is_err());
        assert!(UnderReview.move_to(Open).is_err());
        assert!(Open.move_to(Open).is_err());
        assert!(Open.holds() && UnderReview.holds() && !Resolved.holds());
    }

    #[test]
    fn each_outcome_has_its_credit() {
        let d = eur(10_000);
        assert!(Outcome::CreditedInFull.check_credit(d, Some(eur(10_000))).is_ok());
        assert!(Outcome::CreditedInFull.check_credit(d, Some(eur(9_000))).is_err());
        assert!(Outcome::CreditedInPart.check_credit(d, Some(eur(4_000))).is_ok());
        assert!(Outcome::CreditedInPart.check_credit(d, Some(eur(10_000))).is_err());
        assert!(Outcome::CreditedInPart.check_credit(d, None).is_err());
        assert!(Outcome::Rejected.check_credit(d, None).is_ok());
        assert!(Outcome::Rejected.check_credit(d, Some(eur(1))).is_err());
        assert!(Outcome::Adjusted.check_credit(d, None).is_ok());
    }

    proptest! {
        #[test]
        fn a_dispute_never_holds_more_than_is_open(
            open in -1_000i64..1_000_000,
            lines in proptest::collection::vec(0i64..500_000, 0..6),
            asked in proptest::option::of(-10i64..1_000_000),
        ) {
            let lines: Vec<Money> = lines.into_iter().map(eur).collect();
            if let Ok(held) = disputed_amount(eur(open), &lines, asked.map(eur)) {
                prop_assert!(held.is_positive());
                prop_assert!(held.minor() <= open);
                if !lines.is_empty() {
                    prop_assert!(held.minor() <= lines.iter().map(|l| l.minor()).sum::<i64>());
                }
            }
        }
    }
}
