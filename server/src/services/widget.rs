//! Widget tokens and what the `<kassa-pay>` element shows. A token is Kassa-signed
//! (HMAC-SHA256), names one invoice and the web origins allowed to show it, and expires.
//! The same token opens the invoice's pay page in the portal.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::services::auth::DebtorSession;
use crate::services::records::{self, merchant_by_id, InvoiceRow, INVOICE_COLUMNS};

#[derive(Clone)]
pub struct TokenSigner {
    key: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetClaims {
    /// merchant id
    pub m: String,
    /// invoice id
    pub i: String,
    /// origins allowed to embed the widget, like `https://shop.example`
    pub o: Vec<String>,
    /// expiry, unix seconds
    pub e: i64,
}

impl TokenSigner {
    pub fn new(key: &[u8]) -> Self {
        TokenSigner { key: key.to_vec() }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn sign(&self, claims: &WidgetClaims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let sig = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    /// The claims of a genuine, unexpired token; `NotFound` for anything else, so a probe
    /// learns nothing about which invoices exist.
    pub fn verify(&self, token: &str) -> Result<WidgetClaims> {
        let (payload, sig) = token.split_once('.').ok_or(Error::NotFound)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| Error::NotFound)?;
        self.mac(payload).verify_slice(&sig).map_err(|_| Error::NotFound)?;
        let claims: WidgetClaims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(Error::NotFound)?;
        if claims.e <= db::now() {
            return Err(Error::NotFound);
        }
        Ok(claims)
    }
}

/// What the widget renders.
#[derive(Debug, Clone, Serialize)]
pub struct WidgetInvoice {
    pub merchant: String,
    pub number: String,
    pub currency: String,
    pub amount_due: String,
    pub amount_due_text: String,
    pub total_text: String,
    /// `open`, `partly_paid`, `overdue` or `paid`.
    pub status: &'static str,
    pub pay_url: String,
}

async fn invoice_row(pool: &Pool, claims: &WidgetClaims) -> Result<InvoiceRow> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.id = $2");
    sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(&claims.m)
        .bind(&claims.i)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn widget_invoice(
    pool: &Pool,
    public_url: &str,
    token: &str,
    claims: &WidgetClaims,
) -> Result<WidgetInvoice> {
    let merchant = merchant_by_id(pool, &claims.m).await?;
    let row = invoice_row(pool, claims).await?;
    let summary = row.summary(records::today())?;
    Ok(WidgetInvoice {
        merchant: merchant.name,
        number: row.number.clone(),
        currency: summary.balance.currency().to_string(),
        amount_due: summary.balance.amount_string(),
        amount_due_text: summary.balance.to_string(),
        total_text: summary.total.to_string(),
        status: summary.status.as_str(),
        pay_url: format!("{public_url}/p/{}/pay/{token}", merchant.slug),
    })
}

/// Opens a pay link: a session that sees this one invoice.
pub async fn pay_link_session(pool: &Pool, claims: &WidgetClaims) -> Result<(DebtorSession, String, String)> {
    let merchant = merchant_by_id(pool, &claims.m).await?;
    let row = invoice_row(pool, claims).await?;
    Ok((
        DebtorSession { merchant_id: merchant.id, customer_id: row.customer_id, invoice_id: Some(row.id) },
        merchant.slug,
        row.number,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(expiry: i64) -> WidgetClaims {
        WidgetClaims { m: "m1".into(), i: "i1".into(), o: vec!["http://shop.test".into()], e: expiry }
    }

    #[test]
    fn tokens_verify_only_when_genuine_and_fresh() {
        let signer = TokenSigner::new(b"0123456789abcdef0123456789abcdef");
        let fresh = claims(db::now() + 60);
        let token = signer.sign(&fresh);
        assert_eq!(signer.verify(&token).unwrap(), fresh);
        let other = TokenSigner::new(b"another key another key another k");
        assert!(matches!(other.verify(&token), Err(Error::NotFound)));
        let expired = signer.sign(&claims(db::now() - 1));
        assert!(matches!(signer.verify(&expired), Err(Error::NotFound)));
        let (payload, sig) = token.split_once('.').unwrap();
        let tampered = format!("{}x.{sig}", payload);
        assert!(matches!(signer.verify(&tampered), Err(Error::NotFound)));
        assert!(matches!(signer.verify("garbage"), Err(Error::NotFound)));
    }
}
