//! Links that sign a debtor in: the single-use magic link from an email, and an invoice's pay
//! link (from the widget or an email button). Plus each merchant's theme stylesheet.

use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, StatusCode};
use kassa_app::i18n::Lang;
use kassa_core::services::records::merchant_by_slug;
use kassa_core::services::{auth, merchants, widget};
use kassa_core::{Ctx, Error, Principal};
use kassa_domain::{MerchantSlug, Problem};
use tower_sessions::Session;

use crate::http::locale::Chosen;
use crate::http::pages::{self, Page};

/// The page for a failure: a clear 404 for what does not exist, a logged 500 otherwise.
fn page_error(lang: Lang, e: Error) -> Response {
    match e {
        Error::NotFound => pages::not_found(lang),
        e => {
            tracing::error!(error = ?e, "link handler failed");
            pages::went_wrong(lang)
        }
    }
}

/// The language of a link's page: the visitor's choice, else the language of the customer the
/// link is for, else the request's.
fn link_language(chosen: Option<Extension<Chosen>>, customer: Option<&str>, request: Lang) -> Lang {
    chosen.map(|Extension(Chosen(l))| l).or_else(|| customer.and_then(Lang::from_code)).unwrap_or(request)
}

type PageResult = Result<Response, Response>;

fn slug(text: &str) -> Option<MerchantSlug> {
    MerchantSlug::parse(text).ok()
}

/// Signs `who` in, until `ends` (unix seconds) at the latest, and keeps their customer's
/// language as the session's.
/// (With `link`, the pay link's token id and expiry: the sign-in lasts while the link does.)
async fn sign_in(
    ctx: &Ctx,
    lang: Lang,
    session: &Session,
    who: &Principal,
    link: Option<(&str, i64)>,
) -> Result<(), Response> {
    let failed = |_| page_error(lang, Error::internal("session store"));
    match link {
        Some((id, ends)) => kassa_app::backend::sign_in_through(session, who, ends, id).await.map_err(failed)?,
        None => kassa_app::backend::sign_in_until(session, who, None).await.map_err(failed)?,
    }
    let language = kassa_core::services::portal::language(ctx, who).await.map_err(|e| page_error(lang, e))?;
    kassa_app::backend::keep_language(session, &language).await.map_err(failed)
}

/// A magic link opened (GET): says whether it works and offers "Continue", which posts back
/// to [`magic_login`]. Opening it signs nobody in: a mail scanner that follows links uses
/// nothing up, and a page that navigates someone to a link cannot swap their session.
pub async fn magic_login_page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    chosen: Option<Extension<Chosen>>,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(|| pages::not_found(lang))?;
    let customer_language = match auth::check_magic_link(&ctx, &slug, &token).await {
        Ok(language) => language,
        Err(e) => return Err(link_error(&ctx, link_language(chosen, None, lang), &slug, &token, e).await),
    };
    let lang = link_language(chosen, Some(&customer_language), lang);
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| page_error(lang, e))?;
    let w = lang.words();
    let here = format!("/p/{slug}/login/{token}");
    let page = Page {
        lang,
        status: StatusCode::OK,
        title: &w.link_your_invoices(&merchant.name),
        lines: &[&w.link_continue_explained()],
        here: &here,
    };
    Ok(pages::continue_page(&merchant, page, &here, &w.link_continue()))
}

/// "Continue" on a magic link's page (POST): uses the link and signs in.
pub async fn magic_login(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    chosen: Option<Extension<Chosen>>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(|| pages::not_found(lang))?;
    match auth::redeem_magic_link(&ctx, &slug, &token).await {
        Ok(debtor) => {
            sign_in(&ctx, lang, &session, &debtor, None).await?;
            Ok(Redirect::to(&format!("/p/{slug}")).into_response())
        }
        Err(e) => Err(link_error(&ctx, link_language(chosen, None, lang), &slug, &token, e).await),
    }
}

/// The page for a sign-in link that does not work: used or expired (410), never issued (404).
async fn link_error(ctx: &Ctx, lang: Lang, slug: &MerchantSlug, token: &str, e: Error) -> Response {
    let w = lang.words();
    let (status, title, first) = match e {
        Error::Problem(Problem::SignInLinkExpired) => (StatusCode::GONE, w.link_used_title(), w.link_used_explained()),
        Error::NotFound => (StatusCode::NOT_FOUND, w.link_invalid_title(), w.link_invalid_explained()),
        e => return page_error(lang, e),
    };
    match merchant_by_slug(&ctx.pool, slug).await {
        Ok(merchant) => {
            let next = match status {
                StatusCode::GONE => w.link_ask_new(&merchant.name),
                _ => w.link_still_not_working(&merchant.name),
            };
            let here = format!("/p/{slug}/login/{token}");
            let page = Page { lang, status, title: &title, lines: &[&first, &next], here: &here };
            pages::merchant_message_onwards(&merchant, page, &format!("/p/{slug}/sign-in"), &w.sign_in_get_link())
        }
        Err(e) => page_error(lang, e),
    }
}

/// The merchant at `/p/{slug_text}`, or the page saying there is none.
async fn merchant_at(
    ctx: &Ctx,
    lang: Lang,
    slug_text: &str,
) -> Result<kassa_core::services::records::Merchant, Response> {
    let slug = slug(slug_text).ok_or_else(|| pages::not_found(lang))?;
    merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| page_error(lang, e))
}

/// "Email me a sign-in link" (GET): the portal's door for a debtor without a link at hand.
pub async fn sign_in_page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Path(slug_text): Path<String>,
) -> PageResult {
    let merchant = merchant_at(&ctx, lang, &slug_text).await?;
    Ok(sign_in_form(&merchant, lang, StatusCode::OK, "", None))
}

