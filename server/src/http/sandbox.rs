//! The sandbox's checkout page (`/sandbox/{reference}`): in test mode, what a payment
//! provider's hosted page is. It shows the payment and offers the sandbox's test cards (core
//! `gateways::sandbox::TEST_CARDS`); the card chosen decides the outcome, the payment's attempt
//! is settled by what the sandbox then reports (as a provider's event would), and the payer goes
//! back to the payment's return address. Plain forms: it works without JavaScript. Reached by
//! the payment's reference alone, as a provider's page is: an unguessable id.

use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use kassa_app::i18n::Lang;
use kassa_core::audit::{ClientIp, Origin};
use kassa_core::gateways::sandbox::{self, TestCard, TEST_CARDS};
use kassa_core::services::payments;
use kassa_core::services::records::merchant_by_id;
use kassa_core::{Ctx, Error};
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

/// `1234 5678 ...`: a card number as it is printed.
fn grouped(number: &str) -> String {
    number.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

pub async fn page(
    State(ctx): State<Ctx>,
    Extension(lang): Extension<Lang>,
    Path(reference): Path<String>,
) -> Result<Response, Response> {
    let payment = find(&ctx, lang, &reference).await?;
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
            let shown = grouped(number);
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
    let merchant = MerchantId::from_raw(payment.merchant_id.clone());
    match payments::payment_moved(&ctx, &merchant, sandbox::NAME, &payment.id).await {
        Ok(()) | Err(Error::NotFound) => Ok(Redirect::to(&payment.return_url).into_response()),
        Err(e) => Err(failed(lang, e)),
    }
}
