//! Mail about payments: a receipt to the debtor for each payment made through Kassa, and when
//! a payment the debtor was told is on its way fails after all (a SEPA Direct Debit the bank
//! refused days later) a word to the debtor and to the merchant's staff. The mail is queued as
//! jobs in the transaction that settles the payment attempt, so it goes out exactly when the
//! change is committed (and is tried again if the mail server is down); the jobs gather what
//! they say here, when they run, and the app writes it in the reader's language
//! (`kassa_app::emails`).

use kassa_domain::{AttemptState, CustomerId, Money, PaymentId};

use crate::error::{Error, Result};
use crate::principal::{Debtor, Principal};
use crate::services::logos::{self, Logo};
use crate::services::portal::{self, Receipt};
use crate::services::records::{self, merchant_by_id, Merchant};
use crate::Ctx;

/// Job `mail.receipt`: the receipt of one payment, to its debtor.
pub const RECEIPT_MAIL: &str = "mail.receipt";
/// Job `mail.payment_failed`: a payment on its way failed, to its debtor.
pub const PAYMENT_FAILED_MAIL: &str = "mail.payment_failed";
/// Job `mail.staff.payment_failed`: a payment on its way failed, to the merchant's admins and
/// collectors.
pub const STAFF_PAYMENT_FAILED_MAIL: &str = "mail.staff.payment_failed";

/// The mail an attempt's move from `was` to `now` calls for, to queue in the transaction that
/// moves it: the receipt when it succeeded (with `payment`), and both failure notices when it
/// failed or was canceled after it was on its way (`processing`). A decline the payer sees on
/// the spot needs no mail.
pub(crate) fn for_attempt(
    merchant: &Merchant,
    customer: &CustomerId,
    attempt: &str,
    payment: Option<&PaymentId>,
    (was, now): (AttemptState, AttemptState),
) -> Vec<crate::jobs::NewJob> {
    let job = |kind, payload| crate::jobs::NewJob::mail(kind, payload, &merchant.id, merchant.mode);
    let ids = serde_json::json!({ "merchant": merchant.id, "customer": customer, "attempt": attempt });
    match (was, now, payment) {
        (_, AttemptState::Succeeded, Some(payment)) => {
            let mut payload = ids;
            payload["payment"] = payment.as_str().into();
            vec![job(RECEIPT_MAIL, payload)]
        }
        (AttemptState::Processing, AttemptState::Failed | AttemptState::Canceled, _) => {
            vec![job(PAYMENT_FAILED_MAIL, ids.clone()), job(STAFF_PAYMENT_FAILED_MAIL, ids)]
        }
        _ => Vec::new(),
    }
}

/// The ids a notice job carries.
pub struct JobIds {
    pub merchant: kassa_domain::MerchantId,
    pub customer: CustomerId,
    pub attempt: String,
    pub payment: Option<PaymentId>,
}

impl JobIds {
    pub fn of(payload: &serde_json::Value) -> Result<JobIds> {
        let field = |name: &str| {
            payload[name].as_str().map(str::to_string).ok_or_else(|| Error::internal(format!("a job without {name}")))
        };
        Ok(JobIds {
            merchant: kassa_domain::MerchantId::from_raw(field("merchant")?),
            customer: CustomerId::from_raw(field("customer")?),
            attempt: field("attempt")?,
            payment: payload["payment"].as_str().map(|p| PaymentId::from_raw(p.to_string())),
        })
    }
}

/// Whom a debtor's mail goes to.
#[derive(Debug, Clone)]
pub struct Addressee {
    pub name: String,
    pub email: String,
    pub language: String,
}

