//! What the UI says when something is wrong: one sentence per error code, in English for
//! now. This is the one place the portal's and admin's error wording lives, so adding Dutch
//! and Danish is adding two more of these tables, not hunting for strings.

use kassa_domain::{InvoiceStatus, Problem};

use crate::error::AppError;

pub fn error(e: &AppError) -> String {
    match e {
        AppError::NotFound => "We could not find that page.".into(),
        AppError::Unauthorized => "This page needs a sign-in link.".into(),
        AppError::Problem(p) => problem(p),
        AppError::Internal => "Something went wrong on our side. Nothing was charged twice; please try again.".into(),
        AppError::Transport(detail) => {
            format!("The request did not reach Kassa ({detail}). Check your connection and try again.")
        }
    }
}

/// How amounts in `currency` are written (today `EUR 1,234.56` in every language), for an
/// island that adds amounts up itself.
pub fn money_format(currency: kassa_domain::Currency) -> crate::model::MoneyFormat {
    crate::model::MoneyFormat {
        currency: currency.code().to_string(),
        decimals: currency.minor_digits(),
        prefix: format!("{} ", currency.code()),
        suffix: String::new(),
        group: ",".into(),
        decimal: ".".into(),
    }
}

pub fn status(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Open => "Open",
        InvoiceStatus::PartlyPaid => "Partly paid",
        InvoiceStatus::Overdue => "Overdue",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Credited => "Credited",
        InvoiceStatus::WrittenOff => "Written off",
    }
}

/// A line on an invoice: what moved its balance.
#[cfg(feature = "ssr")]
pub fn settlement(kind: &kassa_core::services::portal::SettlementKind, undoing: bool) -> String {
    use kassa_core::services::portal::SettlementKind;
    use kassa_domain::WriteOffReason;
    match kind {
        SettlementKind::Payment { method, .. } if undoing => format!("{method}, reversed"),
        SettlementKind::Payment { method, reversed: true, .. } => format!("{method} (later reversed)"),
        SettlementKind::Payment { method, .. } => method.clone(),
        SettlementKind::CreditNote { number } => format!("Credit note {number}"),
        SettlementKind::WriteOff { reason } => match (reason, undoing) {
            (_, true) => "Write-off undone".into(),
            (WriteOffReason::ShortPayment, _) => "Small difference written off".into(),
            (WriteOffReason::BadDebt | WriteOffReason::SmallBalance | WriteOffReason::Other, _) => "Written off".into(),
        },
    }
}

/// An error page's title and what the visitor can do next.
pub fn error_page(e: &AppError) -> (&'static str, &'static str) {
    match e {
        AppError::NotFound => ("Not found", "Check the link you followed, or ask the sender for a new one."),
        AppError::Unauthorized => (
            "Sign-in needed",
            "Open the most recent link from your email. Links work once and expire after 15 minutes; ask for a new one if yours has.",
        ),
        AppError::Problem(Problem::PaymentDeclined { .. }) => {
            ("Payment declined", "Nothing was charged. Try again or choose another way to pay.")
        }
        AppError::Problem(Problem::TooManyAttempts { .. }) => {
            ("Too many attempts", "This protects your account. Try again later.")
        }
        AppError::Problem(_) => ("Please check your input", "Correct the field and try again."),
        AppError::Internal | AppError::Transport(_) => ("Something went wrong", "Please try again in a moment."),
    }
}

