//! `/api/v1/invoices`.

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::services::invoices::{
    self, CustomerRef, InvoiceFilter, InvoiceInput, InvoiceRecord, LineInput, NumberStyle, Outcome, StatusFilter,
};
use kassa_core::services::records::{format_date, rfc3339};
use kassa_domain::{CustomerId, InvoiceId, InvoiceNumber};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, IdempotencyKey, Key, ListJson, MoneyJson, PageParams, Query};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LineJson {
    pub position: u32,
    pub description: String,
    /// A decimal string: `2`, `1.5`.
    pub quantity: String,
    pub unit_price: MoneyJson,
    pub amount: MoneyJson,
}

/// An invoice as the API shows it, with where it stands today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceJson {
    pub id: String,
    /// Always `invoice`.
    pub object: String,
    pub number: String,
    pub customer: String,
    pub customer_number: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub total: MoneyJson,
    /// What is still to be paid.
    pub open: MoneyJson,
    pub paid: MoneyJson,
    pub credited: MoneyJson,
    pub written_off: MoneyJson,
    /// `open`, `partly_paid`, `overdue`, `in_plan`, `disputed`, `promised`, `paid`, `credited`
    /// or `written_off`.
    pub status: String,
    /// The reference the debtor quotes when paying by bank transfer: the one the invoice came
    /// with, else a structured one Kassa made in the merchant's scheme (`RF18539007547034`,
    /// a Dutch betalingskenmerk, a Belgian or Danish one; see docs/payments.md).
    pub payment_reference: Option<String>,
    /// Your account the debtor pays into by bank transfer (electronic form: `NL91ABNA0417164300`).
    pub payee_iban: Option<String>,
    /// In single reads; lists leave them out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<LineJson>>,
    /// `test` or `live`.
    pub mode: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: changes when money is applied, credited, written off or reversed.
    pub updated_at: String,
}

impl From<InvoiceRecord> for InvoiceJson {
    fn from(i: InvoiceRecord) -> InvoiceJson {
        InvoiceJson {
            id: i.id.to_string(),
            object: "invoice".into(),
            number: i.number.to_string(),
            customer: i.customer.to_string(),
            customer_number: i.customer_number.to_string(),
            currency: i.currency.code().to_string(),
            issue_date: format_date(i.issue_date),
            due_date: format_date(i.due_date),
            total: i.total.into(),
            open: i.open.into(),
            paid: i.paid.into(),
            credited: i.credited.into(),
            written_off: i.written_off.into(),
            status: i.status.as_str().into(),
            payment_reference: i.payment_reference,
            payee_iban: i.payee_iban,
            lines: i.lines.map(|lines| {
                lines
                    .into_iter()
                    .map(|l| LineJson {
                        position: l.position,
                        description: l.description,
                        quantity: l.quantity.normalize().to_string(),
                        unit_price: l.unit_price.into(),
                        amount: l.amount.into(),
                    })
                    .collect()
            }),
            mode: i.mode.as_str().into(),
            created_at: rfc3339(i.created_at),
            updated_at: rfc3339(i.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLine {
    pub description: String,
    /// A decimal string (or number): `"2"`, `"1.5"`.
    #[schema(value_type = String, example = "1.5")]
    pub quantity: DecimalText,
    /// The price of one, in the invoice's currency, as a decimal string: `"12.50"`.
    #[schema(value_type = String, example = "12.50")]
    pub unit_price: DecimalText,
}

/// A decimal given as a JSON string (`"12.50"`, preferred: exact) or a JSON number (`12.5`,
/// read from its text, never through a float).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum DecimalText {
    Text(String),
    Number(serde_json::Number),
}

impl DecimalText {
    pub fn text(&self) -> String {
        match self {
            DecimalText::Text(t) => t.clone(),
            DecimalText::Number(n) => n.to_string(),
        }
    }
}

/// A new invoice. `customer` (Kassa's id) or `customer_number` (the merchant's) names its
/// customer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoice {
    pub customer: Option<String>,
    pub customer_number: Option<String>,
    pub number: String,
    /// ISO 4217: `EUR`, `DKK`.
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    /// `YYYY-MM-DD`; the issue date plus the customer's payment terms when left out.
    pub due_date: Option<String>,
    pub lines: Vec<CreateLine>,
    /// The reference the debtor quotes when paying by bank transfer (up to 140 characters);
    /// left out, Kassa makes a structured one in the merchant's scheme.
    pub payment_reference: Option<String>,
    /// Your IBAN the debtor pays into by bank transfer; spaces allowed (`NL91 ABNA 0417 1643 00`).
    pub payee_iban: Option<String>,
}

/// Create an invoice with its lines.
///
/// 201 with the new invoice; 200 with the existing one when the same invoice is pushed again;
/// 409 `invoice_number_taken` when the number is taken by other details; 422 with every field
/// to fix otherwise.
#[utoipa::path(post, path = "/invoices", tag = "invoices", request_body = CreateInvoice,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Created", body = InvoiceJson),
        (status = 200, description = "The same invoice existed already; nothing changed", body = InvoiceJson),
        (status = 409, description = "The number is taken by other details", body = ErrorJson),
        (status = 422, description = "Fields to fix, all of them", body = ErrorJson),
    ))]
