//! `/api/v1/allocations`: applies credit a payment or credit note still holds (an
//! overpayment, a free credit note) to an invoice of the same customer; and
//! `/api/v1/write_offs`: writes off what the merchant no longer asks for (listed per invoice at
//! `/api/v1/invoices/{id}/write_offs`).

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, StatusCode};
use kassa_core::error::Checks;
use kassa_core::services::entries::{self, SourceRef, WriteOffRecord};
use kassa_core::services::ledger::{self, ApplyCredit, Source, WriteOffInvoice};
use kassa_core::services::{invoices, records};
use kassa_domain::{CreditNoteId, InvoiceId, InvoiceNumber, PaymentId, Problem, WriteOffReason};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::invoices::{DecimalText, InvoiceJson};
use super::payments::{required_key, AllocationJson};
use super::{Body, ErrorJson, Key, MoneyJson, RequiredIdempotencyKey};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAllocation {
    /// The payment whose credit to apply (Kassa's id); or a credit note by `credit_note`
    /// (Kassa's id) or `credit_note_number` (yours).
    pub payment: Option<String>,
    pub credit_note: Option<String>,
    pub credit_note_number: Option<String>,
    /// The invoice to apply it to: your number.
    pub invoice_number: String,
    /// A decimal string; left out, as much as the credit and the invoice allow.
    #[schema(value_type = Option<String>, example = "25.00")]
    pub amount: Option<DecimalText>,
}

/// Apply held credit to an invoice.
///
/// 201 with what was applied. Needs an `Idempotency-Key` (applying is not naturally
/// repeatable: the same request twice would apply twice).
#[utoipa::path(post, path = "/allocations", tag = "payments", request_body = CreateAllocation,
    params(RequiredIdempotencyKey),
    responses(
        (status = 201, description = "Applied", body = AllocationJson),
        (status = 400, description = "No Idempotency-Key", body = ErrorJson),
        (status = 404, description = "No such payment or credit note", body = ErrorJson),
        (status = 422, description = "Nothing to apply, more than the credit or the balance, ...", body = ErrorJson),
    ))]
pub async fn create(key: Key, headers: HeaderMap, Body(body): Body<CreateAllocation>) -> ApiResult<Response> {
    required_key(&headers, &key)?;
    let credit_note = match (&body.credit_note, &body.credit_note_number) {
        (Some(id), None) => Some(id.clone()),
        (None, Some(number)) => {
            let number = InvoiceNumber::parse(number).map_err(|_| ApiError::not_found())?;
            Some(entries::credit_note_by_number(&key.ctx, &key.who, &number).await?.id.to_string())
        }
        (None, None) => None,
        (Some(_), Some(_)) => return Err(source_required()),
    };
    let (source, source_ref) = match (&body.payment, &credit_note) {
        (Some(p), None) => (Source::Payment(PaymentId::from_raw(p.clone())), SourceRef::Payment(p)),
        (None, Some(c)) => (Source::CreditNote(CreditNoteId::from_raw(c.clone())), SourceRef::CreditNote(c)),
        _ => return Err(source_required()),
    };
    let (customer, currency) = entries::owner_of_source(&key.ctx, &key.who, source_ref).await?;
    let mut checks = Checks::default();
    let invoice = checks.check("invoice_number", InvoiceNumber::parse(&body.invoice_number));
    let amount = match &body.amount {
        Some(a) => checks.check("amount", invoices::parse_plain_amount(&a.text(), currency)).map(Some),
        None => Some(None),
    };
    checks.finish()?;
    let (Some(invoice), Some(amount)) = (invoice, amount) else {
        return Err(ApiError::internal());
    };
    let cmd = ApplyCredit { merchant: key.merchant().clone(), customer, source, invoice: invoice.clone(), amount };
    let applied = ledger::apply_credit(&key.ctx, &key.who, cmd).await?;
    let json = AllocationJson {
        invoice: applied.invoice.to_string(),
        invoice_number: invoice.to_string(),
        amount: applied.amount.into(),
    };
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

fn source_required() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
        "source_required",
        "Name the credit to apply with exactly one of `payment`, `credit_note` or `credit_note_number`.",
    )
}

