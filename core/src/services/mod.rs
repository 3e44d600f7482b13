//! The use cases, one module per area. Each function takes the [`crate::Ctx`], the
//! [`crate::Principal`] asking and a typed command; it authorises, lets the domain decide,
//! writes in one transaction and scopes every query to the principal's merchant (and debtor).

pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod customers;
pub mod disputes;
pub mod entries;
pub mod gateway_events;
pub mod invoices;
pub mod ledger;
pub mod listing;
pub mod logos;
pub mod mandates;
pub mod merchants;
pub mod notices;
pub mod payments;
pub mod plans;
pub mod portal;
pub mod promises;
pub mod records;
pub mod refunds;
pub mod reports;
pub mod staff;
pub mod statements;
pub mod stripe_accounts;
pub mod throttle;
pub mod webhooks;
pub mod widget;
