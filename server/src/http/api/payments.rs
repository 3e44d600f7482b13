//! `/api/v1/payments`: money received, read back with where it went, and money received
//! elsewhere (a bank transfer matched in the ERP, cash, a cheque) recorded and applied;
//! `/api/v1/payments/{id}/reversal` for a chargeback or a bounced transfer.

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, StatusCode};
use kassa_core::error::Checks;
use kassa_core::services::entries::{self, Allocation, Order, PaymentRecord};
use kassa_core::services::ledger::{self, RecordPayment, ReversePayment};
use kassa_core::services::{customers, invoices, records, refunds};
use kassa_domain::{Apply, Currency, CustomerId, CustomerNumber, InvoiceNumber, PaymentId, Problem};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::invoices::DecimalText;
use super::{
    Body, CustomerPageParams, ErrorJson, IdempotencyKey, Key, ListJson, MoneyJson, Query, RequiredIdempotencyKey,
};

/// Value applied to one invoice.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AllocationJson {
    pub invoice: String,
    pub invoice_number: String,
    pub amount: MoneyJson,
}

impl From<Allocation> for AllocationJson {
    fn from(a: Allocation) -> AllocationJson {
        AllocationJson {
            invoice: a.invoice.to_string(),
            invoice_number: a.invoice_number.to_string(),
            amount: a.amount.into(),
        }
    }
}

/// A payment and where its money went.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentJson {
    pub id: String,
    /// Always `payment`.
    pub object: String,
    pub customer: String,
    pub customer_number: String,
    pub amount: MoneyJson,
    /// `card`, `bank_transfer`, `cash`, `cheque`, ...
    pub method: String,
    /// `manual` when recorded through the API or by staff; else the gateway that took it.
    pub gateway: String,
    pub reference: String,
    /// `succeeded` or `reversed`.
    pub status: String,
    /// The invoices it paid, net of any reversal.
    pub allocations: Vec<AllocationJson>,
    /// What it still holds as credit on the customer (apply it with `POST /allocations`).
    pub unapplied: MoneyJson,
    /// What of it was paid back to the payer (`POST /payments/{id}/refunds`).
    pub refunded: MoneyJson,
    pub reversal_reason: Option<String>,
    /// RFC 3339.
    pub reversed_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<PaymentRecord> for PaymentJson {
    fn from(p: PaymentRecord) -> PaymentJson {
        PaymentJson {
            id: p.id.to_string(),
            object: "payment".into(),
            customer: p.customer.to_string(),
            customer_number: p.customer_number.to_string(),
            amount: p.amount.into(),
            method: p.method,
            gateway: p.gateway,
            reference: p.reference,
            status: p.status.as_str().into(),
            allocations: p.allocations.into_iter().map(AllocationJson::from).collect(),
            unapplied: p.unapplied.into(),
            refunded: p.refunded.into(),
            reversal_reason: p.reversal_reason,
            reversed_at: p.reversed_at.map(records::rfc3339),
            created_at: records::rfc3339(p.created_at),
        }
    }
}

/// Part of a payment for one invoice.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateTo {
    pub invoice_number: String,
    /// A decimal string in the payment's currency: `"120.00"`.
    #[schema(value_type = String, example = "120.00")]
    pub amount: DecimalText,
}

/// Money received outside Kassa, to record on the customer's ledger.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePayment {
    /// Kassa's id of the customer; or name it by `customer_number`.
    pub customer: Option<String>,
    pub customer_number: Option<String>,
    /// A decimal string: `"250.00"`.
    #[schema(value_type = String, example = "250.00")]
    pub amount: DecimalText,
    /// ISO 4217: `EUR`, `DKK`.
    pub currency: String,
    /// `bank_transfer` when left out; `cash`, `cheque`, ... as you call it.
    pub method: Option<String>,
    /// The bank's or payer's reference, up to 200 characters.
    pub reference: Option<String>,
    /// Which invoices it pays: the customer's open invoices oldest due first (left out), or
    /// exactly these parts (the rest is held as credit).
    pub allocations: Option<Vec<AllocateTo>>,
    /// `true` holds all of it as credit on the customer, to apply later.
    #[serde(default)]
    pub hold: bool,
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", code, message)
}

/// The customer a body names by exactly one of `customer` or `customer_number`, in the key's
/// scope.
pub async fn customer_named(key: &Key, id: Option<String>, number: Option<String>) -> ApiResult<CustomerId> {
    let found = match (id, number) {
        (Some(id), None) => customers::get(&key.ctx, &key.who, &CustomerId::from_raw(id)).await,
        (None, Some(number)) => match CustomerNumber::parse(&number) {
            Ok(n) => customers::by_number(&key.ctx, &key.who, &n).await,
            Err(_) => Err(kassa_core::Error::NotFound),
        },
        _ => {
            return Err(unprocessable(
                "customer_required",
                "Name the customer with exactly one of `customer` (Kassa's id) or `customer_number`.",
            ))
        }
    };
    match found {
        Ok(c) => Ok(c.id),
        Err(kassa_core::Error::NotFound) => Err(Problem::UnknownCustomer.into()),
        Err(e) => Err(e.into()),
    }
}

