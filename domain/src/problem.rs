//! What can be wrong with a request, as codes with fields: the one vocabulary every caller
//! of Kassa's services gets back. Words for people are chosen at the edge, per language (the
//! portal in en/nl/da, the API in its JSON error shape); `Display` here is the code, for logs.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::invoice::InvoiceError;
use crate::ledger::LedgerError;
use crate::money::{Currency, Money, MoneyError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[error("{}", self.code())]
pub enum Problem {
    // Amounts and currencies.
    AmountNotANumber {
        input: String,
    },
    AmountTooPrecise {
        currency: Currency,
        digits: u32,
    },
    AmountTooLarge,
    /// Typed with a thousands mark that could also be a decimal point (`12.345` in Dutch).
    AmountAmbiguous {
        input: String,
    },
    AmountNotPositive,
    AmountExceedsBalance {
        balance: Money,
    },
    UnknownCurrency {
        input: String,
    },
    CurrencyMismatch {
        expected: Currency,
        found: Currency,
    },
    // Invoices.
    InvoiceNumberEmpty,
    InvoiceNumberInvalid {
        max_chars: u32,
    },
    InvoiceHasNoLines,
    LineCurrencyMismatch {
        line: u32,
        expected: Currency,
        found: Currency,
    },
    LineAmountInvalid {
        line: u32,
    },
    DueBeforeIssue {
        issued: Date,
        due: Date,
    },
    NothingOpen,
    // The ledger.
    AllocationExceedsAmount {
        applied: Money,
        received: Money,
    },
    /// A refund larger than what the payment still stands for (its amount less refunds).
    RefundExceedsPayment {
        paid: Money,
    },
    AmountExceedsCredit {
        credit: Money,
    },
    NoCreditAvailable,
    AlreadyReversed,
    /// Only a reversed payment can be stood again (a chargeback won).
    NotReversed,
    OnlyPaymentsReverse,
    NotInLedger,
    AlreadyInLedger,
    UnknownInvoice {
        number: String,
    },
    UnknownCustomer,
    CreditNoteNumberTaken {
        number: String,
    },
    IdempotencyKeyReused,
    ReasonRequired,
    WriteOffReasonInvalid {
        input: String,
    },
    // Paying.
    PaymentDeclined {
        decline_code: String,
    },
    PaymentInProgress,
    PaymentsUnavailable,
    FormExpired,
    /// An event a gateway sent was refused: `reason` is a short code (`no_valid_signature`,
    /// `too_old`, `unreadable`).
    GatewayEventRefused {
        reason: String,
    },
    // Paying several invoices at once.
    NothingSelected,
    TooManySelected {
        max: u32,
    },
    SelectionMixesCurrencies,
    // Statements of account.
    /// A period that ends before it starts.
    PeriodReversed {
        from: Date,
        to: Date,
    },
    /// More entries in the period than one statement lists.
    StatementTooLong {
        max: u32,
    },
    InvoiceAlreadyPaid {
        number: String,
    },
    /// The selected invoices' balances no longer add up to the total the debtor was shown.
    SelectionChanged {
        total: Money,
    },
    // Merchants and sign-in.
    InvalidSlug {
        input: String,
    },
    SlugTaken {
        slug: String,
    },
    NameRequired,
    InvalidColor {
        input: String,
    },
    /// A logo file over the size limit.
    LogoTooLarge {
        max_kb: u32,
    },
    /// A logo that is not a PNG or JPEG file (SVG is not taken).
    LogoNotPngOrJpeg,
    /// A logo too small or too large in pixels.
    LogoSize {
        width: u32,
        height: u32,
        min: u32,
        max: u32,
    },
    /// A merchant-wide setting (live mode uses it too) asked of a test-mode key.
    LiveKeyRequired,
    /// Not a time zone of the IANA database (`Europe/Amsterdam`).
    UnknownTimeZone {
        input: String,
    },
    InvalidEmail {
        input: String,
    },
    EmailTaken,
    /// The owner keeps their place until they hand the ownership to someone else.
    OwnerStays,
    /// Ownership goes to someone who has chosen their password (and so can sign in).
    OwnerNeedsPassword,
    PasswordTooShort {
        min_chars: u32,
    },
    PasswordsDiffer,
    PasswordLinkExpired,
    SignInLinkExpired,
    WrongCredentials,
    TooManyAttempts {
        retry_after_minutes: u32,
    },
    /// Too much is asked at once (password checks queue up): come back shortly.
    Busy {
        retry_after_secs: u32,
    },
    // Records pushed by a merchant's systems (API, imports).
    CustomerNumberInvalid {
        max_chars: u32,
    },
    CustomerNumberTaken {
        number: String,
    },
    InvoiceNumberTaken {
        number: String,
    },
    InvalidDate {
        input: String,
    },
    DateOutOfRange {
        input: String,
        earliest: Date,
        latest: Date,
    },
    InvalidLanguage {
        input: String,
    },
    PaymentTermsInvalid {
        max_days: u32,
    },
    QuantityInvalid {
        line: u32,
        input: String,
    },
    DescriptionRequired {
        line: u32,
    },
    InvalidCursor,
    SegmentInvalid {
        max_chars: u32,
    },
    TooManyContacts {
        max: u32,
    },
    // Webhook endpoints.
    WebhookUrlInvalid,
    WebhookUrlNotHttps,
    WebhookTargetPrivate {
        host: String,
    },
    WebhookEventUnknown {
        input: String,
    },
    WebhookEventsRequired,
    WebhookTooManyEvents {
        max: u32,
    },
    WebhookEndpointDisabled,
    DescriptionTooLong {
        max_chars: u32,
    },
    // Imports.
    ImportNotUtf8 {
        line: u64,
    },
    ImportEmpty,
    ImportColumnUnknown {
        column: String,
    },
    ImportColumnMissing {
        column: String,
    },
    ImportRowMalformed {
        line: u64,
    },
    ImportRowDisagrees {
        first_line: u64,
    },
    /// Only a dead job can be queued again.
    JobNotDead {
        state: String,
    },
    /// Not a problem but a warning: the document was imported, differently from what it asked.
    CreditHeldForUnknownInvoice {
        number: String,
    },
    ImportRejected {
        reason: String,
    },
    ImportTooLarge {
        max_mib: u32,
        max_files: u32,
    },
    ImportDocumentTooLarge {
        max_mib: u32,
        max_elements: u32,
    },
    ImportNumberRepeated {
        number: String,
        first: String,
    },
    ImportNulCharacter {
        line: u64,
    },
    ImportXmlMalformed {
        line: u64,
        reason: String,
    },
    ImportNotUbl {
        root: String,
    },
    ImportElementMissing {
        element: String,
    },
    ImportAmountCurrency {
        expected: String,
        found: String,
    },
    ImportTotalsDisagree {
        payable: String,
        computed: String,
    },
    ImportPayableNotPositive {
        payable: String,
    },
    ImportArchiveInvalid {
        reason: String,
    },
    ImportArchiveTooLarge {
        max_mib: u32,
        max_files: u32,
    },
    ImportFileUnknown {
        name: String,
    },
    // Payment details.
    IbanInvalid {
        input: String,
    },
    PaymentReferenceInvalid {
        max_chars: u32,
    },
    BicInvalid {
        input: String,
    },
    /// The beneficiary's name for bank transfers: 1 to 70 characters (what an EPC QR code holds).
    AccountNameInvalid,
    /// A Danish FI creditor number is 8 digits (needed for +71 references).
    FikCreditorInvalid {
        input: String,
    },
    // A merchant's Stripe account.
    /// Not a Stripe secret key (`sk_test_`, `sk_live_`, or restricted `rk_test_`, `rk_live_`).
    StripeSecretKeyInvalid,
    /// Not a Stripe publishable key (`pk_test_`, `pk_live_`).
    StripePublishableKeyInvalid,
    /// Not a Stripe webhook signing secret (`whsec_`).
    StripeWebhookSecretInvalid,
    /// The secret and publishable keys are from different modes (test and live).
    StripeKeysModeMismatch,
    /// A payment method type is not one Stripe names that way.
    PaymentMethodTypeInvalid {
        input: String,
    },
    // Promises to pay.
    PromiseDateInPast {
        today: Date,
    },
    PromiseDateTooFar {
        latest: Date,
    },
    /// A promise is of a positive amount, at most what the invoices owe.
    PromiseAmountInvalid {
        owed: Money,
    },
    /// The invoice is already in an open promise.
    InvoiceAlreadyPromised {
        number: String,
    },
    /// The merchant's promise rules: a window of 1 to 365 days, a grace of 0 to 60.
    PromisePolicyInvalid,
    // Disputes.
    DisputeReasonUnknown {
        input: String,
    },
    /// A dispute says what is wrong: 1 to `max_chars` characters.
    DisputeMessageInvalid {
        max_chars: u32,
    },
    DisputeLineUnknown {
        line: u32,
    },
    /// A disputed amount is above zero and at most `most` (the lines' amounts, what is open).
    DisputeAmountInvalid {
        most: Money,
    },
    /// A message in a dispute's thread (or a resolution's answer): 1 to `max_chars` characters.
    DisputeReplyInvalid {
        max_chars: u32,
    },
    /// The dispute is resolved: it takes no more messages, and no other resolution.
    DisputeClosed,
    DisputeOutcomeUnknown {
        input: String,
    },
    /// Credited in full is exactly `disputed`; in part above zero and below it; rejected and
    /// adjusted credit nothing.
    DisputeCreditInvalid {
        disputed: Money,
    },
    /// A dispute's file is a PDF, JPEG or PNG by its content (its name says nothing).
    DisputeFileNotAccepted {
        name: String,
    },
    DisputeFileTooLarge {
        name: String,
        max_mb: u32,
    },
    DisputeTooManyFiles {
        max: u32,
    },
    // Payment plans.
    /// The merchant's plan rules: see `PlanPolicy::is_sensible`.
    PlanPolicyInvalid,
    PlansNotOffered,
    /// The invoice is already in a plan proposed or running.
    InvoiceAlreadyInPlan {
        number: String,
    },
    /// The merchant's plans cover overdue invoices only.
    PlanInvoiceNotDue {
        number: String,
    },
    PlanInstalmentsInvalid {
        max: u32,
    },
    PlanFrequencyUnknown {
        input: String,
    },
    /// The first instalment falls from `earliest` to `latest`.
    PlanFirstDateInvalid {
        earliest: Date,
        latest: Date,
    },
    /// The plan was approved or rejected already, or is no longer a proposal.
    PlanDecided,
    /// The plan is not running (proposed, or closed): nothing to pay as an instalment.
    PlanNotActive,
    /// Disputes hold all that is open of the invoice: nothing of it is asked for.
    InvoiceWhollyDisputed {
        number: String,
    },
    /// The plan's instalments cannot be collected by direct debit here: the merchant does not
    /// take SEPA Direct Debit through a provider that collects by mandate, or the plan is not
    /// in euros.
    DirectDebitUnavailable,
    /// A widget token's allowed origin is not a web origin (`https://host[:port]`, or
    /// `http://` for this machine only).
    WidgetOriginInvalid {
        input: String,
    },
    /// A widget token names no allowed origin, or more than `max`.
    WidgetOriginsCount {
        max: u32,
    },
    /// A widget token's lifetime is outside 1 to `max` days.
    WidgetDaysOutOfRange {
        max: u32,
    },
    /// An email's pay button covers one invoice; a customer's open invoices are shown on a
    /// website only (`<kassa-invoices>`).
    WidgetEmailCoversOneInvoice,
    /// A widget token covers an invoice or a customer: neither or both were named.
    WidgetInvoiceOrCustomer,
    /// An email token is shown by mail programs: it names no websites.
    WidgetEmailHasNoSites,
}

impl Problem {
    /// The HTTP status of this problem, wherever it is answered (the API, the portal's and the
    /// admin's server functions and pages): 404 for a record named in a request that the caller
    /// cannot see, 409 for what conflicts with what exists, 402 for a declined payment, 410 for
    /// a used-up link, 429 for too many attempts, 503 for a moment's overload, 422 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Problem::UnknownCustomer | Problem::UnknownInvoice { .. } => 404,
            Problem::CustomerNumberTaken { .. }
            | Problem::InvoiceNumberTaken { .. }
            | Problem::CreditNoteNumberTaken { .. }
            | Problem::IdempotencyKeyReused
            | Problem::AlreadyReversed
            | Problem::NotReversed
            | Problem::AlreadyInLedger
            | Problem::PaymentInProgress
            | Problem::SelectionChanged { .. }
            | Problem::InvoiceAlreadyPromised { .. }
            | Problem::DisputeClosed
            | Problem::InvoiceAlreadyInPlan { .. }
            | Problem::PlanDecided
            | Problem::PlanNotActive
            | Problem::JobNotDead { .. } => 409,
            Problem::PaymentDeclined { .. } => 402,
            Problem::GatewayEventRefused { .. } | Problem::WidgetInvoiceOrCustomer => 400,
            Problem::LogoTooLarge { .. } | Problem::DisputeFileTooLarge { .. } => 413,
            Problem::LiveKeyRequired => 403,
            Problem::SignInLinkExpired => 410,
            Problem::TooManyAttempts { .. } => 429,
            Problem::Busy { .. } => 503,
            _ => 422,
        }
    }

    /// The stable, snake_case code (the same as the serialised `code` field).
    pub fn code(&self) -> &'static str {
        match self {
            Problem::AmountNotANumber { .. } => "amount_not_a_number",
            Problem::AmountTooPrecise { .. } => "amount_too_precise",
            Problem::AmountTooLarge => "amount_too_large",
            Problem::AmountAmbiguous { .. } => "amount_ambiguous",
            Problem::AmountNotPositive => "amount_not_positive",
            Problem::AmountExceedsBalance { .. } => "amount_exceeds_balance",
            Problem::UnknownCurrency { .. } => "unknown_currency",
            Problem::CurrencyMismatch { .. } => "currency_mismatch",
            Problem::InvoiceNumberEmpty => "invoice_number_empty",
            Problem::InvoiceNumberInvalid { .. } => "invoice_number_invalid",
            Problem::InvoiceHasNoLines => "invoice_has_no_lines",
            Problem::LineCurrencyMismatch { .. } => "line_currency_mismatch",
            Problem::LineAmountInvalid { .. } => "line_amount_invalid",
            Problem::DueBeforeIssue { .. } => "due_before_issue",
            Problem::NothingOpen => "nothing_open",
            Problem::AllocationExceedsAmount { .. } => "allocation_exceeds_amount",
            Problem::AmountExceedsCredit { .. } => "amount_exceeds_credit",
            Problem::RefundExceedsPayment { .. } => "refund_exceeds_payment",
            Problem::NoCreditAvailable => "no_credit_available",
            Problem::AlreadyReversed => "already_reversed",
            Problem::NotReversed => "not_reversed",
            Problem::OnlyPaymentsReverse => "only_payments_reverse",
            Problem::NotInLedger => "not_in_ledger",
            Problem::AlreadyInLedger => "already_in_ledger",
            Problem::UnknownInvoice { .. } => "unknown_invoice",
            Problem::UnknownCustomer => "unknown_customer",
            Problem::CreditNoteNumberTaken { .. } => "credit_note_number_taken",
            Problem::IdempotencyKeyReused => "idempotency_key_reused",
            Problem::ReasonRequired => "reason_required",
            Problem::WriteOffReasonInvalid { .. } => "write_off_reason_invalid",
            Problem::PaymentDeclined { .. } => "payment_declined",
            Problem::PaymentInProgress => "payment_in_progress",
            Problem::PaymentsUnavailable => "payments_unavailable",
            Problem::FormExpired => "form_expired",
            Problem::GatewayEventRefused { .. } => "gateway_event_refused",
            Problem::NothingSelected => "nothing_selected",
            Problem::TooManySelected { .. } => "too_many_selected",
            Problem::SelectionMixesCurrencies => "selection_mixes_currencies",
            Problem::PeriodReversed { .. } => "period_reversed",
            Problem::StatementTooLong { .. } => "statement_too_long",
            Problem::InvoiceAlreadyPaid { .. } => "invoice_already_paid",
            Problem::SelectionChanged { .. } => "selection_changed",
            Problem::InvalidSlug { .. } => "invalid_slug",
            Problem::SlugTaken { .. } => "slug_taken",
            Problem::NameRequired => "name_required",
            Problem::InvalidColor { .. } => "invalid_color",
            Problem::LogoTooLarge { .. } => "logo_too_large",
            Problem::LogoNotPngOrJpeg => "logo_not_png_or_jpeg",
            Problem::LogoSize { .. } => "logo_size",
            Problem::UnknownTimeZone { .. } => "unknown_time_zone",
            Problem::LiveKeyRequired => "live_key_required",
            Problem::InvalidEmail { .. } => "invalid_email",
            Problem::EmailTaken => "email_taken",
            Problem::OwnerStays => "owner_stays",
            Problem::OwnerNeedsPassword => "owner_needs_password",
            Problem::PasswordTooShort { .. } => "password_too_short",
            Problem::PasswordsDiffer => "passwords_differ",
            Problem::PasswordLinkExpired => "password_link_expired",
            Problem::SignInLinkExpired => "sign_in_link_expired",
            Problem::WrongCredentials => "wrong_credentials",
            Problem::TooManyAttempts { .. } => "too_many_attempts",
            Problem::Busy { .. } => "busy",
            Problem::CustomerNumberInvalid { .. } => "customer_number_invalid",
            Problem::CustomerNumberTaken { .. } => "customer_number_taken",
            Problem::InvoiceNumberTaken { .. } => "invoice_number_taken",
            Problem::InvalidDate { .. } => "invalid_date",
            Problem::DateOutOfRange { .. } => "date_out_of_range",
            Problem::InvalidLanguage { .. } => "invalid_language",
            Problem::PaymentTermsInvalid { .. } => "payment_terms_invalid",
            Problem::QuantityInvalid { .. } => "quantity_invalid",
            Problem::DescriptionRequired { .. } => "description_required",
            Problem::InvalidCursor => "invalid_cursor",
            Problem::SegmentInvalid { .. } => "segment_invalid",
            Problem::TooManyContacts { .. } => "too_many_contacts",
            Problem::WebhookUrlInvalid => "webhook_url_invalid",
            Problem::WebhookUrlNotHttps => "webhook_url_not_https",
            Problem::WebhookTargetPrivate { .. } => "webhook_target_private",
            Problem::WebhookEventUnknown { .. } => "webhook_event_unknown",
            Problem::WebhookEventsRequired => "webhook_events_required",
            Problem::WebhookTooManyEvents { .. } => "webhook_too_many_events",
            Problem::WebhookEndpointDisabled => "webhook_endpoint_disabled",
            Problem::DescriptionTooLong { .. } => "description_too_long",
            Problem::ImportNotUtf8 { .. } => "import_not_utf8",
            Problem::ImportEmpty => "import_empty",
            Problem::ImportColumnUnknown { .. } => "import_column_unknown",
            Problem::ImportColumnMissing { .. } => "import_column_missing",
            Problem::ImportRowMalformed { .. } => "import_row_malformed",
            Problem::ImportRowDisagrees { .. } => "import_row_disagrees",
            Problem::ImportRejected { .. } => "import_rejected",
            Problem::CreditHeldForUnknownInvoice { .. } => "credit_held_for_unknown_invoice",
            Problem::JobNotDead { .. } => "job_not_dead",
            Problem::ImportTooLarge { .. } => "import_too_large",
            Problem::ImportDocumentTooLarge { .. } => "import_document_too_large",
            Problem::ImportNumberRepeated { .. } => "import_number_repeated",
            Problem::ImportNulCharacter { .. } => "import_nul_character",
            Problem::ImportXmlMalformed { .. } => "import_xml_malformed",
            Problem::ImportNotUbl { .. } => "import_not_ubl",
            Problem::ImportElementMissing { .. } => "import_element_missing",
            Problem::ImportAmountCurrency { .. } => "import_amount_currency",
            Problem::ImportTotalsDisagree { .. } => "import_totals_disagree",
            Problem::ImportPayableNotPositive { .. } => "import_payable_not_positive",
            Problem::ImportArchiveInvalid { .. } => "import_archive_invalid",
            Problem::ImportArchiveTooLarge { .. } => "import_archive_too_large",
            Problem::ImportFileUnknown { .. } => "import_file_unknown",
            Problem::IbanInvalid { .. } => "iban_invalid",
            Problem::PaymentReferenceInvalid { .. } => "payment_reference_invalid",
            Problem::BicInvalid { .. } => "bic_invalid",
            Problem::AccountNameInvalid => "account_name_invalid",
            Problem::StripeSecretKeyInvalid => "stripe_secret_key_invalid",
            Problem::StripePublishableKeyInvalid => "stripe_publishable_key_invalid",
            Problem::StripeWebhookSecretInvalid => "stripe_webhook_secret_invalid",
            Problem::StripeKeysModeMismatch => "stripe_keys_mode_mismatch",
            Problem::PaymentMethodTypeInvalid { .. } => "payment_method_type_invalid",
            Problem::FikCreditorInvalid { .. } => "fik_creditor_invalid",
            Problem::PromiseDateInPast { .. } => "promise_date_in_past",
            Problem::PromiseDateTooFar { .. } => "promise_date_too_far",
            Problem::PromiseAmountInvalid { .. } => "promise_amount_invalid",
            Problem::InvoiceAlreadyPromised { .. } => "invoice_already_promised",
            Problem::PromisePolicyInvalid => "promise_policy_invalid",
            Problem::DisputeReasonUnknown { .. } => "dispute_reason_unknown",
            Problem::DisputeMessageInvalid { .. } => "dispute_message_invalid",
            Problem::DisputeLineUnknown { .. } => "dispute_line_unknown",
            Problem::DisputeAmountInvalid { .. } => "dispute_amount_invalid",
            Problem::DisputeReplyInvalid { .. } => "dispute_reply_invalid",
            Problem::DisputeClosed => "dispute_closed",
            Problem::DisputeOutcomeUnknown { .. } => "dispute_outcome_unknown",
            Problem::DisputeCreditInvalid { .. } => "dispute_credit_invalid",
            Problem::DisputeFileNotAccepted { .. } => "dispute_file_not_accepted",
            Problem::DisputeFileTooLarge { .. } => "dispute_file_too_large",
            Problem::DisputeTooManyFiles { .. } => "dispute_too_many_files",
            Problem::PlanPolicyInvalid => "plan_policy_invalid",
            Problem::PlansNotOffered => "plans_not_offered",
            Problem::InvoiceAlreadyInPlan { .. } => "invoice_already_in_plan",
            Problem::PlanInvoiceNotDue { .. } => "plan_invoice_not_due",
            Problem::PlanInstalmentsInvalid { .. } => "plan_instalments_invalid",
            Problem::PlanFrequencyUnknown { .. } => "plan_frequency_unknown",
            Problem::PlanFirstDateInvalid { .. } => "plan_first_date_invalid",
            Problem::PlanDecided => "plan_decided",
            Problem::PlanNotActive => "plan_not_active",
            Problem::DirectDebitUnavailable => "direct_debit_unavailable",
            Problem::InvoiceWhollyDisputed { .. } => "invoice_wholly_disputed",
            Problem::WidgetOriginInvalid { .. } => "widget_origin_invalid",
            Problem::WidgetOriginsCount { .. } => "widget_origins_count",
            Problem::WidgetDaysOutOfRange { .. } => "widget_days_out_of_range",
            Problem::WidgetEmailCoversOneInvoice => "widget_email_covers_one_invoice",
            Problem::WidgetInvoiceOrCustomer => "widget_invoice_or_customer",
            Problem::WidgetEmailHasNoSites => "widget_email_has_no_sites",
        }
    }
}

