//! What the UI says, in the page's language (crate::i18n): the error messages of every problem
//! code, invoice statuses, settlement lines and error pages. This is the one place a
//! [`Problem`] becomes words: the portal, the admin, the API's `message` and the CLI all ask
//! here, and each language says it in its own `.ftl` file (`app/locales/<lang>/problems.ftl`).

use kassa_domain::{InvoiceStatus, Problem};

use crate::error::AppError;
use crate::i18n::{lang, Lang, Words};
use crate::money::money_in;

pub fn error(e: &AppError) -> String {
    error_in(lang(), e)
}

/// What went wrong, in `lang`'s words (for a handler outside a page's render).
pub fn error_in(lang: Lang, e: &AppError) -> String {
    let w = lang.words();
    match e {
        AppError::NotFound => w.error_not_found(),
        AppError::Unauthorized => w.error_unauthorized(),
        AppError::Problem(p) => problem_in(lang, p, true),
        AppError::Internal => w.error_internal(),
        AppError::Transport(detail) => w.error_transport(detail),
    }
}

pub fn status(status: InvoiceStatus) -> String {
    status_in(lang(), status)
}

pub fn status_in(lang: Lang, status: InvoiceStatus) -> String {
    let w = lang.words();
    match status {
        InvoiceStatus::Open => w.status_open(),
        InvoiceStatus::PartlyPaid => w.status_partly_paid(),
        InvoiceStatus::Overdue => w.status_overdue(),
        InvoiceStatus::InPlan => w.status_in_plan(),
        InvoiceStatus::Disputed => w.status_disputed(),
        InvoiceStatus::Promised => w.status_promised(),
        InvoiceStatus::Paid => w.status_paid(),
        InvoiceStatus::Credited => w.status_credited(),
        InvoiceStatus::WrittenOff => w.status_written_off(),
    }
}

/// A line on an invoice: what moved its balance.
pub fn settlement(kind: &kassa_core::services::portal::SettlementKind, undoing: bool) -> String {
    settlement_in(lang(), kind, undoing)
}

pub fn settlement_in(lang: Lang, kind: &kassa_core::services::portal::SettlementKind, undoing: bool) -> String {
    use kassa_core::services::portal::SettlementKind;
    use kassa_domain::WriteOffReason;
    let w = lang.words();
    match kind {
        SettlementKind::Payment { method, .. } if undoing => w.settlement_reversed(method_in(lang, method)),
        SettlementKind::Payment { method, reversed: true, .. } => w.settlement_later_reversed(method_in(lang, method)),
        SettlementKind::Payment { method, .. } => method_in(lang, method),
        SettlementKind::CreditNote { number } => w.settlement_credit_note(number),
        SettlementKind::WriteOff { reason } => match (reason, undoing) {
            (_, true) => w.settlement_write_off_undone(),
            (WriteOffReason::ShortPayment, _) => w.settlement_small_difference(),
            (WriteOffReason::BadDebt | WriteOffReason::SmallBalance | WriteOffReason::Other, _) => {
                w.settlement_written_off()
            }
        },
    }
}

/// How a payment was made, in `lang`: the methods Kassa knows by their code (as the API
/// records them: `bank_transfer`, `cash`, ...; as Stripe names them: `card`, `sepa_debit`,
/// `ideal`, ...), the sandbox's label, or the gateway when it did not say which method;
/// any other method as the merchant wrote it.
pub fn method_in(lang: Lang, method: &str) -> String {
    let w = lang.words();
    let brand = |name: &str| name.to_string();
    match method.trim().to_ascii_lowercase().replace([' ', '-'], "_").as_str() {
        "bank_transfer" => w.method_bank_transfer(),
        "cash" => w.method_cash(),
        "cheque" | "check" => w.method_cheque(),
        "card" => w.method_card(),
        "sepa_debit" => w.method_sepa_debit(),
        "ideal" => brand("iDEAL"),
        "bancontact" => brand("Bancontact"),
        "mobilepay" => brand("MobilePay"),
        "klarna" => brand("Klarna"),
        "eps" => brand("EPS"),
        "stripe" => brand("Stripe"),
        "sandbox" | "sandbox_(test_payment)" => w.method_sandbox(),
        _ => method.to_string(),
    }
}

