//! Promises to pay: the debtor names a date within the merchant's window on the invoice's
//! page; collection of the invoice pauses until that date plus grace; the hourly review
//! marks the promise kept (paid in time) or broken, with its event and audit entry. Time is
//! injected into the review, not waited for.

mod common;
use common::TestApp;
use kassa_core::services::promises;
use kassa_domain::promise::{PromisePolicy, PromiseState};
use serde_json::Value;
use time::{Date, Duration};

/// NL-2026-0101 of the demo's bakery: 423.00, overdue, nothing paid.
const OVERDUE: &str = "NL-2026-0101";

async fn today(app: &TestApp) -> Date {
    kassa_core::services::records::today_of(&app.ctx.pool, &app.demo_merchant().await).await.unwrap()
}

async fn promise(
    app: &TestApp,
    c: &reqwest::Client,
    number: &str,
    date: &str,
    amount: &str,
    key: &str,
) -> reqwest::Response {
    let form = [("merchant", "demo"), ("number", number), ("date", date), ("amount", amount), ("promise_key", key)];
    app.server_fn(c, "promise_to_pay", &form).await
}

async fn problem_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let problem: kassa_domain::Problem = serde_json::from_value(common::problem(res).await).unwrap();
    assert_eq!(status, problem.http_status(), "{problem:?}");
    (status, problem.code().to_string())
}

/// The bakery's events of `kind` (the demo's Danish customer has promises of its own).
async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let (_, bakery) = app.demo_customer("C-1001").await;
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM events WHERE type = $1 ORDER BY created_at, id")
        .bind(kind)
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap())
        .filter(|d| d["customer"] == bakery.as_str())
        .collect()
}

/// Audit entries `action` about the bakery's promises.
async fn audited(app: &TestApp, action: &str) -> i64 {
    let (_, bakery) = app.demo_customer("C-1001").await;
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log a JOIN promises p ON p.id = a.subject_id \
         WHERE a.action = $1 AND p.customer_id = $2",
    )
    .bind(action)
    .bind(bakery.as_str())
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap()
}

/// A date as the server functions' JSON carries it.
fn json(date: Date) -> Value {
    serde_json::to_value(date).unwrap()
}

fn iso(date: Date) -> String {
    kassa_core::services::records::format_date(date)
}

