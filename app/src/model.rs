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
    /// The logo's width shown 40 pixels high (its own proportions), so the header does not
    /// move when it loads.
    pub logo_width: u32,
    /// Test mode: every page says so, and payments go to the sandbox (its checkout page offers
    /// test cards).
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
    /// One page of the invoices the filter picks: open ones first.
    pub invoices: Vec<InvoiceSummary>,
    pub list: ListPage,
    /// Whether the account has a statement to offer (a pay link's session, one invoice, has none).
    pub has_statement: bool,
    /// The latest things that moved the balance, newest first (on the list's first page).
    pub activity: Vec<ActivityLine>,
    /// Its payment plans proposed or running, newest first.
    pub plans: Vec<PlanLink>,
    /// Open invoices may be spread over a payment plan (the merchant offers plans).
    pub plans_offered: bool,
}

/// A payment plan named on another page: its page, and what it is in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLink {
    pub href: String,
    /// "3 × € 141,00, monthly · Running".
    pub label: String,
}

/// One line of the overview's recent activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub date: Date,
    /// What happened, in words: "Invoice NL-2026-0104", "Payment by bank transfer".
    pub label: String,
    /// The invoice's or the receipt's page.
    pub href: Option<String>,
    /// How much (always positive; the label says which way).
    pub amount: Money,
}

/// Where a paged, filtered invoice list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    /// `all`, `open`, `overdue` or `settled`.
    pub show: String,
    pub page: u32,
    pub pages: u32,
    pub all: u64,
    pub open: u64,
    pub overdue: u64,
    pub settled: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    pub due: Money,
    pub overdue: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    /// 1 for the first line.
    pub position: u32,
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
    pub transfer: Option<TransferView>,
    /// The open promise to pay this invoice is in.
    pub promise: Option<PromiseView>,
    /// The first and last date a promise may name; `None` when it cannot be promised.
    pub promise_dates: Option<(Date, Date)>,
    /// A fresh idempotency key for the promise form.
    pub promise_key: String,
    /// Its disputes, newest first, their words made on the server.
    pub disputes: Vec<DisputeView>,
    /// What disputes not yet resolved hold out of collection.
    pub disputed: Money,
    /// The balance less what disputes hold: what is asked for now.
    pub collectable: Money,
    /// A fresh idempotency key for the dispute form.
    pub dispute_key: String,
    /// The reasons a debtor may give: (code, words).
    pub dispute_reasons: Vec<(String, String)>,
    /// The dispute form as it was sent, when it was refused, with why.
    pub dispute_draft: Option<DisputeDraft>,
    /// The most files a dispute takes, and the most megabytes each.
    pub dispute_files_limit: (u32, u32),
    /// The payment plan proposed or running it is in.
    pub plan: Option<PlanLink>,
    /// Where to spread it over a payment plan, when the debtor may.
    pub plan_href: Option<String>,
}

/// A refused dispute form, to show again as it was sent (the files aside) with what was
/// wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDraft {
    pub error: String,
    pub reason: String,
    /// The ticked lines' positions.
    pub lines: Vec<u32>,
    pub amount: String,
    pub message: String,
}

/// A dispute as the debtor sees it on the invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeView {
    pub id: String,
    pub reason: String,
    pub status: String,
    pub amount: Money,
    /// The disputed lines' descriptions; empty: the whole invoice.
    pub lines: Vec<String>,
    /// The thread, oldest first: (who, when, what).
    pub messages: Vec<(String, String, String)>,
    /// Not resolved: the debtor may answer.
    pub open: bool,
    /// "Resolved: credited in part", when it is.
    pub outcome: Option<String>,
    /// "Credit note X takes Y off the invoice", when one did.
    pub credited: Option<String>,
    /// The answer form's idempotency key.
    pub reply_key: String,
    /// (link, "name (size)") of each file the debtor attached.
    pub files: Vec<(String, String)>,
}

/// A promise to pay as the debtor made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromiseView {
    pub amount: Money,
    pub date: Date,
}

/// Paying an invoice by bank transfer, made ready on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub account_name: String,
    /// Paper form: `NL91 ABNA 0417 1643 00`.
    pub iban: String,
    pub bic: Option<String>,
    pub amount: Money,
    pub reference: Option<String>,
    /// The EPC QR code as SVG markup (euro amounts only).
    pub qr_svg: Option<String>,
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
    /// The customer's page in the admin.
    pub customer_href: String,
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
    pub list: ListPage,
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

/// `/admin/mail`: the mail the catcher kept, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// Whether mail stays here (no SMTP server configured).
    pub catching: bool,
    pub messages: Vec<MailRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRow {
    pub to: String,
    pub subject: String,
    pub at: String,
    pub text: String,
    /// The names of the files it carried.
    pub attachments: Vec<String>,
}

