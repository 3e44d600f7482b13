//! Disputes: a debtor contests a whole invoice or chosen lines from the invoice's page (a
//! plain multipart form, with photos or documents); the disputed amount leaves collection,
//! the rest stays payable and is what the pay form asks. Staff answer, note and resolve; the
//! API reads, answers and resolves.

mod common;
use common::TestApp;
use serde_json::Value;

/// NL-2026-0101 of the demo's bakery: 12 sacks of rye flour (378.00) and delivery (45.00),
/// 423.00 overdue, nothing paid.
const INVOICE: &str = "NL-2026-0101";

/// Sends the invoice's dispute form as a browser does (multipart), with `files` as (name,
/// bytes): the answer is a redirect back to the invoice (`#dispute` when it was refused).
async fn dispute_with(
    app: &TestApp,
    c: &reqwest::Client,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (name, bytes) in files {
        form = form.part("files", reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
    }
    let url = format!("{}/p/demo/invoices/{INVOICE}/dispute", app.url);
    c.post(url).header("origin", &app.url).multipart(form).send().await.unwrap()
}

async fn dispute(app: &TestApp, c: &reqwest::Client, fields: &[(&str, &str)]) -> reqwest::Response {
    dispute_with(app, c, fields, &[]).await
}

/// Where a sent dispute form went back to: the invoice, or (refused) its form.
fn back_to(res: &reqwest::Response) -> &str {
    assert_eq!(res.status(), 303, "the form goes back to the invoice");
    res.headers()["location"].to_str().unwrap()
}

/// The debtor of the demo's bakery, as the services see them.
async fn bakery(app: &TestApp) -> kassa_core::Principal {
    let (merchant, customer) = app.demo_customer("C-1001").await;
    kassa_core::Principal::Debtor(kassa_core::principal::Debtor { merchant, customer, invoice: None })
}

/// What the service answers a dispute of [`INVOICE`] by the bakery with `fields`: the
/// problem's code, or `ok`.
async fn opened_as(app: &TestApp, fields: &[(&str, &str)], files: Vec<(&str, Vec<u8>)>) -> String {
    use kassa_core::services::disputes::{self, OpenDispute, Upload};
    let field = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()).unwrap_or_default();
    let cmd = OpenDispute {
        invoice: kassa_domain::InvoiceNumber::parse(INVOICE).unwrap(),
        reason: field("reason"),
        lines: fields.iter().filter(|(n, _)| n.starts_with("lines")).map(|(_, v)| v.parse().unwrap()).collect(),
        amount: Some(field("amount")),
        decimal: ',',
        message: field("message"),
        files: files.into_iter().map(|(n, bytes)| Upload { filename: n.into(), bytes }).collect(),
        key: field("dispute_key"),
    };
    match disputes::open(&app.ctx, &bakery(app).await, cmd).await {
        Ok(_) => "ok".into(),
        Err(kassa_core::Error::Problem(p)) => p.code().into(),
        Err(e) => panic!("{e:?}"),
    }
}

async fn problem_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let problem: kassa_domain::Problem = serde_json::from_value(common::problem(res).await).unwrap();
    assert_eq!(status, problem.http_status(), "{problem:?}");
    (status, problem.code().to_string())
}

