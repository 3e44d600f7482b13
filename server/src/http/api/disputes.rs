//! `/api/v1/disputes`: debtors' disputes of invoices or lines (opened in the portal), in the
//! key's mode: read them with their threads and staff's internal notes, answer the debtor or
//! note something, and resolve them. The same `kassa-core` service as the portal and the admin.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, StatusCode};
use kassa_core::services::disputes::{self, Dispute, Reply, Resolve};
use kassa_domain::dispute::DisputeStatus;
use kassa_domain::CustomerId;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::invoices::DecimalText;
use super::{Body, ErrorJson, Key, ListJson, MoneyJson, Path, Query, RequiredIdempotencyKey};

/// A line a dispute is about.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputedLineJson {
    /// 1 for the invoice's first line.
    pub position: u32,
    pub description: String,
}

/// A message in a dispute's thread.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeMessageJson {
    pub id: String,
    /// `debtor` or `staff` (your staff or an API key).
    pub author: String,
    pub body: String,
    /// A note between staff: never shown to the debtor.
    pub internal: bool,
    /// RFC 3339.
    pub created_at: String,
}

/// A file the debtor attached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeFileJson {
    pub id: String,
    /// The name it was sent with, cleaned, with its type's extension.
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, read from the content.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
}

/// A debtor's dispute.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisputeJson {
    pub id: String,
    /// Always `dispute`.
    pub object: String,
    pub customer_id: String,
    /// Your number for the customer.
    pub customer_number: String,
    /// The invoice, by your number.
    pub invoice_number: String,
    /// `not_received`, `damaged`, `wrong_price_or_quantity`, `already_paid` or `other`.
    pub reason: String,
    /// `open`, `under_review` (staff answered) or `resolved`.
    pub status: String,
    /// What it disputes: out of collection until it is resolved.
    pub amount: MoneyJson,
    /// The disputed lines; empty: the whole invoice.
    pub lines: Vec<DisputedLineJson>,
    /// The thread, oldest first, with staff's internal notes.
    pub messages: Vec<DisputeMessageJson>,
    /// Photos or documents the debtor attached: `GET /disputes/{id}/files/{file}`.
    pub files: Vec<DisputeFileJson>,
    /// When resolved: `credited_in_full`, `credited_in_part`, `rejected` or `adjusted`.
    pub outcome: Option<String>,
    /// The credit note the resolution issued, by its number.
    pub credit_note_number: Option<String>,
    /// What that credit note credited.
    pub credited: Option<MoneyJson>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub resolved_at: Option<String>,
}