/// `/admin/payments`: the newest payments, and refunding one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// Collectors and admins may refund; viewers read.
    pub may_refund: bool,
    pub payments: Vec<AdminPaymentRow>,
    /// The cursor of the next (older) page, if there is one.
    pub older: Option<String>,
    /// What the last refund did, in words, on the one page after it.
    pub done: Option<String>,
    /// This page's refund forms' key: the same form posted twice refunds once.
    pub key: String,
}

/// The admin's promises page: one state's promises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromisesOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// `open`, `broken` or `kept`.
    pub state: String,
    pub promises: Vec<AdminPromiseRow>,
}

/// A promise to pay on the admin's promises page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPromiseRow {
    /// Name (number).
    pub customer: String,
    /// The invoices' numbers, comma-separated.
    pub invoices: String,
    pub amount: Money,
    pub date: Date,
    /// The last day its invoices are out of collection.
    pub pause_until: Date,
    /// When it was made, on the merchant's clock.
    pub made: String,
}

/// The admin's disputes page: one status's disputes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputesOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// `open`, `under_review` or `resolved`.
    pub status: String,
    /// The reason shown (`not_received`, ...); empty: every reason.
    pub reason: String,
    pub disputes: Vec<AdminDisputeRow>,
}

/// A dispute on the admin's disputes page, its words made on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminDisputeRow {
    /// Name (number).
    pub customer: String,
    pub invoice: String,
    pub reason: String,
    pub amount: Money,
    /// When it was opened, on the merchant's clock.
    pub opened: String,
    /// The debtor's first message.
    pub message: String,
    /// The dispute's page.
    pub href: String,
}

/// The admin's page of one dispute: its facts, the whole thread with internal notes, and the
/// forms to answer and resolve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeDetail {
    pub merchant_name: String,
    pub staff_email: String,
    pub id: String,
    /// Name (number).
    pub customer: String,
    pub invoice: String,
    pub reason: String,
    pub status: String,
    pub amount: Money,
    /// The disputed lines' descriptions; empty: the whole invoice.
    pub lines: Vec<String>,
    pub opened: String,
    pub messages: Vec<ThreadMessage>,
    /// (link, "name (size)") of each file the debtor attached.
    pub files: Vec<(String, String)>,
    pub outcome: Option<String>,
    pub credited: Option<String>,
    /// Not resolved, and the staff member may write: the forms show.
    pub may_answer: bool,
    /// (code, words) of each outcome.
    pub outcomes: Vec<(String, String)>,
    /// The credit note number used when none is typed (the next free one).
    pub credit_note_example: String,
    /// The forms' idempotency key.
    pub key: String,
}

/// One message of a dispute's thread as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub who: String,
    pub at: String,
    pub body: String,
    pub internal: bool,
}

/// A payment on the admin's payments page, its words made on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPaymentRow {
    pub id: String,
    pub at: String,
    /// Name and number.
    pub customer: String,
    pub method: String,
    pub amount: Money,
    pub refunded: Money,
    /// What may still be paid back (nothing once reversed).
    pub refundable: Money,
    /// The same, as typed in the page's language: the form's starting amount.
    pub refundable_typed: String,
    pub status: String,
}

/// `/admin/settings`: the merchant's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsOverview {
    /// Just saved: on the one page after saving.
    pub saved: bool,
    pub merchant_name: String,
    pub staff_email: String,
    /// Admins and the owner: the others see the settings, without a way to change them.
    pub may_change: bool,
    pub time_zone: String,
    /// Every IANA name, sorted.
    pub time_zones: Vec<String>,
    /// The logo as the portal shows it (40 pixels high, this wide), if there is one.
    pub logo_url: Option<String>,
    pub logo_width: u32,
    /// Why the logo just sent was refused, in words: on the one page after sending it.
    pub logo_error: Option<String>,
    /// Where debtors send bank transfers, once set.
    pub bank: Option<BankView>,
    /// The payment reference scheme's code (`rf`, `nl_betalingskenmerk`, ...).
    pub reference_scheme: String,
    /// The connected Stripe accounts (test, live), without their secrets.
    pub stripe: Vec<StripeView>,
    /// Where Stripe sends this merchant's events (to add in the Stripe Dashboard).
    pub stripe_webhook_url: String,
    /// How far ahead debtors may promise to pay, and the grace after the date.
    pub promises: kassa_domain::promise::PromisePolicy,
    /// The rules for payment plans.
    pub plans: kassa_domain::plan::PlanPolicy,
    /// The longest a pay button on a website may stay valid, in days.
    pub widget_max_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankView {
    pub account_name: String,
    /// Electronic form (no spaces).
    pub iban: String,
    pub bic: Option<String>,
    pub fik_creditor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeView {
    /// `test` or `live`.
    pub mode: String,
    /// `sk_test_...4242`.
    pub secret_key_hint: String,
    pub publishable_key: String,
    /// Empty: every method enabled in the Stripe Dashboard.
    pub methods: Vec<String>,
}

/// `/admin/jobs`: the merchant's background jobs that used up their attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobsOverview {
    /// The job just queued again: on the one page after retrying it.
    pub retried: Option<String>,
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

/// `/p/{merchant}/checkout`: open invoices chosen to be paid together with one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionView {
    pub merchant: Branding,
    /// Oldest due first, each with what it asks for (its balance less what disputes hold) as
    /// its balance: each is paid that in full.
    pub invoices: Vec<InvoiceSummary>,
    pub total: Money,
    /// A fresh idempotency key for the pay form.
    pub pay_key: String,
}