pub fn problem(p: &Problem) -> String {
    match p {
        Problem::AmountNotANumber { input } => format!("'{input}' is not an amount (write it like 12.50)."),
        Problem::AmountTooPrecise { currency, digits } => {
            format!("{currency} amounts have at most {digits} decimals.")
        }
        Problem::AmountTooLarge => {
            "The amount is too large: Kassa takes amounts of up to 15 digits, cents included.".into()
        }
        Problem::AmountNotPositive => "Enter an amount above zero.".into(),
        Problem::AmountExceedsBalance { balance } => format!("You can pay at most {balance}, the open balance."),
        Problem::UnknownCurrency { input } => format!("'{input}' is not a currency code (write it like EUR)."),
        Problem::CurrencyMismatch { expected, found } => {
            format!("The amount is in {found}, but this needs {expected}.")
        }
        Problem::InvoiceNumberEmpty => "Enter an invoice number.".into(),
        Problem::InvoiceNumberInvalid { max_chars } => {
            format!("An invoice number has at most {max_chars} characters and no line breaks.")
        }
        Problem::InvoiceHasNoLines => "An invoice needs at least one line.".into(),
        Problem::LineCurrencyMismatch { line, expected, found } => {
            format!("Line {line} is in {found}, but the invoice is in {expected}.")
        }
        Problem::LineAmountInvalid { line } => format!("The amount of line {line} is not valid."),
        Problem::DueBeforeIssue { issued, due } => format!("The due date {due} is before the issue date {issued}."),
        Problem::NothingOpen => "This invoice is already paid.".into(),
        Problem::AllocationExceedsAmount { applied, received } => {
            format!("The allocations add up to {applied}, more than the {received} received.")
        }
        Problem::AmountExceedsCredit { credit } => format!("Only {credit} of credit is left to apply."),
        Problem::NoCreditAvailable => "There is no credit left to apply.".into(),
        Problem::AlreadyReversed => "This payment has already been reversed.".into(),
        Problem::OnlyPaymentsReverse => "Only a payment can be reversed; correct a credit note with an invoice.".into(),
        Problem::NotInLedger => "That invoice or payment is not on this customer's account.".into(),
        Problem::AlreadyInLedger => "That entry is already on the account.".into(),
        Problem::UnknownInvoice { number } => format!("There is no invoice {number} on this account."),
        Problem::UnknownCustomer => "There is no such customer.".into(),
        Problem::CreditNoteNumberTaken { number } => {
            format!("Credit note {number} already exists with other details. Use a new number.")
        }
        Problem::IdempotencyKeyReused => {
            "This request repeats an earlier key with different content. Use a new key.".into()
        }
        Problem::ReasonRequired => "Give a reason.".into(),
        Problem::WriteOffReasonInvalid { input } => {
            format!("'{input}' is not a write-off reason: use bad_debt, small_balance or other.")
        }
        Problem::PaymentDeclined { decline_code } => format!("The payment was declined: {}.", decline(decline_code)),
        Problem::PaymentInProgress => {
            "A payment for this invoice is already being processed (in another tab or on another device). \
             Wait a moment, then reload the page."
                .into()
        }
        Problem::PaymentsUnavailable => "Online payment is not available for this invoice yet. \
             Pay by bank transfer with the details on the invoice."
            .into(),
        Problem::FormExpired => "The form is out of date. Reload the page and pay again.".into(),
        Problem::NothingSelected => "Choose at least one invoice to pay.".into(),
        Problem::TooManySelected { max } => format!("Pay at most {max} invoices at once."),
        Problem::SelectionMixesCurrencies => {
            "The invoices are in different currencies: pay the invoices of one currency at a time.".into()
        }
        Problem::InvoiceAlreadyPaid { number } => format!("Invoice {number} is already paid: choose the others."),
        Problem::SelectionChanged { total } => format!(
            "The balances changed since you chose the invoices (another payment?): they now come to {total}. \
             Check the total and pay again."
        ),
        Problem::InvalidSlug { input } => {
            format!("'{input}' cannot be a merchant's address: use 1-40 lowercase letters, digits and dashes.")
        }
        Problem::SlugTaken { slug } => format!("The address '{slug}' is taken. Choose another one."),
        Problem::NameRequired => "Enter a name.".into(),
        Problem::InvalidColor { input } => format!("'{input}' is not a colour: write it like #0b5cad."),
        Problem::InvalidLogoUrl => "The logo must be an https:// address or a path on this site.".into(),
        Problem::InvalidEmail { input } => format!("'{input}' is not an email address."),
        Problem::EmailTaken => "Someone already signs in with this email address.".into(),
        Problem::OwnerStays => {
            "The owner cannot be removed or given another role: hand the ownership to someone else first.".into()
        }
        Problem::OwnerNeedsPassword => {
            "Ownership can only go to someone who has chosen their password and can sign in.".into()
        }
        Problem::PasswordTooShort { min_chars } => format!("Choose a password of at least {min_chars} characters."),
        Problem::PasswordsDiffer => "The two passwords are not the same.".into(),
        Problem::PasswordLinkExpired => {
            "This link to set a password has been used or has expired. Ask an administrator for a new one.".into()
        }
        Problem::SignInLinkExpired => "This sign-in link can no longer be used. Ask for a new one.".into(),
        Problem::WrongCredentials => "The email or password is wrong.".into(),
        Problem::Busy { retry_after_secs } => {
            format!("Kassa is handling many sign-ins at once. Try again in {retry_after_secs} seconds.")
        }
        Problem::TooManyAttempts { retry_after_minutes } => {
            format!("Too many attempts. Wait {retry_after_minutes} minutes, then try again.")
        }
        Problem::CustomerNumberInvalid { max_chars } => {
            format!("A customer number has 1 to {max_chars} characters and no line breaks.")
        }
        Problem::CustomerNumberTaken { number } => {
            format!("Customer {number} already exists with other details. Update it instead, or use a new number.")
        }
        Problem::InvoiceNumberTaken { number } => {
            format!("Invoice {number} already exists with other details. Use a new number.")
        }
        Problem::InvalidDate { input } => format!("'{input}' is not a date: write it like 2026-11-25."),
        Problem::DateOutOfRange { input, earliest, latest } => {
            format!("{input} is outside the dates Kassa works with: {earliest} to {latest}.")
        }
        Problem::InvalidLanguage { input } => format!("'{input}' is not a language Kassa speaks: use en, nl or da."),
        Problem::PaymentTermsInvalid { max_days } => format!("Payment terms are 0 to {max_days} days."),
        Problem::QuantityInvalid { line, input } => {
            format!("The quantity '{input}' of line {line} is not a number (write it like 2 or 1.5).")
        }
        Problem::DescriptionRequired { line } => format!("Line {line} needs a description."),
        Problem::InvalidCursor => "The page cursor is not one Kassa gave out. Start again from the first page.".into(),
        Problem::SegmentInvalid { max_chars } => {
            format!("A segment is a word of at most {max_chars} characters, like smb or enterprise.")
        }
        Problem::TooManyContacts { max } => format!("A customer has at most {max} contacts."),
        Problem::WebhookUrlInvalid => {
            "Give the endpoint as an absolute http(s) URL without a user name, like https://erp.example.com/kassa."
                .into()
        }
        Problem::WebhookUrlNotHttps => "A live endpoint must use https.".into(),
        Problem::WebhookTargetPrivate { host } => {
            format!("{host} is a loopback or private address; Kassa sends webhooks to public addresses only.")
        }
        Problem::WebhookEventUnknown { input } => {
            format!("'{input}' is not an event: name one (invoice.paid), a group (invoice.*) or all (*).")
        }
        Problem::WebhookEventsRequired => "Name at least one event to send (or * for all).".into(),
        Problem::WebhookTooManyEvents { max } => {
            format!("An endpoint subscribes to at most {max} events; use a group like invoice.*.")
        }
        Problem::WebhookEndpointDisabled => "The endpoint is disabled: enable it first, then replay.".into(),
        Problem::DescriptionTooLong { max_chars } => format!("A description is at most {max_chars} characters."),
        Problem::ImportNotUtf8 { line } => {
            format!(
                "Line {line} is not UTF-8 text: save the file as UTF-8 (from Excel: \"CSV UTF-8 (comma delimited)\")."
            )
        }
        Problem::ImportEmpty => "The file has no header row and no invoices.".into(),
        Problem::ImportColumnUnknown { column } => format!(
            "The column '{column}' is not one Kassa reads; rename or remove it (the columns are in docs/imports.md)."
        ),
        Problem::ImportColumnMissing { column } => format!("The file has no '{column}' column, which is required."),
        Problem::ImportRowMalformed { line } => {
            format!("Line {line} does not have as many fields as the header row (a quote not closed?).")
        }
        Problem::ImportRowDisagrees { first_line } => {
            format!("This invoice's rows must agree on it: line {first_line}, its first row, says something else.")
        }
        Problem::ImportRejected { reason } => format!("Not imported: {reason}."),
        Problem::JobNotDead { state } => {
            format!("The job is {state}, not dead: only a job that has used all its attempts can be retried.")
        }
        Problem::CreditHeldForUnknownInvoice { number } => format!(
            "There is no invoice {number} on this account, so the credit note is held as credit on the customer: \
             apply it to an invoice when one arrives."
        ),
        Problem::ImportTooLarge { max_mib, max_files } => format!(
            "An import is at most {max_mib} MiB and {max_files} files together: send the files in several imports \
             (or several files in one zip archive)."
        ),
        Problem::ImportDocumentTooLarge { max_mib, max_elements } => {
            format!("A UBL document is at most {max_mib} MiB and {max_elements} elements.")
        }
        Problem::ImportNulCharacter { line } => format!(
            "Line {line} has a NUL character, which text may not contain (was the file saved as UTF-16? Save it as \
             UTF-8)."
        ),
        Problem::ImportNumberRepeated { number, first } => format!(
            "The number {number} is also in {first}: an import names each invoice and credit note once \
             (is a file in it twice?)."
        ),
        Problem::ImportXmlMalformed { line, reason } => {
            format!("The XML is not well-formed at line {line} ({reason}); the file may be cut off or edited by hand.")
        }
        Problem::ImportNotUbl { root } => format!(
            "The XML's root is <{root}>, not a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0); \
             Kassa reads those and CSV files."
        ),
        Problem::ImportElementMissing { element } => format!("The document has no {element}, which Kassa needs."),
        Problem::ImportAmountCurrency { expected, found } => {
            format!("This amount is in {found}, but the document's currency (DocumentCurrencyCode) is {expected}.")
        }
        Problem::ImportTotalsDisagree { payable, computed } => format!(
            "The document asks for {payable} (PayableAmount), but its lines, allowances, charges, VAT, prepaid \
             and rounding amounts come to {computed}."
        ),
        Problem::ImportPayableNotPositive { payable } => format!(
            "The document's PayableAmount is {payable}: a credit note gives back more than zero, and a document for \
             zero has nothing to import (an invoice below zero is taken as a credit note)."
        ),
        Problem::ImportArchiveInvalid { reason } => format!("The zip archive cannot be read: {reason}."),
        Problem::ImportArchiveTooLarge { max_mib, max_files } => format!(
            "An archive holds at most {max_files} files and {max_mib} MiB unpacked: split it into smaller archives."
        ),
        Problem::ImportFileUnknown { name } => format!(
            "'{name}' is neither CSV nor XML: Kassa imports CSV files, UBL Invoice and CreditNote XML, and zip \
             archives of those."
        ),
        Problem::IbanInvalid { input } => format!("'{input}' is not a valid IBAN (check its digits)."),
        Problem::PaymentReferenceInvalid { max_chars } => {
            format!("A payment reference is at most {max_chars} characters, without line breaks.")
        }
    }
}

/// A provider's decline code in words; unknown codes get a general sentence.
fn decline(code: &str) -> &'static str {
    match code {
        "card_declined" => "the card was declined",
        "insufficient_funds" => "there is not enough money on the account",
        "expired_card" => "the card has expired",
        "incorrect_cvc" => "the security code is wrong",
        _ => "the payment provider refused it",
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
        let p = Problem::PaymentDeclined { decline_code: "card_declined".into() };
        assert_eq!(problem(&p), "The payment was declined: the card was declined.");
        let p = Problem::PaymentDeclined { decline_code: "something_new".into() };
        assert!(problem(&p).contains("refused"));
    }
}
