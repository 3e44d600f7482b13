//! Events from gateways (`POST /webhooks/{gateway}/{merchant}`): checked by their signature,
//! stored once by their id, applied once in the transaction that stores them, safe in any order
//! and however often they come. Driven with the sandbox's own signed events, over real HTTP.

mod common;

use common::TestApp;
use kassa_core::gateways::sandbox::{self, EventPayment, SandboxEvent, TestCard};
use serde_json::{json, Value};

const HEADER: &str = "kassa-sandbox-signature";

/// Posts the pay form for an invoice in full and returns the sandbox payment's id.
async fn open_payment(app: &TestApp, c: &reqwest::Client, number: &str, amount: &str, key: &str) -> String {
    let form = [("merchant", "demo"), ("number", number), ("amount", amount), ("pay_key", key)];
    let res = app.server_fn(c, "pay_invoice", &form).await;
    assert_eq!(res.status(), 200, "{number}");
    let next: String = res.json().await.unwrap();
    next.rsplit('/').next().unwrap().to_string()
}

async fn deliver(app: &TestApp, signature: &str, body: &[u8]) -> (u16, Value) {
    let res = common::client()
        .post(format!("{}/webhooks/sandbox/demo", app.url))
        .header(HEADER, signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.ctx.pool).await.unwrap()
}

/// An event about sandbox payment `id` saying `status`, as the sandbox signs it.
async fn event(app: &TestApp, id: &str, event_id: &str, status: &str) -> (String, Vec<u8>) {
    let row = sandbox::checkout(&app.ctx.pool, id).await.unwrap().unwrap();
    let event = SandboxEvent {
        id: event_id.into(),
        payment: EventPayment {
            id: row.id,
            attempt: row.attempt_id,
            currency: row.currency,
            amount_minor: row.amount_minor,
            status: status.into(),
            decline_code: (status == "failed").then(|| "card_declined".into()),
            method: Some("sandbox".into()),
        },
    };
    let body = serde_json::to_vec(&event).unwrap();
    (app.ctx.gateways.sandbox().unwrap().sign(&body, kassa_core::db::now()), body)
}

#[tokio::test]
async fn an_event_is_checked_stored_once_and_applied_once() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let id = open_payment(&app, &c, "NL-2026-0104", "310", "evt-1").await;
    // The payer paid at the sandbox; its event comes in (not through the checkout page).
    sandbox::choose(&app.ctx.pool, &id, Some(TestCard::Approved)).await.unwrap();
    let sandbox = app.ctx.gateways.sandbox().unwrap();
    let (signature, body) = sandbox.event_for(&id).await.unwrap();
    let (status, answer) = deliver(&app, &signature, &body).await;
    assert_eq!((status, &answer), (200, &json!({ "received": true, "repeat": false })));
    let paid = "SELECT COUNT(*) FROM payments p JOIN payment_attempts a ON a.payment_id = p.id \
                WHERE a.idempotency_key = 'evt-1' AND a.state = 'succeeded'";
    assert_eq!(scalar(&app, paid).await, 1);
    assert_eq!(app.invoice_json(&c, "NL-2026-0104").await["invoice"]["status"], "Paid");

    // The same event again: answered, nothing applied twice.
    let (status, answer) = deliver(&app, &signature, &body).await;
    assert_eq!((status, answer["repeat"].as_bool()), (200, Some(true)));
    // Another event saying the same, and a late one from before: nothing moves back or twice.
    let (signature2, body2) = sandbox.event_for(&id).await.unwrap();
    assert_eq!(deliver(&app, &signature2, &body2).await.0, 200);
    let (late_sig, late) = event(&app, &id, "evt_late", "requires_action").await;
    assert_eq!(deliver(&app, &late_sig, &late).await.0, 200);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM payments WHERE gateway = 'sandbox'").await, 1);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM gateway_events").await, 3);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_forged_old_or_unreadable_event_is_refused_and_counted() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let id = open_payment(&app, &c, "NL-2026-0104", "310", "forged").await;
    let (signature, body) = event(&app, &id, "evt_forged", "succeeded").await;
    let refused = |reason: &'static str| {
        move |(status, answer): (u16, Value)| {
            assert_eq!(status, 400, "{answer}");
            assert_eq!(answer["error"]["code"], "gateway_event_refused", "{answer}");
            assert_eq!(answer["error"]["reason"], reason, "{answer}");
        }
    };
    // The body changed after signing (an amount raised, say).
    let tampered = String::from_utf8(body.clone()).unwrap().replace("31000", "1").into_bytes();
    refused("no_valid_signature")(deliver(&app, &signature, &tampered).await);
    refused("no_valid_signature")(deliver(&app, &signature, &tampered).await);
    // Signed with another key, signed too long ago, not signed, not an event.
    let other = kassa_core::gateways::signature::sign(b"not the sandbox's key", &body, kassa_core::db::now());
    refused("no_valid_signature")(deliver(&app, &other, &body).await);
    let old = app.ctx.gateways.sandbox().unwrap().sign(&body, kassa_core::db::now() - 301);
    refused("too_old")(deliver(&app, &old, &body).await);
    refused("not_signed")(deliver(&app, "", &body).await);
    let junk = b"{\"id\": 1}";
    let junk_sig = app.ctx.gateways.sandbox().unwrap().sign(junk, kassa_core::db::now());
    refused("unreadable")(deliver(&app, &junk_sig, junk).await);
    // Nothing was applied or stored; each refusal was counted, one row per reason and day.
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM gateway_events").await, 0);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM payments WHERE gateway = 'sandbox'").await, 0);
    let counts: Vec<(String, i64)> = sqlx::query_as("SELECT reason, count FROM gateway_event_refusals ORDER BY reason")
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    let counts: Vec<(&str, i64)> = counts.iter().map(|(r, n)| (r.as_str(), *n)).collect();
    assert_eq!(counts, [("no_valid_signature", 3), ("not_signed", 1), ("too_old", 1), ("unreadable", 1)]);
    // Unknown gateways and merchants are not found; the real event still goes through.
    let post = |path: &str| common::client().post(format!("{}{path}", app.url)).body(body.clone()).send();
    assert_eq!(post("/webhooks/paypal/demo").await.unwrap().status(), 404);
    assert_eq!(post("/webhooks/sandbox/no-such-shop").await.unwrap().status(), 404);
    assert_eq!(deliver(&app, &signature, &body).await.0, 200);
    assert_eq!(app.invoice_json(&c, "NL-2026-0104").await["invoice"]["status"], "Paid");
}