/// Direct debit on a plan's page: where it stands and what the debtor may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebitView {
    /// `none`, `pending`, `active`, `failed` or `stopped`.
    pub status: String,
    /// Where it stands, in words (empty while there is none).
    pub words: String,
    /// Whether the debtor may set it up (again) now.
    pub offered: bool,
}

/// How an island writes an amount it worked out itself (a selection's total) the way the
/// server writes amounts, for one currency: `prefix` 1,234.56 `suffix`, with this locale's
/// separators. Made on the server; the browser only fills in the digits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyFormat {
    pub currency: String,
    pub decimals: u32,
    pub prefix: String,
    pub suffix: String,
    pub group: String,
    pub decimal: String,
}

impl MoneyFormat {
    /// `minor` units (cents) written out, digits grouped by three.
    pub fn format(&self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let digits = minor.unsigned_abs().to_string();
        let decimals = self.decimals as usize;
        let digits = format!("{digits:0>width$}", width = decimals + 1);
        let (whole, fraction) = digits.split_at(digits.len() - decimals);
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(&self.group);
            }
            grouped.push(c);
        }
        let fraction = if decimals > 0 { format!("{}{fraction}", self.decimal) } else { String::new() };
        format!("{sign}{}{grouped}{fraction}{}", self.prefix, self.suffix)
    }
}

/// A statement of account for a period, in words (crate::statement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementView {
    pub merchant: Branding,
    /// "Name (customer 123)".
    pub customer: String,
    /// The period as typed or defaulted (`2026-10-01`): the form's values and the PDF link's.
    pub from: String,
    pub to: String,
    /// The period in words; empty when it could not be read.
    pub period: String,
    /// Why the typed period was refused, said on the form.
    pub error: Option<String>,
    pub sections: Vec<StatementSection>,
}

/// One currency's part of a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementSection {
    pub currency: String,
    pub opening_label: String,
    pub opening: Money,
    pub entries: Vec<StatementLine>,
    pub closing_label: String,
    pub closing: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementLine {
    pub date: Date,
    pub label: String,
    /// The invoice's or the receipt's page.
    pub href: Option<String>,
    pub charged: Option<Money>,
    pub credited: Option<Money>,
    pub balance: Money,
}

/// `/p/{merchant}/plan`: spreading chosen invoices over instalments: what is spread, the
/// schedules that fit a monthly budget, or one schedule whole to confirm. Words and amounts
/// made on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanQuoteView {
    pub merchant: Branding,
    /// (number, what of it is spread: its balance less what disputes hold).
    pub invoices: Vec<(String, Money)>,
    pub principal: Money,
    /// The first instalment's date: as chosen (or suggested), and its bounds.
    pub first: Date,
    pub earliest: Date,
    pub latest: Date,
    /// (code, words) of each frequency offered.
    pub frequencies: Vec<(String, String)>,
    pub max_instalments: u32,
    /// As the debtor sent them (to fill the forms in again).
    pub budget: String,
    pub count: String,
    pub frequency: String,
    /// Schedules that fit the budget (links to check each), or the one asked for.
    pub offers: Vec<PlanOfferView>,
    /// The page checks one schedule, whole, with the form to confirm it.
    pub reviewing: bool,
    /// Why the last ask was refused, in the debtor's words.
    pub problem: Option<String>,
    /// Plans within the merchant's terms start at once.
    pub accepted_at_once: bool,
    /// A fresh idempotency key for the confirm form.
    pub key: String,
}

/// One schedule a debtor may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOfferView {
    /// `weekly`, `fortnightly` or `monthly`, and in words.
    pub frequency: String,
    pub frequency_words: String,
    pub count: u32,
    pub first: Date,
    /// (due, amount) of each instalment.
    pub instalments: Vec<(Date, Money)>,
    pub charge: Money,
    pub total: Money,
    /// "3 × € 141,00, monthly".
    pub summary: String,
    /// Where it breaks the merchant's terms, in words; empty: within them.
    pub breaches: Vec<String>,
    /// This page showing it whole, to confirm.
    pub href: String,
}

