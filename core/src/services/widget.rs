//! Widget tokens and what the `<kassa-pay>` element shows. A token is Kassa-signed
//! (HMAC-SHA256), names one invoice and the web origins allowed to show it, and expires.
//! The same token opens the invoice's pay page in the portal.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use kassa_domain::{InvoiceNumber, MerchantId, MerchantSlug};

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::principal::{Debtor, Principal};
use crate::services::records::{merchant_by_id, InvoiceRow, InvoiceState, Merchant, INVOICE_COLUMNS};
use crate::Ctx;

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

async fn invoice_row(pool: &Pool, claims: &WidgetClaims) -> Result<InvoiceRow> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.id = $2");
    sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(&claims.m)
        .bind(&claims.i)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

/// The invoice a verified token names, and its merchant: what `<kassa-pay>` shows.
pub async fn invoice(ctx: &Ctx, claims: &WidgetClaims) -> Result<(Merchant, InvoiceState)> {
    let merchant = merchant_by_id(&ctx.pool, &MerchantId::from_raw(claims.m.clone())).await?;
    let state = invoice_row(&ctx.pool, claims).await?.state(merchant.today()?)?;
    Ok((merchant, state))
}

/// Opens a pay link: a debtor who sees this one invoice, with where to send them. A token
/// that is not genuine, has expired or belongs to another merchant is `NotFound`.
pub async fn pay_link(ctx: &Ctx, slug: &MerchantSlug, token: &str) -> Result<PayLink> {
    let claims = ctx.tokens.verify(token)?;
    let (merchant, invoice) = self::invoice(ctx, &claims).await?;
    if &merchant.slug != slug {
        return Err(Error::NotFound);
    }
    let debtor = Debtor { merchant: merchant.id, customer: invoice.customer, invoice: Some(invoice.id) };
    Ok(PayLink { debtor: Principal::Debtor(debtor), number: invoice.number, expires_at: claims.e })
}

/// What a genuine, unexpired pay link opens.
#[derive(Debug, Clone)]
pub struct PayLink {
    /// A debtor scoped to the one invoice.
    pub debtor: Principal,
    pub number: InvoiceNumber,
    /// Unix seconds: the session it starts ends then too.
    pub expires_at: i64,
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
