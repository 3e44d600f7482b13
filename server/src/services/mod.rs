//! The use cases. Each takes the domain's decisions and persists them, writes in one
//! transaction, and scopes every query to the merchant (and debtor) it acts for. Leptos server
//! functions (through `backend`) and plain HTTP handlers both call these.

pub mod admin;
pub mod auth;
pub mod payments;
pub mod portal;
pub mod records;
pub mod throttle;
pub mod widget;

use std::sync::Arc;

use crate::db::Pool;
use crate::gateways::PaymentGateway;

#[derive(Clone)]
pub struct Services {
    pub pool: Pool,
    pub gateway: Arc<dyn PaymentGateway>,
    pub tokens: widget::TokenSigner,
    pub public_url: String,
}
