//! Links that sign a debtor in: the single-use magic link from an email, and an invoice's pay
//! link (from the widget or an email button). Plus each merchant's theme stylesheet.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, StatusCode};
use tower_sessions::Session;

use crate::error::Error;
use crate::http::pages;
use crate::services::records::merchant_by_slug;
use crate::services::{auth, widget, Services};

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

pub async fn magic_login(
    State(services): State<Services>,
    session: Session,
    Path((slug, token)): Path<(String, String)>,
) -> PageResult {
    let merchant = merchant_by_slug(&services.pool, &slug).await.map_err(page_error)?;
    match auth::redeem_magic_link(&services.pool, &merchant, &token).await {
        Ok(debtor) => {
            auth::sign_in_debtor(&session, debtor).await.map_err(page_error)?;
            Ok(Redirect::to(&format!("/p/{}", merchant.slug)).into_response())
        }
        Err(Error::Unauthorized) => Err(pages::message(
            StatusCode::GONE,
            "This link can no longer be used",
            &[
                "Sign-in links work once and expire 15 minutes after they are sent.",
                &format!("Ask {} for a new link, or open the most recent email from them.", merchant.name),
            ],
        )),
        Err(Error::NotFound) => Err(pages::message(
            StatusCode::NOT_FOUND,
            "This sign-in link is not valid",
            &[
                "Check that you copied the whole link from the email.",
                &format!("If it still does not work, ask {} for a new link.", merchant.name),
            ],
        )),
        Err(e) => Err(page_error(e)),
    }
}

pub async fn pay_link(
    State(services): State<Services>,
    session: Session,
    Path((slug, token)): Path<(String, String)>,
) -> PageResult {
    let merchant = merchant_by_slug(&services.pool, &slug).await.map_err(page_error)?;
    let claims = match services.tokens.verify(&token) {
        Ok(c) if c.m == merchant.id => c,
        _ => {
            return Err(pages::message(
                StatusCode::NOT_FOUND,
                "This pay link is not valid",
                &["It may have expired. Open the invoice again from the shop or email that showed it."],
            ))
        }
    };
    let (debtor, slug, number) = widget::pay_link_session(&services.pool, &claims).await.map_err(page_error)?;
    // A debtor already signed in for the whole account keeps that wider session.
    let keep = matches!(auth::debtor(&session, &merchant).await,
        Ok(current) if current.customer_id == debtor.customer_id && current.invoice_id.is_none());
    if !keep {
        auth::sign_in_debtor(&session, debtor).await.map_err(page_error)?;
    }
    Ok(Redirect::to(&format!("/p/{slug}/invoices/{number}")).into_response())
}

/// The merchant's brand as CSS custom properties (no inline styles needed under a strict CSP).
pub async fn theme_css(State(services): State<Services>, Path(slug): Path<String>) -> PageResult {
    let merchant = merchant_by_slug(&services.pool, &slug).await.map_err(page_error)?;
    let color = if is_hex_color(&merchant.brand_color) { merchant.brand_color.as_str() } else { "#1f4e79" };
    Ok((
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        format!(":root {{ --brand: {color}; }}\n"),
    )
        .into_response())
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}
