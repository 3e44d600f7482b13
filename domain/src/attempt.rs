//! A payment attempt: what was asked of a payment provider, and where it stands. Its state
//! only moves forward — a provider's late or repeated message can never turn a succeeded
//! payment back into a pending one — and [`AttemptState::can_become`] is that rule as code.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Written before the provider is called.
    Pending,
    /// The payer must act (3-D Secure, a bank's page).
    RequiresAction,
    /// The provider accepted it; the money is on its way (SEPA Direct Debit takes days).
    Processing,
    Succeeded,
    Failed,
    Canceled,
    /// Succeeded, then paid back in full.
    Refunded,
    /// Succeeded, then contested by the payer with their bank or card issuer: a chargeback
    /// (Stripe calls it a dispute; in Kassa a dispute is a debtor contesting an invoice).
    Chargeback,
    /// The merchant won the chargeback: the money stays paid.
    ChargebackWon,
    /// The merchant lost the chargeback: the money went back to the payer.
    ChargebackLost,
}

impl AttemptState {
    pub const ALL: [AttemptState; 10] = [
        AttemptState::Pending,
        AttemptState::RequiresAction,
        AttemptState::Processing,
        AttemptState::Succeeded,
        AttemptState::Failed,
        AttemptState::Canceled,
        AttemptState::Refunded,
        AttemptState::Chargeback,
        AttemptState::ChargebackWon,
        AttemptState::ChargebackLost,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AttemptState::Pending => "pending",
            AttemptState::RequiresAction => "requires_action",
            AttemptState::Processing => "processing",
            AttemptState::Succeeded => "succeeded",
            AttemptState::Failed => "failed",
            AttemptState::Canceled => "canceled",
            AttemptState::Refunded => "refunded",
            AttemptState::Chargeback => "chargeback",
            AttemptState::ChargebackWon => "chargeback_won",
            AttemptState::ChargebackLost => "chargeback_lost",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptState> {
        AttemptState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Still waiting for the provider or the payer: another attempt on the same invoices
    /// would risk charging twice.
    pub fn is_open(&self) -> bool {
        matches!(self, AttemptState::Pending | AttemptState::RequiresAction | AttemptState::Processing)
    }

    /// Forward only: pending → requires action → processing → succeeded, failed or canceled;
    /// a failed payment can still succeed (a provider such as Stripe lets the payer try another
    /// card on the same payment: money it then takes is never lost); a succeeded payment can
    /// later be refunded in full or charged back; a chargeback is won or lost; a won one can
    /// still be refunded.
    pub fn can_become(&self, next: AttemptState) -> bool {
        use AttemptState::*;
        match self {
            Pending => matches!(next, RequiresAction | Processing | Succeeded | Failed | Canceled),
            RequiresAction => matches!(next, Processing | Succeeded | Failed | Canceled),
            Processing => matches!(next, Succeeded | Failed | Canceled),
            Succeeded => matches!(next, Refunded | Chargeback),
            Chargeback => matches!(next, ChargebackWon | ChargebackLost),
            ChargebackWon => matches!(next, Refunded),
            Failed => matches!(next, Succeeded),
            Canceled | Refunded | ChargebackLost => false,
        }
    }

    /// Whether the money reached the merchant at some point (the attempt has a payment).
    pub fn was_paid(&self) -> bool {
        use AttemptState::*;
        matches!(self, Succeeded | Refunded | Chargeback | ChargebackWon | ChargebackLost)
    }

    /// The states this one may be reached from (for a guarded `UPDATE ... WHERE state IN`).
    pub fn predecessors(&self) -> Vec<AttemptState> {
        AttemptState::ALL.into_iter().filter(|s| s.can_become(*self)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rank that every allowed move strictly increases: the states form no cycle.
    fn rank(s: AttemptState) -> u8 {
        use AttemptState::*;
        match s {
            Pending => 0,
            RequiresAction => 1,
            Processing => 2,
            Failed | Canceled => 3,
            Succeeded => 4,
            Chargeback => 5,
            ChargebackWon | ChargebackLost => 6,
            Refunded => 7,
        }
    }

    #[test]
    fn states_only_move_forward() {
        for from in AttemptState::ALL {
            assert!(!from.can_become(from), "{from:?} to itself");
            for to in AttemptState::ALL {
                if from.can_become(to) {
                    assert!(rank(to) > rank(from), "{from:?} -> {to:?} goes back");
                }
            }
            assert_eq!(AttemptState::parse(from.as_str()), Some(from));
        }
        assert!(!AttemptState::Succeeded.can_become(AttemptState::Pending));
        assert!(AttemptState::Failed.can_become(AttemptState::Succeeded));
        assert!(!AttemptState::Failed.can_become(AttemptState::Processing));
        assert!(!AttemptState::Canceled.can_become(AttemptState::Succeeded));
        assert_eq!(
            AttemptState::Succeeded.predecessors(),
            [AttemptState::Pending, AttemptState::RequiresAction, AttemptState::Processing, AttemptState::Failed]
        );
    }
}