fn sign_in_form(
    merchant: &kassa_core::services::records::Merchant,
    lang: Lang,
    status: StatusCode,
    typed: &str,
    error: Option<&str>,
) -> Response {
    let w = lang.words();
    let here = format!("/p/{}/sign-in", merchant.slug);
    let page =
        Page { lang, status, title: &w.sign_in_title(&merchant.name), lines: &[&w.sign_in_explained()], here: &here };
    let form = pages::EmailForm {
        action: &here,
        label: &w.field_email_address(),
        button: &w.sign_in_send(),
        value: typed,
        error,
    };
    pages::email_page(merchant, page, form)
}

#[derive(serde::Deserialize)]
pub struct EmailField {
    #[serde(default)]
    email: String,
}

/// "Email me a sign-in link" (POST): the same "check your email" for any well-formed address,
/// known or not; a malformed one or a used-up limit is said on the form, with what was typed.
pub async fn sign_in_request(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<kassa_core::audit::ClientIp>>,
    Path(slug_text): Path<String>,
    axum::Form(form): axum::Form<EmailField>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(|| pages::not_found(lang))?;
    let client = client.map(|Extension(c)| c.0.to_string()).unwrap_or_else(|| "unknown".into());
    match auth::email_sign_in_link(&ctx, &slug, &form.email, &client).await {
        Ok(()) => Ok(Redirect::to(&format!("/p/{slug}/sign-in/sent")).into_response()),
        Err(Error::Problem(problem)) => {
            let merchant = merchant_at(&ctx, lang, &slug_text).await?;
            let status = StatusCode::from_u16(problem.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let typed: String = form.email.trim().chars().take(254).collect();
            let words = kassa_app::words::problem_for(lang, &problem);
            Err(sign_in_form(&merchant, lang, status, &typed, Some(&words)))
        }
        Err(e) => Err(page_error(lang, e)),
    }
}

/// After asking for a link: the same words whether or not a mail went out.
pub async fn sign_in_sent(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Path(slug_text): Path<String>,
) -> PageResult {
    let merchant = merchant_at(&ctx, lang, &slug_text).await?;
    let slug = &merchant.slug;
    let w = lang.words();
    let here = format!("/p/{slug}/sign-in/sent");
    let lines = [w.sign_in_sent_explained(&merchant.name), w.sign_in_sent_advice()];
    let page = Page {
        lang,
        status: StatusCode::OK,
        title: &w.sign_in_sent_title(),
        lines: &[&lines[0], &lines[1]],
        here: &here,
    };
    Ok(pages::merchant_message_onwards(&merchant, page, &format!("/p/{slug}/sign-in"), &w.sign_in_ask_again()))
}

/// An invoice's pay link opened (GET). Someone already signed in for that invoice, or for
/// the customer's whole account, goes straight to the invoice; anyone else gets "Continue",
/// which posts back to [`pay_link`]: a link opened by navigation never replaces a session.
pub async fn pay_link_page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    chosen: Option<Extension<Chosen>>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let (merchant, link) = verify_pay_link(&ctx, link_language(chosen, None, lang), &slug_text, &token).await?;
    let number = &link.number;
    if covers(kassa_app::backend::signed_in_debtor(&ctx, &session).await.as_ref(), &link.debtor) {
        return Ok(to_invoice(&merchant.slug, number));
    }
    let customer_language = kassa_core::services::portal::language(&ctx, &link.debtor).await.ok();
    let lang = link_language(chosen, customer_language.as_deref(), lang);
    let w = lang.words();
    let here = format!("/p/{}/pay/{token}", merchant.slug);
    let page = Page {
        lang,
        status: StatusCode::OK,
        title: &w.link_invoice_from(number.as_str(), &merchant.name),
        lines: &[&w.link_invoice_continue_explained()],
        here: &here,
    };
    Ok(pages::continue_page(&merchant, page, &here, &w.link_continue()))
}

/// "Continue" on a pay link's page (POST): a session for that one invoice, unless one that
/// covers it is already there.
pub async fn pay_link(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    chosen: Option<Extension<Chosen>>,
    session: Session,
    Path((slug_text, token)): Path<(String, String)>,
) -> PageResult {
    let (merchant, link) = verify_pay_link(&ctx, link_language(chosen, None, lang), &slug_text, &token).await?;
    if !covers(kassa_app::backend::signed_in_debtor(&ctx, &session).await.as_ref(), &link.debtor) {
        sign_in(&ctx, lang, &session, &link.debtor, Some((&link.id, link.expires_at))).await?;
    }
    Ok(to_invoice(&merchant.slug, &link.number))
}

async fn verify_pay_link(
    ctx: &Ctx,
    lang: Lang,
    slug_text: &str,
    token: &str,
) -> Result<(kassa_core::services::records::Merchant, widget::PayLink), Response> {
    let slug = slug(slug_text).ok_or_else(|| pages::not_found(lang))?;
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| page_error(lang, e))?;
    match widget::pay_link(ctx, &slug, token).await {
        Ok(link) => Ok((merchant, link)),
        Err(Error::NotFound) => {
            let w = lang.words();
            let here = format!("/p/{slug}/pay/{token}");
            let page = Page {
                lang,
                status: StatusCode::NOT_FOUND,
                title: &w.pay_link_invalid_title(),
                lines: &[&w.pay_link_invalid_explained()],
                here: &here,
            };
            Err(pages::merchant_message(&merchant, page))
        }
        Err(e) => Err(page_error(lang, e)),
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
pub async fn theme_css(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Path(slug_text): Path<String>,
) -> PageResult {
    let slug = slug(&slug_text).ok_or_else(|| pages::not_found(lang))?;
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| page_error(lang, e))?;
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
