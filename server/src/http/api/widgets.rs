//! `/api/v1/widget-tokens`: tokens for the `<kassa-pay>` element on the merchant's own site
//! (and its pay link), or `<kassa-invoices>` (a customer's open invoices): issue one for an
//! invoice or a customer and the sites allowed to show it, list them, revoke one. The same
//! `kassa-core` service as the admin.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::services::records::rfc3339;
use kassa_core::services::widget::{self, Covers, IssueToken, Reach, WidgetToken};
use kassa_domain::InvoiceNumber;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, IdempotencyKey, Key, ListJson, Path, Query};

/// A widget token: what `<kassa-pay token="...">` (or `<kassa-invoices>`) shows and the pay
/// link it opens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WidgetTokenJson {
    pub id: String,
    /// Always `widget_token`.
    pub object: String,
    /// `site` (`<kassa-pay>` on the `origins`) or `email` (a pay button and status badge in
    /// an email: no origins, no end).
    pub kind: WidgetKind,
    /// The element's `token` attribute; `null` once the key that signed it was retired.
    pub token: Option<String>,
    /// The invoice it shows, by your number; `null` for a customer's token
    /// (`<kassa-invoices>`: all their open invoices).
    pub invoice_number: Option<String>,
    /// Your number for the invoice's customer.
    pub customer_number: String,
    /// The web origins allowed to show it (`https://shop.example`).
    pub origins: Vec<String>,
    /// Kassa's pay page for the invoice (a customer's token: for the invoices they choose),
    /// for a link or a button (opens while the token lives).
    pub pay_url: Option<String>,
    /// An email token's status badge (PNG; the same at `.svg`), for the email's `<img>`.
    pub badge_url: Option<String>,
    /// RFC 3339; an email token's is `9999-12-31T23:59:59Z` (it lives until revoked).
    pub expires_at: String,
    /// RFC 3339: when it was revoked; it shows and opens nothing since.
    pub revoked_at: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// Where a widget token is shown.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WidgetKind {
    Site,
    Email,
}

fn json(key: &Key, t: WidgetToken, slug: &str) -> WidgetTokenJson {
    let root = key.ctx.public_url.trim_end_matches('/');
    let email = t.is_email();
    WidgetTokenJson {
        kind: if email { WidgetKind::Email } else { WidgetKind::Site },
        pay_url: t.token.as_ref().map(|token| match t.invoice {
            Some(_) => format!("{root}/p/{slug}/pay/{token}"),
            None => format!("{root}/w/v1/pay/{token}"),
        }),
        badge_url: t.token.as_ref().filter(|_| email).map(|token| format!("{root}/w/v1/badge/{token}.png")),
        id: t.id,
        object: "widget_token".into(),
        token: t.token,
        invoice_number: t.invoice_number,
        customer_number: t.customer_number,
        origins: t.origins,
        expires_at: rfc3339(t.expires_at),
        revoked_at: t.revoked_at.map(rfc3339),
        created_at: rfc3339(t.created_at),
    }
}

/// The key's merchant's slug (the pay link's path).
async fn slug(key: &Key) -> ApiResult<String> {
    let merchant = kassa_core::services::records::scoped_merchant(&key.ctx.pool, &key.who, None).await?;
    Ok(merchant.slug.to_string())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWidgetToken {
    /// Your number of the invoice to show (`<kassa-pay>`, or an email)...
    pub invoice_number: Option<String>,
    /// ... or of the customer whose open invoices to show (`<kassa-invoices>`; `site` only).
    pub customer_number: Option<String>,
    /// `site` (the default) or `email`.
    pub kind: Option<WidgetKind>,
    /// For `site`: 1-10 web origins allowed to show it, `https://host[:port]`, no path
    /// (`http://` only for localhost); a page elsewhere gets nothing. None for `email`.
    #[serde(default)]
    pub origins: Vec<String>,
    /// For `site`: 1-90 days it stays valid, 30 by default. None for `email`: it lives until
    /// revoked.
    #[schema(minimum = 1, maximum = 90)]
    pub expires_in_days: Option<u32>,
}

/// Issue a widget token for an invoice or a customer (a key with the `write` scope).
#[utoipa::path(post, path = "/widget-tokens", tag = "widgets", request_body = CreateWidgetToken,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Issued", body = WidgetTokenJson),
        (status = 400, description = "Neither or both of `invoice_number` and `customer_number` (`widget_invoice_or_customer`)", body = ErrorJson),
        (status = 404, description = "No such invoice or customer in the key's mode", body = ErrorJson),
        (status = 422, description = "An origin or the lifetime to fix", body = ErrorJson),
    ))]
