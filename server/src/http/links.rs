//! Links that sign a debtor in: the single-use magic link from an email, and an invoice's pay
//! link (from the widget or an email button). Plus each merchant's theme stylesheet.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, StatusCode};
use kassa_core::services::records::merchant_by_slug;
use kassa_core::services::{auth, merchants, widget};
use kassa_core::{Ctx, Error, Principal};
use kassa_domain::{MerchantSlug, Problem};
use tower_sessions::Session;

use crate::http::pages;

/// The page for a failure: a clear 404 for what does not exist, a logged 500 otherwise.
fn page_error(e: Error) -> Response {
    match e {
        Error::NotFound => pages::not_found(),
        e => {
            tracing::error!(error = ?e, "link handler failed");
            pages::message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                &["Please try again in a moment."],
            )
        }
    }
}

type PageResult = Result<Response, Response>;

fn slug(text: &str) -> Option<MerchantSlug> {
    MerchantSlug::parse(text).ok()
}

/// Signs `who` in, until `ends` (unix seconds) at the latest.
async fn sign_in(session: &Session, who: &Principal, ends: Option<i64>) -> Result<(), Response> {
    kassa_app::backend::sign_in_until(session, who, ends)
        .await
        .map_err(|_| page_error(Error::internal("session store")))
}

/// A magic link opened (GET): says whether it works and offers "Continue", which posts back
/// to [`magic_login`]. Opening it signs nobody in: a mail scanner that follows links uses
/// nothing up, and a page that navigates someone to a link cannot swap their session.
pub async fn magic_login_page(State(ctx): State<Ctx>, Path((slug_text, token)): Path<(String, String)>) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(pages::not_found)?;
    if let Err(e) = auth::check_magic_link(&ctx, &slug, &token).await {
        return Err(link_error(&ctx, &slug, e).await);
    }
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(page_error)?;
    Ok(pages::continue_page(
        &merchant,
        &format!("Your invoices from {}", merchant.name),
        &["Continue to see what is open and paid, and to pay."],
        &format!("/p/{slug}/login/{token}"),
        "Continue",
    ))
}

/// "Continue" on a magic link's page (POST): uses the link and signs in.
pub async fn magic_login(
    State(ctx): State<Ctx>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(pages::not_found)?;
    match auth::redeem_magic_link(&ctx, &slug, &token).await {
        Ok(debtor) => {
            sign_in(&session, &debtor, None).await?;
            Ok(Redirect::to(&format!("/p/{slug}")).into_response())
        }
        Err(e) => Err(link_error(&ctx, &slug, e).await),
    }
}

/// The page for a sign-in link that does not work: used or expired (410), never issued (404).
async fn link_error(ctx: &Ctx, slug: &MerchantSlug, e: Error) -> Response {
    let (status, title, first) = match e {
        Error::Problem(Problem::SignInLinkExpired) => (
            StatusCode::GONE,
            "This link can no longer be used",
            "Sign-in links work once and expire 15 minutes after they are sent.",
        ),
        Error::NotFound => (
            StatusCode::NOT_FOUND,
            "This sign-in link is not valid",
            "Check that you copied the whole link from the email.",
        ),
        e => return page_error(e),
    };
    match merchant_by_slug(&ctx.pool, slug).await {
        Ok(merchant) => {
            let next = match status {
                StatusCode::GONE => {
                    format!("Ask {} for a new link, or open the most recent email from them.", merchant.name)
                }
                _ => format!("If it still does not work, ask {} for a new link.", merchant.name),
            };
            pages::merchant_message(&merchant, status, title, &[first, &next])
        }
        Err(e) => page_error(e),
    }
}

/// An invoice's pay link opened (GET). Someone already signed in for that invoice, or for
/// the customer's whole account, goes straight to the invoice; anyone else gets "Continue",
/// which posts back to [`pay_link`]: a link opened by navigation never replaces a session.
pub async fn pay_link_page(
    State(ctx): State<Ctx>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let (merchant, link) = verify_pay_link(&ctx, &slug_text, &token).await?;
    let number = &link.number;
    if covers(kassa_app::backend::signed_in_debtor(&session).await.as_ref(), &link.debtor) {
        return Ok(to_invoice(&merchant.slug, number));
    }
    Ok(pages::continue_page(
        &merchant,
        &format!("Invoice {number} from {}", merchant.name),
        &["Continue to see the invoice and pay it."],
        &format!("/p/{}/pay/{token}", merchant.slug),
        "Continue",
    ))
}

/// "Continue" on a pay link's page (POST): a session for that one invoice, unless one that
/// covers it is already there.
pub async fn pay_link(
    State(ctx): State<Ctx>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let (merchant, link) = verify_pay_link(&ctx, &slug_text, &token).await?;
    if !covers(kassa_app::backend::signed_in_debtor(&session).await.as_ref(), &link.debtor) {
        sign_in(&session, &link.debtor, Some(link.expires_at)).await?;
    }
    Ok(to_invoice(&merchant.slug, &link.number))
}

async fn verify_pay_link(
    ctx: &Ctx,
    slug_text: &str,
    token: &str,
) -> Result<(kassa_core::services::records::Merchant, widget::PayLink), Response> {
    let slug = slug(slug_text).ok_or_else(pages::not_found)?;
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(page_error)?;
    match widget::pay_link(ctx, &slug, token).await {
        Ok(link) => Ok((merchant, link)),
        Err(Error::NotFound) => Err(pages::merchant_message(
            &merchant,
            StatusCode::NOT_FOUND,
            "This pay link is not valid",
            &["It may have expired. Open the invoice again from the shop or email that showed it."],
        )),
        Err(e) => Err(page_error(e)),
    }
}

/// Whether the session's debtor already sees what a pay link's session would: the same
/// customer's whole account, or the same invoice.
fn covers(current: Option<&Principal>, link: &Principal) -> bool {
    match (current, link) {
        (Some(Principal::Debtor(current)), Principal::Debtor(new)) => {
            current.merchant == new.merchant
                && current.customer == new.customer
                && (current.invoice.is_none() || current.invoice == new.invoice)
        }
        _ => false,
    }
}

fn to_invoice(slug: &MerchantSlug, number: &kassa_domain::InvoiceNumber) -> Response {
    Redirect::to(&format!("/p/{slug}/invoices/{}", utf8_percent_path(number.as_str()))).into_response()
}

/// An invoice number as one URL path segment (numbers like `NL/26/117` contain slashes).
fn utf8_percent_path(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

/// The merchant's brand as CSS custom properties (no inline styles needed under a strict CSP).
pub async fn theme_css(State(ctx): State<Ctx>, Path(slug_text): Path<String>) -> PageResult {
    let merchant =
        merchant_by_slug(&ctx.pool, &slug(&slug_text).ok_or_else(pages::not_found)?).await.map_err(page_error)?;
    let color = match merchant.brand_color.as_str() {
        c if merchants::is_hex_color(c) => c,
        _ => merchants::DEFAULT_BRAND_COLOR,
    };
    Ok((
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        format!(":root {{ --brand: {color}; }}\n"),
    )
        .into_response())
}