/// The Idempotency-Key a request that moves money must carry.
pub fn required_key(headers: &HeaderMap, key: &Key) -> ApiResult<String> {
    let value = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(ApiError::bad_request(
            "idempotency_key_required",
            "Recording money needs an Idempotency-Key header, so that a retry never records it twice.",
        ));
    }
    Ok(stored_key(key, value))
}

/// A request's key as the ledger keeps it: bound to the mode, since the same key in test and
/// live mode names two requests.
fn stored_key(key: &Key, value: &str) -> String {
    format!("api:{}:{value}", key.mode())
}

/// Record a payment received elsewhere.
///
/// 201 with the payment and where it went. Needs an `Idempotency-Key`: the same key records it
/// once, ever (a key reused for another payment is a 409).
#[utoipa::path(post, path = "/payments", tag = "payments", request_body = CreatePayment,
    params(RequiredIdempotencyKey),
    responses(
        (status = 201, description = "Recorded", body = PaymentJson),
        (status = 400, description = "No Idempotency-Key", body = ErrorJson),
        (status = 409, description = "The Idempotency-Key was used for another payment", body = ErrorJson),
        (status = 422, description = "Fields to fix", body = ErrorJson),
    ))]
pub async fn create(key: Key, headers: HeaderMap, Body(body): Body<CreatePayment>) -> ApiResult<Response> {
    let idempotency_key = required_key(&headers, &key)?;
    let customer = customer_named(&key, body.customer, body.customer_number).await?;
    let mut checks = Checks::default();
    let currency = checks.check("currency", Currency::parse(body.currency.trim()).map_err(Problem::from));
    let amount = currency.and_then(|c| checks.check("amount", invoices::parse_plain_amount(&body.amount.text(), c)));
    let apply = match (body.allocations, body.hold) {
        (Some(_), true) => {
            return Err(unprocessable("hold_or_allocations", "Send `allocations` or `hold`, not both."));
        }
        (None, true) => Apply::Hold,
        (None, false) => Apply::OldestDueFirst,
        (Some(parts), false) => {
            let mut specified = Vec::with_capacity(parts.len());
            for (i, part) in parts.iter().enumerate() {
                let number = checks
                    .check(format!("allocations[{i}].invoice_number"), InvoiceNumber::parse(&part.invoice_number));
                let amount = currency.and_then(|c| {
                    checks
                        .check(format!("allocations[{i}].amount"), invoices::parse_plain_amount(&part.amount.text(), c))
                });
                if let (Some(number), Some(amount)) = (number, amount) {
                    specified.push((number, amount));
                }
            }
            Apply::Specified(specified)
        }
    };
    checks.finish()?;
    let Some(amount) = amount else {
        return Err(ApiError::internal());
    };
    let merchant = key.merchant().clone();
    let cmd = RecordPayment {
        merchant,
        customer,
        amount,
        method: body.method.unwrap_or_else(|| "bank_transfer".into()),
        reference: body.reference.unwrap_or_default(),
        apply,
        idempotency_key,
    };
    let id = ledger::record_payment(&key.ctx, &key.who, cmd).await?;
    let payment = entries::payment(&key.ctx, &key.who, &id).await?;
    Ok((StatusCode::CREATED, Json(PaymentJson::from(payment))).into_response())
}

/// One payment, with where its money went.
#[utoipa::path(get, path = "/payments/{id}", tag = "payments",
    params(("id" = String, Path, description = "Kassa's id")),
    responses((status = 200, body = PaymentJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<PaymentJson>> {
    Ok(Json(entries::payment(&key.ctx, &key.who, &PaymentId::from_raw(id)).await?.into()))
}

/// One payment you recorded, by the `Idempotency-Key` you recorded it with.
///
/// Record each payment with your own number for it as its key (a receipt number, the bank
/// transaction's id) and read it back by that number.
#[utoipa::path(get, path = "/payments/by-key/{key}", tag = "payments",
    params(("key" = String, Path, description = "The Idempotency-Key it was recorded with (percent-encoded)")),
    responses((status = 200, body = PaymentJson), (status = 404, body = ErrorJson)))]
pub async fn by_key(key: Key, Path(idempotency_key): Path<String>) -> ApiResult<Json<PaymentJson>> {
    let stored = stored_key(&key, idempotency_key.trim());
    Ok(Json(entries::payment_by_key(&key.ctx, &key.who, &stored).await?.into()))
}

