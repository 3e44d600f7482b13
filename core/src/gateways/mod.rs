//! Payment gateways behind one trait, as hyperswitch shapes its connectors: the core asks a
//! gateway to create a payment, retrieve it, refund it, and read an event it sent, always in
//! Kassa's own types ([`CreatePayment`], [`GatewayPayment`], [`GatewayEvent`], ...); no
//! gateway's own types leave its module. Each merchant pays through its own [`Account`] with
//! a gateway (its credentials, test or live), and the [`Gateways`] registry holds every
//! gateway a Kassa process knows by name. `sandbox` needs no network and behaves like a
//! provider in test mode: the payer goes to its checkout page and chooses a test card there.
//! `stripe` is Stripe, through the async-stripe crates.

pub mod sandbox;
pub mod signature;
pub mod stripe;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use kassa_domain::{MerchantId, Money};
use secrecy::SecretString;

/// What a merchant pays through at one gateway: whose money it is and the credentials the
/// gateway needs (none for the sandbox).
#[derive(Clone)]
pub struct Account {
    pub merchant: MerchantId,
    /// Live money, or the gateway's test mode.
    pub live: bool,
    pub credentials: Option<Credentials>,
}

impl std::fmt::Debug for Account {
    // Credentials never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("merchant", &self.merchant).field("live", &self.live).finish_non_exhaustive()
    }
}

/// A merchant's own account with a provider (Stripe's keys), kept sealed in the database
/// and opened only to talk to the provider.
#[derive(Clone)]
pub struct Credentials {
    /// Server-side key (`sk_...` or a restricted `rk_...`).
    pub secret_key: SecretString,
    /// The browser's key (`pk_...`): public by design, it goes to the pay page.
    pub publishable_key: String,
    /// Signs the provider's events to Kassa (`whsec_...`).
    pub webhook_secret: SecretString,
    /// The payment method types to offer (`card`, `ideal`, ...); empty: every method the
    /// merchant enabled at the provider.
    pub methods: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CreatePayment {
    pub amount: Money,
    /// The same key always yields the same gateway payment: a replay never charges twice.
    pub idempotency_key: String,
    /// For the payer's bank statement and the merchant's dashboard at the provider.
    pub description: String,
    /// Where the payer comes back to after a provider's page (3-D Secure, a bank, the
    /// sandbox's checkout), as an absolute URL.
    pub return_url: String,
    /// Kassa's attempt, kept with the provider's payment (metadata) so that an event about a
    /// payment Kassa never heard back about still finds its attempt.
    pub attempt: String,
    /// Charge this method the payer authorised before (a direct-debit mandate), at once and
    /// without them ("off session"); `None`: the payer pays now, on the provider's form.
    pub saved: Option<SavedMethod>,
}

/// A payment method a payer authorised Kassa to charge later: what a [`GatewaySetup`] that
/// succeeded gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// The payer at the provider (Stripe's Customer).
    pub customer: String,
    pub payment_method: String,
    /// The mandate the payer signed, when the provider names one.
    pub mandate: Option<String>,
}

/// Asks the provider to set up a SEPA Direct Debit mandate: the payer gives their IBAN and
/// accepts the mandate on Kassa's form (the provider's own fields), and Kassa may then collect
/// from that account ([`CreatePayment::saved`]).
#[derive(Debug, Clone)]
pub struct SetupMandate {
    /// The same key always yields the same setup.
    pub idempotency_key: String,
    /// Kassa's mandate, kept with the provider's setup (metadata): its event finds it.
    pub mandate: String,
    /// The payer's name and address, for the provider's customer and the mandate.
    pub name: String,
    pub email: Option<String>,
    /// What the mandate is for, as the payer's bank shows it.
    pub description: String,
}

/// Where a mandate's setup stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStatus {
    /// The payer must give their account and accept the mandate on Kassa's form.
    RequiresAction,
    /// Given, being checked by the provider.
    Processing,
    /// Set up: the method can be charged.
    Succeeded,
    /// Refused (`code` is the provider's reason); the payer may try again.
    Failed {
        code: String,
    },
    Canceled,
}

/// A mandate's setup as the provider sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySetup {
    pub reference: String,
    /// Kassa's mandate, as the provider keeps it (metadata).
    pub mandate: Option<String>,
    pub status: SetupStatus,
    /// What it gave once it succeeded.
    pub saved: Option<SavedMethod>,
    /// The account's last four digits, for the payer to recognise it.
    pub last4: Option<String>,
    /// While the payer must act: the secret Kassa's form gives the provider's script (never
    /// stored; the form asks again).
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayStatus {
    Succeeded,
    /// Accepted, money not yet confirmed (a direct debit): the provider reports later.
    Processing,
    /// The payer must act first (3-D Secure, a bank's page, a provider's checkout).
    RequiresAction,
    /// `decline_code` is the provider's code (`card_declined`, `insufficient_funds`, ...);
    /// edges turn it into words.
    Declined {
        decline_code: String,
    },
    /// Given up before it was paid (by the payer, or expired).
    Canceled,
}

