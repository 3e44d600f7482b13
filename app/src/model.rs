//! What the pages show, as plain serialisable structs. The server fills them in; the UI only
//! renders them. Amounts arrive as [`Money`] so the browser formats them without floats.

use kassa_domain::{InvoiceStatus, Money};
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub slug: String,
    pub name: String,
    pub logo_url: Option<String>,
    /// Test mode: every page says so, and the pay form lets the debtor pick the outcome.
    pub test_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub total: Money,
    pub balance: Money,
    pub status: InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalOverview {
    pub merchant: Branding,
    pub customer_name: String,
    /// Per currency: what is still open, and how much of that is overdue.
    pub totals: Vec<CurrencyTotals>,
    /// Credit held on the account, per currency.
    pub credit: Vec<Money>,
    pub invoices: Vec<InvoiceSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    pub due: Money,
    pub overdue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub unit_price: Money,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDetail {
    pub merchant: Branding,
    pub customer_name: String,
    pub invoice: InvoiceSummary,
    pub lines: Vec<LineView>,
    pub paid: Money,
    /// A fresh idempotency key for the pay form: a double click or a replayed post with the
    /// same key pays once.
    pub pay_key: String,
    pub settlements: Vec<SettlementLine>,
}

/// A payment, credit note or write-off on an invoice, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettlementLine {
    pub label: String,
    pub at: String,
    pub amount: Money,
    /// The payment's id, for a link to its receipt.
    pub receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub merchant: Branding,
    pub payment_id: String,
    pub paid_at: String,
    pub amount: Money,
    pub method: String,
    pub reference: String,
    pub invoices: Vec<ReceiptInvoice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptInvoice {
    pub number: String,
    pub allocated: Money,
    pub balance_after: Money,
    pub status: InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminInvoiceRow {
    pub customer_name: String,
    pub number: String,
    pub due_date: Date,
    pub total: Money,
    pub balance: Money,
    pub status: InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub merchant_name: String,
    pub staff_email: String,
    pub invoices: Vec<AdminInvoiceRow>,
}

/// The sandbox gateway's outcome, chosen by the debtor on the test pay form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SandboxOutcome {
    Succeed,
    Decline,
}

/// The admin's webhooks page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhooksOverview {
    /// The endpoint just added, with its secret: on the one page after adding it.
    pub added: Option<NewWebhook>,
    pub merchant_name: String,
    pub staff_email: String,
    /// What an endpoint can subscribe to.
    pub event_types: Vec<String>,
    pub endpoints: Vec<WebhookRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
}

/// An endpoint just added, with its secret (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
}

/// `/admin/jobs`: the merchant's background jobs that used up their attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsOverview {
    pub merchant_name: String,
    pub staff_email: String,
    pub dead: Vec<JobRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: String,
    /// `webhook.deliver`, `import.run`...
    pub kind: String,
    pub attempts: i64,
    /// `2026-11-25T06:00:00Z`.
    pub updated_at: String,
    pub last_error: String,
}
