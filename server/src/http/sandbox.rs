//! The sandbox's checkout page (`/sandbox/{reference}`): in test mode, what a payment
//! provider's hosted page is. It shows the payment and offers the sandbox's test cards (core
//! `gateways::sandbox::TEST_CARDS`); the card chosen decides the outcome, the sandbox sends its
//! signed event through the way in every gateway's events take (which settles the attempt),
//! and the payer goes back to the payment's return address. Plain forms: it works without JavaScript. Reached by
//! the payment's reference alone, as a provider's page is: an unguessable id.

use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use kassa_app::i18n::Lang;
use kassa_core::audit::{ClientIp, Origin};
use kassa_core::gateways::sandbox::{self, TestCard, TEST_CARDS};
use kassa_core::services::gateway_events;
use kassa_core::services::records::merchant_by_id;
use kassa_core::Ctx;
use kassa_domain::MerchantId;

use crate::http::pages::{self, escape, Page};

fn failed(lang: Lang, e: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?e, "the sandbox's checkout failed");
    pages::went_wrong(lang)
}

/// The payment `reference` and its merchant, or a 404 page.
async fn find(ctx: &Ctx, lang: Lang, reference: &str) -> Result<sandbox::Checkout, Response> {
    match sandbox::checkout(&ctx.pool, reference).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(pages::not_found(lang)),
        Err(e) => Err(failed(lang, e)),
    }
}

/// The page, which `<kassa-pay>`'s overlay may frame on the sites its token names when the
/// payment was started from there (its return address is the token's pay page): a provider's
/// hosted page would not be framed, but the sandbox stands in for Kassa's own payment form.
pub async fn page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Path(reference): Path<String>,
) -> Result<Response, Response> {
    let payment = find(&ctx, lang, &reference).await?;
    let response = checkout_page(&ctx, lang, &payment).await?;
    let widget_token = payment
        .return_url
        .strip_prefix(&format!("{}/w/v1/pay/", ctx.public_url.trim_end_matches('/')))
        .and_then(|rest| rest.split('/').next());
    if let Some(token) = widget_token {
        if let Ok(opened) = kassa_core::services::widget::open(&ctx, token).await {
            return Ok(pages::framed_by(response, &opened.frame_ancestors()));
        }
    }
    Ok(response)
}

async fn checkout_page(ctx: &Ctx, lang: Lang, payment: &sandbox::Checkout) -> Result<Response, Response> {
    let merchant = merchant_by_id(&ctx.pool, &MerchantId::from_raw(payment.merchant_id.clone()))
        .await
        .map_err(|e| failed(lang, e))?;
    let w = lang.words();
    let here = format!("/sandbox/{}", payment.id);
    if !payment.is_open() {
        let page = Page {
            lang,
            status: StatusCode::OK,
            title: &w.sandbox_finished_title(),
            lines: &[&w.sandbox_finished_explained()],
            here: &here,
        };
        return Ok(pages::merchant_message_onwards(&merchant, page, &payment.return_url, &w.sandbox_go_back()));
    }
    let amount = payment.amount().map_err(|e| failed(lang, e))?;
    let explained = w.sandbox_checkout_explained(kassa_app::money::money_in(lang, amount), &merchant.name);
    let cards: String = TEST_CARDS
        .iter()
        .enumerate()
        .map(|(n, (number, card))| {
            let shown = kassa_domain::reference::in_fours(number);
            let label = match card {
                TestCard::Approved => w.sandbox_card_approved(&shown),
                TestCard::Declined("insufficient_funds") => w.sandbox_card_insufficient_funds(&shown),
                TestCard::Declined(_) => w.sandbox_card_declined(&shown),
            };
            let checked = if n == 0 { " checked" } else { "" };
            format!(
                "<label><input type=\"radio\" name=\"card\" value=\"{number}\"{checked}> {}</label>",
                escape(&label)
            )
        })
        .collect();
    let action = escape(&here);
    let forms = format!(
        "<form method=\"post\" action=\"{action}\" class=\"sandbox-form\"><fieldset><legend>{legend}</legend>{cards}\
         </fieldset><button type=\"submit\" class=\"button-primary\">{pay}</button></form>\
         <form method=\"post\" action=\"{action}\" class=\"sandbox-cancel\"><input type=\"hidden\" name=\"card\" \
         value=\"cancel\"><button type=\"submit\">{cancel}</button></form>",
        legend = escape(&w.sandbox_card_legend()),
        pay = escape(&w.sandbox_pay()),
        cancel = escape(&w.sandbox_cancel()),
    );
    let page =
        Page { lang, status: StatusCode::OK, title: &w.sandbox_checkout_title(), lines: &[&explained], here: &here };
    Ok(pages::merchant_page_with(&merchant, page, &forms))
}

#[derive(serde::Deserialize)]
pub struct Choice {
    #[serde(default)]
    card: String,
}

/// The payer's choice: the sandbox pays with the test card (or gives up), the attempt is
/// settled by what the sandbox reports, and the payer goes back to the payment's return
/// address. A card the sandbox does not know is refused on the page.
pub async fn choose(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    client: Option<Extension<ClientIp>>,
    Path(reference): Path<String>,
    axum::Form(choice): axum::Form<Choice>,
) -> Result<Response, Response> {
    let ip = client.map(|Extension(c)| c.0.to_string());
    let ctx = ctx.from_origin(Origin { surface: "sandbox", ip });
    let payment = find(&ctx, lang, &reference).await?;
    let card = match choice.card.as_str() {
        "cancel" => None,
        number => match sandbox::test_card(number) {
            Some(card) => Some(card),
            None => return Err(pages::not_found(lang)),
        },
    };
    sandbox::choose(&ctx.pool, &payment.id, card).await.map_err(|e| failed(lang, e))?;
    // The sandbox sends its event, signed, through Kassa's one way in for gateway events (as
    // Stripe's would come to /webhooks/stripe/{merchant}), then the payer goes back.
    let sandbox = ctx.gateways.sandbox().ok_or_else(|| failed(lang, "no sandbox"))?;
    let (signature, body) = sandbox.event_for(&payment.id).await.map_err(|e| failed(lang, e))?;
    let merchant = merchant_by_id(&ctx.pool, &MerchantId::from_raw(payment.merchant_id.clone()))
        .await
        .map_err(|e| failed(lang, e))?;
    gateway_events::receive(&ctx, &merchant.slug, sandbox::NAME, &signature, &body)
        .await
        .map_err(|e| failed(lang, e))?;
    Ok(Redirect::to(&payment.return_url).into_response())
}