#[tokio::test]
async fn a_promise_pauses_collection_and_shows_on_the_invoice() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let before = app.invoice_json(&c, OVERDUE).await;
    assert_eq!(before["invoice"]["status"], "Overdue");
    let dates = before["promise_dates"].as_array().expect("an overdue invoice may be promised");
    let today = today(&app).await;
    assert_eq!(dates[0], json(today));
    assert_eq!(dates[1], json(today + Duration::days(30)), "the default window is 30 days");

    let by = iso(today + Duration::days(10));
    let res = promise(&app, &c, OVERDUE, &by, "", "promise-1").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let after = app.invoice_json(&c, OVERDUE).await;
    assert_eq!(after["invoice"]["status"], "Promised");
    assert_eq!(after["promise"]["date"], json(today + Duration::days(10)));
    assert_eq!(after["promise"]["amount"]["minor"], 42_300, "all it owes by default");
    assert!(after["promise_dates"].is_null(), "promised once");

    // The same form again is the same promise; another promise on the invoice is refused.
    assert_eq!(promise(&app, &c, OVERDUE, &by, "", "promise-1").await.status(), 200);
    let again = promise(&app, &c, OVERDUE, &by, "", "promise-2").await;
    assert_eq!(problem_code(again).await, (409, "invoice_already_promised".into()));
    let made = events(&app, "promise.made").await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["invoices"][0], OVERDUE);
    assert_eq!(made[0]["amount"], "423.00");
    assert_eq!(made[0]["pause_until"], iso(today + Duration::days(13)), "the date plus three days' grace");
    assert_eq!(audited(&app, "promise.made").await, 1);

    // Staff see it.
    let collector = staff(&app, kassa_core::principal::StaffRole::Collector).await;
    let open = promises::list(&app.ctx, &collector, Some(PromiseState::Open), None, 50).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].invoices[0].as_str(), OVERDUE);
    let kept = promises::list(&app.ctx, &collector, Some(PromiseState::Kept), None, 50).await.unwrap();
    assert!(kept.iter().all(|p| p.customer_number == "C-1002"), "only the demo's Danish customer's");

    // And the merchant's systems, through the API (a test key: the demo is in test mode).
    let key = &app.demo.api_key;
    let (status, listed) = app.api(key, http::Method::GET, "/promises?state=open", None).await;
    assert_eq!(status, 200, "{listed}");
    let first = &listed["data"][0];
    assert_eq!(first["object"], "promise");
    assert_eq!(first["invoices"], serde_json::json!([OVERDUE]));
    assert_eq!(first["amount"]["amount"], "423.00");
    assert_eq!(first["date"], by);
    assert_eq!(first["state"], "open");
    let (status, one) =
        app.api(key, http::Method::GET, &format!("/promises/{}", first["id"].as_str().unwrap()), None).await;
    assert_eq!((status, &one["id"]), (200, &first["id"]));
    let (status, kept) = app.api(key, http::Method::GET, "/promises?state=kept", None).await;
    assert_eq!((status, &kept["data"][0]["invoices"]), (200, &serde_json::json!(["DK-2026-0208"])), "the demo's");
    assert_eq!(kept["data"].as_array().unwrap().len(), 1);
    // Paged by cursor, newest first: every promise once.
    let mut seen = Vec::new();
    let mut path = "/promises?limit=1".to_string();
    loop {
        let (status, page) = app.api(key, http::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(page["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/promises?limit=1&after={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 3, "the demo's two and this one");
    assert!(seen.contains(&first["id"].as_str().unwrap().to_string()));
    let (status, _) = app.api(key, http::Method::GET, "/promises?state=late", None).await;
    assert_eq!(status, 400);
    let live = app.live_key().await;
    let (status, live_list) = app.api(&live, http::Method::GET, "/promises", None).await;
    assert_eq!((status, live_list["data"].as_array().unwrap().len()), (200, 0), "test data stays out of live");
}

async fn staff(app: &TestApp, role: kassa_core::principal::StaffRole) -> kassa_core::Principal {
    kassa_core::Principal::Staff(kassa_core::principal::Staff {
        merchant: app.demo_merchant().await,
        staff: kassa_domain::StaffId::from_raw("s_test"),
        role,
        email: "staff@demo.kassa.test".into(),
    })
}

#[tokio::test]
async fn bad_promises_are_refused_with_what_to_do() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;
    let cases = [
        (iso(today - Duration::days(1)), "", "promise_date_in_past"),
        (iso(today + Duration::days(31)), "", "promise_date_too_far"),
        ("next week".to_string(), "", "invalid_date"),
        (iso(today + Duration::days(5)), "423.01", "promise_amount_invalid"),
        (iso(today + Duration::days(5)), "0", "promise_amount_invalid"),
        (iso(today + Duration::days(5)), "ten", "amount_not_a_number"),
    ];
    for (n, (date, amount, code)) in cases.iter().enumerate() {
        let res = promise(&app, &c, OVERDUE, date, amount, &format!("bad-{n}")).await;
        assert_eq!(problem_code(res).await, (422, code.to_string()), "{date} {amount}");
    }
    // A paid invoice has nothing to promise; another customer's is not found.
    let res = promise(&app, &c, "NL-2026-0103", &iso(today), "", "paid").await;
    assert_eq!(problem_code(res).await.1, "invoice_already_paid");
    let res = promise(&app, &c, "DK-2026-0201", &iso(today), "", "other").await;
    assert_eq!(res.status(), 404);
    assert!(events(&app, "promise.made").await.is_empty(), "nothing was promised");
}

#[tokio::test]
async fn the_review_marks_a_promise_broken_after_its_grace_and_collection_resumes() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;
    let by = today + Duration::days(5);
    assert_eq!(promise(&app, &c, OVERDUE, &iso(by), "200", "p").await.status(), 200);

    // On its date plus grace it still holds; the day after it is broken.
    assert_eq!(promises::review(&app.ctx, |_| by + Duration::days(3)).await.unwrap(), 0);
    assert_eq!(app.invoice_json(&c, OVERDUE).await["invoice"]["status"], "Promised");
    assert_eq!(promises::review(&app.ctx, |_| by + Duration::days(4)).await.unwrap(), 1);
    let after = app.invoice_json(&c, OVERDUE).await;
    assert_eq!(after["invoice"]["status"], "Overdue", "back in collection");
    assert!(after["promise"].is_null());
    assert!(after["promise_dates"].is_array(), "a new promise may be made");
    let broken = events(&app, "promise.broken").await;
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0]["paid"], "0.00");
    assert_eq!(audited(&app, "promise.broken").await, 1);
    // Reviewing again changes nothing.
    assert_eq!(promises::review(&app.ctx, |_| by + Duration::days(40)).await.unwrap(), 0);
}

