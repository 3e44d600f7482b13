//! The sandbox gateway behaves like a provider in test mode: a payment sends the payer to its
//! checkout page, where a test card decides the outcome; back at the return address the
//! payer sees the receipt or why not. Nothing about the outcome travels with the pay form.

mod common;

use common::{TestApp, APPROVED, DECLINED};
use kassa_core::gateways::{Account, GatewayError, RefundPayment, RefundStatus};
use kassa_domain::{Currency, MerchantId, Money};

/// Posts the pay form for (part of) an invoice and returns the sandbox checkout's address.
async fn checkout(app: &TestApp, c: &reqwest::Client, number: &str, amount: &str, key: &str) -> String {
    let form = [("merchant", "demo"), ("number", number), ("amount", amount), ("pay_key", key)];
    let res = app.server_fn(c, "pay_invoice", &form).await;
    assert_eq!(res.status(), 200);
    let next: String = res.json().await.unwrap();
    assert!(next.starts_with(&format!("{}/sandbox/sbx_", app.url)), "{next}");
    next
}

async fn attempt(app: &TestApp, key: &str) -> (String, Option<String>, Option<String>, Option<String>) {
    sqlx::query_as("SELECT state, decline_code, payment_id, method FROM payment_attempts WHERE idempotency_key = $1")
        .bind(key)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_checkout_page_offers_test_cards_in_the_debtors_language_and_the_card_decides() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let page_url = checkout(&app, &c, "NL-2026-0104", "100,00", "sbx-1").await;
    // Sent there, the attempt waits for the payer; the invoice is untouched.
    assert_eq!(attempt(&app, "sbx-1").await.0, "requires_action");
    let page = c.get(&page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\""), "the bakery's language");
    assert!(html.contains("Een testbetaling van €\u{a0}100,00 aan Noorderlicht Supplies"), "{html}");
    for number in ["4242 4242 4242 4242: goedgekeurd", "4000 0000 0000 0002: geweigerd", "onvoldoende saldo"] {
        assert!(html.contains(number), "{number}: {html}");
    }
    assert!(html.contains("data-testid=\"test-banner\""), "a test-mode page");

    // A number the sandbox does not know changes nothing.
    let res = c.post(&page_url).form(&[("card", "4111111111111111")]).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(attempt(&app, "sbx-1").await.0, "requires_action");

    // Insufficient funds: declined with that code, nothing paid, and the return page says why.
    let res = c.post(&page_url).form(&[("card", "4000 0000 0000 9995")]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let (state, code, payment, _) = attempt(&app, "sbx-1").await;
    assert_eq!((state.as_str(), code.as_deref(), payment), ("failed", Some("insufficient_funds"), None));
    let res = c.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 402);
    let html = res.text().await.unwrap();
    assert!(html.contains("Betaling geweigerd") && html.contains("er staat niet genoeg geld op de rekening"), "{html}");
    assert_eq!(app.invoice_json(&c, "NL-2026-0104").await["invoice"]["balance"]["minor"], 31000);

    // A second choice on a finished payment changes nothing; the page says it is finished.
    let res = c.post(&page_url).form(&[("card", APPROVED)]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(attempt(&app, "sbx-1").await.0, "failed");
    let html = c.get(&page_url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Deze testbetaling is afgerond"), "{html}");

    // Approved: paid, the sandbox's method on the receipt.
    let page_url = checkout(&app, &c, "NL-2026-0104", "100,00", "sbx-2").await;
    let res = c.post(&page_url).form(&[("card", APPROVED)]).send().await.unwrap();
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let res = c.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let receipt = res.headers()["location"].to_str().unwrap().to_string();
    let (state, _, payment, method) = attempt(&app, "sbx-2").await;
    assert_eq!((state.as_str(), method.as_deref()), ("succeeded", Some("sandbox")));
    assert_eq!(receipt, format!("/p/demo/payments/{}", payment.unwrap()));
    let html = c.get(format!("{}{receipt}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sandbox (testbetaling)"), "{html}");
    assert_eq!(app.invoice_json(&c, "NL-2026-0104").await["invoice"]["balance"]["minor"], 21000);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_canceled_checkout_frees_the_invoice_and_says_so() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Fjordkaffe ApS").await;
    let page_url = checkout(&app, &c, "DK-2026-0205", "100", "cancel-1").await;
    // While the payer is at the checkout, another attempt on the invoice waits.
    let form = [("merchant", "demo"), ("number", "DK-2026-0205"), ("amount", "50"), ("pay_key", "cancel-2")];
    assert_eq!(app.server_fn(&c, "pay_invoice", &form).await.status(), 409);
    let res = c.post(&page_url).form(&[("card", "cancel")]).send().await.unwrap();
    let back = res.headers()["location"].to_str().unwrap().to_string();
    let res = c.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 402);
    assert!(res.text().await.unwrap().contains("den blev annulleret"));
    assert_eq!(attempt(&app, "cancel-1").await.0, "canceled");
    // The same pay form again answers the same; a new one pays.
    let again = [("merchant", "demo"), ("number", "DK-2026-0205"), ("amount", "100"), ("pay_key", "cancel-1")];
    assert_eq!(app.server_fn(&c, "pay_invoice", &again).await.status(), 402);
    assert_eq!(app.pay(&c, "DK-2026-0205", "50", "cancel-3").await.status(), 200);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn the_return_address_answers_only_the_debtor_who_paid() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let page_url = checkout(&app, &c, "NL-2026-0104", "10", "mine").await;
    let res = c.post(&page_url).form(&[("card", DECLINED)]).send().await.unwrap();
    let back = res.headers()["location"].to_str().unwrap().to_string();
    // Another customer of the merchant, and nobody at all.
    let other = app.debtor("Studio Grachten").await;
    assert_eq!(other.get(&back).send().await.unwrap().status(), 404);
    assert_eq!(common::client().get(&back).send().await.unwrap().status(), 401);
    assert_eq!(c.get(&back).send().await.unwrap().status(), 402);
    // An attempt that does not exist.
    let res = c.get(format!("{}/p/demo/pay/return/no-such-attempt", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_sandbox_refunds_once_per_key_and_never_more_than_was_paid() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    assert_eq!(app.pay(&c, "NL-2026-0104", "100", "to-refund").await.status(), 200);
    let (merchant, reference): (String, String) = sqlx::query_as(
        "SELECT merchant_id, gateway_reference FROM payment_attempts WHERE idempotency_key = 'to-refund'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    let sandbox = app.ctx.gateways.get("sandbox").unwrap();
    let account = Account { merchant: MerchantId::from_raw(merchant), live: false, credentials: None };
    let eur = |minor| Money::from_minor(minor, Currency::EUR);
    let refund = |minor, key: &str| RefundPayment {
        refund: format!("kassa-{key}"),
        payment_reference: reference.clone(),
        amount: eur(minor),
        idempotency_key: key.into(),
    };
    let first = sandbox.refund(&account, refund(4_000, "r-1")).await.unwrap();
    assert_eq!((first.amount, first.status), (eur(4_000), RefundStatus::Succeeded));
    // The same key again: the same refund, not a second one.
    let again = sandbox.refund(&account, refund(4_000, "r-1")).await.unwrap();
    assert_eq!(again, first);
    // More than what is left (60.00) is refused; what is left is not.
    assert!(matches!(sandbox.refund(&account, refund(6_001, "r-2")).await, Err(GatewayError::Refused(_))));
    sandbox.refund(&account, refund(6_000, "r-3")).await.unwrap();
    // Another merchant's account does not know the payment.
    let stranger = Account { merchant: MerchantId::from_raw("someone-else"), live: false, credentials: None };
    assert!(matches!(sandbox.refund(&stranger, refund(1, "r-4")).await, Err(GatewayError::NotFound(_))));
    assert!(matches!(sandbox.retrieve(&stranger, &reference).await, Err(GatewayError::NotFound(_))));
}
