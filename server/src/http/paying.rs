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
use kassa_core::principal::Principal;
use kassa_core::services::mandates;
use kassa_core::services::payments::{self, Paying};
use kassa_core::services::records::Merchant;
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
    let here = format!("/p/{slug}/pay/return/{attempt}");
    let (ctx, who, merchant) = signed_in(ctx, lang, client, &session, &slug, &here).await?;
    let answer = payments::returned(&ctx, &who, &attempt).await;
    Ok(outcome(lang, &merchant, &here, answer))
}

/// The portal's context for a request from the signed-in debtor of the merchant at `slug`
/// (or the page that says they must sign in first).
async fn signed_in(
    ctx: Ctx,
    lang: Lang,
    client: Option<Extension<ClientIp>>,
    session: &Session,
    slug: &str,
    here: &str,
) -> Result<(Ctx, Principal, Merchant), Response> {
    let ip = client.map(|Extension(c)| c.0.to_string());
    let ctx = ctx.from_origin(Origin { surface: "portal", ip });
    let (who, merchant) = debtor(&ctx, lang, session, slug, here).await?;
    Ok((ctx, who, merchant))
}

/// Where an attempt stands, for the payer: the receipt, the provider's page, "on its way", or
/// why it was not paid, in their language.
fn outcome(lang: Lang, merchant: &Merchant, here: &str, answer: Result<Paying, Error>) -> Response {
    let slug = &merchant.slug;
    let w = lang.words();
    match answer {
        Ok(Paying::Paid(payment)) => Redirect::to(&format!("/p/{slug}/payments/{payment}")).into_response(),
        Ok(Paying::Redirect(url)) => Redirect::to(&url).into_response(),
        Ok(Paying::Processing(_)) => {
            let page = Page {
                lang,
                status: StatusCode::OK,
                title: &w.payment_processing_title(),
                lines: &[&w.payment_processing_explained()],
                here,
            };
            pages::merchant_message_onwards(merchant, page, &format!("/p/{slug}"), &w.back_to_all_invoices())
        }
        Err(Error::Problem(problem)) => {
            let status = StatusCode::from_u16(problem.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let reason = kassa_app::words::problem_for(lang, &problem);
            let (title, advice) = kassa_app::words::error_page_in(lang, &kassa_app::error::AppError::Problem(problem));
            let page = Page { lang, status, title: &title, lines: &[&reason, &advice], here };
            pages::merchant_message_onwards(merchant, page, &format!("/p/{slug}"), &w.back_to_all_invoices())
        }
        Err(Error::NotFound) => pages::not_found(lang),
        Err(e) => {
            tracing::error!(error = ?e, "a payment's form or return failed");
            pages::went_wrong(lang)
        }
    }
}

/// Where the payment form loads Stripe.js from and the Content-Security-Policy that page gets:
/// the site's own policy, widened there and only there for Stripe's documented origins (or a
/// stand-in's, in tests).
#[derive(Clone)]
pub struct StripeJs {
    pub script: String,
    pub csp: http::HeaderValue,
}

impl StripeJs {
    /// The policy for the form in `<kassa-pay>`'s overlay: framed only by `frame_ancestors`.
    pub fn framed_csp(&self, frame_ancestors: &str) -> Option<http::HeaderValue> {
        let policy =
            self.csp.to_str().ok()?.replace("frame-ancestors 'none'", &format!("frame-ancestors {frame_ancestors}"));
        http::HeaderValue::from_str(&policy).ok()
    }
}

impl StripeJs {
    /// `script`: Stripe.js's address (`https://js.stripe.com/v3/`); `api`: Stripe's API root.
    pub fn new(script: &str, api: &str) -> StripeJs {
        let origin = |url: &str| url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        let (js, api) = (origin(script), origin(api));
        // Stripe's list (docs.stripe.com/security/guide, "Content Security Policy").
        let policy = format!(
            "default-src 'self'; script-src 'self' {js} https://*.js.stripe.com; \
             frame-src {js} https://*.js.stripe.com https://hooks.stripe.com; connect-src 'self' {api} {js}; \
             img-src 'self' data: https://*.stripe.com; frame-ancestors 'none'; base-uri 'none'; \
             object-src 'none'; form-action 'self'"
        );
        StripeJs { script: script.to_string(), csp: http::HeaderValue::from_str(&policy).expect("origins are ASCII") }
    }
}

/// The form's script (js/pay-stripe.js), named by its content so browsers keep it.
pub static FORM_SCRIPT: std::sync::LazyLock<(String, &'static str)> = std::sync::LazyLock::new(|| {
    use sha2::Digest;
    let text = include_str!("js/pay-stripe.js");
    let hash = hex_prefix(&sha2::Sha256::digest(text.as_bytes()));
    (format!("/pay/stripe-{hash}.js"), text)
});

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// `GET /pay/stripe-{hash}.js`.
pub async fn form_script() -> Response {
    script(FORM_SCRIPT.1)
}