/// The `dispute.opened` events of [`INVOICE`] (the demo seeds a dispute of its own).
async fn opened(app: &TestApp) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM events WHERE type = 'dispute.opened' ORDER BY id")
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    rows.iter().map(|d| serde_json::from_str::<Value>(d).unwrap()).filter(|d| d["number"] == INVOICE).collect()
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
    assert_eq!(back_to(&res), format!("/p/demo/invoices/{INVOICE}"));
    let detail = app.invoice_json(&c, INVOICE).await;
    assert_eq!(detail["invoice"]["status"], "Disputed");
    assert_eq!(detail["disputed"]["minor"], 4_500, "the line's amount");
    assert_eq!(detail["collectable"]["minor"], 37_800);
    let shown = &detail["disputes"][0];
    assert_eq!(shown["lines"], serde_json::json!(["Delivery"]));
    assert_eq!(shown["messages"][0][2], "Delivery was free on orders over 300.");
    // The same form again is the same dispute; the event and the audit entry are written once.
    assert_eq!(back_to(&dispute(&app, &c, &fields).await), format!("/p/demo/invoices/{INVOICE}"));
    let events = opened(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0]["amount"].as_str(), events[0]["reason"].as_str()),
        (Some("45.00"), Some("wrong_price_or_quantity"))
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'dispute.opened' AND subject_id = $1")
            .bind(events[0]["dispute"].as_str().unwrap())
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // The rest cannot be disputed beyond what is left undisputed.
    let more =
        [("reason", "damaged"), ("lines[0]", "1"), ("amount", "378,01"), ("message", "Torn"), ("dispute_key", "d-2")];
    assert_eq!(opened_as(&app, &more, Vec::new()).await, "dispute_amount_invalid");

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
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let big = [b"%PDF-1.4\n".to_vec(), vec![b' '; 5 * 1024 * 1024], b"%%EOF\n".to_vec()].concat();
    let fine = |key| vec![("reason", "other"), ("message", "x"), ("dispute_key", key)];
    type Fields<'a> = Vec<(&'a str, &'a str)>;
    type Files<'a> = Vec<(&'a str, Vec<u8>)>;
    let cases: Vec<(Fields, Files, &str)> = vec![
        (vec![("reason", "bogus"), ("message", "x"), ("dispute_key", "b-1")], vec![], "dispute_reason_unknown"),
        (vec![("reason", "other"), ("message", "  "), ("dispute_key", "b-2")], vec![], "dispute_message_invalid"),
        (vec![("reason", "other"), ("lines[0]", "9"), ("message", "x")], vec![], "dispute_line_unknown"),
        (
            vec![("reason", "other"), ("amount", "0"), ("message", "x"), ("dispute_key", "b-4")],
            vec![],
            "dispute_amount_invalid",
        ),
        (vec![("reason", "other"), ("amount", "423,01"), ("message", "x")], vec![], "dispute_amount_invalid"),
        // Named a PDF, but text; a PDF that is too large; one file too many.
        (fine("b-6"), vec![("bon.pdf", b"not a pdf at all".to_vec())], "dispute_file_not_accepted"),
        (fine("b-7"), vec![("scan.pdf", big)], "dispute_file_too_large"),
        (
            fine("b-8"),
            vec![("a.pdf", pdf.clone()), ("b.pdf", pdf.clone()), ("c.pdf", pdf.clone()), ("d.pdf", pdf)],
            "dispute_too_many_files",
        ),
    ];
    for (fields, files, code) in cases {
        let mut fields = fields;
        if !fields.iter().any(|(n, _)| *n == "dispute_key") {
            fields.push(("dispute_key", "b-x"));
        }
        assert_eq!(opened_as(&app, &fields, files).await, code, "{fields:?}");
    }
    assert!(opened(&app).await.is_empty());

    // Through the form: back to the form, filled in as it was sent, with what was wrong in
    // the debtor's language; nothing is written.
    let sent = [("reason", "damaged"), ("lines[0]", "1"), ("message", "De zakken waren nat."), ("dispute_key", "f")];
    let res = dispute_with(&app, &c, &sent, &[("foto.png", b"GIF89a not a png".to_vec())]).await;
    assert_eq!(back_to(&res), format!("/p/demo/invoices/{INVOICE}#dispute"));
    let detail = app.invoice_json(&c, INVOICE).await;
    let draft = &detail["dispute_draft"];
    assert_eq!(
        draft["error"].as_str().unwrap().split(':').next(),
        Some("'foto.png' is geen PDF-, JPEG- of PNG-bestand")
    );
    assert_eq!((draft["reason"].as_str(), draft["message"].as_str()), (Some("damaged"), Some("De zakken waren nat.")));
    assert_eq!(draft["lines"], serde_json::json!([1]));
    assert!(opened(&app).await.is_empty());
    assert!(app.invoice_json(&c, INVOICE).await["dispute_draft"].is_null(), "said once");

    // A whole-invoice dispute holds all that is open.
    let whole = [("reason", "not_received"), ("message", "Never arrived."), ("dispute_key", "w")];
    assert_eq!(back_to(&dispute(&app, &c, &whole).await), format!("/p/demo/invoices/{INVOICE}"));
    let detail = app.invoice_json(&c, INVOICE).await;
    assert_eq!(detail["disputed"]["minor"], 42_300);
    assert_eq!(detail["collectable"]["minor"], 0);
}

