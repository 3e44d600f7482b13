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

async fn sign_in(session: &Session, who: &Principal) -> Result<(), Response> {
    kassa_app::backend::sign_in(session, who).await.map_err(|_| page_error(Error::internal("session store")))
}

pub async fn magic_login(
    State(ctx): State<Ctx>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(pages::not_found)?;
    match auth::redeem_magic_link(&ctx, &slug, &token).await {
        Ok(debtor) => {
            sign_in(&session, &debtor).await?;
            Ok(Redirect::to(&format!("/p/{slug}")).into_response())
        }
        Err(Error::Problem(Problem::SignInLinkExpired)) => {
            let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(page_error)?;
            Err(pages::merchant_message(
                &merchant,
                StatusCode::GONE,
                "This link can no longer be used",
                &[
                    "Sign-in links work once and expire 15 minutes after they are sent.",
                    &format!("Ask {} for a new link, or open the most recent email from them.", merchant.name),
                ],
            ))
        }
        Err(Error::NotFound) => {
            let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(page_error)?;
            Err(pages::merchant_message(
                &merchant,
                StatusCode::NOT_FOUND,
                "This sign-in link is not valid",
                &[
                    "Check that you copied the whole link from the email.",
                    &format!("If it still does not work, ask {} for a new link.", merchant.name),
                ],
            ))
        }
        Err(e) => Err(page_error(e)),
    }
}

pub async fn pay_link(
    State(ctx): State<Ctx>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(pages::not_found)?;
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(page_error)?;
    let (debtor, slug, number) = match widget::pay_link(&ctx, &slug, &token).await {
        Ok(found) => found,
        Err(Error::NotFound) => {
            return Err(pages::merchant_message(
                &merchant,
                StatusCode::NOT_FOUND,
                "This pay link is not valid",
                &["It may have expired. Open the invoice again from the shop or email that showed it."],
            ))
        }
        Err(e) => return Err(page_error(e)),
    };
    // A debtor already signed in for the whole account keeps that wider session.
    let keep = matches!((kassa_app::backend::signed_in_debtor(&session).await, &debtor),
        (Some(Principal::Debtor(current)), Principal::Debtor(new))
            if current.merchant == new.merchant && current.customer == new.customer && current.invoice.is_none());
    if !keep {
        sign_in(&session, &debtor).await?;
    }
    let number = utf8_percent_path(number.as_str());
    Ok(Redirect::to(&format!("/p/{slug}/invoices/{number}")).into_response())
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
