//! The widget's invoice endpoint: signed tokens, CORS for the token's origins only, and the
//! pay link that opens one invoice in the portal.

mod common;
use common::{client, TestApp};

async fn token(app: &TestApp) -> String {
    kassa_server::demo::shop_token(&app.ctx, &app.shop_origin).await.unwrap()
}

#[tokio::test]
async fn the_tokens_origin_may_read_the_invoice() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", &app.shop_origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], app.shop_origin.as_str());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["number"], "NL-2026-0107");
    assert_eq!(body["amount_due_text"], "EUR 55.95");
    assert_eq!(body["status"], "open");
    assert!(body["pay_url"].as_str().unwrap().starts_with(&format!("{}/p/demo/pay/", app.url)));
}

#[tokio::test]
async fn other_origins_are_refused() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_pay_link_opens_that_invoice_only() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let c = client();
    let link = format!("{}/p/demo/pay/{t}", app.url);
    let opened = c.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert!(opened.headers().get("set-cookie").is_none(), "opening a pay link signs nobody in");
    assert!(opened.text().await.unwrap().contains("Factuur NL-2026-0107 van"), "in the customer's language");
    let res = c.post(&link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo/invoices/NL-2026-0107");
    // Signed in for it, the link goes straight to the invoice.
    let again = c.get(&link).send().await.unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], "/p/demo/invoices/NL-2026-0107");
    let overview: serde_json::Value =
        app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let invoices = overview["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["number"], "NL-2026-0107");
    let other = app.server_fn(&c, "load_invoice", &[("merchant", "demo"), ("number", "NL-2026-0104")]).await;
    assert_eq!(other.status(), 404);
    // One invoice is no account: no statement is offered, and none is there; nor is the
    // account's activity (other invoices, payments for them).
    assert_eq!(overview["has_statement"], false);
    assert_eq!(overview["activity"], serde_json::json!([]));
    let list = c.get(format!("{}/p/demo", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains("/p/demo/statement"), "{list}");
    let statement = c.get(format!("{}/p/demo/statement/pdf", app.url)).send().await.unwrap();
    assert_eq!(statement.status(), 404);

    let res = app.pay(&c, "NL-2026-0107", "55.95", "widget-pay").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "paid");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let tampered = format!("x{t}");
    let res = client().get(format!("{}/p/demo/pay/{tampered}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = client().post(format!("{}/p/demo/pay/{tampered}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_pay_link_reads_the_receipts_of_its_invoice_only() {
    use kassa_core::services::ledger::{self, RecordPayment};
    use kassa_domain::{Apply, Currency, CustomerId, InvoiceNumber, Money};
    let app = TestApp::spawn().await;
    // The customer pays another invoice in the portal...
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let res = app.pay(&debtor, "NL-2026-0104", "310", "other-invoice").await;
    assert_eq!(res.status(), 200);
    let other: String = res.json().await.unwrap();
    let other = other.rsplit('/').next().unwrap().to_string();
    // ...and one bank transfer settles the pay link's invoice and another.
    let customer: String = sqlx::query_scalar("SELECT customer_id FROM invoices WHERE number = 'NL-2026-0107'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let number = |n: &str| InvoiceNumber::parse(n).unwrap();
    let eur = |cents| Money::from_minor(cents, Currency::EUR);
    let both = ledger::record_payment(
        &app.ctx,
        &kassa_core::Principal::System,
        RecordPayment {
            merchant: app.demo_merchant().await,
            customer: CustomerId::from_raw(customer),
            amount: eur(5595 + 10000),
            method: "Bank transfer".into(),
            reference: "NL-2026-0107 + 0101".into(),
            apply: Apply::Specified(vec![(number("NL-2026-0107"), eur(5595)), (number("NL-2026-0101"), eur(10000))]),
            idempotency_key: "two-invoices".into(),
        },
    )
    .await
    .unwrap()
    .to_string();

    let pay_link = client();
    let res = pay_link.post(format!("{}/p/demo/pay/{}", app.url, token(&app).await)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let receipt = |c: &reqwest::Client, payment: &str| {
        let (app, c, payment) = (&app, c.clone(), payment.to_string());
        async move { app.server_fn(&c, "load_receipt", &[("merchant", "demo"), ("payment", &payment)]).await }
    };
    let res = receipt(&pay_link, &both).await;
    assert_eq!(res.status(), 200);
    let seen: serde_json::Value = res.json().await.unwrap();
    let numbers: Vec<&str> =
        seen["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["NL-2026-0107"], "{seen}");
    assert_eq!(seen["amount"]["minor"], 5595, "this invoice's share, not what else was paid: {seen}");
    let body = seen.to_string();
    assert!(!body.contains("NL-2026-0101") && !body.contains("15595"), "{body}");
    assert!(!body.contains("+ 0101"), "the payer's reference names the other invoice: {body}");
    assert_eq!(receipt(&pay_link, &other).await.status(), 404, "a payment of another invoice");
    // Signed in as the customer, the same receipt shows the whole payment.
    let whole: serde_json::Value = receipt(&debtor, &both).await.json().await.unwrap();
    assert_eq!(whole["invoices"].as_array().unwrap().len(), 2, "{whole}");
    assert_eq!(whole["amount"]["minor"], 15595);
}
