//! The debtor's documents as PDF downloads: an invoice, a payment's receipt, the statement of
//! account for a period, a payment plan's agreement. Plain GET links (they work without JavaScript), for the signed-in
//! debtor only and scoped as their pages are (core's portal and statements services); made in
//! the page's language (app/src/pdf.rs). Never cached anywhere (`no-store`).

use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use kassa_app::i18n::Lang;
use kassa_core::services::records::{merchant_by_slug, Merchant};
use kassa_core::services::statements::{self, Period};
use kassa_core::services::{logos, plans, portal};
use kassa_core::{Ctx, Error, Principal};
use kassa_domain::{InvoiceNumber, MerchantSlug, PaymentId};
use tower_sessions::Session;

use crate::http::pages::{self, Page};

/// The signed-in debtor of the merchant at `slug` and that merchant, or the page that says to
/// sign in.
pub(crate) async fn debtor(
    ctx: &Ctx,
    lang: Lang,
    session: &Session,
    slug: &str,
    here: &str,
) -> Result<(Principal, Merchant), Response> {
    let slug = MerchantSlug::parse(slug).map_err(|_| pages::not_found(lang))?;
    let signed_in = kassa_app::backend::signed_in_debtor(ctx, session).await;
    match portal::debtor_at(ctx, signed_in.as_ref(), &slug).await {
        Ok(found) => Ok(found),
        Err(Error::Unauthenticated) => {
            let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| failed(lang, e))?;
            let w = lang.words();
            let page = Page {
                lang,
                status: StatusCode::UNAUTHORIZED,
                title: &w.page_sign_in_needed(),
                lines: &[&w.error_unauthorized(), &w.page_sign_in_needed_advice()],
                here,
            };
            Err(pages::merchant_message_onwards(&merchant, page, &format!("/p/{slug}/sign-in"), &w.sign_in_get_link()))
        }
        Err(e) => Err(failed(lang, e)),
    }
}

/// The merchant's logo for the PDF's band, if it has one.
async fn logo(ctx: &Ctx, lang: Lang, merchant: &Merchant) -> Result<Option<logos::Logo>, Response> {
    if merchant.logo_url.is_none() {
        return Ok(None);
    }
    logos::of(&ctx.pool, &merchant.id).await.map_err(|e| failed(lang, e))
}

fn failed(lang: Lang, e: Error) -> Response {
    match e {
        Error::NotFound => pages::not_found(lang),
        e => {
            tracing::error!(error = ?e, "a document could not be made");
            pages::went_wrong(lang)
        }
    }
}

/// A PDF download named `name` (ASCII letters, digits, `-`, `_` and `.` only).
fn pdf(name: &str, bytes: Vec<u8>) -> Response {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{safe}.pdf\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response()
}

/// `/p/{merchant}/invoices/{number}/pdf`
pub async fn invoice(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    session: Session,
    Path((slug, number)): Path<(String, String)>,
) -> Response {
    let here = format!("/p/{slug}/invoices/{number}/pdf");
    let (who, merchant) = match debtor(&ctx, lang, &session, &slug, &here).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let Ok(number) = InvoiceNumber::parse(&number) else { return pages::not_found(lang) };
    let logo = match logo(&ctx, lang, &merchant).await {
        Ok(logo) => logo,
        Err(page) => return page,
    };
    match portal::invoice(&ctx, &who, &number).await {
        Ok(detail) => pdf(number.as_str(), kassa_app::pdf::invoice(lang, &detail, logo.as_ref())),
        Err(e) => failed(lang, e),
    }
}

/// `/p/{merchant}/payments/{payment}/pdf`
pub async fn receipt(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    session: Session,
    Path((slug, payment)): Path<(String, String)>,
) -> Response {
    let here = format!("/p/{slug}/payments/{payment}/pdf");
    let (who, merchant) = match debtor(&ctx, lang, &session, &slug, &here).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let payment = PaymentId::from_raw(payment);
    let logo = match logo(&ctx, lang, &merchant).await {
        Ok(logo) => logo,
        Err(page) => return page,
    };
    match portal::receipt(&ctx, &who, &payment).await {
        Ok(receipt) => pdf(&format!("receipt-{payment}"), kassa_app::pdf::receipt(lang, &receipt, logo.as_ref())),
        Err(e) => failed(lang, e),
    }
}

/// `/p/{merchant}/plans/{id}/pdf`: the agreement of one of the debtor's payment plans.
pub async fn plan(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    session: Session,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let here = format!("/p/{slug}/plans/{id}");
    let (who, merchant) = match debtor(&ctx, lang, &session, &slug, &here).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let logo = match logo(&ctx, lang, &merchant).await {
        Ok(logo) => logo,
        Err(page) => return page,
    };
    match plans::get(&ctx, &who, &id).await {
        Ok(p) => {
            let name = format!("{}-{}", lang.words().plan_pdf_file(), p.id);
            pdf(&name, kassa_app::pdf::plan(lang, &merchant, &p, logo.as_ref()))
        }
        Err(e) => failed(lang, e),
    }
}

#[derive(serde::Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `/p/{merchant}/statement/pdf?from=&to=`: a period that cannot be read is the statement page
/// itself, which says why on its form.
pub async fn statement(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    session: Session,
    Path(slug): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let here = format!("/p/{slug}/statement");
    let (who, merchant) = match debtor(&ctx, lang, &session, &slug, &here).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let today = match merchant.today() {
        Ok(today) => today,
        Err(e) => return failed(lang, e),
    };
    let back = || {
        let to = format!("/p/{slug}/statement?from={}&to={}", url_encode(&q.from), url_encode(&q.to));
        axum::response::Redirect::to(&to).into_response()
    };
    let Ok(period) = Period::parse(&q.from, &q.to, today) else { return back() };
    let logo = match logo(&ctx, lang, &merchant).await {
        Ok(logo) => logo,
        Err(page) => return page,
    };
    match statements::statement(&ctx, &who, merchant, period).await {
        Ok(s) => {
            let name = format!("statement-{}-{}", period.from, period.to);
            pdf(&name, kassa_app::pdf::statement(lang, &s, logo.as_ref()))
        }
        Err(Error::Problem(_)) => back(),
        Err(e) => failed(lang, e),
    }
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
