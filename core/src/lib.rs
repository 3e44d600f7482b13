//! Kassa's service layer: every use case (read an account, pay, sign in, seed a merchant...)
//! as one function that every caller — portal and admin server functions, the REST API, the
//! CLI, jobs — calls directly with a [`Principal`] (who asks) and a typed command. A service
//! authorises the principal, lets `kassa-domain` decide, persists the decision in one
//! transaction on SQLite or PostgreSQL, and returns domain or service types and [`Error`]s
//! that are codes with fields. No HTTP, no sessions, no view models and no words for people
//! live here: those belong to the edges.

pub mod audit;
pub mod db;
pub mod error;
pub mod events;
pub mod gateways;
pub mod imports;
pub mod jobs;
pub mod labels;
pub mod mail;
pub mod maintenance;
pub mod overdue;
pub mod principal;
pub mod secrets;
pub mod services;
pub mod webhooks;

use std::sync::Arc;

pub use error::{Error, Result};
pub use principal::Principal;

/// What every service call needs: the database, the payment gateways, the token signer and
/// the public URL links are built on ([`Shared`], read through the context), and where the
/// current request comes from. Cheap to clone: one `Arc` and the origin. Every request clones
/// it, often more than once (the router's handlers hold it), so nothing here is copied.
#[derive(Clone)]
pub struct Ctx {
    shared: Arc<Shared>,
    /// Where the current request comes from, for the audit log; edges set it per request
    /// with [`Ctx::from_origin`].
    pub origin: audit::Origin,
}

/// What every [`Ctx`] of a process shares.
#[derive(Clone)]
pub struct Shared {
    pub pool: db::Pool,
    /// Every payment gateway this Kassa knows, by name; each merchant pays through one.
    pub gateways: gateways::Gateways,
    pub tokens: services::widget::TokenSigner,
    pub public_url: String,
    /// Whether webhook endpoints may be loopback or private addresses (development and
    /// tests only; see [`webhooks::target`]).
    pub allow_private_webhooks: bool,
    /// Seals webhook signing secrets for the database (key derived from the instance key).
    pub webhook_secrets: secrets::Sealer,
    /// Seals merchants' credentials with payment providers (Stripe's secret key and webhook
    /// signing secret).
    pub gateway_secrets: secrets::Sealer,
    /// Where outgoing mail goes: an SMTP server, or the mail catcher.
    pub mailer: Arc<dyn mail::Mailer>,
    /// What reading gateways' events needs, kept for a few seconds (shared by clones).
    pub senders: Arc<services::gateway_events::Senders>,
    /// Words Kassa writes into records (an invoice line it makes), in the customer's language.
    pub labels: Arc<dyn labels::Labels>,
}

impl Ctx {
    pub fn new(shared: Shared, origin: audit::Origin) -> Ctx {
        Ctx { shared: Arc::new(shared), origin }
    }

    /// This context for a request from `origin`.
    pub fn from_origin(&self, origin: audit::Origin) -> Ctx {
        Ctx { shared: self.shared.clone(), origin }
    }

    /// This context with other payment gateways (a test's stand-in for one).
    pub fn with_gateways(&self, gateways: gateways::Gateways) -> Ctx {
        Ctx::new(Shared { gateways, ..(*self.shared).clone() }, self.origin.clone())
    }
}

impl std::ops::Deref for Ctx {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}
