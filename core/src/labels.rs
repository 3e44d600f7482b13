//! Words the core writes into records rather than pages (those are the app's): an invoice line
//! Kassa makes itself, in its customer's language. The server gives the app's words (its Fluent
//! files, app/locales); [`English`] stands in where there are none (benchmarks).

/// Words for what Kassa writes into records.
pub trait Labels: Send + Sync {
    /// The line of the invoice a payment plan's fee or interest makes, in `language` (a
    /// customer's language code: `en`, `nl`, `da`; any other falls back to English).
    fn plan_charge(&self, language: &str) -> String;
}

/// English only, for contexts without the app's words.
pub struct English;

impl Labels for English {
    fn plan_charge(&self, _language: &str) -> String {
        "Payment plan charge".into()
    }
}
