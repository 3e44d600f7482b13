//! Invoice imports on SQLite and PostgreSQL: a Dutch spreadsheet export (semicolons, a BOM,
//! decimal commas, dd-mm-yyyy dates) through the service, the CLI and the API; a re-import
//! changes nothing; a file with problems is rejected whole with every problem at its line, or
//! its valid invoices imported when the merchant asks.

mod common;
use common::{client, TestApp};
use kassa_core::imports::{self, Format, OnError};
use kassa_core::jobs::{self, Worker};
use kassa_core::Principal;
use serde_json::Value;

/// The guide's example file (docs/imports.md), as a Dutch bookkeeping package exports it.
const DUTCH: &[u8] = include_bytes!("../../docs/examples/invoices-nl.csv");
const WITH_PROBLEMS: &[u8] = include_bytes!("fixtures/invoices-with-problems.csv");

async fn import(app: &TestApp, bytes: &[u8], on_error: OnError) -> imports::Report {
    let merchant = app.demo_merchant().await;
    imports::run(&app.ctx, &Principal::System, Some(&merchant), Format::Csv, bytes, on_error, &|_, _| {}).await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.ctx.pool).await.unwrap()
}

#[tokio::test]
async fn a_dutch_spreadsheet_imports_once_and_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = count(&app, "SELECT COUNT(*) FROM invoices").await;
    let report = import(&app, DUTCH, OnError::RejectFile).await;
    assert_eq!((report.invoices, report.created, report.unchanged, report.rejected), (3, 3, 0, 0), "{report:?}");
    assert!(report.problems.is_empty());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices").await, before + 3);
    // 12 x 18,45 + 20 x 7,90 = 221.40 + 158.00; 1.250 breakfasts at 4,35; 1.045,00 delivery.
    let totals: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT number, total_minor, issue_date, due_date FROM invoices WHERE number LIKE '2026-04%' ORDER BY number",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(
        totals,
        [
            ("2026-0417".into(), 37940, "2026-11-03".into(), "2026-11-17".into()),
            ("2026-0418".into(), 543750, "2026-11-04".into(), "2026-12-04".into()),
            ("2026-0419".into(), 104500, "2026-11-10".into(), "2026-11-24".into()),
        ]
    );
    let line: String = sqlx::query_scalar(
        "SELECT l.description FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
         WHERE i.number = '2026-0417' AND l.position = 2",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(line, "Roomboter; blok 1 kg");
    let (name, language): (String, String) =
        sqlx::query_as("SELECT name, language FROM customers WHERE number = 'DEB-1002'")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), language.as_str()), ("Hotel De Zeeuw", "nl"));

    let events = count(&app, "SELECT COUNT(*) FROM events").await;
    let again = import(&app, DUTCH, OnError::RejectFile).await;
    assert_eq!((again.created, again.unchanged), (0, 3));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices").await, before + 3);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, events, "a re-import emits nothing");
}

#[tokio::test]
async fn a_file_with_problems_is_rejected_whole_or_its_valid_invoices_imported() {
    let app = TestApp::spawn().await;
    import(&app, DUTCH, OnError::RejectFile).await;
    let before = count(&app, "SELECT COUNT(*) FROM invoices").await;
    let report = import(&app, WITH_PROBLEMS, OnError::RejectFile).await;
    let found: Vec<(u64, &str, &str)> =
        report.problems.iter().map(|p| (p.line, p.field.as_str(), p.problem.code())).collect();
    assert_eq!(
        found,
        [
            (3, "customer_number", "unknown_customer"),
            (3, "quantity", "quantity_invalid"),
            (4, "issue_date", "invalid_date"),
            (4, "unit_price", "amount_too_precise"),
        ],
        "{report:?}"
    );
    assert_eq!((report.created, report.rejected), (0, 3));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices").await, before, "nothing imported");

    let report = import(&app, WITH_PROBLEMS, OnError::SkipInvalid).await;
    assert_eq!((report.created, report.rejected, report.problems.len()), (1, 2, 4), "{report:?}");
    let imported: Vec<String> = sqlx::query_scalar("SELECT number FROM invoices WHERE number LIKE 'DK-5%'")
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(imported, ["DK-501"]);
}

