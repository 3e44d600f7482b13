//! The pay page `<kassa-pay>` opens (`/w/v1/pay/{token}`): in an overlay on the merchant's
//! site, or in a tab of its own. Kassa's session cookie is not sent inside another site's
//! frame, so the token in the address is the payer's credential on every step: the page, the
//! payment it starts, Kassa's payment form and the way back from the provider's page. Each
//! step answers only for the token's one invoice (its debtor, scoped to it), and only the
//! sites the token names may frame it (`frame-ancestors`). Plain forms: it works without
//! JavaScript; the one script tells the element on the merchant's page that the invoice was
//! paid, a hint it checks with Kassa.

use axum::extract::{Extension, Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use serde::Deserialize;

use kassa_app::i18n::Lang;
use kassa_core::audit::{ClientIp, Origin};
use kassa_core::services::payments::{self, Back, PayInvoice, Paying};
use kassa_core::services::{portal, widget};
use kassa_core::{Ctx, Error};
use kassa_domain::InvoiceStatus;

use crate::http::pages::{self, escape, Page};
use crate::http::paying::{self, StripeJs};

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct PayForm {
    key: String,
    /// What the page showed as due (a plain decimal): a retry of the form is the same request.
    amount: String,
}

/// The script of every page in the overlay (js/framed.js), named by its content.
pub static SCRIPT: std::sync::LazyLock<(String, &'static str)> = std::sync::LazyLock::new(|| {
    use sha2::Digest;
    let text = include_str!("js/framed.js");
    let hash: String = sha2::Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    (format!("/w/v1/framed-{hash}.js"), text)
});

/// The language of what a token shows: the one asked for (the element's `lang`), else the
/// customer's, else the request's.
pub async fn language(ctx: &Ctx, asked: Option<Lang>, payer: &widget::Payer, request: Lang) -> Lang {
    match asked {
        Some(lang) => lang,
        None => portal::language(ctx, &payer.debtor).await.ok().and_then(|l| Lang::from_code(&l)).unwrap_or(request),
    }
}

/// The token's payer and the page's language ([`language`]). A token that does not open is
/// the page that says so.
async fn payer(ctx: &Ctx, lang: Lang, asked: &LangQuery, token: &str) -> Result<(widget::Payer, Lang), Response> {
    let asked = asked.lang.as_deref().and_then(Lang::from_code);
    match widget::payer(ctx, token).await {
        Ok(payer) => {
            let lang = language(ctx, asked, &payer, lang).await;
            Ok((payer, lang))
        }
        Err(Error::NotFound) => {
            let lang = asked.unwrap_or(lang);
            let w = lang.words();
            // Nothing of the invoice is on it: any site may show it.
            let response = pages::message(Page {
                lang,
                status: StatusCode::NOT_FOUND,
                title: &w.pay_link_invalid_title(),
                lines: &[&w.widget_token_invalid()],
                here: "/",
            });
            Err(pages::framed_by(response, "*"))
        }
        Err(e) => {
            tracing::error!(error = ?e, "widget pay page");
            Err(pages::went_wrong(asked.unwrap_or(lang)))
        }
    }
}

fn page_path(token: &str) -> String {
    format!("/w/v1/pay/{token}")
}

fn with_lang(path: &str, lang: Lang) -> String {
    format!("{path}?lang={}", lang.code())
}

/// `GET /w/v1/pay/{token}`: the invoice, what is due and a button that pays it; once paid, a
/// thank-you.
pub async fn page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Query(asked): Query<LangQuery>,
    Path(token): Path<String>,
) -> Result<Response, Response> {
    let (payer, lang) = payer(&ctx, lang, &asked, &token).await?;
    let w = lang.words();
    let invoice = &payer.invoice;
    let merchant = &payer.merchant;
    let here = page_path(&token);
    let title = w.link_invoice_from(invoice.number.as_str(), &merchant.name);
    let status = w.widget_status(kassa_app::words::status_in(lang, invoice.status));
    let tab = format!(
        "<p><a href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a></p>",
        escape(&with_lang(&here, lang)),
        escape(&w.widget_open_in_tab())
    );
    if invoice.status == InvoiceStatus::Paid {
        let explained = w.widget_paid_explained(&merchant.name, invoice.number.as_str());
        let page = Page {
            lang,
            status: StatusCode::OK,
            title: &w.widget_paid_thanks(),
            lines: &[&title, &explained],
            here: &here,
        };
        return Ok(pages::framed(merchant, page, "", &payer.opened.frame_ancestors()));
    }
    let due = w.widget_amount_due(kassa_app::money::money_in(lang, invoice.collectable));
    let due_by = w.widget_due_by(kassa_app::dates::date_in(lang, invoice.due_date));
    let html = if invoice.collectable.minor() > 0 {
        format!(
            "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"key\" value=\"{key}\">\
             <input type=\"hidden\" name=\"amount\" value=\"{amount}\">\
             <button type=\"submit\" class=\"button-primary\">{button}</button></form>{tab}",
            action = escape(&with_lang(&here, lang)),
            key = kassa_core::db::new_id(),
            amount = invoice.collectable.amount_string(),
            button = escape(&w.widget_pay(kassa_app::money::money_in(lang, invoice.collectable))),
        )
    } else {
        format!("<p>{}</p>{tab}", escape(&w.widget_nothing_to_pay()))
    };
    let page = Page { lang, status: StatusCode::OK, title: &title, lines: &[&due, &due_by, &status], here: &here };
    Ok(pages::framed(merchant, page, &html, &payer.opened.frame_ancestors()))
}