/// What the payer must do next while a payment requires action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextAction {
    /// Open this page (a provider's checkout, a bank's page); it sends the payer back to the
    /// payment's `return_url`.
    Redirect(String),
    /// Kassa's payment form, where the provider's own script (Stripe's Payment Element)
    /// collects the payer's details with this secret and confirms the payment: card data
    /// never passes through Kassa. The secret is never stored; the form asks again.
    PaymentForm { client_secret: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPayment {
    pub reference: String,
    /// What the provider charged: the ledger records this, not what the browser asked for.
    pub amount: Money,
    pub status: GatewayStatus,
    /// The method as a code (`card`, `ideal`, `sepa_debit`, `sandbox`), once known; edges turn
    /// it into words.
    pub method: Option<String>,
    pub next: Option<NextAction>,
    /// Kassa's attempt, as the provider keeps it with the payment (metadata): finds the
    /// attempt when the provider's first answer never reached Kassa.
    pub attempt: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RefundPayment {
    /// Kassa's refund, kept with the provider's (metadata) so that its event finds it.
    pub refund: String,
    pub payment_reference: String,
    pub amount: Money,
    /// The same key always yields the same refund.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayRefund {
    pub reference: String,
    /// Kassa's refund, as the provider keeps it (metadata), when it does.
    pub refund: Option<String>,
    pub payment_reference: String,
    pub amount: Money,
    pub status: RefundStatus,
}

/// Where a chargeback stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargebackStatus {
    /// The money was taken back from the merchant while the bank decides.
    Opened,
    /// The bank decided for the merchant: the money came back.
    Won,
    /// The bank decided for the payer: the money stays with them.
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayChargeback {
    /// The provider's id for the chargeback.
    pub reference: String,
    /// The payment contested.
    pub payment_reference: String,
    pub amount: Money,
    pub status: ChargebackStatus,
}

/// An event a gateway sent (a webhook), read into Kassa's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayEvent {
    /// The provider's event id: each is applied once.
    pub id: String,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A payment moved (succeeded, processing, declined, canceled, requires action).
    Payment(GatewayPayment),
    Refund(GatewayRefund),
    /// The payer contested a payment with their bank (Stripe's "dispute"), or that came to an
    /// end.
    Chargeback(GatewayChargeback),
    /// A mandate's setup moved (succeeded, failed, canceled).
    Setup(GatewaySetup),
    /// Anything Kassa does not act on, by the provider's type name.
    Other(String),
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider could not be reached: {0}")]
    Unavailable(String),
    /// The provider answered with a refusal that is not a decline (a bad key, a bad request).
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    #[error("the payment provider does not know {0}")]
    NotFound(String),
}

/// Why an incoming event was not accepted: answered with 400 and recorded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("the signature does not match: {0}")]
    BadSignature(&'static str),
    #[error("the event cannot be read: {0}")]
    Unreadable(String),
}

#[async_trait]
pub trait PaymentGateway: Send + Sync + 'static {
    /// Short name stored with each attempt and payment ("sandbox", "stripe").
    fn name(&self) -> &'static str;
    /// The HTTP header its events' signature comes in (`stripe-signature`).
    fn signature_header(&self) -> &'static str;
    /// Creates (or, for a key seen before, finds) a payment for `request.amount`.
    async fn create(&self, account: &Account, request: CreatePayment) -> Result<GatewayPayment, GatewayError>;
    /// The payment as the provider sees it now.
    async fn retrieve(&self, account: &Account, reference: &str) -> Result<GatewayPayment, GatewayError>;
    /// Pays (part of) a succeeded payment back.
    async fn refund(&self, account: &Account, request: RefundPayment) -> Result<GatewayRefund, GatewayError>;
    /// Checks an incoming event's signature (the provider's header, as sent) and reads it.
    /// `now` is unix seconds, for the signature's age.
    fn event(&self, account: &Account, signature: &str, body: &[u8], now: i64) -> Result<GatewayEvent, EventError>;
    /// Whether it collects by SEPA Direct Debit mandates ([`PaymentGateway::setup`]).
    fn mandates(&self) -> bool {
        false
    }
    /// Starts setting up a direct-debit mandate (or, for a key seen before, finds it).
    async fn setup(&self, _account: &Account, _request: SetupMandate) -> Result<GatewaySetup, GatewayError> {
        Err(GatewayError::Refused(format!("{} does not collect by direct debit", self.name())))
    }
    /// A mandate's setup as the provider sees it now.
    async fn retrieve_setup(&self, _account: &Account, reference: &str) -> Result<GatewaySetup, GatewayError> {
        Err(GatewayError::NotFound(reference.to_string()))
    }
}

/// Every gateway this Kassa knows, by name.
#[derive(Clone, Default)]
pub struct Gateways {
    by_name: BTreeMap<&'static str, Arc<dyn PaymentGateway>>,
    sandbox: Option<Arc<sandbox::Sandbox>>,
}

impl Gateways {
    /// Every gateway Kassa ships, for a process at `public_url` (the sandbox's checkout page
    /// is one of its pages) with `instance_key` (the sandbox signs its events with a key
    /// derived from it).
    /// `stripe_api` is Stripe's API root ([`stripe::API_URL`], or a stand-in's in tests).
    pub fn standard(pool: &crate::db::Pool, public_url: &str, instance_key: &[u8], stripe_api: &str) -> Gateways {
        let sandbox = Arc::new(sandbox::Sandbox::new(pool.clone(), public_url, instance_key));
        Gateways { sandbox: Some(sandbox.clone()), ..Gateways::default() }
            .with(sandbox)
            .with(Arc::new(stripe::Stripe::new(stripe_api)))
    }

    /// The sandbox itself (its checkout page settles its payments and sends its events).
    pub fn sandbox(&self) -> Option<&Arc<sandbox::Sandbox>> {
        self.sandbox.as_ref()
    }

    /// These gateways, each under its own name (a later one replaces an earlier of the same
    /// name: tests put a provider of their own in the sandbox's place this way).
    pub fn with(mut self, gateway: Arc<dyn PaymentGateway>) -> Gateways {
        self.by_name.insert(gateway.name(), gateway);
        self
    }

    /// Puts `gateway` in the place of the one registered under `name`.
    pub fn replace(mut self, name: &'static str, gateway: Arc<dyn PaymentGateway>) -> Gateways {
        self.by_name.insert(name, gateway);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn PaymentGateway>> {
        self.by_name.get(name)
    }
}