/// Why a debtor disputes, in `lang`.
pub fn dispute_reason(lang: Lang, reason: kassa_domain::dispute::DisputeReason) -> String {
    use kassa_domain::dispute::DisputeReason;
    let w = lang.words();
    match reason {
        DisputeReason::NotReceived => w.dispute_reason_not_received(),
        DisputeReason::Damaged => w.dispute_reason_damaged(),
        DisputeReason::WrongPriceOrQuantity => w.dispute_reason_wrong_price_or_quantity(),
        DisputeReason::AlreadyPaid => w.dispute_reason_already_paid(),
        DisputeReason::Other => w.dispute_reason_other(),
    }
}

/// Where a dispute is, in `lang`.
pub fn dispute_status(lang: Lang, status: kassa_domain::dispute::DisputeStatus) -> String {
    use kassa_domain::dispute::DisputeStatus;
    let w = lang.words();
    match status {
        DisputeStatus::Open => w.dispute_status_open(),
        DisputeStatus::UnderReview => w.dispute_status_under_review(),
        DisputeStatus::Resolved => w.dispute_status_resolved(),
    }
}

/// Where a payment plan is, in `lang`.
pub fn plan_status(lang: Lang, status: kassa_domain::plan::PlanStatus) -> String {
    use kassa_domain::plan::PlanStatus;
    let w = lang.words();
    match status {
        PlanStatus::Proposed => w.plan_status_proposed(),
        PlanStatus::Active => w.plan_status_active(),
        PlanStatus::Completed => w.plan_status_completed(),
        PlanStatus::Broken => w.plan_status_broken(),
        PlanStatus::Rejected => w.plan_status_rejected(),
    }
}

/// The words Kassa writes into records, from the Fluent files (kassa_core::labels).
pub struct RecordLabels;

impl kassa_core::labels::Labels for RecordLabels {
    fn plan_charge(&self, language: &str) -> String {
        Lang::from_code(language).unwrap_or(Lang::En).words().plan_charge_line()
    }
}

/// Where a plan's direct debit stands, for staff, in `lang`.
pub fn debit_status(lang: Lang, mandate: Option<&kassa_core::services::mandates::Mandate>) -> String {
    use kassa_core::services::mandates::MandateStatus;
    let w = lang.words();
    match mandate.map(|m| (m.status, m.last4.as_deref().unwrap_or("????"))) {
        None => w.debit_status_none(),
        Some((MandateStatus::Pending, _)) => w.debit_status_pending(),
        Some((MandateStatus::Active, last4)) => w.debit_status_active(last4),
        Some((MandateStatus::Failed, _)) => w.debit_status_failed(),
        Some((MandateStatus::Stopped, _)) => w.debit_status_stopped(),
    }
}

/// Where a plan's direct debit stands, for its debtor, in `lang` (empty while there is none).
pub fn debit_for_debtor(lang: Lang, mandate: Option<&kassa_core::services::mandates::Mandate>) -> String {
    use kassa_core::services::mandates::MandateStatus;
    let w = lang.words();
    match mandate.map(|m| (m.status, m.last4.as_deref().unwrap_or("????"))) {
        None => String::new(),
        Some((MandateStatus::Pending, _)) => w.plan_debit_pending(),
        Some((MandateStatus::Active, last4)) => w.plan_debit_active(last4),
        Some((MandateStatus::Failed, _)) => w.plan_debit_failed(),
        Some((MandateStatus::Stopped, _)) => w.plan_debit_stopped(),
    }
}

/// What a plan's status means for its debtor, in `lang`.
pub fn plan_explained(lang: Lang, status: kassa_domain::plan::PlanStatus) -> String {
    use kassa_domain::plan::PlanStatus;
    let w = lang.words();
    match status {
        PlanStatus::Proposed => w.plan_explained_proposed(),
        PlanStatus::Active => w.plan_explained_active(),
        PlanStatus::Completed => w.plan_explained_completed(),
        PlanStatus::Broken => w.plan_explained_broken(),
        PlanStatus::Rejected => w.plan_explained_rejected(),
    }
}

/// How often a plan's instalments fall due, in `lang`.
pub fn plan_frequency(lang: Lang, frequency: kassa_domain::plan::Frequency) -> String {
    use kassa_domain::plan::Frequency;
    let w = lang.words();
    match frequency {
        Frequency::Weekly => w.plan_frequency_weekly(),
        Frequency::Fortnightly => w.plan_frequency_fortnightly(),
        Frequency::Monthly => w.plan_frequency_monthly(),
    }
}