#[tokio::test]
async fn a_disputes_files_are_told_by_content_and_go_only_to_its_parties() {
    use http::Method;
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let photo = common::png(40, 30);
    let sent = [("reason", "damaged"), ("lines[0]", "1"), ("message", "Zie de foto."), ("dispute_key", "files")];
    // A photo whose name says JPEG: it is a PNG, and is kept as one.
    let files = [("C:\\Users\\bakker\\foto van de zak.JPG", photo.clone()), ("pakbon.pdf", pdf.clone())];
    assert_eq!(back_to(&dispute_with(&app, &c, &sent, &files).await), format!("/p/demo/invoices/{INVOICE}"));
    let detail = app.invoice_json(&c, INVOICE).await;
    let shown = detail["disputes"][0]["files"].as_array().unwrap().clone();
    let labels: Vec<&str> = shown.iter().map(|f| f[1].as_str().unwrap()).collect();
    assert_eq!(labels, ["foto van de zak.png (1 KB)", "pakbon.pdf (1 KB)"]);
    let href = shown[0][0].as_str().unwrap().to_string();
    assert!(href.starts_with("/p/demo/disputes/"), "{href}");

    // The debtor downloads it: the bytes as sent, never shown in Kassa's origin.
    let res = c.get(format!("{}{href}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"foto_van_de_zak.png\"");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("no-store"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), photo);

    // Nobody else's: another debtor and nobody get nothing; staff get it from the admin.
    let other = app.debtor("Studio Grachten").await;
    assert_eq!(other.get(format!("{}{href}", app.url)).send().await.unwrap().status(), 404);
    assert_eq!(common::client().get(format!("{}{href}", app.url)).send().await.unwrap().status(), 401);
    let id: String =
        sqlx::query_scalar("SELECT d.id FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE i.number = $1")
            .bind(INVOICE)
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    let file = href.rsplit('/').next().unwrap().to_string();
    let admin_href = format!("{}/admin/disputes/{id}/files/{file}", app.url);
    let viewer = app.staff_member("vera@demo.example", kassa_core::principal::StaffRole::Viewer).await;
    let res = viewer.get(&admin_href).send().await.unwrap();
    assert_eq!((res.status().as_u16(), res.headers()["content-type"].to_str().unwrap()), (200, "image/png"));
    assert_eq!(common::client().get(&admin_href).send().await.unwrap().status(), 303, "to the sign-in");
    let staff_page: Value = app.server_fn(&viewer, "load_dispute", &[("id", id.as_str())]).await.json().await.unwrap();
    assert_eq!(
        staff_page["files"][1][0],
        format!("/admin/disputes/{id}/files/{}", shown[1][0].as_str().unwrap().rsplit('/').next().unwrap())
    );

    // The API lists them and serves them to the key's own mode only.
    let (status, got) = app.api(&app.demo.api_key, Method::GET, &format!("/disputes/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(got["files"][1]["content_type"], "application/pdf");
    assert_eq!(got["files"][1]["size_bytes"], pdf.len());
    let res = common::client()
        .get(format!("{}/api/v1/disputes/{id}/files/{file}", app.url))
        .bearer_auth(&app.demo.api_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status().as_u16(), res.headers()["content-type"].to_str().unwrap()),
        (200, "application/octet-stream")
    );
    assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"foto_van_de_zak.png\"");
    assert_eq!(res.bytes().await.unwrap().to_vec(), photo);
    let live = app.live_key().await;
    let (status, _) = app.api(&live, Method::GET, &format!("/disputes/{id}/files/{file}"), None).await;
    assert_eq!(status, 404);
}

/// A staff member of the demo merchant who may write (a collector), as the admin's server
/// functions see them.
async fn collector(app: &TestApp) -> reqwest::Client {
    app.staff_member("ria@demo.example", kassa_core::principal::StaffRole::Collector).await
}

