//! Refunds of payments received outside Kassa (recorded through the API): recorded as paid
//! back by the merchant, at once; the credit the payment held goes first, then what it paid
//! is owed again, the latest invoice first. Never more than the payment stands for, never
//! twice for one key, and another mode's or merchant's payment is not found.

mod common;

use common::TestApp;

#[tokio::test]
async fn a_recorded_payment_is_refunded_from_its_credit_first_then_reopens_its_latest_invoice() {
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    // 350.00 for NL-2026-0104 (310.00 open): 40.00 held as credit.
    let (status, payment) = app
        .api(
            &key,
            http::Method::POST,
            "/payments",
            Some(serde_json::json!({ "customer_number": "C-1001", "amount": "350.00", "currency": "EUR",
                "method": "bank_transfer", "reference": "NL-BANK-1",
                "allocations": [ { "invoice_number": "NL-2026-0104", "amount": "310.00" } ] })),
        )
        .await;
    assert_eq!(status, 400, "a payment needs an Idempotency-Key: {payment}");
    let recorded: serde_json::Value = common::client()
        .post(format!("{}/api/v1/payments", app.url))
        .bearer_auth(&key)
        .header("Idempotency-Key", "bank-1")
        .json(&serde_json::json!({ "customer_number": "C-1001", "amount": "350.00", "currency": "EUR",
            "method": "bank_transfer", "reference": "NL-BANK-1",
            "allocations": [ { "invoice_number": "NL-2026-0104", "amount": "310.00" } ] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payment = recorded["id"].as_str().unwrap().to_string();
    assert_eq!(app.open_minor("NL-2026-0104").await, 0);
    let refund = |amount: Option<&str>, idempotency: &str| {
        let mut body = serde_json::json!({ "reason": "overpaid, and two sacks returned" });
        if let Some(a) = amount {
            body["amount"] = a.into();
        }
        common::client()
            .post(format!("{}/api/v1/payments/{payment}/refunds", app.url))
            .bearer_auth(&key)
            .header("Idempotency-Key", idempotency)
            .json(&body)
    };
    let res = refund(Some("100.00"), "r-1").send().await.unwrap();
    assert_eq!(res.status(), 201);
    let done: serde_json::Value = res.json().await.unwrap();
    assert_eq!((done["status"].as_str(), done["gateway"].as_str()), (Some("succeeded"), None), "{done}");
    // 40.00 of credit, then 60.00 of NL-2026-0104 open again.
    assert_eq!(app.open_minor("NL-2026-0104").await, 6_000);
    let (_, shown) = app.api(&key, http::Method::GET, &format!("/payments/{payment}"), None).await;
    assert_eq!(
        (shown["refunded"]["amount"].as_str(), shown["unapplied"]["amount"].as_str()),
        (Some("100.00"), Some("0.00"))
    );
    // The same key with another amount is refused; more than is left too; all that is left not.
    assert_eq!(refund(Some("1.00"), "r-1").send().await.unwrap().status(), 409);
    let res = refund(Some("250.01"), "r-2").send().await.unwrap();
    assert_eq!(res.status(), 422);
    let res = refund(None, "r-3").send().await.unwrap();
    let all: serde_json::Value = res.json().await.unwrap();
    assert_eq!(all["amount"]["amount"], "250.00", "{all}");
    assert_eq!(app.open_minor("NL-2026-0104").await, 31_000);
    let res = refund(None, "r-4").send().await.unwrap();
    assert_eq!(res.status(), 422, "nothing is left to refund");
    // A live key does not see a test payment; a credit note is not refunded.
    let live = app.live_key().await;
    let res = common::client()
        .post(format!("{}/api/v1/payments/{payment}/refunds", app.url))
        .bearer_auth(&live)
        .header("Idempotency-Key", "r-live")
        .json(&serde_json::json!({ "reason": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // The merchant's systems hear of it.
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE type = 'payment.refunded'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(events, 2);
    app.assert_ledger_invariants().await;
}