/// A schedule in a few words: "3 × € 141,00, monthly" (the largest instalment: the first,
/// carrying the odd cents).
pub fn plan_summary(lang: Lang, schedule: &kassa_domain::plan::Schedule) -> String {
    let count = u32::try_from(schedule.instalments.len()).unwrap_or(u32::MAX);
    lang.words().plan_summary(count, money_in(lang, schedule.largest()), plan_frequency(lang, schedule.frequency))
}

/// A rule of the merchant's policy a proposal breaks, in `lang`; amounts in `currency`.
pub fn plan_breach(lang: Lang, breach: kassa_domain::plan::Breach, currency: kassa_domain::Currency) -> String {
    use kassa_domain::plan::Breach;
    let w = lang.words();
    let amount = |minor: i64| money_in(lang, kassa_domain::Money::from_minor(minor, currency));
    match breach {
        Breach::TotalBelowMinimum { min_minor } => w.plan_breach_total_below_minimum(amount(min_minor)),
        Breach::TooManyInstalments { max } => w.plan_breach_too_many_instalments(max),
        Breach::TooLong { max_months } => w.plan_breach_too_long(max_months),
        Breach::InstalmentBelowMinimum { min_minor } => w.plan_breach_instalment_below_minimum(amount(min_minor)),
        Breach::FrequencyNotOffered => w.plan_breach_frequency_not_offered(),
        Breach::FirstTooLate { max_days } => w.plan_breach_first_too_late(max_days),
    }
}

/// Who wrote a dispute's message, as the debtor reads it: "You", or the merchant's name.
/// How a dispute was resolved, in `lang`.
pub fn dispute_outcome(lang: Lang, outcome: kassa_domain::dispute::Outcome) -> String {
    use kassa_domain::dispute::Outcome;
    let w = lang.words();
    match outcome {
        Outcome::CreditedInFull => w.dispute_outcome_credited_in_full(),
        Outcome::CreditedInPart => w.dispute_outcome_credited_in_part(),
        Outcome::Rejected => w.dispute_outcome_rejected(),
        Outcome::Adjusted => w.dispute_outcome_adjusted(),
    }
}

/// A resolved dispute's outcome and its credit note, as one sentence each, in `lang`.
pub fn dispute_resolution(lang: Lang, d: &kassa_core::services::disputes::Dispute) -> (Option<String>, Option<String>) {
    let w = lang.words();
    let outcome = d.outcome.map(|o| w.dispute_outcome(dispute_outcome(lang, o)));
    let credited = d
        .credit_note
        .as_ref()
        .map(|(number, amount)| w.dispute_credited(number.to_string(), crate::money::money_in(lang, *amount)));
    (outcome, credited)
}

/// A dispute's files as links under `base` (the dispute's path), each "name (size)".
pub fn dispute_files(base: &str, files: &[kassa_core::services::disputes::FileInfo]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| (format!("{base}/files/{}", f.id), format!("{} ({} KB)", f.filename, (f.size_bytes + 1023) / 1024)))
        .collect()
}

pub fn dispute_author(lang: Lang, author: &str, merchant_name: &str) -> String {
    match author {
        "debtor" => lang.words().dispute_author_you(),
        _ => merchant_name.to_string(),
    }
}

pub fn method(method: &str) -> String {
    method_in(lang(), method)
}

/// An entry on a statement of account, in `lang`.
pub fn statement_entry(
    lang: Lang,
    kind: &kassa_core::services::statements::EntryKind,
    amount: kassa_domain::Money,
) -> String {
    use kassa_core::services::statements::EntryKind;
    let w = lang.words();
    match kind {
        EntryKind::Invoice { number } => w.entry_invoice(number),
        EntryKind::Payment { method, .. } => w.entry_payment(method_in(lang, method)),
        EntryKind::PaymentReversed { method, .. } => w.entry_payment_reversed(method_in(lang, method)),
        EntryKind::CreditNote { number } => w.entry_credit_note(number),
        // An undone write-off (its payment reversed) adds back to the balance.
        EntryKind::WriteOff { invoice, .. } if amount.is_positive() => w.entry_write_off_undone(invoice),
        EntryKind::WriteOff { invoice, .. } => w.entry_written_off(invoice),
    }
}

