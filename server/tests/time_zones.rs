//! The merchant's time zone: its midnight decides what is due and overdue (pages, the API, the
//! overdue job), staff change it on the settings page or through the API, and pages write
//! dates and times the debtor's language's way on the merchant's clock.

mod common;
use common::{problem, TestApp};
use kassa_core::services::records;
use serde_json::{json, Value};

/// Where it is still yesterday (UTC-11) and where it is already tomorrow (UTC+14): on any day
/// these two calendars are one or two days apart.
const WEST: &str = "Pacific/Pago_Pago";
const EAST: &str = "Pacific/Kiritimati";

async fn set_zone(app: &TestApp, key: &str, zone: &str) {
    let (status, body) = app.api(key, http::Method::PATCH, "/settings", Some(json!({ "time_zone": zone }))).await;
    assert_eq!((status, body["time_zone"].as_str()), (200, Some(zone)), "{body}");
}

async fn announced(app: &TestApp, id: &str) -> bool {
    let at: Option<i64> = sqlx::query_scalar("SELECT overdue_notified_at FROM invoices WHERE id = $1")
        .bind(id)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    at.is_some()
}

#[tokio::test]
async fn the_merchants_midnight_decides_what_is_overdue() {
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let live = app.live_key().await;
    set_zone(&app, &live, WEST).await;
    // Due today where the merchant is: open, not overdue, not announced.
    let due = records::format_date(records::today_in(&records::time_zone(WEST).unwrap()));
    let body = json!({ "customer_number": "C-1003", "number": "TZ-1", "currency": "EUR", "issue_date": due,
                       "due_date": due, "lines": [{ "description": "Coffee", "quantity": 1, "unit_price": "10.00" }] });
    let (status, invoice) = app.api(&key, http::Method::POST, "/invoices", Some(body)).await;
    assert_eq!(status, 201, "{invoice}");
    let id = invoice["id"].as_str().unwrap().to_string();
    assert_eq!(invoice["status"], "open", "{invoice}");
    let overdue_numbers = |list: &Value| -> Vec<String> {
        list["data"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_string()).collect()
    };
    let (_, list) = app.api(&key, http::Method::GET, "/invoices?status=overdue&limit=200", None).await;
    assert!(!overdue_numbers(&list).contains(&"TZ-1".to_string()), "{list}");
    app.check_overdue().await;
    assert!(!announced(&app, &id).await, "not overdue yet where the merchant is");

    // The same moment where it is already a day or two later: overdue everywhere Kassa says so.
    set_zone(&app, &live, EAST).await;
    let (_, again) = app.api(&key, http::Method::GET, &format!("/invoices/{id}"), None).await;
    assert_eq!(again["status"], "overdue", "{again}");
    let (_, list) = app.api(&key, http::Method::GET, "/invoices?status=overdue&limit=200", None).await;
    assert!(overdue_numbers(&list).contains(&"TZ-1".to_string()), "{list}");
    app.check_overdue().await;
    assert!(announced(&app, &id).await, "announced once its merchant's day is past the due date");
}

#[tokio::test]
async fn settings_are_checked_audited_and_only_admins_change_them() {
    let app = TestApp::spawn().await;
    let key = app.live_key().await;
    let (status, settings) = app.api(&app.demo.api_key, http::Method::GET, "/settings", None).await;
    assert_eq!((status, settings["time_zone"].as_str()), (200, Some("Europe/Amsterdam")), "the default");
    // Settings apply to live mode too: the demo's test key reads them and may not change them.
    let (status, body) =
        app.api(&app.demo.api_key, http::Method::PATCH, "/settings", Some(json!({ "time_zone": "UTC" }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("live_key_required")), "{body}");

    // Not a zone: refused with words that say what to do, nothing changed.
    let (status, body) =
        app.api(&key, http::Method::PATCH, "/settings", Some(json!({ "time_zone": "Mars/Olympus" }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("unknown_time_zone")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("'Mars/Olympus' is not a time zone"), "{body}");
    // A key without the `settings` scope reads, and may not change.
    let reader = app.key(kassa_core::principal::Mode::Live, kassa_core::principal::Scopes::READ_WRITE).await;
    let (status, _) = app.api(&reader, http::Method::GET, "/settings", None).await;
    assert_eq!(status, 200);
    let (status, body) =
        app.api(&reader, http::Method::PATCH, "/settings", Some(json!({ "time_zone": "Europe/Copenhagen" }))).await;
    assert_eq!(status, 403, "{body}");

    // An admin on the settings page: the zones to choose from, the current one chosen.
    let admin = app.staff_member("tz-admin@demo.kassa.test", kassa_core::principal::StaffRole::Admin).await;
    let page = admin.get(format!("{}/admin/settings", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<option value="Europe/Amsterdam" selected"#), "{page}");
    assert!(page.contains(r#"<option value="Europe/Copenhagen""#) && page.contains(r#"<label for="time_zone""#));
    let res = app.server_fn(&admin, "save_settings", &[("time_zone", "Nowhere/Special")]).await;
    assert_eq!(res.status(), 422);
    assert!(problem(res).await.to_string().contains("unknown_time_zone"));
    let res = app.server_fn(&admin, "save_settings", &[("time_zone", "Europe/Copenhagen")]).await;
    assert_eq!(res.status(), 200);
    let page = admin.get(format!("{}/admin/settings", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<option value="Europe/Copenhagen" selected"#), "kept");
    assert!(page.contains("Settings saved."), "said once after saving");
    let page = admin.get(format!("{}/admin/settings", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("Settings saved."), "and only once");
    // Saving what is already set changes nothing and records nothing.
    assert_eq!(app.server_fn(&admin, "save_settings", &[("time_zone", "Europe/Copenhagen")]).await.status(), 200);
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT before_state, after_state FROM audit_log WHERE action = 'merchant.settings_changed' ORDER BY seq",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(audited[0].0.contains("Europe/Amsterdam") && audited[0].1.contains("Europe/Copenhagen"));

    // A viewer sees the setting, without a way to change it, and the server refuses anyway.
    let viewer = app.staff_member("tz-viewer@demo.kassa.test", kassa_core::principal::StaffRole::Viewer).await;
    let page = viewer.get(format!("{}/admin/settings", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Only admins and the owner change settings") && !page.contains("Save settings"));
    let res = app.server_fn(&viewer, "save_settings", &[("time_zone", "UTC")]).await;
    assert_ne!(res.status(), 200);
    let (_, settings) = app.api(&key, http::Method::GET, "/settings", None).await;
    assert_eq!(settings["time_zone"], "Europe/Copenhagen");
}

#[tokio::test]
async fn pages_write_dates_the_debtors_way_on_the_merchants_clock() {
    let app = TestApp::spawn().await;
    // The Danish roaster's invoice, in Danish: `1. dec. 2026`, never `2026-12-01`.
    let c = app.debtor("Fjordkaffe ApS").await;
    let html = c.get(format!("{}/p/demo/invoices/DK-2026-0205", app.url)).send().await.unwrap().text().await.unwrap();
    let danish =
        regex::Regex::new(r"\b\d{1,2}\. (jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)\.? \d{4}\b").unwrap();
    assert!(danish.is_match(&html), "{html}");
    let iso = regex::Regex::new(r">[^<]*\b20\d\d-\d\d-\d\d\b").unwrap();
    assert!(!iso.is_match(&html), "no ISO date in the page's text: {html}");
}