/// The debtor's dispute of the delivery line (45.00) of NL-2026-0101, and its id.
async fn delivery_disputed(app: &TestApp, c: &reqwest::Client) -> String {
    let fields = [
        ("reason", "wrong_price_or_quantity"),
        ("lines[0]", "2"),
        ("message", "Delivery was free on orders over 300."),
        ("dispute_key", "d-1"),
    ];
    assert_eq!(back_to(&dispute(app, c, &fields).await), format!("/p/demo/invoices/{INVOICE}"));
    sqlx::query_scalar("SELECT d.id FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE i.number = $1")
        .bind(INVOICE)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

/// How many events of `kind` there are about `subject` (a dispute's id), or of every subject.
async fn event_count(app: &TestApp, kind: &str, subject: Option<&str>) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE type = $1 AND ($2 = '' OR subject_id = $2)")
        .bind(kind)
        .bind(subject.unwrap_or(""))
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_answer_note_and_resolve_with_a_credit_note_in_part_and_the_invoice_changes_at_once() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let id = delivery_disputed(&app, &c).await;
    let staff = collector(&app).await;
    let credit_notes_before = event_count(&app, "credit_note.created", None).await;

    // An internal note: the debtor never sees it, nothing is sent, the dispute stays open.
    let note =
        [("dispute", id.as_str()), ("message", "Check the delivery terms first."), ("internal", "1"), ("key", "n")];
    assert_eq!(app.server_fn(&staff, "answer_dispute", &note).await.status(), 200);
    let seen = app.invoice_json(&c, INVOICE).await;
    assert_eq!(seen["disputes"][0]["messages"].as_array().unwrap().len(), 1, "the note is not the debtor's to read");
    assert_eq!(event_count(&app, "dispute.message", Some(&id)).await, 0);

    // An answer: the debtor reads it, the dispute is under review, the debtor is mailed.
    let answer = [("dispute", id.as_str()), ("message", "We are checking with our driver."), ("key", "a")];
    assert_eq!(app.server_fn(&staff, "answer_dispute", &answer).await.status(), 200);
    assert_eq!(app.server_fn(&staff, "answer_dispute", &answer).await.status(), 200, "the same form once");
    let seen = app.invoice_json(&c, INVOICE).await;
    let thread = &seen["disputes"][0]["messages"];
    assert_eq!(thread.as_array().unwrap().len(), 2);
    assert_eq!(thread[1][2], "We are checking with our driver.");
    assert_eq!(seen["disputes"][0]["status"], "In behandeling", "in the debtor's language");
    assert_eq!(event_count(&app, "dispute.message", Some(&id)).await, 1);

    // The debtor answers back.
    let back = [
        ("merchant", "demo"),
        ("number", INVOICE),
        ("dispute", id.as_str()),
        ("message", "The order was 378.00."),
        ("reply_key", "r"),
    ];
    assert_eq!(app.server_fn(&c, "answer_my_dispute", &back).await.status(), 200);
    let detail: Value = app.server_fn(&staff, "load_dispute", &[("id", id.as_str())]).await.json().await.unwrap();
    let bodies: Vec<&str> =
        detail["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(
        bodies,
        [
            "Delivery was free on orders over 300.",
            "Check the delivery terms first.",
            "We are checking with our driver.",
            "The order was 378.00."
        ]
    );
    assert_eq!(detail["messages"][1]["internal"], true);
    assert_eq!(detail["credit_note_example"], "NL-2026-0101-C1");

    // Resolved with a credit note of 20.00 of the 45.00: the invoice owes 403.00, all of it
    // collectable again, and the debtor sees why.
    let resolve = [
        ("dispute", id.as_str()),
        ("outcome", "credited_in_part"),
        ("credit", "20.00"),
        ("credit_note_number", ""),
        ("message", "Delivery is charged at half, as agreed."),
    ];
    let res = app.server_fn(&staff, "resolve_dispute", &resolve).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let seen = app.invoice_json(&c, INVOICE).await;
    assert_eq!(seen["invoice"]["balance"]["minor"], 40_300);
    assert_eq!((seen["disputed"]["minor"].as_i64(), seen["collectable"]["minor"].as_i64()), (Some(0), Some(40_300)));
    assert_eq!(seen["invoice"]["status"], "Overdue");
    let shown = &seen["disputes"][0];
    assert_eq!(shown["open"], false);
    assert!(shown["credited"].as_str().unwrap().contains("NL-2026-0101-C1"), "{shown}");
    let number: String = sqlx::query_scalar("SELECT number FROM credit_notes WHERE amount_minor = 2000")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(number, "NL-2026-0101-C1");
    assert_eq!(event_count(&app, "dispute.resolved", Some(&id)).await, 1);
    assert_eq!(event_count(&app, "credit_note.created", None).await, credit_notes_before + 1);

    // Resolving again the same way answers it as it is; another way, or another answer from
    // the debtor, is refused.
    assert_eq!(app.server_fn(&staff, "resolve_dispute", &resolve).await.status(), 200);
    assert_eq!(event_count(&app, "credit_note.created", None).await, credit_notes_before + 1, "never credited twice");
    let other = [("dispute", id.as_str()), ("outcome", "rejected"), ("message", "No.")];
    assert_eq!(
        problem_code(app.server_fn(&staff, "resolve_dispute", &other).await).await,
        (409, "dispute_closed".into())
    );
    let late =
        [("reply_key", "r2"), ("merchant", "demo"), ("number", INVOICE), ("dispute", id.as_str()), ("message", "?")];
    assert_eq!(problem_code(app.server_fn(&c, "answer_my_dispute", &late).await).await, (409, "dispute_closed".into()));

    // The debtor was mailed the answer and the resolution, in Dutch.
    app.run_jobs().await;
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT subject, text_body FROM caught_mail WHERE subject LIKE '%NL-2026-0101%' ORDER BY id")
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails.iter().all(|(subject, _)| subject == "Uw geschil over factuur NL-2026-0101"), "{mails:?}");
    let texts: Vec<&str> = mails.iter().map(|(_, text)| text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("We are checking with our driver.")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("creditnota NL-2026-0101-C1") && t.contains("as agreed")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("delivery terms")), "an internal note is never mailed");
}