/// An error page's title and what the visitor can do next.
pub fn error_page(e: &AppError) -> (String, String) {
    error_page_in(lang(), e)
}

/// [`error_page`] in `lang` (for pages made outside Leptos).
pub fn error_page_in(lang: Lang, e: &AppError) -> (String, String) {
    let w = lang.words();
    match e {
        AppError::NotFound => (w.page_not_found(), w.page_not_found_advice()),
        AppError::Unauthorized => (w.page_sign_in_needed(), w.page_sign_in_needed_advice()),
        AppError::Problem(Problem::PaymentDeclined { .. }) => {
            (w.page_payment_declined(), w.page_payment_declined_advice())
        }
        AppError::Problem(Problem::TooManyAttempts { .. }) => {
            (w.page_too_many_attempts(), w.page_too_many_attempts_advice())
        }
        AppError::Problem(_) => (w.page_check_input(), w.page_check_input_advice()),
        AppError::Internal | AppError::Transport(_) => (w.page_went_wrong(), w.page_went_wrong_advice()),
    }
}

/// The problem in the words of the page being rendered; outside a page (the API's `message`,
/// the CLI) in English, amounts written with their ISO code (`EUR 1,234.56`), as the API's
/// amounts are.
pub fn problem(p: &Problem) -> String {
    match leptos::prelude::use_context::<Lang>() {
        Some(lang) => problem_in(lang, p, true),
        None => problem_in(Lang::En, p, false),
    }
}

/// The problem in `lang`'s words, as a page says it.
pub fn problem_for(lang: Lang, p: &Problem) -> String {
    problem_in(lang, p, true)
}