impl From<Dispute> for DisputeJson {
    fn from(d: Dispute) -> DisputeJson {
        use kassa_core::services::records::rfc3339;
        DisputeJson {
            id: d.id,
            object: "dispute".into(),
            customer_id: d.customer.to_string(),
            customer_number: d.customer_number,
            invoice_number: d.invoice.to_string(),
            reason: d.reason.as_str().into(),
            status: d.status.as_str().into(),
            amount: d.amount.into(),
            lines: d
                .lines
                .into_iter()
                .map(|l| DisputedLineJson { position: l.position, description: l.description })
                .collect(),
            messages: d
                .messages
                .into_iter()
                .map(|m| DisputeMessageJson {
                    id: m.id,
                    author: m.author,
                    body: m.body,
                    internal: m.internal,
                    created_at: rfc3339(m.created_at),
                })
                .collect(),
            files: d
                .files
                .into_iter()
                .map(|f| DisputeFileJson {
                    id: f.id,
                    filename: f.filename,
                    content_type: f.content_type,
                    size_bytes: f.size_bytes,
                    sha256: f.sha256,
                })
                .collect(),
            outcome: d.outcome.map(|o| o.as_str().into()),
            credit_note_number: d.credit_note.as_ref().map(|(number, _)| number.to_string()),
            credited: d.credit_note.map(|(_, amount)| amount.into()),
            created_at: rfc3339(d.created_at),
            resolved_at: d.resolved_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only disputes with this status: `open`, `under_review` or `resolved`.
    #[param(pattern = "^(open|under_review|resolved)$")]
    pub status: Option<String>,
    /// Only this customer's (its id).
    pub customer_id: Option<String>,
    /// 1-200, 50 by default: the oldest first.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

/// The key's mode's disputes, oldest first (the order to answer them in).
#[utoipa::path(get, path = "/disputes", tag = "disputes", params(ListParams),
    responses((status = 200, body = ListJson<DisputeJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<DisputeJson>>> {
    let status = match p.status.as_deref() {
        None => None,
        Some(s) => Some(DisputeStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request("invalid_query", "`status` is one of open, under_review, resolved.")
        })?),
    };
    let paging = super::PageParams { limit: p.limit, after: p.after };
    let (limit, after) = (paging.limit()?, paging.cursor()?);
    let customer = p.customer_id.map(CustomerId::from_raw);
    let found = disputes::page(&key.ctx, &key.who, status, customer.as_ref(), limit, after.as_ref()).await?;
    Ok(Json(ListJson::of(found, DisputeJson::from)))
}

/// One dispute, with its whole thread.
#[utoipa::path(get, path = "/disputes/{id}", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")),
    responses((status = 200, body = DisputeJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<DisputeJson>> {
    Ok(Json(disputes::get(&key.ctx, &key.who, &id).await?.into()))
}

/// A file's bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(#[allow(dead_code)] Vec<u8>);

/// A file the debtor attached, as a download: `application/octet-stream` with
/// `Content-Disposition: attachment` (its type, read from its content, is the dispute's
/// `files[].content_type`).
#[utoipa::path(get, path = "/disputes/{id}/files/{file}", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id"), ("file" = String, Path, description = "The file's id")),
    responses(
        (status = 200, description = "The file's bytes", body = FileBytes, content_type = "application/octet-stream"),
        (status = 404, body = ErrorJson),
    ))]
pub async fn file(key: Key, Path((id, file)): Path<(String, String)>) -> ApiResult<Response> {
    let mut stored = disputes::file(&key.ctx, &key.who, &id, &file).await?;
    stored.content_type = "application/octet-stream".into();
    Ok(crate::http::disputes::download(stored))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDisputeMessage {
    /// 1-4,000 characters.
    pub body: String,
    /// `true`: a note between staff, never shown to (nor mailed to) the debtor. `false` by
    /// default: an answer the debtor reads in the portal and by email.
    #[serde(default)]
    pub internal: bool,
}

/// Answer the debtor, or note something for your staff.
///
/// An answer moves an open dispute to `under_review`, is mailed to the debtor and emits
/// `dispute.message`. A resolved dispute takes no more messages (409 `dispute_closed`). Needs
/// an `Idempotency-Key`: the same key writes the message once.
#[utoipa::path(post, path = "/disputes/{id}/messages", tag = "disputes", request_body = CreateDisputeMessage,
    params(("id" = String, Path, description = "The dispute's id"), RequiredIdempotencyKey),
    responses(
        (status = 201, description = "Written", body = DisputeJson),
        (status = 400, body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson),
    ))]
pub async fn answer(
    key: Key,
    Path(id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<CreateDisputeMessage>,
) -> ApiResult<Response> {
    // Another mode's (or merchant's) dispute is not found, before the key is asked for.
    disputes::get(&key.ctx, &key.who, &id).await?;
    let idempotency = super::payments::required_key(&headers, &key)?;
    let cmd = Reply { dispute: id, body: body.body, internal: body.internal, key: idempotency };
    let dispute = disputes::reply(&key.ctx, &key.who, cmd).await?;
    Ok((StatusCode::CREATED, Json(DisputeJson::from(dispute))).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveDispute {
    /// `credited_in_full` (a credit note for the disputed amount), `credited_in_part` (a
    /// credit note for `credit`; the rest is owed again), `rejected` (all of it is owed again)
    /// or `adjusted` (you corrected the invoice another way; nothing is credited here).
    pub outcome: String,
    /// For `credited_in_part`: a decimal string above zero and below the disputed amount. Left
    /// out for `credited_in_full` (the disputed amount), `rejected` and `adjusted`.
    #[schema(value_type = Option<String>, example = "20.00")]
    pub credit: Option<DecimalText>,
    /// The credit note's number (1-64 characters, not yet used); left out: the invoice's
    /// number with `-C1` (or the next free counter).
    pub credit_note_number: Option<String>,
    /// What the debtor reads (1-4,000 characters): why, and what happens now.
    pub message: String,
}

/// Resolve a dispute.
///
/// Credits (a credit note against the invoice, in the same transaction), or not; what the
/// dispute held returns to collection, less any credit. The message goes into the thread and
/// is mailed to the debtor; emits `dispute.resolved` (and `credit_note.created`). Resolving it
/// again the same way answers the dispute as it is; another way is a 409 `dispute_closed`.
#[utoipa::path(post, path = "/disputes/{id}/resolve", tag = "disputes", request_body = ResolveDispute,
    params(("id" = String, Path, description = "The dispute's id")),
    responses(
        (status = 200, description = "Resolved", body = DisputeJson),
        (status = 400, body = ErrorJson),
        (status = 404, body = ErrorJson),
        (status = 409, body = ErrorJson),
        (status = 422, body = ErrorJson),
    ))]
pub async fn resolve(
    key: Key,
    Path(id): Path<String>,
    Body(body): Body<ResolveDispute>,
) -> ApiResult<Json<DisputeJson>> {
    let cmd = Resolve {
        dispute: id,
        outcome: body.outcome,
        credit: body.credit.map(|c| c.text()),
        decimal: '.',
        credit_note_number: body.credit_note_number,
        message: body.message,
    };
    Ok(Json(disputes::resolve(&key.ctx, &key.who, cmd).await?.into()))
}