#[tokio::test]
async fn a_rejected_dispute_is_owed_again_and_bad_resolutions_are_refused() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let id = delivery_disputed(&app, &c).await;
    let staff = collector(&app).await;
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("outcome", "bogus"), ("message", "x")], "dispute_outcome_unknown"),
        (&[("outcome", "rejected"), ("message", " ")], "dispute_reply_invalid"),
        (&[("outcome", "credited_in_part"), ("credit", "45.00"), ("message", "x")], "dispute_credit_invalid"),
        (&[("outcome", "rejected"), ("credit", "1.00"), ("message", "x")], "dispute_credit_invalid"),
        (&[("outcome", "credited_in_part"), ("message", "x")], "dispute_credit_invalid"),
    ];
    for (fields, code) in cases {
        let mut form = vec![("dispute", id.as_str())];
        form.extend_from_slice(fields);
        let got = problem_code(app.server_fn(&staff, "resolve_dispute", &form).await).await;
        assert_eq!(got, (422, code.to_string()), "{fields:?}");
    }
    // A viewer may not resolve (the admin answers what one may not do as not found), nor may
    // another debtor answer.
    let viewer = app.staff_member("vera@demo.example", kassa_core::principal::StaffRole::Viewer).await;
    let reject = [("dispute", id.as_str()), ("outcome", "rejected"), ("message", "The price list says 45.00.")];
    assert_eq!(app.server_fn(&viewer, "resolve_dispute", &reject).await.status(), 404);
    let stranger = app.debtor("Studio Grachten").await;
    let nosy =
        [("merchant", "demo"), ("number", INVOICE), ("dispute", id.as_str()), ("message", "hi"), ("reply_key", "x")];
    assert_eq!(app.server_fn(&stranger, "answer_my_dispute", &nosy).await.status(), 404);

    assert_eq!(app.server_fn(&staff, "resolve_dispute", &reject).await.status(), 200);
    let seen = app.invoice_json(&c, INVOICE).await;
    assert_eq!((seen["disputed"]["minor"].as_i64(), seen["collectable"]["minor"].as_i64()), (Some(0), Some(42_300)));
    assert!(seen["disputes"][0]["credited"].is_null());
    let credit_notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM credit_notes WHERE number LIKE 'NL-2026-0101%'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(credit_notes, 0, "a rejection credits nothing");
}