/// A write-off as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WriteOffJson {
    pub id: String,
    /// Always `write_off`.
    pub object: String,
    pub invoice: String,
    pub invoice_number: String,
    /// Negative when a reversed payment took back its short-payment write-off.
    pub amount: MoneyJson,
    /// `short_payment`, `bad_debt`, `small_balance` or `other`.
    pub reason: String,
    pub note: Option<String>,
    /// The payment whose shortfall it covers.
    pub payment: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<WriteOffRecord> for WriteOffJson {
    fn from(w: WriteOffRecord) -> WriteOffJson {
        WriteOffJson {
            id: w.id,
            object: "write_off".into(),
            invoice: w.invoice.to_string(),
            invoice_number: w.invoice_number.to_string(),
            amount: w.amount.into(),
            reason: w.reason.as_str().into(),
            note: w.note,
            payment: w.payment.map(|p| p.to_string()),
            created_at: records::rfc3339(w.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWriteOff {
    /// The invoice: Kassa's id; or `invoice_number` (yours).
    pub invoice: Option<String>,
    pub invoice_number: Option<String>,
    /// A decimal string; left out, the whole open balance.
    #[schema(value_type = Option<String>, example = "12.40")]
    pub amount: Option<DecimalText>,
    /// `bad_debt`, `small_balance` or `other`.
    pub reason: String,
    /// Why, in your words (1-500 characters): kept in the audit log.
    pub note: String,
}

/// Write off (part of) an invoice.
///
/// 201 with the invoice as it now stands. Writing off more than is open is refused. Needs an
/// `Idempotency-Key` (writing off a part twice would write off twice).
#[utoipa::path(post, path = "/write_offs", tag = "invoices", request_body = CreateWriteOff,
    params(RequiredIdempotencyKey),
    responses(
        (status = 201, description = "Written off", body = InvoiceJson),
        (status = 400, description = "No Idempotency-Key", body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 422, description = "Fields to fix, or nothing open", body = ErrorJson),
    ))]
pub async fn write_off(key: Key, headers: HeaderMap, Body(body): Body<CreateWriteOff>) -> ApiResult<Response> {
    required_key(&headers, &key)?;
    let invoice = match (body.invoice, body.invoice_number) {
        (Some(id), None) => invoices::get(&key.ctx, &key.who, &InvoiceId::from_raw(id)).await?,
        (None, Some(number)) => {
            let number = InvoiceNumber::parse(&number).map_err(|_| ApiError::not_found())?;
            invoices::by_number(&key.ctx, &key.who, &number).await?
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "invoice_required",
                "Name the invoice with exactly one of `invoice` (Kassa's id) or `invoice_number`.",
            ))
        }
    };
    let mut checks = Checks::default();
    let reason = checks.check(
        "reason",
        WriteOffReason::parse(body.reason.trim())
            .filter(|r| *r != WriteOffReason::ShortPayment)
            .ok_or(Problem::WriteOffReasonInvalid { input: body.reason.trim().chars().take(30).collect() }),
    );
    let amount = match &body.amount {
        Some(a) => checks.check("amount", invoices::parse_plain_amount(&a.text(), invoice.currency)).map(Some),
        None => Some(None),
    };
    checks.finish()?;
    let (Some(reason), Some(amount)) = (reason, amount) else {
        return Err(ApiError::internal());
    };
    let cmd = WriteOffInvoice {
        merchant: key.merchant().clone(),
        invoice: invoice.number.clone(),
        amount,
        reason,
        note: body.note,
    };
    ledger::write_off(&key.ctx, &key.who, cmd).await?;
    let after = invoices::get(&key.ctx, &key.who, &invoice.id).await?;
    Ok((StatusCode::CREATED, Json(InvoiceJson::from(after))).into_response())
}

/// The write-offs of an invoice, oldest first.
#[utoipa::path(get, path = "/invoices/{id}/write_offs", tag = "invoices",
    params(("id" = String, Path, description = "Kassa's id of the invoice")),
    responses((status = 200, body = Vec<WriteOffJson>), (status = 404, body = ErrorJson)))]
pub async fn write_offs(key: Key, Path(id): Path<String>) -> ApiResult<Json<Vec<WriteOffJson>>> {
    let invoice = invoices::get(&key.ctx, &key.who, &InvoiceId::from_raw(id)).await?;
    let found = entries::write_offs(&key.ctx, &key.who, &invoice.id).await?;
    Ok(Json(found.into_iter().map(WriteOffJson::from).collect()))
}
