//! The webhook signature Stripe sends (`Stripe-Signature: t=<unix seconds>,v1=<hex>,...`),
//! checked as Stripe's own libraries check it (stripe-go `webhook.ValidatePayloadWithTolerance`,
//! stripe-python `WebhookSignature.verify_header`, stripe-node `signature.verifyHeader`):
//! HMAC-SHA256 keyed with the endpoint's whole secret (`whsec_...`) over `<t>.<payload>`;
//! any `v1` entry may match (while a secret is rolled, Stripe signs with both); other schemes
//! (`v0`) and entries that are not hex are ignored; each candidate is compared in constant
//! time; a timestamp older than the tolerance is refused, whatever the signatures. The
//! sandbox signs its events the same way, so one checked path serves both.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default: five minutes.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request carries no signature")]
    NotSigned,
    #[error("the signature header cannot be read")]
    InvalidHeader,
    #[error("no v1 signature matches the payload")]
    NoValidSignature,
    #[error("the signature's timestamp is older than the tolerance")]
    TooOld,
}

impl SignatureError {
    /// A short code for records and logs (`too_old`).
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::NotSigned => "not_signed",
            SignatureError::InvalidHeader => "invalid_header",
            SignatureError::NoValidSignature => "no_valid_signature",
            SignatureError::TooOld => "too_old",
        }
    }
}

fn mac(secret: &[u8], timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header Stripe would send for `payload` signed with `secret` at `timestamp`.
pub fn sign(secret: &[u8], payload: &[u8], timestamp: i64) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, payload).finalize().into_bytes()))
}

/// Checks `header` for `payload` at `now` (unix seconds) with `tolerance` seconds.
pub fn verify(secret: &[u8], header: &str, payload: &[u8], now: i64, tolerance: i64) -> Result<(), SignatureError> {
    if header.trim().is_empty() {
        return Err(SignatureError::NotSigned);
    }
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.trim().split_once('=').ok_or(SignatureError::InvalidHeader)?;
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::InvalidHeader)?),
            "v1" => {
                // An entry that is not hex cannot match: ignored, as Stripe's libraries do.
                if let Ok(bytes) = hex::decode(value) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::InvalidHeader)?;
    if candidates.is_empty() {
        return Err(SignatureError::NoValidSignature);
    }
    if tolerance > 0 && now - timestamp > tolerance {
        return Err(SignatureError::TooOld);
    }
    let expected = mac(secret, timestamp, payload);
    // `verify_slice` compares in constant time.
    if candidates.iter().any(|c| expected.clone().verify_slice(c).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::NoValidSignature)
    }
}

/// The cases of stripe-go's own signature tests (`webhook/client_test.go`), with a vector
/// computed independently (Python's `hmac`) so that the HMAC itself is checked too.
#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test_secret";
    const PAYLOAD: &[u8] =
        b"{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\",\n  \"api_version\": \"2025-11-17.clover\"\n}";
    const T: i64 = 1_700_000_000;
    /// hmac.new(b"whsec_test_secret", b"1700000000." + PAYLOAD, hashlib.sha256).hexdigest()
    const V1: &str = "1e7920b4d246a028130265787d84279db63f9ffa76d6e695288345652e20389c";
    /// The same with the secret `whsec_test_secret_rolled_key`.
    const V1_ROLLED: &str = "a74becfa895aad4b4f91045f88aff764a0aa64adfef20017e5f981b6fb7f96e9";

    fn check(header: &str) -> Result<(), SignatureError> {
        verify(SECRET, header, PAYLOAD, T + 1, TOLERANCE_SECS)
    }

    #[test]
    fn signs_as_stripe_does() {
        assert_eq!(sign(SECRET, PAYLOAD, T), format!("t={T},v1={V1}"));
        assert_eq!(check(&sign(SECRET, PAYLOAD, T)), Ok(()));
    }

    #[test]
    fn refuses_what_stripe_go_refuses() {
        assert_eq!(check(""), Err(SignatureError::NotSigned));
        assert_eq!(check("v1,t=1"), Err(SignatureError::InvalidHeader));
        assert_eq!(check("t="), Err(SignatureError::InvalidHeader));
        assert_eq!(check(&format!("v1={V1}")), Err(SignatureError::InvalidHeader), "no timestamp");
        assert_eq!(check(&format!("t={T},v0={V1}")), Err(SignatureError::NoValidSignature), "another scheme");
        assert_eq!(check(&format!("t={T},v1=deadbeef")), Err(SignatureError::NoValidSignature));
        // A changed payload, or another timestamp, breaks it.
        assert_eq!(
            verify(SECRET, &format!("t={T},v1={V1}"), b"{}", T, TOLERANCE_SECS),
            Err(SignatureError::NoValidSignature)
        );
        assert_eq!(check(&format!("t={},v1={V1}", T + 1)), Err(SignatureError::NoValidSignature));
    }

    #[test]
    fn ignores_unreadable_entries_and_takes_any_v1_while_a_secret_is_rolled() {
        assert_eq!(check(&format!("t={T},v1={V1},v1=bad_signature")), Ok(()));
        let rolled = format!("t={T},v1={V1},v1={V1_ROLLED}");
        assert_eq!(check(&rolled), Ok(()), "the old secret");
        assert_eq!(verify(b"whsec_test_secret_rolled_key", &rolled, PAYLOAD, T, TOLERANCE_SECS), Ok(()), "the new one");
        assert_eq!(verify(b"whsec_other", &rolled, PAYLOAD, T, TOLERANCE_SECS), Err(SignatureError::NoValidSignature));
    }

    #[test]
    fn refuses_a_timestamp_older_than_the_tolerance() {
        let header = format!("t={T},v1={V1}");
        assert_eq!(verify(SECRET, &header, PAYLOAD, T + 15, 10), Err(SignatureError::TooOld));
        assert_eq!(verify(SECRET, &header, PAYLOAD, T + 15, 20), Ok(()));
        assert_eq!(verify(SECRET, &header, PAYLOAD, T + TOLERANCE_SECS, TOLERANCE_SECS), Ok(()));
        assert_eq!(
            verify(SECRET, &header, PAYLOAD, T + TOLERANCE_SECS + 1, TOLERANCE_SECS),
            Err(SignatureError::TooOld)
        );
        // No tolerance: any age (stripe-go's ValidatePayloadIgnoringTolerance).
        assert_eq!(verify(SECRET, &header, PAYLOAD, T + 10_000_000, 0), Ok(()));
    }
}