/// `/p/{merchant}/plans/{id}`: a payment plan's agreement as the debtor reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAgreementView {
    pub merchant: Branding,
    pub id: String,
    /// `proposed`, `active`, `completed`, `broken` or `rejected`, and in words.
    pub status: String,
    pub status_words: String,
    /// What its status means for the debtor.
    pub explained: String,
    pub invoices: Vec<(String, Money)>,
    pub principal: Money,
    pub charge: Money,
    pub total: Money,
    pub paid: Money,
    pub remaining: Money,
    pub frequency: String,
    pub instalments: Vec<InstalmentView>,
    /// What to pay now (any instalment missed included) and by when, while it runs.
    pub next: Option<(Money, Date)>,
    pub breaches: Vec<String>,
    pub decision_reason: Option<String>,
    pub charge_invoice: Option<String>,
    /// When it was proposed, on the merchant's clock.
    pub proposed: String,
    /// A fresh idempotency key for the pay form.
    pub pay_key: String,
    pub debit: DebitView,
}

/// One instalment of a plan as the debtor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalmentView {
    pub seq: u32,
    pub due: Date,
    pub amount: Money,
    pub paid: bool,
    /// Past its date and not paid.
    pub late: bool,
}

/// The admin's payment plans page: one status's plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlansOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// `proposed`, `active`, `broken`, `completed` or `rejected`.
    pub status: String,
    pub plans: Vec<AdminPlanRow>,
}

/// A plan on the admin's plans page, its words made on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPlanRow {
    /// Name (number).
    pub customer: String,
    pub invoices: String,
    pub total: Money,
    /// "3 × € 141,00, monthly".
    pub schedule: String,
    pub paid: Money,
    /// The next instalment's date (running plans), late or not.
    pub next: Option<(Date, bool)>,
    /// Where a proposal breaks the policy, in words.
    pub breaches: Vec<String>,
    pub proposed: String,
    pub href: String,
}

/// The admin's page of one plan: its facts, schedule, and the forms to decide a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub merchant_name: String,
    pub staff_email: String,
    pub id: String,
    /// Name (number).
    pub customer: String,
    pub status: String,
    pub invoices: Vec<(String, Money)>,
    pub principal: Money,
    pub charge: Money,
    pub total: Money,
    pub paid: Money,
    pub frequency: String,
    pub grace_days: u32,
    pub instalments: Vec<InstalmentView>,
    pub breaches: Vec<String>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub charge_invoice: Option<String>,
    pub proposed: String,
    /// A proposal, and the staff member may decide: the forms show.
    pub may_decide: bool,
    /// Whether its instalments are collected by direct debit, in words.
    pub debit: String,
}

/// A link on a page: where, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Linked {
    pub href: String,
    pub label: String,
}

/// The admin's page of one customer: its record, every invoice, its account's history, and
/// its plans, promises and disputes with where each stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub merchant_name: String,
    pub staff_email: String,
    pub name: String,
    pub number: String,
    pub email: Option<String>,
    /// In its own words: "Nederlands".
    pub language: String,
    pub terms_days: u32,
    /// Oldest due first.
    pub invoices: Vec<AdminInvoiceRow>,
    /// The period the history covers, in words.
    pub period: String,
    pub history: Vec<StatementSection>,
    /// Why the history is not shown (too many entries for the period).
    pub history_error: Option<String>,
    pub plans: Vec<Linked>,
    pub promises: Vec<String>,
    pub disputes: Vec<Linked>,
}

/// The admin's pay buttons page: the merchant's widget tokens, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetsOverview {
    pub merchant_name: String,
    pub staff_email: String,
    /// Whether this staff member may issue and revoke (collectors and up).
    pub may_write: bool,
    pub max_days: u32,
    pub default_days: u32,
    pub tokens: Vec<AdminWidgetRow>,
    /// The widgets' script (its path on Kassa), for the live previews of site tokens.
    pub script: String,
}

/// A widget token on the admin's pay buttons page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminWidgetRow {
    pub id: String,
    pub invoice: String,
    pub customer: String,
    /// The sites allowed to show it, space-separated.
    pub origins: String,
    /// When it expires, as the merchant's clock shows it.
    pub expires: String,
    /// `active`, `revoked` or `expired`.
    pub state: String,
    /// For an email (a pay button and status badge), not a site.
    pub email: bool,
    /// The markup for a web page (script and element), or for an email template, while active.
    pub snippet: Option<String>,
    /// An email token's status badge (its PNG), while active: the preview.
    pub badge: Option<String>,
    /// A site token's element as the page shows it (`<kassa-pay token="...">`), while active:
    /// the live preview.
    pub element: Option<String>,
    /// The pay link, while active.
    pub pay_link: Option<String>,
    /// Issued by this staff member just now (the page says so and marks it).
    pub just_issued: bool,
}
