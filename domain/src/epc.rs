//! The EPC QR code's payload (EPC069-12, "Quick Response Code: guidelines to enable data
//! capture for the initiation of a SEPA credit transfer", version 002, also called GiroCode):
//! what a banking app reads to fill in a transfer. Apps are strict, and a reference in the
//! wrong field is silently dropped, so the fields follow the guideline to the letter:
//!
//! ```text
//! BCD                  service tag
//! 002                  version (002: the BIC may be left out inside the EEA)
//! 1                    character set: UTF-8
//! SCT                  SEPA credit transfer
//! ABNANL2A             BIC (may be empty)
//! Noorderlicht B.V.    beneficiary name, at most 70 characters
//! NL91ABNA0417164300   IBAN, without spaces
//! EUR310.00            amount: EUR, 0.01 to 999999999.99, a point, at most two decimals
//!                      purpose code (empty)
//! RF18539007547034     structured reference, at most 35 characters...
//!                      ...and then no unstructured text: one or the other, never both
//! ```
//!
//! Lines end with a line feed; empty trailing fields are left out; the whole payload is at
//! most 331 bytes. The QR code itself (error correction level M) is drawn at the edge.

use iban::IbanLike;

use crate::money::{Currency, Money};
use crate::reference::PaymentReference;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    #[error("an EPC QR code pays euros only")]
    NotEuro,
    #[error("the amount must be between 0.01 and 999,999,999.99")]
    Amount,
    #[error("the beneficiary's name must be 1 to 70 characters")]
    Name,
    #[error("the IBAN is not valid")]
    Iban,
    #[error("the BIC must be 8 or 11 letters and digits")]
    Bic,
    #[error("the payload would be longer than the 331 bytes a code may hold")]
    TooLong,
}

/// A SEPA credit transfer for an EPC QR code.
#[derive(Debug, Clone)]
pub struct CreditTransfer<'a> {
    pub bic: Option<&'a str>,
    pub name: &'a str,
    /// As the merchant typed it (spaces allowed); checked with the iban_validate crate.
    pub iban: &'a str,
    pub amount: Money,
    pub reference: Option<&'a PaymentReference>,
}

/// The most an EPC QR code may hold.
pub const MAX_BYTES: usize = 331;

impl CreditTransfer<'_> {
    /// The payload to encode, or which field is wrong.
    pub fn payload(&self) -> Result<String, EpcError> {
        if self.amount.currency() != Currency::EUR {
            return Err(EpcError::NotEuro);
        }
        let minor = self.amount.minor();
        if !(1..=99_999_999_999).contains(&minor) {
            return Err(EpcError::Amount);
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 70 || name.chars().any(char::is_control) {
            return Err(EpcError::Name);
        }
        let iban: iban::Iban = self.iban.trim().parse().map_err(|_| EpcError::Iban)?;
        let bic = self.bic.map(str::trim).unwrap_or_default();
        if !(bic.is_empty() || (matches!(bic.len(), 8 | 11) && bic.chars().all(|c| c.is_ascii_alphanumeric()))) {
            return Err(EpcError::Bic);
        }
        let amount = format!("EUR{}", self.amount.amount_string());
        let reference = self.reference.map(PaymentReference::as_str).unwrap_or_default();
        let mut fields = vec!["BCD", "002", "1", "SCT", bic, name, iban.electronic_str(), &amount, "", reference, ""];
        while fields.last() == Some(&"") {
            fields.pop();
        }
        let payload = fields.join("\n");
        if payload.len() > MAX_BYTES {
            return Err(EpcError::TooLong);
        }
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceScheme;

    fn transfer<'a>(reference: Option<&'a PaymentReference>) -> CreditTransfer<'a> {
        CreditTransfer {
            bic: Some("ABNANL2A"),
            name: "Noorderlicht Supplies B.V.",
            iban: "NL91 ABNA 0417 1643 00",
            amount: Money::from_minor(31_000, Currency::EUR),
            reference,
        }
    }

    /// Field by field, as EPC069-12 lists them.
    #[test]
    fn the_fields_are_where_the_guideline_puts_them() {
        let rf = PaymentReference::parse(ReferenceScheme::Rf, "RF18 5390 0754 7034").unwrap();
        let payload = transfer(Some(&rf)).payload().unwrap();
        let fields: Vec<&str> = payload.split('\n').collect();
        assert_eq!(
            fields,
            [
                "BCD",
                "002",
                "1",
                "SCT",
                "ABNANL2A",
                "Noorderlicht Supplies B.V.",
                "NL91ABNA0417164300",
                "EUR310.00",
                "",
                "RF18539007547034"
            ],
            "the structured reference in field 10, no unstructured text after it"
        );
        assert!(!payload.ends_with('\n'));
        // Without a reference or a BIC the trailing fields go, the BIC's place stays.
        let bare = CreditTransfer { bic: None, ..transfer(None) }.payload().unwrap();
        assert_eq!(bare, "BCD\n002\n1\nSCT\n\nNoorderlicht Supplies B.V.\nNL91ABNA0417164300\nEUR310.00");
        // A Dutch betalingskenmerk goes in the same structured field, digits only.
        let nl = PaymentReference::parse(ReferenceScheme::NlBetalingskenmerk, "5000 0567 8901 2345").unwrap();
        assert!(transfer(Some(&nl)).payload().unwrap().ends_with("\n\n5000056789012345"));
    }

    #[test]
    fn what_a_banking_app_would_refuse_is_refused_here() {
        let with = |f: &dyn Fn(&mut CreditTransfer<'static>)| {
            let mut t = transfer(None);
            f(&mut t);
            t.payload()
        };
        assert_eq!(with(&|t| t.amount = Money::from_minor(100, Currency::DKK)), Err(EpcError::NotEuro));
        assert_eq!(with(&|t| t.amount = Money::from_minor(0, Currency::EUR)), Err(EpcError::Amount));
        assert_eq!(with(&|t| t.amount = Money::from_minor(100_000_000_000, Currency::EUR)), Err(EpcError::Amount));
        assert!(with(&|t| t.amount = Money::from_minor(99_999_999_999, Currency::EUR)).is_ok());
        assert_eq!(with(&|t| t.iban = "NL91 ABNA 0417 1643 01"), Err(EpcError::Iban));
        assert_eq!(with(&|t| t.bic = Some("ABNA")), Err(EpcError::Bic));
        assert_eq!(with(&|t| t.name = " "), Err(EpcError::Name));
        assert_eq!(with(&|t| t.name = "Bakkerij\nDe Molen"), Err(EpcError::Name));
        let long: &'static str = Box::leak("x".repeat(71).into_boxed_str());
        assert_eq!(with(&|t| t.name = long), Err(EpcError::Name));
        let seventy: &'static str = Box::leak("é".repeat(70).into_boxed_str());
        assert!(with(&|t| t.name = seventy).is_ok(), "70 characters, 140 bytes in UTF-8");
    }
}
