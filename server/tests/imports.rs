//! Invoice imports on SQLite and PostgreSQL: a Dutch spreadsheet export (semicolons, a BOM,
//! decimal commas, dd-mm-yyyy dates) through the service, the CLI and the API; a re-import
//! changes nothing; a file with problems is rejected whole with every problem at its line, or
//! its valid invoices imported when the merchant asks.

mod common;
use common::{client, TestApp};
use kassa_core::imports::{self, OnError, Upload};
use kassa_core::jobs::{self, Worker};
use kassa_core::Principal;
use serde_json::Value;

/// The guide's example file (docs/imports.md), as a Dutch bookkeeping package exports it.
const DUTCH: &[u8] = include_bytes!("../../docs/examples/invoices-nl.csv");
const WITH_PROBLEMS: &[u8] = include_bytes!("fixtures/invoices-with-problems.csv");

async fn import(app: &TestApp, bytes: &[u8], on_error: OnError) -> imports::Report {
    import_files(app, &[("export.csv", bytes)], on_error).await
}

async fn import_files(app: &TestApp, files: &[(&str, &[u8])], on_error: OnError) -> imports::Report {
    let merchant = app.demo_merchant().await;
    let files: Vec<Upload> =
        files.iter().map(|(name, bytes)| Upload { name: name.to_string(), bytes: bytes.to_vec() }).collect();
    imports::run(&app.ctx, &Principal::System, Some(&merchant), &files, on_error, &|_, _| {}).await.unwrap()
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
    // The guide's examples folder: the CSV file's three invoices, a Peppol invoice and its credit note.
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples");
    let out =
        kassa().args(["import", "invoices", examples, "--merchant", "demo", "--database-url", &url]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("3 files: 5 invoices and credit notes, 5 created, 0 unchanged, 0 not imported"), "{text}");
    let good = format!("{examples}/invoices-nl.csv");
    let out =
        kassa().args(["import", "invoices", &good, "--merchant", "demo", "--database-url", &url]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("invoices-nl.csv: 3 invoices and credit notes, 0 created, 3 unchanged"), "{text}");

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
    assert_eq!(count(&app, "SELECT COUNT(*) FROM import_files").await, 0, "the file is dropped once it has run");

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

/// The guide's Peppol BIS 3 examples (docs/imports.md): an invoice with VAT at two rates, a
/// delivery charge and payment details, and a credit note for two of its lines.
const PEPPOL_INVOICE: &[u8] = include_bytes!("../../docs/examples/invoice-peppol.xml");
const PEPPOL_CREDIT_NOTE: &[u8] = include_bytes!("../../docs/examples/credit-note-peppol.xml");

#[tokio::test]
async fn peppol_invoices_and_credit_notes_import_with_their_vat_and_payment_details() {
    let app = TestApp::spawn().await;
    // The credit note comes first: it is written after the invoice it credits all the same.
    let files = [("credit-note-peppol.xml", PEPPOL_CREDIT_NOTE), ("invoice-peppol.xml", PEPPOL_INVOICE)];
    let report = import_files(&app, &files, OnError::RejectFile).await;
    assert_eq!((report.invoices, report.created, report.unchanged, report.rejected), (2, 2, 0, 0), "{report:?}");
    let (total, open, reference, iban): (i64, i64, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT total_minor, open_minor, payment_reference, payee_iban FROM invoices WHERE number = '2026-0501'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(total, 46723, "the lines, the charge and the VAT come to the PayableAmount");
    assert_eq!(open, 46723 - 1722, "the credit note is applied to the invoice it names");
    assert_eq!(reference.as_deref(), Some("1000 0000 0501 2026"));
    assert_eq!(iban.as_deref(), Some("NL91ABNA0417164300"));
    let lines: Vec<(String, i64)> = sqlx::query_as(
        "SELECT l.description, l.amount_minor FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
         WHERE i.number = '2026-0501' ORDER BY l.position",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[5], ("VAT 9%".to_string(), 3460));
    let (name, language): (String, String) =
        sqlx::query_as("SELECT name, language FROM customers WHERE number = 'DEB-1001'")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), language.as_str()), ("Bakkerij Van Dijk B.V.", "nl"));
    let reason: String = sqlx::query_scalar("SELECT reason FROM credit_notes WHERE number = '2026-C-012'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(reason, "Twee blokken roomboter beschadigd geleverd");

    let events = count(&app, "SELECT COUNT(*) FROM events").await;
    let again = import_files(&app, &files, OnError::RejectFile).await;
    assert_eq!((again.created, again.unchanged, again.rejected), (0, 2, 0), "{again:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, events, "a re-import emits nothing");
}

#[tokio::test]
async fn a_ubl_document_with_problems_is_reported_at_its_line_and_xml_path() {
    let app = TestApp::spawn().await;
    let text = std::str::from_utf8(PEPPOL_INVOICE).unwrap();
    let broken = text
        .replace("<cbc:ID>2026-0501</cbc:ID>", "<cbc:ID>2026-0502</cbc:ID>")
        .replace(">20</cbc:InvoicedQuantity>", ">twenty</cbc:InvoicedQuantity>");
    let quantity_line = text.lines().position(|l| l.contains(">20</cbc:InvoicedQuantity>")).unwrap() as u64 + 1;
    let credit = std::str::from_utf8(PEPPOL_CREDIT_NOTE).unwrap().replace(
        "<cbc:ID>2026-0501</cbc:ID>\n      <cbc:IssueDate>",
        "<cbc:ID>2026-9999</cbc:ID>\n      <cbc:IssueDate>",
    );
    let files = [
        ("good.xml", PEPPOL_INVOICE),
        ("broken.xml", broken.as_bytes()),
        ("order.xml", b"<Order xmlns=\"urn:example\"/>".as_slice()),
        ("credit.xml", credit.as_bytes()),
    ];
    let report = import_files(&app, &files, OnError::RejectFile).await;
    let found: Vec<(Option<&str>, u64, &str, &str)> =
        report.problems.iter().map(|p| (p.file.as_deref(), p.line, p.field.as_str(), p.problem.code())).collect();
    assert_eq!(
        found,
        [
            (Some("broken.xml"), quantity_line, "/Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity", "quantity_invalid"),
            (Some("order.xml"), 1, "file", "import_not_ubl"),
        ],
        "{report:?}"
    );
    assert_eq!((report.invoices, report.created, report.rejected), (4, 0, 4));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices WHERE number LIKE '2026-05%'").await, 0);

    // Skipping those, the others are written; the credit note for an invoice Kassa does not
    // have is held as credit, with a warning at the element that names the invoice.
    let report = import_files(&app, &files, OnError::SkipInvalid).await;
    assert_eq!((report.created, report.rejected), (2, 2), "{report:?}");
    let warned = &report.warnings[..];
    assert_eq!(warned.len(), 1, "{report:?}");
    assert_eq!(
        (warned[0].file.as_deref(), warned[0].field.as_str(), warned[0].problem.code()),
        (
            Some("credit.xml"),
            "/CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
            "credit_held_for_unknown_invoice"
        )
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invoices WHERE number LIKE '2026-05%'").await, 1);
}

/// A zip archive of the Peppol examples, as an ERP exports a month of documents.
fn peppol_zip() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in
        [("2026-11/invoice-peppol.xml", PEPPOL_INVOICE), ("2026-11/credit-note-peppol.xml", PEPPOL_CREDIT_NOTE)]
    {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.start_file("2026-11/readme.txt", options).unwrap();
    zip.write_all(b"not a document: left out").unwrap();
    zip.finish().unwrap().into_inner()
}

/// GET an API path with the demo's test key.
async fn api_get(app: &TestApp, path: &str) -> Value {
    app.api(&app.demo.api_key, http::Method::GET, path, None).await.1
}

/// Sends an import, checks it is queued, runs the job queue dry and reads the import back.
async fn api_import(app: &TestApp, form: reqwest::multipart::Form) -> (Value, Value) {
    let url = format!("{}/api/v1/imports", app.url);
    let res = client().post(url).bearer_auth(&app.demo.api_key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let queued: Value = res.json().await.unwrap();
    let worker = Worker::new(app.ctx.clone(), jobs::handlers());
    while worker.run_once().await.unwrap() > 0 {}
    let done = api_get(app, &format!("/imports/{}", queued["id"].as_str().unwrap())).await;
    (queued, done)
}

#[tokio::test]
async fn the_api_takes_several_files_and_zip_archives_of_ubl_documents() {
    let app = TestApp::spawn().await;
    let part = |bytes: Vec<u8>, name: &'static str| reqwest::multipart::Part::bytes(bytes).file_name(name);
    let form = reqwest::multipart::Form::new()
        .part("file", part(peppol_zip(), "november.zip"))
        .part("file", part(DUTCH.to_vec(), "export.csv"));
    let (queued, done) = api_import(&app, form).await;
    assert_eq!((queued["filename"].as_str(), queued["files"].as_u64()), (Some("november.zip"), Some(2)));
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!((done["report"]["invoices"].as_u64(), done["report"]["created"].as_u64()), (Some(5), Some(5)), "{done}");
    let invoice = api_get(&app, "/invoices/by-number/2026-0501").await;
    assert_eq!(
        (invoice["total"]["amount"].as_str(), invoice["open"]["amount"].as_str()),
        (Some("467.23"), Some("450.01")),
        "{invoice}"
    );
    assert_eq!(
        (invoice["payment_reference"].as_str(), invoice["payee_iban"].as_str()),
        (Some("1000 0000 0501 2026"), Some("NL91ABNA0417164300"))
    );

    // A broken archive is said so, with the file's name.
    let form = reqwest::multipart::Form::new().part("file", part(b"PK\x03\x04 cut off".to_vec(), "broken.zip"));
    let (_, done) = api_import(&app, form).await;
    let problem = &done["report"]["problems"][0];
    assert_eq!(
        (problem["file"].as_str(), problem["code"].as_str()),
        (Some("broken.zip"), Some("import_archive_invalid"))
    );
}

#[tokio::test]
async fn a_number_twice_in_one_import_or_an_archive_in_an_archive_is_refused() {
    let app = TestApp::spawn().await;
    // The same invoice in two files: found before anything is written, whatever the chunks.
    let files = [("a/invoice.xml", PEPPOL_INVOICE), ("b/invoice.xml", PEPPOL_INVOICE)];
    let report = import_files(&app, &files, OnError::RejectFile).await;
    let found: Vec<(Option<&str>, &str, &str)> =
        report.problems.iter().map(|p| (p.file.as_deref(), p.field.as_str(), p.problem.code())).collect();
    assert_eq!(found, [(Some("b/invoice.xml"), "/Invoice/cbc:ID", "import_number_repeated")], "{report:?}");
    assert_eq!((report.created, report.rejected), (0, 2));
    let report = import_files(&app, &files, OnError::SkipInvalid).await;
    assert_eq!((report.created, report.rejected), (1, 1), "{report:?}");

    use std::io::Write;
    let mut outer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    outer.start_file("inner.xml", zip::write::SimpleFileOptions::default()).unwrap();
    outer.write_all(&peppol_zip()).unwrap();
    let nested = outer.finish().unwrap().into_inner();
    let report = import_files(&app, &[("nested.zip", &nested)], OnError::SkipInvalid).await;
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert_eq!(report.problems[0].problem.code(), "import_archive_invalid");
}

#[tokio::test]
async fn a_year_kassa_cannot_compute_with_is_a_problem_naming_its_field_not_a_crash() {
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let customer = serde_json::json!({ "number": "ERP-Y", "name": "Jansen", "email": "a@jansen.example",
        "payment_terms_days": 30 });
    assert_eq!(app.api(&key, http::Method::POST, "/customers", Some(customer)).await.0, 201);
    let invoice = |number: &str, issue: &str, due: Option<&str>| {
        let mut body = serde_json::json!({ "customer_number": "ERP-Y", "number": number, "currency": "EUR",
            "issue_date": issue, "lines": [ { "description": "Kaas", "quantity": "1", "unit_price": "9.99" } ] });
        if let Some(due) = due {
            body["due_date"] = due.into();
        }
        body
    };
    for (issue, due, field) in [
        ("9999-12-31", None, "issue_date"),
        ("0001-01-01", None, "issue_date"),
        ("2026-11-02", Some("9999-12-31"), "due_date"),
        // Valid itself, but 30 days of terms run past the last date.
        ("2999-12-20", None, "due_date"),
    ] {
        let (status, body) = app.api(&key, http::Method::POST, "/invoices", Some(invoice("Y-1", issue, due))).await;
        assert_eq!(status, 422, "{issue} {due:?}: {body}");
        assert_eq!(common::field_codes(&body), [(field, "date_out_of_range")], "{body}");
        assert!(body["error"]["errors"][0]["message"].as_str().unwrap().contains("1900-01-01 to 2999-12-31"), "{body}");
    }
    let (status, _) = app.api(&key, http::Method::POST, "/invoices", Some(invoice("Y-2", "2999-12-01", None))).await;
    assert_eq!(status, 201, "the range's last month still works");

    // The same in a file imported in the background: a problem at its line, and the queue
    // goes on to the next import.
    let csv = "invoice_number,customer_number,currency,issue_date,description,quantity,unit_price\n\
               Y-3,ERP-Y,EUR,9999-12-31,Kaas,1,9.99\n";
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("far.csv");
    let (_, done) = api_import(&app, reqwest::multipart::Form::new().part("file", part)).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let problem = &done["report"]["problems"][0];
    assert_eq!((problem["line"].as_u64(), problem["code"].as_str()), (Some(2), Some("date_out_of_range")), "{done}");
    let part = reqwest::multipart::Part::bytes(DUTCH.to_vec()).file_name("export.csv");
    let (_, next) = api_import(&app, reqwest::multipart::Form::new().part("file", part)).await;
    assert_eq!(next["status"], "succeeded", "{next}");
}

/// The guide's Peppol invoice as a correction under `number`: every amount below zero (so it
/// gives back all the invoice asked for), referring to `against`.
fn correction(number: &str, against: &str) -> Vec<u8> {
    let text = std::str::from_utf8(PEPPOL_INVOICE).unwrap();
    let reference = format!(
        "<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{against}</cbc:ID>\
         </cac:InvoiceDocumentReference></cac:BillingReference>"
    );
    text.replace("currencyID=\"EUR\">", "currencyID=\"EUR\">-")
        .replace("<cbc:ID>2026-0501</cbc:ID>", &format!("<cbc:ID>{number}</cbc:ID>"))
        .replace("<cbc:BuyerReference>", &format!("{reference}<cbc:BuyerReference>"))
        .into_bytes()
}

#[tokio::test]
async fn a_negative_invoice_is_a_credit_note_and_one_for_an_unknown_invoice_is_held_as_credit() {
    let app = TestApp::spawn().await;
    let report = import_files(&app, &[("invoice-peppol.xml", PEPPOL_INVOICE)], OnError::RejectFile).await;
    assert_eq!(report.created, 1, "{report:?}");
    // EN 16931 allows an invoice below zero: a correction that gives money back.
    let fix = correction("2026-0501-K", "2026-0501");
    let report = import_files(&app, &[("correction.xml", &fix)], OnError::RejectFile).await;
    assert_eq!((report.created, report.rejected), (1, 0), "{report:?}");
    assert!(report.problems.is_empty() && report.warnings.is_empty(), "{report:?}");
    let open: i64 = sqlx::query_scalar("SELECT open_minor FROM invoices WHERE number = '2026-0501'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(open, 0, "the correction credits all the invoice asked for");
    let credited = api_get(&app, "/credit_notes/by-number/2026-0501-K").await;
    assert_eq!(credited["amount"]["minor"], 46723, "{credited}");

    // A credit note for an invoice Kassa does not hold (one from before Kassa): imported, held
    // as credit on the customer, and the report says so.
    let text = std::str::from_utf8(PEPPOL_CREDIT_NOTE).unwrap();
    let unknown = text.replace("<cbc:ID>2026-0501</cbc:ID>", "<cbc:ID>2019-0042</cbc:ID>");
    let report = import_files(&app, &[("old-credit.xml", unknown.as_bytes())], OnError::RejectFile).await;
    assert_eq!((report.created, report.rejected), (1, 0), "{report:?}");
    let warned: Vec<(&str, &str)> = report.warnings.iter().map(|w| (w.field.as_str(), w.problem.code())).collect();
    assert_eq!(
        warned,
        [("/CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", "credit_held_for_unknown_invoice")]
    );
    let held = api_get(&app, "/credit_notes/by-number/2026-C-012").await;
    assert_eq!(held["unapplied"]["minor"], 1722, "{held}");
    // Through the API too, the report carries the warning.
    let part = reqwest::multipart::Part::bytes(unknown.into_bytes()).file_name("old-credit.xml");
    let (_, done) = api_import(&app, reqwest::multipart::Form::new().part("file", part)).await;
    assert_eq!(done["report"]["unchanged"], 1, "{done}");
    assert_eq!(done["report"]["warnings"][0]["code"], "credit_held_for_unknown_invoice", "{done}");
}

#[tokio::test]
async fn a_buyer_without_email_or_identifier_is_still_a_customer_to_collect_from() {
    let app = TestApp::spawn().await;
    let text = std::str::from_utf8(PEPPOL_INVOICE).unwrap();
    // EN 16931 makes the buyer's email and identifiers optional; real senders leave them out.
    let no_email = text.replace(
        "<cbc:ElectronicMail>administratie@bakkerijvandijk.example</cbc:ElectronicMail>",
        "<cbc:Telephone>+31 50 123 4567</cbc:Telephone>",
    );
    let anonymous = no_email
        .replace("<cbc:EndpointID schemeID=\"0106\">87654321</cbc:EndpointID>", "")
        .replace("<cac:PartyIdentification>\n        <cbc:ID>DEB-1001</cbc:ID>\n      </cac:PartyIdentification>", "")
        .replace("<cbc:ID>2026-0501</cbc:ID>", "<cbc:ID>2026-0601</cbc:ID>");
    assert!(!anonymous.contains("DEB-1001") && !anonymous.contains("87654321"));
    let again = anonymous.replace("<cbc:ID>2026-0601</cbc:ID>", "<cbc:ID>2026-0602</cbc:ID>");
    let files = [("no-email.xml", no_email.as_bytes()), ("anonymous.xml", anonymous.as_bytes())];
    let report = import_files(&app, &files, OnError::RejectFile).await;
    assert_eq!((report.created, report.rejected), (2, 0), "{report:?}");
    let report = import_files(&app, &[("again.xml", again.as_bytes())], OnError::RejectFile).await;
    assert_eq!((report.created, report.rejected), (1, 0), "{report:?}");
    let customers: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.number, c.email, i.number FROM invoices i JOIN customers c ON c.id = i.customer_id \
         WHERE i.number IN ('2026-0501', '2026-0601', '2026-0602') ORDER BY i.number",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    let by_name = "name:NL:Bakkerij Van Dijk B.V.".to_string();
    assert_eq!(
        customers,
        [
            ("DEB-1001".into(), "".into(), "2026-0501".into()),
            (by_name.clone(), "".into(), "2026-0601".into()),
            (by_name.clone(), "".into(), "2026-0602".into()),
        ],
        "a buyer without an identifier is known by its name and country, the same in every import"
    );
    // Over the API: no address, shown as none.
    let customer = api_get(&app, "/customers/by-number/DEB-1001").await;
    assert_eq!((customer["name"].as_str(), &customer["email"]), (Some("Bakkerij Van Dijk B.V."), &Value::Null));
    let pushed = serde_json::json!({ "number": "ERP-NOMAIL", "name": "Café Zonder Mail" });
    let (status, created) = app.api(&app.demo.api_key, http::Method::POST, "/customers", Some(pushed)).await;
    assert_eq!((status, &created["email"]), (201, &Value::Null), "{created}");
}