pub async fn create(key: Key, Body(body): Body<CreateWidgetToken>) -> ApiResult<Response> {
    let covers = Covers::from_numbers(body.invoice_number.as_deref(), body.customer_number.as_deref())?;
    let reach = match body.kind.unwrap_or(WidgetKind::Site) {
        WidgetKind::Site => Reach::Sites { origins: body.origins, days: body.expires_in_days },
        WidgetKind::Email if body.origins.is_empty() && body.expires_in_days.is_none() => Reach::Email,
        WidgetKind::Email => {
            return Err(ApiError::bad_request(
                "invalid_body",
                "An `email` token takes no `origins` and no `expires_in_days`: it opens from any mail program until revoked.",
            ))
        }
    };
    let cmd = IssueToken { covers, reach };
    let issued = widget::issue(&key.ctx, &key.who, cmd).await?;
    let slug = slug(&key).await?;
    Ok((StatusCode::CREATED, Json(json(&key, issued, &slug))).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this invoice's (your number).
    pub invoice_number: Option<String>,
    /// 1-200, 50 by default: the newest first.
    pub limit: Option<u32>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

/// The key's mode's widget tokens, newest first (revoked and expired ones too).
#[utoipa::path(get, path = "/widget-tokens", tag = "widgets", params(ListParams),
    responses((status = 200, body = ListJson<WidgetTokenJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(p): Query<ListParams>) -> ApiResult<Json<ListJson<WidgetTokenJson>>> {
    let invoice = match p.invoice_number.as_deref() {
        None => None,
        Some(n) => Some(
            InvoiceNumber::parse(n)
                .map_err(|_| ApiError::bad_request("invalid_query", "`invoice_number` is not an invoice number."))?,
        ),
    };
    let paging = super::PageParams { limit: p.limit, after: p.after };
    let (limit, after) = (paging.limit()?, paging.cursor()?);
    let found = widget::page(&key.ctx, &key.who, invoice.as_ref(), limit, after.as_ref()).await?;
    let slug = slug(&key).await?;
    Ok(Json(ListJson::of(found, |t| json(&key, t, &slug))))
}

/// One widget token.
#[utoipa::path(get, path = "/widget-tokens/{id}", tag = "widgets",
    params(("id" = String, Path, description = "The token's id (`wt_...`)")),
    responses((status = 200, body = WidgetTokenJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<WidgetTokenJson>> {
    let token = widget::get(&key.ctx, &key.who, &id).await?;
    let slug = slug(&key).await?;
    Ok(Json(json(&key, token, &slug)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWidgetToken {
    /// The web origins that may show it from now on (1-10, as when it was issued); a site taken
    /// off gets nothing at its next read.
    pub origins: Vec<String>,
}

/// Change the websites that may show a site's widget token (a key with the `write` scope);
/// its token and expiry stay.
#[utoipa::path(patch, path = "/widget-tokens/{id}", tag = "widgets", request_body = UpdateWidgetToken,
    params(("id" = String, Path, description = "The token's id (`wt_...`)")),
    responses(
        (status = 200, description = "Changed", body = WidgetTokenJson),
        (status = 404, body = ErrorJson),
        (status = 422, description = "An origin to fix, or an email token (it has no websites)", body = ErrorJson),
    ))]
pub async fn update(
    key: Key,
    Path(id): Path<String>,
    Body(body): Body<UpdateWidgetToken>,
) -> ApiResult<Json<WidgetTokenJson>> {
    let token = widget::set_origins(&key.ctx, &key.who, &id, &body.origins).await?;
    let slug = slug(&key).await?;
    Ok(Json(json(&key, token, &slug)))
}

/// Revoke a widget token (a key with the `write` scope): at once, the element shows that it
/// is no longer valid and the pay link opens nothing. Revoking it again answers the same.
#[utoipa::path(post, path = "/widget-tokens/{id}/revocation", tag = "widgets",
    params(("id" = String, Path, description = "The token's id (`wt_...`)"), IdempotencyKey),
    responses((status = 200, description = "Revoked", body = WidgetTokenJson), (status = 404, body = ErrorJson)))]
pub async fn revoke(key: Key, Path(id): Path<String>) -> ApiResult<Json<WidgetTokenJson>> {
    let token = widget::revoke(&key.ctx, &key.who, &id).await?;
    let slug = slug(&key).await?;
    Ok(Json(json(&key, token, &slug)))
}