#[test]
fn the_cli_imports_with_a_report_and_fails_naming_each_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kassa.db", dir.path().display());
    let kassa = || std::process::Command::new(env!("CARGO_BIN_EXE_kassa"));
    let out = kassa().args(["demo", "--database-url", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/invoices-nl.csv");
    let out =
        kassa().args(["import", "invoices", good, "--merchant", "demo", "--database-url", &url]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("3 invoices, 3 created, 0 unchanged, 0 not imported"), "{text}");

    let bad = format!("{fixtures}/invoices-with-problems.csv");
    let out =
        kassa().args(["import", "invoices", &bad, "--merchant", "demo", "--database-url", &url]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, quantity: The quantity 'ti'"), "{err}");
    assert!(err.contains("line 4, issue_date:") && err.contains("Nothing was imported"), "{err}");

    let out = kassa()
        .args(["import", "invoices", "/no/such.csv", "--merchant", "demo", "--database-url", &url])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /no/such.csv"));
}

#[tokio::test]
async fn the_api_takes_a_file_and_imports_it_in_the_background() {
    let app = TestApp::spawn().await;
    let form = |bytes: &'static [u8], on_error: &str| {
        reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("export.csv"))
            .text("on_error", on_error.to_string())
    };
    let post = |form: reqwest::multipart::Form| {
        client().post(format!("{}/api/v1/imports", app.url)).bearer_auth(&app.demo.api_key).multipart(form).send()
    };
    let res = post(form(DUTCH, "reject_file")).await.unwrap();
    assert_eq!(res.status(), 202);
    let queued: Value = res.json().await.unwrap();
    assert_eq!((queued["status"].as_str(), queued["filename"].as_str()), (Some("queued"), Some("export.csv")));
    let worker = Worker::new(app.ctx.clone(), jobs::handlers());
    while worker.run_once().await.unwrap() > 0 {}
    let get = |id: String| {
        let url = format!("{}/api/v1/imports/{id}", app.url);
        let key = app.demo.api_key.clone();
        async move { client().get(url).bearer_auth(key).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let done = get(queued["id"].as_str().unwrap().to_string()).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!((done["done"].as_u64(), done["total"].as_u64()), (Some(3), Some(3)));
    assert_eq!(done["report"]["created"], 3);
    let kept: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT content FROM imports").fetch_one(&app.ctx.pool).await.unwrap();
    assert!(kept.is_none(), "the file is dropped once it has run");

    let res = post(form(WITH_PROBLEMS, "skip_invalid")).await.unwrap();
    let queued: Value = res.json().await.unwrap();
    while worker.run_once().await.unwrap() > 0 {}
    let done = get(queued["id"].as_str().unwrap().to_string()).await;
    assert_eq!((done["report"]["created"].as_u64(), done["report"]["rejected"].as_u64()), (Some(1), Some(2)), "{done}");
    let first = &done["report"]["problems"][0];
    assert_eq!(
        (first["line"].as_u64(), first["field"].as_str(), first["code"].as_str()),
        (Some(3), Some("customer_number"), Some("unknown_customer"))
    );
    assert!(first["message"].as_str().unwrap().len() > 10);

    // What the form gets wrong is said; other keys' imports are not found.
    let res = post(reqwest::multipart::Form::new().text("on_error", "skip_invalid")).await.unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "file_required");
    let res = post(form(DUTCH, "sometimes")).await.unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "invalid_on_error");
    let live = app.live_key().await;
    let res = client()
        .get(format!("{}/api/v1/imports/{}", app.url, queued["id"].as_str().unwrap()))
        .bearer_auth(&live)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