/// `POST /w/v1/pay/{token}`: pays what the page showed as due, once per form (its key); more
/// than the invoice asks for now is refused.
pub async fn pay(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<ClientIp>>,
    Query(asked): Query<LangQuery>,
    Path(token): Path<String>,
    Form(form): Form<PayForm>,
) -> Result<Response, Response> {
    let (payer, lang) = payer(&ctx, lang, &asked, &token).await?;
    let ctx = ctx.from_origin(Origin { surface: "widget", ip: client.map(|Extension(c)| c.0.to_string()) });
    let cmd = PayInvoice {
        number: payer.invoice.number.clone(),
        amount: form.amount,
        decimal: '.',
        key: form.key,
        back: Back::Widget { token: token.clone(), lang: Some(lang.code().to_string()) },
    };
    let answer = payments::pay(&ctx, &payer.debtor, cmd).await;
    Ok(outcome(&ctx, lang, &payer, &token, answer))
}

/// `GET /w/v1/pay/{token}/form/{attempt}`: Kassa's payment form (Stripe's Payment Element)
/// for the attempt the page started, framed as the page is.
pub async fn form(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Extension(stripe_js): Extension<StripeJs>,
    Query(asked): Query<LangQuery>,
    Path((token, attempt)): Path<(String, String)>,
) -> Result<Response, Response> {
    let (payer, lang) = payer(&ctx, lang, &asked, &token).await?;
    let back = Back::Widget { token: token.clone(), lang: Some(lang.code().to_string()) };
    let form = match payments::payment_form(&ctx, &payer.debtor, &attempt, &back).await {
        Ok(Ok(form)) => form,
        Ok(Err(paying)) => return Ok(outcome(&ctx, lang, &payer, &token, Ok(paying))),
        Err(e) => return Ok(outcome(&ctx, lang, &payer, &token, Err(e))),
    };
    let here = format!("/w/v1/pay/{token}/form/{attempt}");
    let start = with_lang(&page_path(&token), lang);
    let elsewhere = (start.as_str(), lang.words().widget_back());
    Ok(paying::payment_page(
        lang,
        &payer.merchant,
        &stripe_js,
        &form,
        &here,
        elsewhere,
        Some(&payer.opened.frame_ancestors()),
    ))
}

/// `GET /w/v1/pay/{token}/return/{attempt}`: back from the provider's page.
pub async fn returned(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Query(asked): Query<LangQuery>,
    Path((token, attempt)): Path<(String, String)>,
) -> Result<Response, Response> {
    let (payer, lang) = payer(&ctx, lang, &asked, &token).await?;
    let answer = payments::returned(&ctx, &payer.debtor, &attempt).await;
    Ok(outcome(&ctx, lang, &payer, &token, answer))
}

/// Where a payment started here stands, for the payer in the overlay: the page again (which
/// says paid), the provider's page or Kassa's form, "on its way", or why not.
fn outcome(ctx: &Ctx, lang: Lang, payer: &widget::Payer, token: &str, answer: Result<Paying, Error>) -> Response {
    let w = lang.words();
    let start = with_lang(&page_path(token), lang);
    let framed_message = |status: StatusCode, title: &str, lines: &[&str]| {
        let onwards = format!("<p><a href=\"{}\">{}</a></p>", escape(&start), escape(&w.widget_back()));
        let page = Page { lang, status, title, lines, here: &page_path(token) };
        pages::framed(&payer.merchant, page, &onwards, &payer.opened.frame_ancestors())
    };
    match answer {
        Ok(Paying::Paid(_)) => Redirect::to(&start).into_response(),
        Ok(Paying::Redirect(url)) => {
            // Kassa's own payment form, for an attempt of this page: its framed twin.
            let portal_form = url
                .strip_prefix(&format!("{}/p/{}/pay/form/", ctx.public_url.trim_end_matches('/'), payer.merchant.slug))
                .filter(|attempt| payments::form_url(ctx, &payer.merchant, attempt) == url);
            match portal_form {
                Some(attempt) => {
                    Redirect::to(&with_lang(&format!("/w/v1/pay/{token}/form/{attempt}"), lang)).into_response()
                }
                None => Redirect::to(&url).into_response(),
            }
        }
        Ok(Paying::Processing(_)) => {
            framed_message(StatusCode::OK, &w.payment_processing_title(), &[&w.payment_processing_explained()])
        }
        Err(Error::Problem(problem)) => {
            let status = StatusCode::from_u16(problem.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let reason = kassa_app::words::problem_for(lang, &problem);
            let (title, advice) = kassa_app::words::error_page_in(lang, &kassa_app::error::AppError::Problem(problem));
            framed_message(status, &title, &[&reason, &advice])
        }
        Err(Error::NotFound) => framed_message(StatusCode::NOT_FOUND, &w.page_not_found(), &[&w.error_not_found()]),
        Err(e) => {
            tracing::error!(error = ?e, "a payment from a widget's pay page failed");
            framed_message(StatusCode::INTERNAL_SERVER_ERROR, &w.page_went_wrong(), &[&w.error_internal()])
        }
    }
}

/// `GET /w/v1/framed-{hash}.js`.
pub async fn script() -> Response {
    paying::script(SCRIPT.1)
}
