//! Back from a payment provider's page (`/p/{merchant}/pay/return/{attempt}`, the return
//! address every payment is created with): the attempt is settled by what its gateway reports
//! now, and the payer sees the outcome: the receipt when it is paid, the provider's page again
//! while it still needs them, a page that says the money is on its way, or why it was not
//! paid, in their language. Only the debtor who made the attempt gets an answer.

use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use kassa_app::i18n::Lang;
use kassa_core::audit::{ClientIp, Origin};
use kassa_core::services::payments::{self, Paying};
use kassa_core::{Ctx, Error};
use tower_sessions::Session;

use crate::http::documents::debtor;
use crate::http::pages::{self, Page};

pub async fn returned(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<ClientIp>>,
    session: Session,
    Path((slug, attempt)): Path<(String, String)>,
) -> Result<Response, Response> {
    let ip = client.map(|Extension(c)| c.0.to_string());
    let ctx = ctx.from_origin(Origin { surface: "portal", ip });
    let here = format!("/p/{slug}/pay/return/{attempt}");
    let (who, merchant) = debtor(&ctx, lang, &session, &slug, &here).await?;
    let slug = &merchant.slug;
    let w = lang.words();
    match payments::returned(&ctx, &who, &attempt).await {
        Ok(Paying::Paid(payment)) => Ok(Redirect::to(&format!("/p/{slug}/payments/{payment}")).into_response()),
        Ok(Paying::Redirect(url)) => Ok(Redirect::to(&url).into_response()),
        Ok(Paying::Processing(_)) => {
            let page = Page {
                lang,
                status: StatusCode::OK,
                title: &w.payment_processing_title(),
                lines: &[&w.payment_processing_explained()],
                here: &here,
            };
            Ok(pages::merchant_message_onwards(&merchant, page, &format!("/p/{slug}"), &w.back_to_all_invoices()))
        }
        Err(Error::Problem(problem)) => {
            let status = StatusCode::from_u16(problem.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let reason = kassa_app::words::problem_for(lang, &problem);
            let (title, advice) = kassa_app::words::error_page_in(lang, &kassa_app::error::AppError::Problem(problem));
            let page = Page { lang, status, title: &title, lines: &[&reason, &advice], here: &here };
            Err(pages::merchant_message_onwards(&merchant, page, &format!("/p/{slug}"), &w.back_to_all_invoices()))
        }
        Err(Error::NotFound) => Err(pages::not_found(lang)),
        Err(e) => {
            tracing::error!(error = ?e, "a payment's return failed");
            Err(pages::went_wrong(lang))
        }
    }
}