impl From<MoneyError> for Problem {
    fn from(e: MoneyError) -> Problem {
        match e {
            MoneyError::UnknownCurrency(input) => Problem::UnknownCurrency { input },
            MoneyError::CurrencyMismatch(expected, found) => Problem::CurrencyMismatch { expected, found },
            MoneyError::NotAnAmount(input) => Problem::AmountNotANumber { input },
            MoneyError::Ambiguous(input) => Problem::AmountAmbiguous { input },
            MoneyError::TooPrecise { currency, digits } => Problem::AmountTooPrecise { currency, digits },
            MoneyError::Overflow => Problem::AmountTooLarge,
        }
    }
}

impl From<LedgerError> for Problem {
    fn from(e: LedgerError) -> Problem {
        match e {
            LedgerError::NotPositive => Problem::AmountNotPositive,
            LedgerError::MoreThanOpen { balance, .. } => Problem::AmountExceedsBalance { balance },
            LedgerError::NothingOpen => Problem::NothingOpen,
            LedgerError::MoreThanReceived { applied, received } => {
                Problem::AllocationExceedsAmount { applied, received }
            }
            LedgerError::MoreThanCredit { credit, .. } => Problem::AmountExceedsCredit { credit },
            LedgerError::MoreThanPaid { paid, .. } => Problem::RefundExceedsPayment { paid },
            LedgerError::NoCredit => Problem::NoCreditAvailable,
            LedgerError::AlreadyReversed => Problem::AlreadyReversed,
            LedgerError::NotReversed => Problem::NotReversed,
            LedgerError::NotAPayment => Problem::OnlyPaymentsReverse,
            LedgerError::UnknownEntry => Problem::NotInLedger,
            LedgerError::DuplicateEntry => Problem::AlreadyInLedger,
            LedgerError::Money(m) => m.into(),
        }
    }
}

