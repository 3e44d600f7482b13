//! Disputes: a debtor contests a whole invoice or chosen lines from the invoice's page; the
//! disputed amount leaves collection, the rest stays payable and is what the pay form asks.

mod common;
use common::TestApp;
use serde_json::Value;

/// NL-2026-0101 of the demo's bakery: 12 sacks of rye flour (378.00) and delivery (45.00),
/// 423.00 overdue, nothing paid.
const INVOICE: &str = "NL-2026-0101";

async fn dispute(app: &TestApp, c: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("merchant", "demo"), ("number", INVOICE)];
    form.extend_from_slice(fields);
    app.server_fn(c, "dispute_invoice", &form).await
}

async fn problem_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let problem: kassa_domain::Problem = serde_json::from_value(common::problem(res).await).unwrap();
    assert_eq!(status, problem.http_status(), "{problem:?}");
    (status, problem.code().to_string())
}

async fn opened(app: &TestApp) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM events WHERE type = 'dispute.opened' ORDER BY id")
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    rows.iter().map(|d| serde_json::from_str(d).unwrap()).collect()
}

#[tokio::test]
async fn a_disputed_line_leaves_collection_and_the_rest_stays_payable() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    // The delivery line only (its checkbox is the second: `lines[1]`, the first left unticked).
    let fields = [
        ("reason", "wrong_price_or_quantity"),
        ("lines[1]", "2"),
        ("amount", ""),
        ("message", "Delivery was free on orders over 300."),
        ("dispute_key", "d-1"),
    ];
    let res = dispute(&app, &c, &fields).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let detail = app.invoice_json(&c, INVOICE).await;
    assert_eq!(detail["invoice"]["status"], "Disputed");
    assert_eq!(detail["disputed"]["minor"], 4_500, "the line's amount");
    assert_eq!(detail["collectable"]["minor"], 37_800);
    let shown = &detail["disputes"][0];
    assert_eq!(shown["lines"], serde_json::json!(["Delivery"]));
    assert_eq!(shown["messages"][0][2], "Delivery was free on orders over 300.");
    // The same form again is the same dispute; the event and the audit entry are written once.
    assert_eq!(dispute(&app, &c, &fields).await.status(), 200);
    let events = opened(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["amount"].as_str(), events[0]["reason"].as_str()),
        (Some("45.00"), Some("wrong_price_or_quantity"))
    );
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'dispute.opened'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // The rest cannot be disputed beyond what is left undisputed.
    let more =
        [("reason", "damaged"), ("lines[0]", "1"), ("amount", "378.01"), ("message", "Torn"), ("dispute_key", "d-2")];
    assert_eq!(problem_code(dispute(&app, &c, &more).await).await, (422, "dispute_amount_invalid".into()));

    // A promise covers what is asked, not what is disputed.
    let today = kassa_core::services::records::today_of(&app.ctx.pool, &app.demo_merchant().await).await.unwrap();
    let by = kassa_core::services::records::format_date(today + time::Duration::days(5));
    let promise =
        [("merchant", "demo"), ("number", INVOICE), ("date", by.as_str()), ("amount", "378.01"), ("promise_key", "p")];
    assert_eq!(
        problem_code(app.server_fn(&c, "promise_to_pay", &promise).await).await,
        (422, "promise_amount_invalid".into())
    );

    // Paying what is asked leaves only the disputed part: nothing more is asked.
    assert_eq!(app.pay(&c, INVOICE, "378", "pay-rest").await.status(), 200);
    let after = app.invoice_json(&c, INVOICE).await;
    assert_eq!(after["invoice"]["balance"]["minor"], 4_500);
    assert_eq!(after["collectable"]["minor"], 0);
    assert_eq!(after["invoice"]["status"], "Disputed");
    assert!(after["promise_dates"].is_null(), "nothing is asked for, so nothing to promise");
}

#[tokio::test]
async fn bad_disputes_are_refused_with_what_to_do() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("reason", "bogus"), ("message", "x"), ("dispute_key", "b-1")], "dispute_reason_unknown"),
        (&[("reason", "other"), ("message", "  "), ("dispute_key", "b-2")], "dispute_message_invalid"),
        (&[("reason", "other"), ("lines[0]", "9"), ("message", "x"), ("dispute_key", "b-3")], "dispute_line_unknown"),
        (&[("reason", "other"), ("amount", "0"), ("message", "x"), ("dispute_key", "b-4")], "dispute_amount_invalid"),
        (
            &[("reason", "other"), ("amount", "423.01"), ("message", "x"), ("dispute_key", "b-5")],
            "dispute_amount_invalid",
        ),
    ];
    for (fields, code) in cases {
        assert_eq!(problem_code(dispute(&app, &c, fields).await).await, (422, code.to_string()), "{fields:?}");
    }
    assert!(opened(&app).await.is_empty());
    // A whole-invoice dispute holds all that is open.
    let whole = [("reason", "not_received"), ("message", "Never arrived."), ("dispute_key", "w")];
    assert_eq!(dispute(&app, &c, &whole).await.status(), 200);
    let detail = app.invoice_json(&c, INVOICE).await;
    assert_eq!(detail["disputed"]["minor"], 42_300);
    assert_eq!(detail["collectable"]["minor"], 0);
}