pub async fn create(key: Key, Body(body): Body<CreateInvoice>) -> ApiResult<Response> {
    let customer = match (body.customer, body.customer_number) {
        (Some(id), None) => CustomerRef::Id(id),
        (None, Some(number)) => CustomerRef::Number(number),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "customer_required",
                "Name the invoice's customer with exactly one of `customer` (Kassa's id) or `customer_number`.",
            ))
        }
    };
    let input = InvoiceInput {
        customer,
        number: body.number,
        currency: body.currency,
        issue_date: body.issue_date,
        due_date: body.due_date,
        lines: body
            .lines
            .iter()
            .map(|l| LineInput {
                description: l.description.clone(),
                quantity: l.quantity.text(),
                unit_price: l.unit_price.text(),
            })
            .collect(),
        numbers: NumberStyle::Plain,
        payment_reference: body.payment_reference,
        payee_iban: body.payee_iban,
    };
    let (invoice, outcome) = invoices::create(&key.ctx, &key.who, None, input).await?;
    let status = if outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(InvoiceJson::from(invoice))).into_response())
}

/// One invoice by Kassa's id, with its lines.
#[utoipa::path(get, path = "/invoices/{id}", tag = "invoices",
    params(("id" = String, Path, description = "Kassa's id")),
    responses((status = 200, body = InvoiceJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<InvoiceJson>> {
    Ok(Json(invoices::get(&key.ctx, &key.who, &InvoiceId::from_raw(id)).await?.into()))
}

/// One invoice by your number (percent-encode a `/` as `%2F`), with its lines.
#[utoipa::path(get, path = "/invoices/by-number/{number}", tag = "invoices",
    params(("number" = String, Path, description = "Your invoice number")),
    responses((status = 200, body = InvoiceJson), (status = 404, body = ErrorJson)))]
pub async fn by_number(key: Key, Path(number): Path<String>) -> ApiResult<Json<InvoiceJson>> {
    let number = InvoiceNumber::parse(&number).map_err(|_| ApiError::not_found())?;
    Ok(Json(invoices::by_number(&key.ctx, &key.who, &number).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `open` (something to pay), `overdue` or `settled` (nothing left to pay).
    #[param(pattern = "^(open|overdue|settled)$")]
    pub status: Option<String>,
    /// A customer's id.
    pub customer: Option<String>,
    /// Due on or before, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub due_before: Option<String>,
    /// Due on or after, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub due_after: Option<String>,
    /// Changed at or after, RFC 3339 (`2026-11-25T06:00:00Z`).
    #[param(format = DateTime)]
    pub updated_since: Option<String>,
    /// 1-200, 50 by default.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

/// List invoices, oldest first, without their lines.
#[utoipa::path(get, path = "/invoices", tag = "invoices", params(ListParams),
    responses((status = 200, body = ListJson<InvoiceJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<InvoiceJson>>> {
    let date = |name: &'static str, v: &Option<String>| {
        v.as_deref()
            .map(invoices::parse_any_date)
            .transpose()
            .map_err(|_| ApiError::bad_request("invalid_query", format!("`{name}` is a date like 2026-11-25.")))
    };
    let status = match p.status.as_deref() {
        None => None,
        Some(s) => Some(
            StatusFilter::parse(s)
                .ok_or_else(|| ApiError::bad_request("invalid_query", "`status` is one of open, overdue, settled."))?,
        ),
    };
    let updated_since = match p.updated_since.as_deref() {
        None => None,
        Some(t) => Some(
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map_err(|_| {
                    ApiError::bad_request("invalid_query", "`updated_since` is a time like 2026-11-25T06:00:00Z.")
                })?
                .unix_timestamp(),
        ),
    };
    let filter = InvoiceFilter {
        status,
        customer: p.customer.map(CustomerId::from_raw),
        due_before: date("due_before", &p.due_before)?,
        due_after: date("due_after", &p.due_after)?,
        updated_since,
    };
    let page = PageParams { limit: p.limit, after: p.after };
    let found = invoices::list(&key.ctx, &key.who, &filter, page.limit()?, page.cursor()?.as_ref()).await?;
    Ok(Json(ListJson::of(found, InvoiceJson::from)))
}