/// Many payments, each with a `processing` and a final event, every event delivered three
/// times in a shuffled order, eight at a time, with one delivery in twenty forged: afterwards
/// each attempt is where its final event put it, each success is in the ledger once, every
/// forgery was refused, and the ledger's invariants and the audit chain hold (on SQLite and
/// PostgreSQL).
#[tokio::test]
async fn shuffled_repeated_and_forged_deliveries_leave_the_ledger_as_expected() {
    const PAYMENTS: usize = 40;
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let mut ids = Vec::new();
    for n in 0..PAYMENTS {
        let number = format!("REPLAY-{n:03}");
        let res = common::client()
            .post(format!("{}/api/v1/invoices", app.url))
            .bearer_auth(&app.demo.api_key)
            .header("Idempotency-Key", &number)
            .json(
                &json!({ "customer_number": "C-1001", "number": number, "currency": "EUR", "issue_date": "2026-11-02",
                "lines": [ { "description": "Rogge", "quantity": "1", "unit_price": format!("{}.00", 10 + n) } ] }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        ids.push(open_payment(&app, &c, &number, &format!("{}", 10 + n), &format!("replay-{n}")).await);
    }
    // Every fourth is declined; the rest succeed. Each gets `processing`, then its end.
    let mut deliveries = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        let end = if n % 4 == 0 { "failed" } else { "succeeded" };
        for (k, status) in [(0, "processing"), (1, end)] {
            let (signature, body) = event(&app, id, &format!("evt_replay_{n}_{k}"), status).await;
            for _ in 0..3 {
                deliveries.push((signature.clone(), body.clone()));
            }
        }
    }
    // A deterministic shuffle (a linear congruential generator), then one in twenty forged.
    let mut seed: u64 = 20_261_202;
    for i in (1..deliveries.len()).rev() {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        deliveries.swap(i, (seed >> 33) as usize % (i + 1));
    }
    let mut forged = 0;
    for (i, (signature, _)) in deliveries.iter_mut().enumerate() {
        if i % 20 == 7 {
            *signature = signature.replace("v1=", "v1=00");
            forged += 1;
        }
    }
    let app = std::sync::Arc::new(app);
    let results: Vec<u16> = futures_util::stream::iter(deliveries.into_iter().map(|(signature, body)| {
        let app = app.clone();
        async move { deliver(&app, &signature, &body).await.0 }
    }))
    .buffer_unordered(8)
    .collect()
    .await;
    assert_eq!(results.iter().filter(|s| **s == 400).count(), forged, "every forgery refused");
    assert!(results.iter().all(|s| *s == 200 || *s == 400), "{results:?}");
    // Each event id stored once (a forged delivery of an event is also delivered genuinely).
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM gateway_events").await, (PAYMENTS * 2) as i64);
    for (n, _) in ids.iter().enumerate() {
        let (state, payments): (String, i64) = sqlx::query_as(
            "SELECT a.state, (SELECT COUNT(*) FROM payments p WHERE p.attempt_id = a.id) FROM payment_attempts a \
             WHERE a.idempotency_key = $1",
        )
        .bind(format!("replay-{n}"))
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
        let expected = if n % 4 == 0 { ("failed", 0) } else { ("succeeded", 1) };
        assert_eq!((state.as_str(), payments), expected, "payment {n}");
    }
    let paid = scalar(&app, "SELECT COUNT(*) FROM invoices WHERE number LIKE 'REPLAY-%' AND open_minor = 0").await;
    assert_eq!(paid, (PAYMENTS - PAYMENTS / 4) as i64);
    app.assert_ledger_invariants().await;
    // Eight writers at a time appended to the merchant's audit chain: still one line.
    let chain = kassa_core::audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert!(chain.broken.is_none(), "{chain:?}");
    let settled = scalar(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'payment_attempt.settled'").await;
    assert!(settled >= (PAYMENTS * 2) as i64, "{settled} settled entries");
}

use futures_util::StreamExt;
