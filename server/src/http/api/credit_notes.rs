//! `/api/v1/credit_notes`: credit notes against an invoice, or free and held as credit on the
//! customer; keyed by the merchant's own number like invoices.

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::error::Checks;
use kassa_core::services::customers::Outcome;
use kassa_core::services::entries::{self, CreditNoteRecord};
use kassa_core::services::ledger::{self, IssueCreditNote};
use kassa_core::services::{invoices, records};
use kassa_domain::{CreditNoteId, Currency, InvoiceNumber, Problem};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::invoices::DecimalText;
use super::payments::{customer_named, AllocationJson};
use super::{Body, CustomerPageParams, ErrorJson, IdempotencyKey, Key, ListJson, MoneyJson, Query};

/// A credit note and where its value went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreditNoteJson {
    pub id: String,
    /// Always `credit_note`.
    pub object: String,
    pub number: String,
    pub customer: String,
    pub customer_number: String,
    pub amount: MoneyJson,
    /// The invoice it was issued against, if any.
    pub invoice_number: Option<String>,
    pub reason: String,
    /// The invoices it settled.
    pub allocations: Vec<AllocationJson>,
    /// What it still holds as credit on the customer.
    pub unapplied: MoneyJson,
    /// RFC 3339.
    pub created_at: String,
}

impl From<CreditNoteRecord> for CreditNoteJson {
    fn from(n: CreditNoteRecord) -> CreditNoteJson {
        CreditNoteJson {
            id: n.id.to_string(),
            object: "credit_note".into(),
            number: n.number.to_string(),
            customer: n.customer.to_string(),
            customer_number: n.customer_number.to_string(),
            amount: n.amount.into(),
            invoice_number: n.invoice_number.map(|i| i.to_string()),
            reason: n.reason,
            allocations: n.allocations.into_iter().map(AllocationJson::from).collect(),
            unapplied: n.unapplied.into(),
            created_at: records::rfc3339(n.created_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCreditNote {
    /// Kassa's id of the customer; or name it by `customer_number`.
    pub customer: Option<String>,
    pub customer_number: Option<String>,
    /// Your credit note number (1-64 characters), unique among your credit notes: the key.
    pub number: String,
    /// A decimal string: `"40.00"`.
    #[schema(value_type = String, example = "40.00")]
    pub amount: DecimalText,
    /// ISO 4217.
    pub currency: String,
    /// The invoice it credits; what that invoice no longer needs is held as credit. Left out,
    /// all of it is held as credit.
    pub invoice_number: Option<String>,
    /// Why (1-500 characters): shown to staff and in the audit log.
    pub reason: String,
}

/// Issue a credit note.
///
/// 201 with the new credit note; 200 when the same one is pushed again; 409
/// `credit_note_number_taken` when the number is taken by other details.
#[utoipa::path(post, path = "/credit_notes", tag = "credit notes", request_body = CreateCreditNote,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Issued", body = CreditNoteJson),
        (status = 200, description = "The same credit note existed already; nothing changed", body = CreditNoteJson),
        (status = 409, description = "The number is taken by other details", body = ErrorJson),
        (status = 422, description = "Fields to fix", body = ErrorJson),
    ))]
pub async fn create(key: Key, Body(body): Body<CreateCreditNote>) -> ApiResult<Response> {
    let customer = customer_named(&key, body.customer, body.customer_number).await?;
    let mut checks = Checks::default();
    let number = checks.check("number", InvoiceNumber::parse(&body.number));
    let currency = checks.check("currency", Currency::parse(body.currency.trim()).map_err(Problem::from));
    let amount = currency.and_then(|c| checks.check("amount", invoices::parse_plain_amount(&body.amount.text(), c)));
    let against = body.invoice_number.as_deref().and_then(|n| checks.check("invoice_number", InvoiceNumber::parse(n)));
    checks.finish()?;
    let (Some(number), Some(amount)) = (number, amount) else {
        return Err(ApiError::internal());
    };
    let cmd = IssueCreditNote {
        merchant: key.merchant().clone(),
        customer,
        number: number.to_string(),
        amount,
        against,
        reason: body.reason,
    };
    let (id, outcome) = ledger::issue_credit_note(&key.ctx, &key.who, cmd).await?;
    let note = entries::credit_note(&key.ctx, &key.who, &id).await?;
    let status = if outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CreditNoteJson::from(note))).into_response())
}

/// One credit note by Kassa's id.
#[utoipa::path(get, path = "/credit_notes/{id}", tag = "credit notes",
    params(("id" = String, Path, description = "Kassa's id")),
    responses((status = 200, body = CreditNoteJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<CreditNoteJson>> {
    Ok(Json(entries::credit_note(&key.ctx, &key.who, &CreditNoteId::from_raw(id)).await?.into()))
}

/// One credit note by your number.
#[utoipa::path(get, path = "/credit_notes/by-number/{number}", tag = "credit notes",
    params(("number" = String, Path, description = "Your credit note number")),
    responses((status = 200, body = CreditNoteJson), (status = 404, body = ErrorJson)))]
pub async fn by_number(key: Key, Path(number): Path<String>) -> ApiResult<Json<CreditNoteJson>> {
    let number = InvoiceNumber::parse(&number).map_err(|_| ApiError::not_found())?;
    Ok(Json(entries::credit_note_by_number(&key.ctx, &key.who, &number).await?.into()))
}

/// List credit notes, oldest first.
#[utoipa::path(get, path = "/credit_notes", tag = "credit notes", params(CustomerPageParams),
    responses((status = 200, body = ListJson<CreditNoteJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<CustomerPageParams>) -> ApiResult<Json<ListJson<CreditNoteJson>>> {
    let (customer, page) = p.split();
    let found =
        entries::credit_notes(&key.ctx, &key.who, customer.as_ref(), page.limit()?, page.cursor()?.as_ref()).await?;
    Ok(Json(ListJson::of(found, CreditNoteJson::from)))
}