/// The customer's name, address and language, if they have an address.
pub(crate) async fn addressee(ctx: &Ctx, merchant: &Merchant, customer: &CustomerId) -> Result<Option<Addressee>> {
    let found: Option<(String, String, String)> =
        sqlx::query_as("SELECT name, email, language FROM customers WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.id.as_str())
            .bind(customer.as_str())
            .fetch_optional(&ctx.pool)
            .await?;
    Ok(found.filter(|(_, email, _)| !email.is_empty()).map(|(name, email, language)| Addressee {
        name,
        email,
        language,
    }))
}

/// A receipt ready to be written: the payment as the receipt page shows it.
pub struct ReceiptMail {
    pub to: Addressee,
    pub receipt: Receipt,
    pub logo: Option<Logo>,
    /// The portal, where the debtor signs in to see their invoices.
    pub portal_url: String,
}

/// What the receipt mail of `ids` says; `None` when the customer has no address (or the
/// payment is no longer theirs to see).
pub async fn receipt_mail(ctx: &Ctx, ids: &JobIds) -> Result<Option<ReceiptMail>> {
    let merchant = merchant_by_id(&ctx.pool, &ids.merchant).await?;
    let Some(to) = addressee(ctx, &merchant, &ids.customer).await? else {
        return Ok(None);
    };
    let payment = ids.payment.as_ref().ok_or_else(|| Error::internal("a receipt job without its payment"))?;
    let debtor =
        Principal::Debtor(Debtor { merchant: merchant.id.clone(), customer: ids.customer.clone(), invoice: None });
    let receipt = match portal::receipt(ctx, &debtor, payment).await {
        Ok(receipt) => receipt,
        Err(Error::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let logo = if merchant.logo_url.is_some() { logos::of(&ctx.pool, &merchant.id).await? } else { None };
    let portal_url = format!("{}/p/{}", ctx.public_url, merchant.slug);
    Ok(Some(ReceiptMail { to, receipt, logo, portal_url }))
}

/// A payment that failed after it was on its way, as its notices tell it.
#[derive(Debug, Clone)]
pub struct FailedPayment {
    pub merchant: Merchant,
    pub customer: CustomerId,
    pub customer_name: String,
    pub amount: Money,
    /// The method as the gateway named it (`sepa_debit`), or the gateway's name.
    pub method: String,
    /// The gateway's reason (`insufficient_funds`), if it gave one.
    pub decline_code: Option<String>,
    /// The invoices it was to pay, by number.
    pub invoices: Vec<String>,
    /// The portal, where the debtor pays again.
    pub portal_url: String,
    /// The admin, where staff see the invoices.
    pub admin_url: String,
}

/// What the failure notices of `ids` say.
pub async fn failed_payment(ctx: &Ctx, ids: &JobIds) -> Result<FailedPayment> {
    let merchant = merchant_by_id(&ctx.pool, &ids.merchant).await?;
    let (currency, amount, method, gateway, decline_code, customer_name): (
        String,
        i64,
        Option<String>,
        String,
        Option<String>,
        String,
    ) = sqlx::query_as(
        "SELECT a.currency, a.amount_minor, a.method, a.gateway, a.decline_code, c.name FROM payment_attempts a \
         JOIN customers c ON c.merchant_id = a.merchant_id AND c.id = a.customer_id \
         WHERE a.merchant_id = $1 AND a.customer_id = $2 AND a.id = $3",
    )
    .bind(merchant.id.as_str())
    .bind(ids.customer.as_str())
    .bind(&ids.attempt)
    .fetch_optional(&ctx.pool)
    .await?
    .ok_or(Error::NotFound)?;
    let invoices = sqlx::query_scalar(
        "SELECT i.number FROM payment_attempt_invoices a \
         JOIN invoices i ON i.merchant_id = a.merchant_id AND i.id = a.invoice_id \
         WHERE a.merchant_id = $1 AND a.attempt_id = $2 ORDER BY i.number",
    )
    .bind(merchant.id.as_str())
    .bind(&ids.attempt)
    .fetch_all(&ctx.pool)
    .await?;
    let amount = Money::from_minor(amount, records::currency(&currency)?);
    let portal_url = format!("{}/p/{}", ctx.public_url, merchant.slug);
    let admin_url = format!("{}/admin", ctx.public_url);
    Ok(FailedPayment {
        merchant,
        customer: ids.customer.clone(),
        customer_name,
        amount,
        method: method.unwrap_or(gateway),
        decline_code,
        invoices,
        portal_url,
        admin_url,
    })
}

/// The debtor of a failed payment, if they have an address.
pub async fn debtor_of(ctx: &Ctx, failed: &FailedPayment) -> Result<Option<Addressee>> {
    addressee(ctx, &failed.merchant, &failed.customer).await
}

/// The merchant's staff who act on payments (admins and collectors), each in the language
/// they last signed in with.
pub async fn payment_staff(ctx: &Ctx, merchant: &Merchant) -> Result<Vec<Addressee>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, language FROM staff_users WHERE merchant_id = $1 AND role IN ('admin', 'collector') \
         ORDER BY email",
    )
    .bind(merchant.id.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    Ok(rows.into_iter().map(|(email, language)| Addressee { name: String::new(), email, language }).collect())
}