fn problem_in(lang: Lang, p: &Problem, on_a_page: bool) -> String {
    let w = lang.words();
    let money = |m: &kassa_domain::Money| if on_a_page { money_in(lang, *m) } else { m.to_string() };
    let day = |d: time::Date| if on_a_page { crate::dates::date_in(lang, d) } else { d.to_string() };
    match p {
        Problem::AmountNotANumber { input } => w.problem_amount_not_a_number(input),
        Problem::AmountTooPrecise { currency, digits } => w.problem_amount_too_precise(currency.to_string(), *digits),
        Problem::AmountTooLarge => w.problem_amount_too_large(),
        Problem::AmountAmbiguous { input } => w.problem_amount_ambiguous(input),
        Problem::AmountNotPositive => w.problem_amount_not_positive(),
        Problem::AmountExceedsBalance { balance } => w.problem_amount_exceeds_balance(money(balance)),
        Problem::UnknownCurrency { input } => w.problem_unknown_currency(input),
        Problem::CurrencyMismatch { expected, found } => {
            w.problem_currency_mismatch(found.to_string(), expected.to_string())
        }
        Problem::InvoiceNumberEmpty => w.problem_invoice_number_empty(),
        Problem::InvoiceNumberInvalid { max_chars } => w.problem_invoice_number_invalid(*max_chars),
        Problem::InvoiceHasNoLines => w.problem_invoice_has_no_lines(),
        Problem::LineCurrencyMismatch { line, expected, found } => {
            w.problem_line_currency_mismatch(*line, found.to_string(), expected.to_string())
        }
        Problem::LineAmountInvalid { line } => w.problem_line_amount_invalid(*line),
        Problem::DueBeforeIssue { issued, due } => w.problem_due_before_issue(due.to_string(), issued.to_string()),
        Problem::NothingOpen => w.problem_nothing_open(),
        Problem::AllocationExceedsAmount { applied, received } => {
            w.problem_allocation_exceeds_amount(money(applied), money(received))
        }
        Problem::AmountExceedsCredit { credit } => w.problem_amount_exceeds_credit(money(credit)),
        Problem::RefundExceedsPayment { paid } => w.problem_refund_exceeds_payment(money(paid)),
        Problem::NoCreditAvailable => w.problem_no_credit_available(),
        Problem::AlreadyReversed => w.problem_already_reversed(),
        Problem::NotReversed => w.problem_not_reversed(),
        Problem::OnlyPaymentsReverse => w.problem_only_payments_reverse(),
        Problem::NotInLedger => w.problem_not_in_ledger(),
        Problem::AlreadyInLedger => w.problem_already_in_ledger(),
        Problem::UnknownInvoice { number } => w.problem_unknown_invoice(number),
        Problem::UnknownCustomer => w.problem_unknown_customer(),
        Problem::CreditNoteNumberTaken { number } => w.problem_credit_note_number_taken(number),
        Problem::IdempotencyKeyReused => w.problem_idempotency_key_reused(),
        Problem::ReasonRequired => w.problem_reason_required(),
        Problem::WriteOffReasonInvalid { input } => w.problem_write_off_reason_invalid(input),
        Problem::PaymentDeclined { decline_code } => w.problem_payment_declined(decline(w, decline_code)),
        Problem::PaymentInProgress => w.problem_payment_in_progress(),
        Problem::PaymentsUnavailable => w.problem_payments_unavailable(),
        Problem::FormExpired => w.problem_form_expired(),
        Problem::NothingSelected => w.problem_nothing_selected(),
        Problem::TooManySelected { max } => w.problem_too_many_selected(*max),
        Problem::SelectionMixesCurrencies => w.problem_selection_mixes_currencies(),
        Problem::PeriodReversed { from, to } => {
            let day = |d: &time::Date| if on_a_page { crate::dates::date_in(lang, *d) } else { d.to_string() };
            w.problem_period_reversed(day(from), day(to))
        }
        Problem::StatementTooLong { max } => w.problem_statement_too_long(*max),
        Problem::InvoiceAlreadyPaid { number } => w.problem_invoice_already_paid(number),
        Problem::SelectionChanged { total } => w.problem_selection_changed(money(total)),
        Problem::InvalidSlug { input } => w.problem_invalid_slug(input),
        Problem::SlugTaken { slug } => w.problem_slug_taken(slug),
        Problem::NameRequired => w.problem_name_required(),
        Problem::InvalidColor { input } => w.problem_invalid_color(input),
        Problem::UnknownTimeZone { input } => w.problem_unknown_time_zone(input),
        Problem::LiveKeyRequired => w.problem_live_key_required(),
        Problem::LogoTooLarge { max_kb } => w.problem_logo_too_large(*max_kb),
        Problem::LogoNotPngOrJpeg => w.problem_logo_not_png_or_jpeg(),
        Problem::LogoSize { width, height, min, max } => w.problem_logo_size(*width, *height, *min, *max),
        Problem::GatewayEventRefused { reason } => w.problem_gateway_event_refused(reason),
        Problem::InvalidEmail { input } => w.problem_invalid_email(input),
        Problem::EmailTaken => w.problem_email_taken(),
        Problem::OwnerStays => w.problem_owner_stays(),
        Problem::OwnerNeedsPassword => w.problem_owner_needs_password(),
        Problem::PasswordTooShort { min_chars } => w.problem_password_too_short(*min_chars),
        Problem::PasswordsDiffer => w.problem_passwords_differ(),
        Problem::PasswordLinkExpired => w.problem_password_link_expired(),
        Problem::SignInLinkExpired => w.problem_sign_in_link_expired(),
        Problem::WrongCredentials => w.problem_wrong_credentials(),
        Problem::Busy { retry_after_secs } => w.problem_busy(*retry_after_secs),
        Problem::TooManyAttempts { retry_after_minutes } => w.problem_too_many_attempts(*retry_after_minutes),
        Problem::CustomerNumberInvalid { max_chars } => w.problem_customer_number_invalid(*max_chars),
        Problem::CustomerNumberTaken { number } => w.problem_customer_number_taken(number),
        Problem::InvoiceNumberTaken { number } => w.problem_invoice_number_taken(number),
        Problem::InvalidDate { input } => w.problem_invalid_date(input),
        Problem::DateOutOfRange { input, earliest, latest } => {
            w.problem_date_out_of_range(input, earliest.to_string(), latest.to_string())
        }
        Problem::InvalidLanguage { input } => w.problem_invalid_language(input),
        Problem::PaymentTermsInvalid { max_days } => w.problem_payment_terms_invalid(*max_days),
        Problem::QuantityInvalid { line, input } => w.problem_quantity_invalid(input, *line),
        Problem::DescriptionRequired { line } => w.problem_description_required(*line),
        Problem::InvalidCursor => w.problem_invalid_cursor(),
        Problem::SegmentInvalid { max_chars } => w.problem_segment_invalid(*max_chars),
        Problem::TooManyContacts { max } => w.problem_too_many_contacts(*max),
        Problem::WebhookUrlInvalid => w.problem_webhook_url_invalid(),
        Problem::WebhookUrlNotHttps => w.problem_webhook_url_not_https(),
        Problem::WebhookTargetPrivate { host } => w.problem_webhook_target_private(host),
        Problem::WebhookEventUnknown { input } => w.problem_webhook_event_unknown(input),
        Problem::WebhookEventsRequired => w.problem_webhook_events_required(),
        Problem::WebhookTooManyEvents { max } => w.problem_webhook_too_many_events(*max),
        Problem::WebhookEndpointDisabled => w.problem_webhook_endpoint_disabled(),
        Problem::DescriptionTooLong { max_chars } => w.problem_description_too_long(*max_chars),
        Problem::ImportNotUtf8 { line } => w.problem_import_not_utf8(*line),
        Problem::ImportEmpty => w.problem_import_empty(),
        Problem::ImportColumnUnknown { column } => w.problem_import_column_unknown(column),
        Problem::ImportColumnMissing { column } => w.problem_import_column_missing(column),
        Problem::ImportRowMalformed { line } => w.problem_import_row_malformed(*line),
        Problem::ImportRowDisagrees { first_line } => w.problem_import_row_disagrees(*first_line),
        Problem::ImportRejected { reason } => w.problem_import_rejected(reason),
        Problem::JobNotDead { state } => w.problem_job_not_dead(state),
        Problem::CreditHeldForUnknownInvoice { number } => w.problem_credit_held_for_unknown_invoice(number),
        Problem::ImportTooLarge { max_mib, max_files } => w.problem_import_too_large(*max_mib, *max_files),
        Problem::ImportDocumentTooLarge { max_mib, max_elements } => {
            w.problem_import_document_too_large(*max_mib, *max_elements)
        }
        Problem::ImportNulCharacter { line } => w.problem_import_nul_character(*line),
        Problem::ImportNumberRepeated { number, first } => w.problem_import_number_repeated(number, first),
        Problem::ImportXmlMalformed { line, reason } => w.problem_import_xml_malformed(*line, reason),
        Problem::ImportNotUbl { root } => w.problem_import_not_ubl(root),
        Problem::ImportElementMissing { element } => w.problem_import_element_missing(element),
        Problem::ImportAmountCurrency { expected, found } => w.problem_import_amount_currency(found, expected),
        Problem::ImportTotalsDisagree { payable, computed } => w.problem_import_totals_disagree(payable, computed),
        Problem::ImportPayableNotPositive { payable } => w.problem_import_payable_not_positive(payable),
        Problem::ImportArchiveInvalid { reason } => w.problem_import_archive_invalid(reason),
        Problem::ImportArchiveTooLarge { max_mib, max_files } => {
            w.problem_import_archive_too_large(*max_files, *max_mib)
        }
        Problem::ImportFileUnknown { name } => w.problem_import_file_unknown(name),
        Problem::IbanInvalid { input } => w.problem_iban_invalid(input),
        Problem::PaymentReferenceInvalid { max_chars } => w.problem_payment_reference_invalid(*max_chars),
        Problem::BicInvalid { input } => w.problem_bic_invalid(input),
        Problem::AccountNameInvalid => w.problem_account_name_invalid(),
        Problem::StripeSecretKeyInvalid => w.problem_stripe_secret_key_invalid(),
        Problem::StripePublishableKeyInvalid => w.problem_stripe_publishable_key_invalid(),
        Problem::StripeWebhookSecretInvalid => w.problem_stripe_webhook_secret_invalid(),
        Problem::StripeKeysModeMismatch => w.problem_stripe_keys_mode_mismatch(),
        Problem::PaymentMethodTypeInvalid { input } => w.problem_payment_method_type_invalid(input),
        Problem::FikCreditorInvalid { input } => w.problem_fik_creditor_invalid(input),
        Problem::PromiseDateInPast { today } => w.problem_promise_date_in_past(day(*today)),
        Problem::PromiseDateTooFar { latest } => w.problem_promise_date_too_far(day(*latest)),
        Problem::PromiseAmountInvalid { owed } => w.problem_promise_amount_invalid(money(owed)),
        Problem::InvoiceAlreadyPromised { number } => w.problem_invoice_already_promised(number),
        Problem::PromisePolicyInvalid => w.problem_promise_policy_invalid(),
        Problem::DisputeReasonUnknown { input } => w.problem_dispute_reason_unknown(input),
        Problem::DisputeMessageInvalid { max_chars } => w.problem_dispute_message_invalid(*max_chars),
        Problem::DisputeLineUnknown { line } => w.problem_dispute_line_unknown(*line),
        Problem::DisputeAmountInvalid { most } => w.problem_dispute_amount_invalid(money(most)),
        Problem::DisputeReplyInvalid { max_chars } => w.problem_dispute_reply_invalid(*max_chars),
        Problem::DisputeClosed => w.problem_dispute_closed(),
        Problem::DisputeOutcomeUnknown { input } => w.problem_dispute_outcome_unknown(input),
        Problem::DisputeCreditInvalid { disputed } => w.problem_dispute_credit_invalid(money(disputed)),
        Problem::DisputeFileNotAccepted { name } => w.problem_dispute_file_not_accepted(name),
        Problem::DisputeFileTooLarge { name, max_mb } => w.problem_dispute_file_too_large(name, *max_mb),
        Problem::DisputeTooManyFiles { max } => w.problem_dispute_too_many_files(*max),
        Problem::PlanPolicyInvalid => w.problem_plan_policy_invalid(),
        Problem::PlansNotOffered => w.problem_plans_not_offered(),
        Problem::InvoiceAlreadyInPlan { number } => w.problem_invoice_already_in_plan(number),
        Problem::PlanInvoiceNotDue { number } => w.problem_plan_invoice_not_due(number),
        Problem::PlanInstalmentsInvalid { max } => w.problem_plan_instalments_invalid(*max),
        Problem::PlanFrequencyUnknown { input } => w.problem_plan_frequency_unknown(input),
        Problem::PlanFirstDateInvalid { earliest, latest } => {
            w.problem_plan_first_date_invalid(day(*earliest), day(*latest))
        }
        Problem::PlanDecided => w.problem_plan_decided(),
        Problem::PlanNotActive => w.problem_plan_not_active(),
        Problem::DirectDebitUnavailable => w.problem_direct_debit_unavailable(),
        Problem::InvoiceWhollyDisputed { number } => w.problem_invoice_wholly_disputed(number),
        Problem::WidgetOriginInvalid { input } => w.problem_widget_origin_invalid(input),
        Problem::WidgetOriginsCount { max } => w.problem_widget_origins_count(*max),
        Problem::WidgetDaysOutOfRange { max } => w.problem_widget_days_out_of_range(*max),
        Problem::WidgetEmailCoversOneInvoice => w.problem_widget_email_covers_one_invoice(),
        Problem::WidgetInvoiceOrCustomer => w.problem_widget_invoice_or_customer(),
        Problem::WidgetEmailHasNoSites => w.problem_widget_email_has_no_sites(),
    }
}

