//! Identifiers and the merchant's own numbers as types, so a customer id can never be passed
//! where an invoice id is meant. Ids are opaque text (UUIDs, made by the server); slugs and
//! invoice numbers come from people and files, so they are parsed once, at the edge.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id the server made or the database returned.
            pub fn from_raw(id: impl Into<String>) -> Self {
                $name(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Text that is valid by construction: made by `parse`, read back through serde the same way.
macro_rules! parsed_text {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Problem;
            fn try_from(s: String) -> Result<Self, Problem> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id!(
    /// A merchant (tenant). Every row Kassa stores belongs to one.
    MerchantId
);
id!(
    /// A merchant's customer: the debtor.
    CustomerId
);
id!(
    /// An invoice, by Kassa's id (the merchant's own number is [`InvoiceNumber`]).
    InvoiceId
);
id!(
    /// Money received (or reversed): a payment in the ledger.
    PaymentId
);
id!(
    /// A credit note: value the merchant gives back on paper.
    CreditNoteId
);
id!(
    /// A staff member of one merchant.
    StaffId
);

/// The merchant's name in URLs (`/p/{slug}`): 1-40 of `a-z`, `0-9` and `-`, neither starting
/// nor ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MerchantSlug(String);

impl MerchantSlug {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let s = input.trim();
        let ok = (1..=40).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(MerchantSlug(s.to_string()))
        } else {
            Err(Problem::InvalidSlug { input: input.chars().take(60).collect() })
        }
    }
}

parsed_text!(MerchantSlug);

/// The merchant's own invoice number (`2026-0042`, `NL/26/117`): 1-64 characters after
/// trimming, no control characters. Unique per merchant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InvoiceNumber(String);

impl InvoiceNumber {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Problem::InvoiceNumberEmpty);
        }
        if s.chars().count() > Self::MAX_CHARS || s.chars().any(char::is_control) {
            return Err(Problem::InvoiceNumberInvalid { max_chars: Self::MAX_CHARS as u32 });
        }
        Ok(InvoiceNumber(s.to_string()))
    }
}

parsed_text!(InvoiceNumber);

/// A merchant's own number for a customer (the key its ERP knows the customer by), unique per
/// merchant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let s = input.trim();
        if s.is_empty() || s.chars().count() > Self::MAX_CHARS || s.chars().any(char::is_control) {
            return Err(Problem::CustomerNumberInvalid { max_chars: Self::MAX_CHARS as u32 });
        }
        Ok(CustomerNumber(s.to_string()))
    }
}

parsed_text!(CustomerNumber);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(MerchantSlug::parse(" demo ").unwrap().as_str(), "demo");
        assert!(MerchantSlug::parse("noorderlicht-2").is_ok());
        for bad in ["", "-demo", "demo-", "Demo", "de mo", "\n", "demo\r\nSet-Cookie: x", &"a".repeat(41)] {
            assert!(matches!(MerchantSlug::parse(bad), Err(Problem::InvalidSlug { .. })), "{bad:?}");
        }
    }

    #[test]
    fn invoice_numbers_are_trimmed_and_bounded() {
        assert_eq!(InvoiceNumber::parse(" NL/26/117 ").unwrap().as_str(), "NL/26/117");
        assert_eq!(InvoiceNumber::parse("  "), Err(Problem::InvoiceNumberEmpty));
        assert!(matches!(InvoiceNumber::parse("A\u{0}B"), Err(Problem::InvoiceNumberInvalid { .. })));
        assert!(InvoiceNumber::parse(&"9".repeat(64)).is_ok());
        assert!(InvoiceNumber::parse(&"9".repeat(65)).is_err());
    }

    #[test]
    fn customer_numbers_are_trimmed_and_bounded() {
        assert_eq!(CustomerNumber::parse(" C-1001 ").unwrap().as_str(), "C-1001");
        for bad in ["", " ", "C\n1", &"9".repeat(65)] {
            assert!(matches!(CustomerNumber::parse(bad), Err(Problem::CustomerNumberInvalid { .. })), "{bad:?}");
        }
    }
}