#[tokio::test]
async fn paying_what_was_promised_keeps_the_promise() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;
    assert_eq!(promise(&app, &c, OVERDUE, &iso(today + Duration::days(7)), "200", "p").await.status(), 200);
    // 150 is not yet the 200 promised.
    assert_eq!(app.pay(&c, OVERDUE, "150", "pay-1").await.status(), 200);
    assert_eq!(promises::review(&app.ctx, |_| today).await.unwrap(), 0);
    assert_eq!(app.pay(&c, OVERDUE, "50", "pay-2").await.status(), 200);
    assert_eq!(promises::review(&app.ctx, |_| today).await.unwrap(), 1);
    let kept = events(&app, "promise.kept").await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["paid"], "200.00");
    let after = app.invoice_json(&c, OVERDUE).await;
    assert_eq!(after["invoice"]["status"], "Overdue", "the rest is owed and collected again");
    assert!(events(&app, "promise.broken").await.is_empty());
}

#[tokio::test]
async fn admins_set_the_window_and_grace_within_limits() {
    let app = TestApp::spawn().await;
    let merchant = app.demo_merchant().await;
    let admin = staff(&app, kassa_core::principal::StaffRole::Admin).await;
    let collector = staff(&app, kassa_core::principal::StaffRole::Collector).await;
    let tight = PromisePolicy { window_days: 7, grace_days: 0 };
    // Through the API: a test key may not change settings, a live one may, within limits.
    let (status, problem) = app
        .api(
            &app.demo.api_key,
            http::Method::PUT,
            "/settings/promises",
            Some(serde_json::json!({ "window_days": 7, "grace_days": 0 })),
        )
        .await;
    assert_eq!((status, problem["error"]["code"].as_str()), (403, Some("live_key_required")), "{problem}");
    let live = app.live_key().await;
    let (status, problem) = app
        .api(
            &live,
            http::Method::PUT,
            "/settings/promises",
            Some(serde_json::json!({ "window_days": 400, "grace_days": 0 })),
        )
        .await;
    assert_eq!((status, problem["error"]["code"].as_str()), (422, Some("promise_policy_invalid")), "{problem}");
    let (status, read) = app.api(&live, http::Method::GET, "/settings/promises", None).await;
    assert_eq!((status, read), (200, serde_json::json!({ "window_days": 30, "grace_days": 3 })));
    assert!(promises::set_policy(&app.ctx, &collector, tight).await.is_err(), "collectors do not change settings");
    for bad in [PromisePolicy { window_days: 0, grace_days: 0 }, PromisePolicy { window_days: 30, grace_days: 61 }] {
        let err = promises::set_policy(&app.ctx, &admin, bad).await.unwrap_err();
        assert!(matches!(err, kassa_core::Error::Problem(kassa_domain::Problem::PromisePolicyInvalid)), "{err:?}");
    }
    assert_eq!(promises::set_policy(&app.ctx, &admin, tight).await.unwrap(), tight);
    assert_eq!(promises::policy(&app.ctx.pool, &merchant).await.unwrap(), tight);
    let changed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.promises_changed'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(changed, 1);

    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;
    let res = promise(&app, &c, OVERDUE, &iso(today + Duration::days(8)), "", "late").await;
    assert_eq!(problem_code(res).await, (422, "promise_date_too_far".into()));
}

#[tokio::test]
async fn the_demo_shows_a_kept_and_a_broken_promise() {
    let app = TestApp::spawn().await;
    let collector = staff(&app, kassa_core::principal::StaffRole::Collector).await;
    let kept = promises::list(&app.ctx, &collector, Some(PromiseState::Kept), None, 50).await.unwrap();
    let broken = promises::list(&app.ctx, &collector, Some(PromiseState::Broken), None, 50).await.unwrap();
    assert_eq!(kept.iter().map(|p| p.invoices[0].as_str()).collect::<Vec<_>>(), ["DK-2026-0208"]);
    assert_eq!(broken.iter().map(|p| p.invoices[0].as_str()).collect::<Vec<_>>(), ["DK-2026-0201"]);
    // Seeding again (as every printed link does) adds none and changes none.
    app.magic_link("Fjordkaffe ApS").await;
    assert_eq!(promises::list(&app.ctx, &collector, None, None, 50).await.unwrap().len(), 2);
    let c = app.debtor("Fjordkaffe ApS").await;
    assert_eq!(app.invoice_json(&c, "DK-2026-0201").await["invoice"]["status"], "Overdue", "collected again");
}