#[tokio::test]
async fn the_api_reads_answers_and_resolves_disputes() {
    use http::Method;
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let id = delivery_disputed(&app, &c).await;
    let key = &app.demo.api_key;

    let (status, listed) = app.api(key, Method::GET, "/disputes?status=open", None).await;
    assert_eq!(status, 200, "{listed}");
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], id.as_str());
    assert_eq!(data[0]["invoice_number"], INVOICE);
    assert_eq!(data[0]["lines"], serde_json::json!([{ "position": 2, "description": "Delivery" }]));
    assert_eq!(data[0]["amount"]["amount"], "45.00");
    let (status, _) = app.api(key, Method::GET, "/disputes?status=bogus", None).await;
    assert_eq!(status, 400);
    // The live key sees none of test mode's disputes.
    let live = app.live_key().await;
    let (status, _) = app.api(&live, Method::GET, &format!("/disputes/{id}"), None).await;
    assert_eq!(status, 404);

    // A note needs an Idempotency-Key, and is written once per key.
    let note = serde_json::json!({ "body": "ERP says delivery was charged.", "internal": true });
    let (status, refused) = app.api(key, Method::POST, &format!("/disputes/{id}/messages"), Some(note.clone())).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("idempotency_key_required")), "{refused}");
    for _ in 0..2 {
        let (status, answered) = app.api_keyed(key, &format!("/disputes/{id}/messages"), "note-1", note.clone()).await;
        assert_eq!(status, 201, "{answered}");
        assert_eq!(answered["messages"].as_array().unwrap().len(), 2);
        assert_eq!(answered["messages"][1]["internal"], true);
        assert_eq!(answered["status"], "open", "a note is not an answer");
    }

    // A credit note number already taken is refused; left out, the next free one is used.
    let demo_credit_note: String =
        sqlx::query_scalar("SELECT number FROM credit_notes LIMIT 1").fetch_one(&app.ctx.pool).await.unwrap();
    let taken = serde_json::json!({ "outcome": "credited_in_full", "credit_note_number": demo_credit_note,
        "message": "Delivery is on us." });
    let (status, refused) = app.api(key, Method::POST, &format!("/disputes/{id}/resolve"), Some(taken)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("credit_note_number_taken")), "{refused}");
    let full = serde_json::json!({ "outcome": "credited_in_full", "message": "Delivery is on us." });
    let (status, resolved) = app.api(key, Method::POST, &format!("/disputes/{id}/resolve"), Some(full)).await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["outcome"], "credited_in_full");
    assert_eq!(resolved["credit_note_number"], "NL-2026-0101-C1");
    assert_eq!(resolved["credited"]["amount"], "45.00");
    assert!(resolved["resolved_at"].is_string());
    assert_eq!(app.open_minor(INVOICE).await, 37_800, "the credit note took the line off");
    let (status, answered) = app
        .api_keyed(key, &format!("/disputes/{id}/messages"), "late", serde_json::json!({ "body": "One more thing" }))
        .await;
    assert_eq!((status, answered["error"]["code"].as_str()), (409, Some("dispute_closed")), "{answered}");
}

#[tokio::test]
async fn staff_filter_the_queue_by_reason() {
    let app = TestApp::spawn().await;
    let staff = app.staff_member("collector@demo.kassa.test", kassa_core::principal::StaffRole::Collector).await;
    let queue = |reason: &'static str| {
        let staff = staff.clone();
        let app = &app;
        async move {
            let form = [("status", "under_review"), ("reason", reason)];
            let page: serde_json::Value = app.server_fn(&staff, "load_disputes", &form).await.json().await.unwrap();
            page["disputes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["invoice"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    // The demo's dispute of DK-2026-0210's delivery: a wrong price, not damaged goods.
    assert_eq!(queue("wrong_price_or_quantity").await, ["DK-2026-0210"]);
    assert!(queue("damaged").await.is_empty());
    assert_eq!(queue("").await, ["DK-2026-0210"], "every reason");
}