impl From<crate::promise::PromiseError> for Problem {
    fn from(e: crate::promise::PromiseError) -> Problem {
        use crate::promise::PromiseError;
        match e {
            PromiseError::InThePast { today, .. } => Problem::PromiseDateInPast { today },
            PromiseError::TooFar { latest, .. } => Problem::PromiseDateTooFar { latest },
            PromiseError::BadAmount { owed } => Problem::PromiseAmountInvalid { owed },
        }
    }
}

impl From<InvoiceError> for Problem {
    fn from(e: InvoiceError) -> Problem {
        let line_no = |line: usize| u32::try_from(line).unwrap_or(u32::MAX);
        match e {
            InvoiceError::NoLines => Problem::InvoiceHasNoLines,
            InvoiceError::Line { line, .. } => Problem::LineAmountInvalid { line: line_no(line) },
            InvoiceError::LineCurrency { line, expected, found } => {
                Problem::LineCurrencyMismatch { line: line_no(line), expected, found }
            }
            InvoiceError::DueBeforeIssue { issued, due } => Problem::DueBeforeIssue { issued, due },
            InvoiceError::EmptyNumber => Problem::InvoiceNumberEmpty,
            InvoiceError::Money(m) => m.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialised_tag() {
        let problems = [
            Problem::AmountExceedsBalance { balance: Money::from_minor(31000, Currency::EUR) },
            Problem::TooManyAttempts { retry_after_minutes: 15 },
            Problem::NothingOpen,
        ];
        for p in problems {
            let json = serde_json::to_value(&p).unwrap();
            assert_eq!(json["code"], p.code());
            assert_eq!(serde_json::from_value::<Problem>(json).unwrap(), p);
            assert_eq!(p.to_string(), p.code());
        }
    }
}