/// List payments, oldest first.
#[utoipa::path(get, path = "/payments", tag = "payments", params(CustomerPageParams),
    responses((status = 200, body = ListJson<PaymentJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<CustomerPageParams>) -> ApiResult<Json<ListJson<PaymentJson>>> {
    let (customer, page) = p.split();
    let found = entries::payments(
        &key.ctx,
        &key.who,
        customer.as_ref(),
        page.limit()?,
        page.cursor()?.as_ref(),
        Order::OldestFirst,
    )
    .await?;
    Ok(Json(ListJson::of(found, PaymentJson::from)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReversal {
    /// `chargeback`, `direct_debit_failed`, `transfer_returned`, or your words (1-500 characters).
    pub reason: String,
}

/// Reverse a payment (a chargeback, a failed direct debit, a returned transfer).
///
/// Exactly what it paid is owed again, and the credit it held is gone. 409 `already_reversed`
/// the second time.
#[utoipa::path(post, path = "/payments/{id}/reversal", tag = "payments", request_body = CreateReversal,
    params(("id" = String, Path, description = "Kassa's id"), IdempotencyKey),
    responses(
        (status = 200, description = "Reversed", body = PaymentJson),
        (status = 404, body = ErrorJson),
        (status = 409, description = "Reversed before", body = ErrorJson),
    ))]
pub async fn reverse(
    key: Key,
    Path(id): Path<String>,
    Body(body): Body<CreateReversal>,
) -> ApiResult<Json<PaymentJson>> {
    let payment = PaymentId::from_raw(id);
    // Only the key's own mode: another mode's payment is not found.
    entries::payment(&key.ctx, &key.who, &payment).await?;
    let cmd = ReversePayment { merchant: key.merchant().clone(), payment: payment.clone(), reason: body.reason };
    ledger::reverse_payment(&key.ctx, &key.who, cmd).await?;
    Ok(Json(entries::payment(&key.ctx, &key.who, &payment).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRefund {
    /// A decimal string in the payment's currency (`"25.00"`); left out: all the payment still
    /// stands for.
    #[schema(value_type = Option<String>, example = "25.00")]
    pub amount: Option<DecimalText>,
    /// Why, in your words (1-500 characters): `returned goods`, `overpaid`, ...
    pub reason: String,
}

/// A refund of (part of) a payment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefundJson {
    pub id: String,
    /// Always `refund`.
    pub object: String,
    pub payment: String,
    pub amount: MoneyJson,
    /// `pending` (asked of the gateway, the ledger not moved yet), `succeeded` (paid back, in
    /// the ledger) or `failed` (the gateway could not; nothing changed).
    pub status: String,
    /// The gateway it went through; `null` for a payment received outside Kassa, recorded as
    /// paid back by you.
    pub gateway: Option<String>,
    pub reason: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<refunds::Refund> for RefundJson {
    fn from(r: refunds::Refund) -> RefundJson {
        RefundJson {
            id: r.id,
            object: "refund".into(),
            payment: r.payment.to_string(),
            amount: r.amount.into(),
            status: r.state.as_str().into(),
            gateway: r.gateway,
            reason: r.reason,
            created_at: records::rfc3339(r.created_at),
        }
    }
}

/// Refund (part of) a payment.
///
/// A payment taken through a gateway (Stripe, the sandbox) is paid back through it, and the
/// ledger moves when the gateway confirms: the credit the payment held goes first, then what
/// it paid is owed again, the latest invoice first. A payment you recorded (received outside
/// Kassa) is recorded as paid back by you, at once. Never more than the payment still stands
/// for (422 `refund_exceeds_payment`); the same `Idempotency-Key` never refunds twice.
#[utoipa::path(post, path = "/payments/{id}/refunds", tag = "payments", request_body = CreateRefund,
    params(("id" = String, Path, description = "Kassa's id"), RequiredIdempotencyKey),
    responses(
        (status = 201, description = "Refunded, or asked of the gateway", body = RefundJson),
        (status = 400, body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson),
    ))]
pub async fn refund(
    key: Key,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<CreateRefund>,
) -> ApiResult<Response> {
    let payment = PaymentId::from_raw(id);
    // Only the key's own mode: another mode's payment is not found.
    entries::payment(&key.ctx, &key.who, &payment).await?;
    let idempotency = required_key(&headers, &key)?;
    let cmd = refunds::RefundPayment {
        merchant: key.merchant().clone(),
        payment,
        amount: body.amount.map(|a| a.text()),
        reason: body.reason,
        key: idempotency,
    };
    let done = refunds::refund(&key.ctx, &key.who, cmd).await?;
    Ok((StatusCode::CREATED, Json(RefundJson::from(done))).into_response())
}

/// A payment's refunds, newest first.
#[utoipa::path(get, path = "/payments/{id}/refunds", tag = "payments",
    params(("id" = String, Path, description = "Kassa's id")),
    responses((status = 200, body = ListJson<RefundJson>), (status = 404, body = ErrorJson)))]
pub async fn refunds_of(key: Key, Path(id): Path<String>) -> ApiResult<Json<ListJson<RefundJson>>> {
    let payment = PaymentId::from_raw(id);
    entries::payment(&key.ctx, &key.who, &payment).await?;
    let found = refunds::of_payment(&key.ctx, &key.who, &payment).await?;
    Ok(Json(ListJson { data: found.into_iter().map(RefundJson::from).collect(), has_more: false, next_cursor: None }))
}
