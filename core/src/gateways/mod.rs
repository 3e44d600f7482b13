//! Payment gateways behind one trait. The core sends a [`StartPayment`] and gets a
//! [`GatewayPayment`] back; no gateway's own types leave its module. `sandbox` needs no
//! network and approves or declines on demand, for the demo and the tests.

pub mod sandbox;

use async_trait::async_trait;
use kassa_domain::Money;

#[derive(Debug, Clone)]
pub struct StartPayment {
    pub amount: Money,
    /// The same key always yields the same gateway payment: a replay never charges twice.
    pub idempotency_key: String,
    pub description: String,
    /// Only the sandbox reads this: whether the test payment should succeed.
    pub sandbox_approve: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayStatus {
    Succeeded,
    /// Accepted, money not yet confirmed (a direct debit): the provider reports later.
    Processing,
    /// The payer must act first (3-D Secure, a bank's page).
    RequiresAction,
    /// `decline_code` is the provider's code (`card_declined`, `insufficient_funds`, ...);
    /// edges turn it into words.
    Declined {
        decline_code: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPayment {
    pub reference: String,
    /// What the provider charged: the ledger records this, not what the browser asked for.
    pub amount: Money,
    pub status: GatewayStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider could not be reached: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Short name stored with each payment ("sandbox", "stripe").
    fn name(&self) -> &'static str;
    /// How the debtor sees the method on receipts.
    fn method_label(&self) -> &'static str;
    async fn start(&self, request: StartPayment) -> Result<GatewayPayment, GatewayError>;
}