/// A script of Kassa's own at an address named by its content: kept by browsers for a year.
pub fn script(text: &'static str) -> Response {
    (
        [
            (http::header::CONTENT_TYPE, "application/javascript; charset=utf-8"),
            (http::header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        text,
    )
        .into_response()
}

/// `GET /p/{merchant}/pay/form/{attempt}`: Kassa's payment form, where Stripe's Payment
/// Element takes the payer's details for the attempt the pay form made. The amount and the
/// invoices are the server's (the browser decides nothing); the words are in the payer's
/// language. When the attempt no longer waits for the payer, they see where it stands.
pub async fn form(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Extension(stripe_js): Extension<StripeJs>,
    client: Option<Extension<ClientIp>>,
    session: Session,
    Path((slug, attempt)): Path<(String, String)>,
) -> Result<Response, Response> {
    let here = format!("/p/{slug}/pay/form/{attempt}");
    let (ctx, who, merchant) = signed_in(ctx, lang, client, &session, &slug, &here).await?;
    let form = match payments::payment_form(&ctx, &who, &attempt, &payments::Back::Portal).await {
        Ok(Ok(form)) => form,
        Ok(Err(paying)) => return Ok(outcome(lang, &merchant, &here, Ok(paying))),
        Err(e) => return Ok(outcome(lang, &merchant, &here, Err(e))),
    };
    let slug = &merchant.slug;
    let transfer = match form.invoices.as_slice() {
        [one] => format!("/p/{slug}/invoices/{one}"),
        _ => format!("/p/{slug}"),
    };
    let elsewhere = (transfer.as_str(), lang.words().pay_form_to_transfer());
    Ok(payment_page(lang, &merchant, &stripe_js, &form, &here, elsewhere, None))
}

/// Kassa's payment form for an attempt (at `here`): `elsewhere` is the way on when Stripe.js
/// cannot load (a path and its words); `frame_ancestors` as [`stripe_page`] takes them.
pub(crate) fn payment_page(
    lang: Lang,
    merchant: &Merchant,
    stripe_js: &StripeJs,
    form: &payments::PaymentForm,
    here: &str,
    elsewhere: (&str, String),
    frame_ancestors: Option<&str>,
) -> Response {
    let w = lang.words();
    let amount = kassa_app::money::money_in(lang, form.amount);
    let fields = StripeForm {
        mode: "payment",
        key: &form.publishable_key,
        secret: &form.client_secret,
        back: &form.return_url,
        unavailable: &w.pay_form_unavailable(),
        elsewhere: (elsewhere.0, &elsewhere.1),
        button: &w.pay_form_button(&amount),
    };
    let page = Page {
        lang,
        status: StatusCode::OK,
        title: &w.pay_form_title(&amount),
        lines: &[&w.pay_form_for(form.invoices.join(", "))],
        here,
    };
    stripe_page(lang, merchant, page, stripe_js, fields, frame_ancestors)
}

/// What one of Kassa's forms with Stripe's Payment Element says and does.
struct StripeForm<'a> {
    /// `payment` (confirms a PaymentIntent) or `setup` (a SetupIntent: a mandate).
    mode: &'a str,
    key: &'a str,
    secret: &'a str,
    /// Where Stripe sends the payer afterwards.
    back: &'a str,
    /// Shown when Stripe.js cannot load, with a way on without it (address, words).
    unavailable: &'a str,
    elsewhere: (&'a str, &'a str),
    button: &'a str,
}

/// A page with Kassa's Stripe form (js/pay-stripe.js mounts Stripe's fields in it), with the
/// Content-Security-Policy widened for Stripe on it alone.
/// `frame_ancestors`: the sites whose `<kassa-pay>` overlay may frame it (none for the portal's).
fn stripe_page(
    lang: Lang,
    merchant: &Merchant,
    page: Page<'_>,
    stripe_js: &StripeJs,
    form: StripeForm<'_>,
    frame_ancestors: Option<&str>,
) -> Response {
    let w = lang.words();
    let e = pages::escape;
    let html = format!(
        "<p id=\"payment-unavailable\" role=\"alert\" data-testid=\"payment-unavailable\">{unavailable} \
         <a href=\"{elsewhere}\">{elsewhere_words}</a></p>\
         <form id=\"payment-form\" class=\"payment-form\" hidden data-mode=\"{mode}\" data-key=\"{key}\" \
         data-secret=\"{secret}\" data-return=\"{back}\" data-locale=\"{locale}\" data-failed=\"{failed}\">\
         <p id=\"payment-loading\" role=\"status\">{loading}</p>\
         <div id=\"payment-element\" data-testid=\"payment-element\"></div>\
         <p id=\"payment-error\" class=\"form-error\" role=\"alert\" data-testid=\"payment-error\"></p>\
         <button type=\"submit\" class=\"button-primary\" disabled>{button}</button></form>\
         <script src=\"{stripe}\"></script><script src=\"{own}\"></script>",
        unavailable = e(form.unavailable),
        elsewhere = e(form.elsewhere.0),
        elsewhere_words = e(form.elsewhere.1),
        mode = e(form.mode),
        key = e(form.key),
        secret = e(form.secret),
        back = e(form.back),
        locale = lang.code(),
        failed = e(form.unavailable),
        loading = e(&w.pay_form_loading()),
        button = e(form.button),
        stripe = e(&stripe_js.script),
        own = e(&FORM_SCRIPT.0),
    );
    let (mut response, csp) = match frame_ancestors {
        None => (pages::merchant_page_with(merchant, page, &html), Some(stripe_js.csp.clone())),
        Some(sites) => (pages::framed(merchant, page, &html, sites), stripe_js.framed_csp(sites)),
    };
    if let Some(csp) = csp {
        response.headers_mut().insert(http::header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// `GET /p/{merchant}/plans/{plan}/debit`: Kassa's form where Stripe's Payment Element takes
/// the IBAN a plan's instalments are to be collected from and the debtor's acceptance of the
/// SEPA Direct Debit mandate (nothing is charged now). Once the setup no longer waits for
/// them, on to the plan's page, which says where it stands.
pub async fn debit_form(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Extension(stripe_js): Extension<StripeJs>,
    client: Option<Extension<ClientIp>>,
    session: Session,
    Path((slug, plan)): Path<(String, String)>,
) -> Result<Response, Response> {
    let here = format!("/p/{slug}/plans/{plan}/debit");
    let (ctx, who, merchant) = signed_in(ctx, lang, client, &session, &slug, &here).await?;
    let back_to_plan = format!("/p/{slug}/plans/{plan}");
    let form = match mandates::form(&ctx, &who, &plan).await {
        Ok(Some(form)) => form,
        Ok(None) => return Ok(Redirect::to(&back_to_plan).into_response()),
        Err(e) => return Ok(outcome(lang, &merchant, &here, Err(e))),
    };
    let w = lang.words();
    let fields = StripeForm {
        mode: "setup",
        key: &form.publishable_key,
        secret: &form.client_secret,
        back: &form.return_url,
        unavailable: &w.debit_form_unavailable(),
        elsewhere: (&back_to_plan, &w.debit_form_to_plan()),
        button: &w.plan_debit_set_up(),
    };
    let page = Page {
        lang,
        status: StatusCode::OK,
        title: &w.debit_form_title(),
        lines: &[&w.debit_form_for(&form.merchant.name)],
        here: &here,
    };
    Ok(stripe_page(lang, &merchant, page, &stripe_js, fields, None))
}

/// `GET /p/{merchant}/plans/{plan}/debit/return`: back from Stripe's handling of the mandate;
/// what Stripe reports now is recorded, and the plan's page says where it stands.
pub async fn debit_returned(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<ClientIp>>,
    session: Session,
    Path((slug, plan)): Path<(String, String)>,
) -> Result<Response, Response> {
    let here = format!("/p/{slug}/plans/{plan}/debit/return");
    let (ctx, who, merchant) = signed_in(ctx, lang, client, &session, &slug, &here).await?;
    match mandates::form(&ctx, &who, &plan).await {
        Ok(_) => Ok(Redirect::to(&format!("/p/{slug}/plans/{plan}")).into_response()),
        Err(e) => Ok(outcome(lang, &merchant, &here, Err(e))),
    }
}
