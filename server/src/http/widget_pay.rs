//! The pay page `<kassa-pay>` opens (`/w/v1/pay/{token}`): in an overlay on the merchant's
//! site, or in a tab of its own. Kassa's session cookie is not sent inside another site's
//! frame, so the token in the address is the payer's credential on every step: the page, the
//! payment it starts, Kassa's payment form and the way back from the provider's page. Each
//! step answers only for the token's one invoice (its debtor, scoped to it), and only the
//! sites the token names may frame it (`frame-ancestors`). Plain forms: it works without
//! JavaScript; the one script tells the element on the merchant's page that the invoice was
//! paid, a hint it checks with Kassa.

use axum::extract::{Extension, Form, Path, Query, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use serde::Deserialize;

use kassa_app::i18n::Lang;
use kassa_core::audit::{ClientIp, Origin};
use kassa_core::services::payments::{self, Back, PayInvoice, PayInvoices, Paying};
use kassa_core::services::portal::Choice;
use kassa_core::services::{portal, widget};
use kassa_core::{Ctx, Error};
use kassa_domain::{InvoiceNumber, InvoiceStatus, PaymentId, Problem};

use crate::http::pages::{self, escape, Page};
use crate::http::paying::{self, StripeJs};

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

#[derive(Deserialize)]
pub struct PayForm {
    key: String,
    /// One invoice's token: what the page showed as due (a plain decimal); a retry of the form
    /// is the same request.
    #[serde(default)]
    amount: String,
    /// A customer's token: the invoices chosen, one number per line...
    #[serde(default)]
    invoices: String,
    /// ... and the total the page showed for them (a plain decimal).
    #[serde(default)]
    total: String,
}

/// The pay page's address parameters: `lang`; for a customer's token the invoices chosen
/// (`invoice=`, repeated) or all open in a currency (`all=EUR`), and the payment just made
/// (`paid=`).
#[derive(Debug, Default)]
pub struct PageQuery {
    lang: Option<String>,
    invoices: Vec<String>,
    all: Option<String>,
    paid: Option<String>,
}

impl PageQuery {
    fn parse(raw: Option<&str>) -> PageQuery {
        let mut query = PageQuery::default();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.into_owned();
            match name.as_ref() {
                "lang" => query.lang = Some(value),
                "invoice" if !value.trim().is_empty() => query.invoices.push(value),
                "all" => query.all = Some(value),
                "paid" => query.paid = Some(value),
                _ => {}
            }
        }
        query
    }
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

/// The token's payer and the page's language ([`language`]; `asked` is the address's `lang`).
/// A token that does not open is the page that says so.
async fn payer(ctx: &Ctx, lang: Lang, asked: Option<&str>, token: &str) -> Result<(widget::Payer, Lang), Response> {
    let asked = asked.and_then(Lang::from_code);
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
/// thank-you. For a customer's token, [`customer_page`].
pub async fn page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    RawQuery(raw): RawQuery,
    Path(token): Path<String>,
) -> Result<Response, Response> {
    let query = PageQuery::parse(raw.as_deref());
    let (payer, lang) = payer(&ctx, lang, query.lang.as_deref(), &token).await?;
    let Some(invoice) = &payer.invoice else {
        return Ok(customer_page(&ctx, lang, &payer, &token, &query).await);
    };
    let w = lang.words();
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
/// than the invoice asks for now is refused. For a customer's token, the invoices chosen, each
/// for all it asks, while they still come to the total shown.
pub async fn pay(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<ClientIp>>,
    Query(asked): Query<LangQuery>,
    Path(token): Path<String>,
    Form(form): Form<PayForm>,
) -> Result<Response, Response> {
    let (payer, lang) = payer(&ctx, lang, asked.lang.as_deref(), &token).await?;
    let ctx = ctx.from_origin(Origin { surface: "widget", ip: client.map(|Extension(c)| c.0.to_string()) });
    let back = Back::Widget { token: token.clone(), lang: Some(lang.code().to_string()) };
    let answer = match &payer.invoice {
        Some(invoice) => {
            let cmd =
                PayInvoice { number: invoice.number.clone(), amount: form.amount, decimal: '.', key: form.key, back };
            payments::pay(&ctx, &payer.debtor, cmd).await
        }
        None => match numbers(form.invoices.lines()) {
            Ok(numbers) => {
                let cmd = PayInvoices { choice: Choice::Numbers(numbers), total: form.total, key: form.key, back };
                payments::pay_several(&ctx, &payer.debtor, cmd).await
            }
            Err(problem) => Err(problem.into()),
        },
    };
    Ok(outcome(&ctx, lang, &payer, &token, answer))
}

/// The invoice numbers given, each read as one (an unreadable one is no invoice of theirs).
fn numbers<'a>(given: impl Iterator<Item = &'a str>) -> Result<Vec<InvoiceNumber>, Problem> {
    given
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| InvoiceNumber::parse(n).map_err(|_| Problem::UnknownInvoice { number: n.chars().take(64).collect() }))
        .collect()
}