/// A provider's decline code in `lang`, as a clause ("the card was declined").
pub fn decline_in(lang: Lang, code: &str) -> String {
    decline(lang.words(), code)
}

/// A provider's decline code in words; unknown codes get a general sentence.
fn decline(w: &Words, code: &str) -> String {
    match code {
        "card_declined" => w.decline_card_declined(),
        "insufficient_funds" => w.decline_insufficient_funds(),
        "expired_card" => w.decline_expired_card(),
        "incorrect_cvc" => w.decline_incorrect_cvc(),
        "canceled" => w.decline_canceled(),
        _ => w.decline_other(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_domain::{Currency, Money};

    #[test]
    fn problems_read_as_sentences_with_their_fields() {
        let p = Problem::AmountExceedsBalance { balance: Money::from_minor(179000, Currency::DKK) };
        assert_eq!(problem(&p), "You can pay at most DKK 1,790.00, the open balance.");
        assert_eq!(problem_for(Lang::Da, &p), "Du kan højst betale 1.790,00\u{a0}kr., restbeløbet.");
        let p = Problem::PaymentDeclined { decline_code: "card_declined".into() };
        assert_eq!(problem(&p), "The payment was declined: the card was declined.");
        assert_eq!(problem_for(Lang::Nl, &p), "De betaling is geweigerd: de kaart werd geweigerd.");
        assert_eq!(problem_for(Lang::Da, &p), "Betalingen blev afvist: kortet blev afvist.");
        let p = Problem::PaymentDeclined { decline_code: "something_new".into() };
        assert!(problem(&p).contains("refused"));
    }
}
