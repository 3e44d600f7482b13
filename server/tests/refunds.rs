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
    let payment = recorded(&app, "350.00", ("NL-2026-0104", "310.00"), "bank-1").await;
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

/// Records a bank transfer of `amount` from the bakery through the API, `allocated` to an
/// invoice (the rest held as credit), under the Idempotency-Key `key`; its id.
async fn recorded(app: &TestApp, amount: &str, allocated: (&str, &str), key: &str) -> String {
    let (invoice, part) = allocated;
    let body = serde_json::json!({ "customer_number": "C-1001", "amount": amount, "currency": "EUR",
        "method": "bank_transfer", "reference": key,
        "allocations": [ { "invoice_number": invoice, "amount": part } ] });
    let (_, recorded) = app.api_keyed(&app.demo.api_key, "/payments", key, body).await;
    recorded["id"].as_str().unwrap_or_else(|| panic!("{recorded}")).to_string()
}

#[tokio::test]
async fn staff_refund_from_the_admin_payments_page_in_their_language() {
    use kassa_core::principal::StaffRole;
    let app = TestApp::spawn().await;
    let payment = recorded(&app, "100.00", ("NL-2026-0104", "100.00"), "bank-admin-1").await;
    assert_eq!(app.open_minor("NL-2026-0104").await, 21_000);

    // A Dutch collector sees the payment with a refund form in Dutch.
    let c = common::client();
    c.get(format!("{}/lang/nl", app.url)).send().await.unwrap();
    app.signed_in_staff_with(&c, "incasso@demo.kassa.test", StaffRole::Collector).await;
    let page = c.get(format!("{}/admin/payments", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Ontvangen betalingen, nieuwste eerst"), "{page}");
    let row = page.split(&format!("<tr data-payment=\"{payment}\"")).nth(1).unwrap();
    assert!(row.contains("Bakkerij De Molen B.V. (C-1001)") && row.contains("Bankoverschrijving"), "{row}");
    assert!(row.contains(r#"value="100,00""#), "the whole payment offered, as the Dutch type it: {row}");

    // Part of it back, typed the Dutch way: the ledger moves, the page says so once.
    let form = [
        ("payment", payment.as_str()),
        ("amount", "25,50"),
        ("reason", "twee zakken retour"),
        ("key", "admin-refund-1"),
    ];
    let res = app.server_fn(&c, "refund_payment", &form).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(app.open_minor("NL-2026-0104").await, 23_550);
    // Posted twice (a double click, a reload): refunded once.
    app.server_fn(&c, "refund_payment", &form).await;
    assert_eq!(app.open_minor("NL-2026-0104").await, 23_550);
    let page = c.get(format!("{}/admin/payments", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("€\u{a0}25,50 terugbetaald"), "{page}");
    let row = page.split(&format!("<tr data-payment=\"{payment}\"")).nth(1).unwrap();
    assert!(row.contains("Deels terugbetaald") && row.contains(r#"value="74,50""#), "{row}");
    let again = c.get(format!("{}/admin/payments", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("terugbetaald:"), "said once");

    // More than is left: refused in words, nothing moved.
    let too_much =
        [("payment", payment.as_str()), ("amount", "74,51"), ("reason", "te veel"), ("key", "admin-refund-2")];
    let res = app.server_fn(&c, "refund_payment", &too_much).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.open_minor("NL-2026-0104").await, 23_550);

    // A viewer reads the payments but gets no refund form.
    let viewer = app.staff_member("kijker@demo.kassa.test", StaffRole::Viewer).await;
    let page = viewer.get(format!("{}/admin/payments", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&payment) && !page.contains("refund_payment"), "{page}");

    // Pages of 25, newest first, each payment on exactly one of them.
    let mut made = vec![payment.clone()];
    for i in 0..26 {
        made.push(recorded(&app, "1.00", ("NL-2026-0101", "1.00"), &format!("bank-page-{i}")).await);
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&app.ctx.pool).await.unwrap();
    let (mut seen, mut url) = (Vec::new(), format!("{}/admin/payments", app.url));
    loop {
        let page = c.get(&url).send().await.unwrap().text().await.unwrap();
        let ids: Vec<String> =
            page.split("<tr data-payment=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect();
        assert!(ids.len() <= 25);
        seen.extend(ids);
        match page.split("href=\"/admin/payments?before=").nth(1) {
            Some(rest) => url = format!("{}/admin/payments?before={}", app.url, rest.split('"').next().unwrap()),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total, "{seen:?}");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as i64, total, "no payment twice");
    assert!(made.iter().all(|m| seen.contains(m)));

    app.assert_ledger_invariants().await;
}