/// An open invoice in one sentence, as `<kassa-invoices>` and its pay page show it: "Invoice
/// NL-2026-0304, €314.91, Due 1 Dec 2026".
pub fn invoice_line(lang: Lang, invoice: &kassa_core::services::records::InvoiceState) -> String {
    let w = lang.words();
    let due = w.widget_due_by(kassa_app::dates::date_in(lang, invoice.due_date));
    w.widget_invoice_line(invoice.number.as_str(), kassa_app::money::money_in(lang, invoice.collectable), &due)
}

/// A customer's token's pay page: the open invoices to choose from (checkboxes, and "Pay all"
/// per currency); with a choice in the address, those invoices, their total and a button that
/// pays them; after a payment, what it paid.
async fn customer_page(ctx: &Ctx, lang: Lang, payer: &widget::Payer, token: &str, query: &PageQuery) -> Response {
    let w = lang.words();
    let money = |m| kassa_app::money::money_in(lang, m);
    let here = page_path(token);
    let start = with_lang(&here, lang);
    let framed = |title: &str, lines: &[&str], html: &str| {
        let page = Page { lang, status: StatusCode::OK, title, lines, here: &here };
        pages::framed(&payer.merchant, page, html, &payer.opened.frame_ancestors())
    };
    let went_wrong = |e: Error| {
        tracing::error!(error = ?e, "a widget's invoices page");
        pages::framed_by(pages::went_wrong(lang), &payer.opened.frame_ancestors())
    };
    let line = |i| invoice_line(lang, i);
    // Just paid: what the payment settled (the receipt is the debtor's, so only theirs shows).
    let mut thanks = String::new();
    if let Some(paid) = &query.paid {
        if let Ok(receipt) = portal::receipt(ctx, &payer.debtor, &PaymentId::from_raw(paid.clone())).await {
            let numbers: Vec<&str> = receipt.applied.iter().map(|(i, _)| i.number.as_str()).collect();
            thanks = format!(
                "<p class=\"paid\" role=\"status\">{}</p>",
                escape(&w.widget_paid_several(money(receipt.amount), numbers.join(", ")))
            );
        }
    }
    let choice = match (&query.all, query.invoices.is_empty()) {
        (Some(code), _) => match kassa_domain::Currency::parse(code) {
            Ok(currency) => Some(Ok(Choice::AllIn(currency))),
            Err(e) => Some(Err(Problem::from(e))),
        },
        (None, false) => Some(numbers(query.invoices.iter().map(String::as_str)).map(Choice::Numbers)),
        (None, true) => None,
    };
    let mut problem = None;
    match choice.map(|c| c.map_err(Error::from)) {
        Some(Ok(choice)) => match portal::selection(ctx, &payer.debtor, &choice).await {
            Ok(chosen) => {
                let numbers: Vec<&str> = chosen.invoices.iter().map(|i| i.number.as_str()).collect();
                let items: String = chosen.invoices.iter().map(|i| format!("<li>{}</li>", escape(&line(i)))).collect();
                let html = format!(
                    "<ul class=\"chosen\">{items}</ul><p class=\"selection-total\">{total}</p>\
                     <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"key\" value=\"{key}\">\
                     <input type=\"hidden\" name=\"invoices\" value=\"{numbers}\">\
                     <input type=\"hidden\" name=\"total\" value=\"{amount}\">\
                     <button type=\"submit\" class=\"button-primary\">{button}</button></form>\
                     <p><a href=\"{start}\">{other}</a></p>",
                    total = escape(&w.widget_invoices_total(money(chosen.total))),
                    action = escape(&start),
                    key = kassa_core::db::new_id(),
                    numbers = escape(&numbers.join("\n")),
                    amount = chosen.total.amount_string(),
                    button = escape(&w.widget_pay(money(chosen.total))),
                    start = escape(&start),
                    other = escape(&w.widget_choose_other()),
                );
                return framed(&w.widget_invoices_chosen_title(), &[], &format!("{thanks}{html}"));
            }
            Err(Error::Problem(p)) => problem = Some(p),
            // Not one of theirs (or no invoice at all): the choice again, saying so.
            Err(Error::NotFound) => {
                let number = query.invoices.join(", ").chars().take(200).collect();
                problem = Some(Problem::UnknownInvoice { number });
            }
            Err(e) => return went_wrong(e),
        },
        Some(Err(Error::Problem(p))) => problem = Some(p),
        Some(Err(e)) => return went_wrong(e),
        None => {}
    }
    let (open, totals) = match widget::open_invoices(ctx, payer).await {
        Ok(found) => found,
        Err(e) => return went_wrong(e),
    };
    if open.is_empty() {
        return framed(&w.widget_invoices_none(), &[], &thanks);
    }
    let alert = problem
        .map(|p| {
            format!("<p class=\"form-error\" role=\"alert\">{}</p>", escape(&kassa_app::words::problem_for(lang, &p)))
        })
        .unwrap_or_default();
    let boxes: String = open
        .iter()
        .map(|i| {
            let checked = if query.invoices.iter().any(|n| n.trim() == i.number.as_str()) { " checked" } else { "" };
            format!(
                "<label class=\"pick-line\"><input type=\"checkbox\" name=\"invoice\" value=\"{number}\"{checked}> {text}</label>",
                number = escape(i.number.as_str()),
                text = escape(&line(i)),
            )
        })
        .collect();
    let all: String = totals
        .into_iter()
        .map(|total| {
            format!(
                "<p><a class=\"pay-all\" href=\"{href}\">{text}</a></p>",
                href = escape(&format!("{start}&all={}", total.currency())),
                text = escape(&w.widget_pay_all(money(total))),
            )
        })
        .collect();
    let html = format!(
        "{thanks}{alert}<form method=\"get\" action=\"{here}\"><input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
         <fieldset><legend>{legend}</legend>{boxes}</fieldset>\
         <p><button type=\"submit\" class=\"button-primary\">{next}</button></p></form>{all}",
        here = escape(&here),
        lang = lang.code(),
        legend = escape(&w.widget_invoices_heading(&payer.merchant.name)),
        next = escape(&w.widget_pay_selected()),
    );
    framed(&w.widget_invoices_choose_title(), &[], &html)
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
    let (payer, lang) = payer(&ctx, lang, asked.lang.as_deref(), &token).await?;
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
    let (payer, lang) = payer(&ctx, lang, asked.lang.as_deref(), &token).await?;
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
        // A customer's page says what the payment settled; one invoice's says it is paid.
        Ok(Paying::Paid(payment)) if payer.invoice.is_none() => {
            Redirect::to(&format!("{start}&paid={payment}")).into_response()
        }
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
