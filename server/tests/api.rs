//! The merchant REST API over real HTTP, on SQLite and PostgreSQL: keys, customers and
//! invoices, the error shape, idempotency, paging, and test data kept apart from live data.

mod common;
use common::{client, field_codes, TestApp};
use kassa_core::Principal;
use serde_json::{json, Value};

struct Api {
    base: String,
    key: String,
}

impl Api {
    fn new(app: &TestApp, key: &str) -> Api {
        Api { base: format!("{}/api/v1", app.url), key: key.to_string() }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let res = client().get(format!("{}{path}", self.base)).bearer_auth(&self.key).send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }

    async fn post(&self, path: &str, body: &Value, idempotency_key: Option<&str>) -> (u16, Value) {
        let mut req = client().post(format!("{}{path}", self.base)).bearer_auth(&self.key).json(body);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }
}

fn customer_body(number: &str) -> Value {
    json!({ "number": number, "name": "Zuivelhoeve Jansen", "email": "Boekhouding@Jansen.example",
            "language": "nl", "segment": "smb", "payment_terms_days": 14,
            "contacts": [{ "name": "Anna Jansen", "email": "anna@jansen.example", "role": "accounts_payable" }] })
}

fn invoice_body(number: &str, customer_number: &str) -> Value {
    json!({ "customer_number": customer_number, "number": number, "currency": "EUR", "issue_date": "2026-11-02",
            "lines": [ { "description": "Gouda, whole wheel", "quantity": "3", "unit_price": "84.50" },
                       { "description": "Delivery", "quantity": 1, "unit_price": "12.5" } ] })
}

#[tokio::test]
async fn a_key_is_required_and_every_error_has_one_shape() {
    let app = TestApp::spawn().await;
    let res = client().get(format!("{}/api/v1/invoices", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let request_id = res.headers()["request-id"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["type"], "authentication");
    assert_eq!(body["error"]["code"], "invalid_api_key");
    assert_eq!(body["error"]["request_id"], request_id.as_str());
    assert!(body["error"]["message"].as_str().unwrap().contains("Bearer"));

    for bad in ["kassa_test_nope", "not-a-key", &format!("{}x", app.demo.api_key)] {
        let (status, body) = Api::new(&app, bad).get("/invoices").await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_api_key")), "{bad}");
    }
    let api = Api::new(&app, &app.demo.api_key);
    let (status, body) = api.get("/no-such-thing").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("no_such_endpoint")));
    let (status, body) = api.get("/invoices/00000000-0000-0000-0000-000000000000").await;
    assert_eq!((status, body["error"]["type"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn customers_and_invoices_go_in_and_come_back_with_where_they_stand() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);

    let (status, customer) = api.post("/customers", &customer_body("ERP-77"), None).await;
    assert_eq!(status, 201, "{customer}");
    assert_eq!(customer["email"], "boekhouding@jansen.example");
    assert_eq!((customer["language"].as_str(), customer["mode"].as_str()), (Some("nl"), Some("test")));
    assert_eq!(customer["contacts"][0]["role"], "accounts_payable");
    // The same customer again changes nothing; other details under its number are refused.
    let (status, again) = api.post("/customers", &customer_body("ERP-77"), None).await;
    assert_eq!((status, &again["id"]), (200, &customer["id"]));
    let mut other = customer_body("ERP-77");
    other["name"] = json!("Someone Else B.V.");
    let (status, body) = api.post("/customers", &other, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("customer_number_taken")), "{body}");
    assert_eq!(body["error"]["number"], "ERP-77");

    let (status, invoice) = api.post("/invoices", &invoice_body("ERP/2026/001", "ERP-77"), None).await;
    assert_eq!(status, 201, "{invoice}");
    assert_eq!(invoice["total"], json!({ "amount": "266.00", "currency": "EUR", "minor": 26600 }));
    assert_eq!(invoice["open"]["minor"], 26600);
    // No due date given: the customer's 14 days of payment terms.
    assert_eq!(invoice["due_date"], "2026-11-16");
    assert_eq!(invoice["customer"], customer["id"]);
    assert_eq!(invoice["lines"][1]["amount"]["amount"], "12.50");
    assert_eq!(invoice["lines"][0]["quantity"], "3");

    let id = invoice["id"].as_str().unwrap();
    let (status, by_id) = api.get(&format!("/invoices/{id}")).await;
    assert_eq!((status, &by_id["number"]), (200, &json!("ERP/2026/001")));
    let (status, by_number) = api.get("/invoices/by-number/ERP%2F2026%2F001").await;
    assert_eq!((status, &by_number["id"]), (200, &invoice["id"]));
    let (status, c) = api.get("/customers/by-number/ERP-77").await;
    assert_eq!((status, &c["id"]), (200, &customer["id"]));

    // Pushing the invoice again changes nothing; other lines under its number are refused.
    let (status, again) = api.post("/invoices", &invoice_body("ERP/2026/001", "ERP-77"), None).await;
    assert_eq!((status, &again["id"]), (200, &invoice["id"]));
    let mut other = invoice_body("ERP/2026/001", "ERP-77");
    other["lines"][0]["quantity"] = json!("4");
    let (status, body) = api.post("/invoices", &other, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("invoice_number_taken")));

    // Money received elsewhere moves it: paid, and listed as changed since before. (Everything
    // so far is made an hour older first: timestamps are in seconds.)
    sqlx::query("UPDATE invoices SET updated_at = updated_at - 3600").execute(&app.ctx.pool).await.unwrap();
    let since = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let since = since.format(&time::format_description::well_known::Rfc3339).unwrap();
    kassa_core::services::ledger::record_payment(
        &app.ctx,
        &Principal::System,
        kassa_core::services::ledger::RecordPayment {
            merchant: kassa_domain::MerchantId::from_raw(
                sqlx::query_scalar::<_, String>("SELECT id FROM merchants WHERE slug = 'demo'")
                    .fetch_one(&app.ctx.pool)
                    .await
                    .unwrap(),
            ),
            customer: kassa_domain::CustomerId::from_raw(customer["id"].as_str().unwrap()),
            amount: kassa_domain::Money::from_minor(26600, kassa_domain::Currency::EUR),
            method: "bank_transfer".into(),
            reference: "NL12 transfer".into(),
            apply: kassa_domain::Apply::OldestDueFirst,
            idempotency_key: "api-test-1".into(),
        },
    )
    .await
    .unwrap();
    let (_, paid) = api.get(&format!("/invoices/{id}")).await;
    assert_eq!((paid["status"].as_str(), paid["open"]["minor"].as_i64()), (Some("paid"), Some(0)));
    let (status, changed) = api.get(&format!("/invoices?updated_since={}", since.replace('+', "%2B"))).await;
    assert_eq!(status, 200, "{changed}");
    let numbers: Vec<&str> =
        changed["data"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["ERP/2026/001"]);
    assert!(changed["data"][0].get("lines").is_none(), "lists leave lines out");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn an_invoice_carries_its_payment_details_and_any_number_of_lines() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);
    api.post("/customers", &customer_body("ERP-78"), None).await;
    // 1,201 lines: more than one batch of lines per INSERT, kept in their order.
    let lines: Vec<Value> = (1..=1201)
        .map(|i| json!({ "description": format!("Pallet {i}"), "quantity": "1", "unit_price": "0.01" }))
        .collect();
    let mut body = invoice_body("ERP/2026/002", "ERP-78");
    body["lines"] = json!(lines);
    body["payment_reference"] = json!("RF18 5390 0754 7034");
    body["payee_iban"] = json!("nl91 abna 0417 1643 00");
    let (status, invoice) = api.post("/invoices", &body, None).await;
    assert_eq!(status, 201, "{invoice}");
    assert_eq!(
        (invoice["total"]["minor"].as_i64(), invoice["lines"].as_array().map(Vec::len)),
        (Some(1201), Some(1201))
    );
    assert_eq!(invoice["lines"][1200]["description"], "Pallet 1201");
    assert_eq!(
        (invoice["payment_reference"].as_str(), invoice["payee_iban"].as_str()),
        (Some("RF18 5390 0754 7034"), Some("NL91ABNA0417164300")),
        "the IBAN in its electronic form"
    );
    // The same invoice again is the same; other payment details under its number are refused.
    let (status, _) = api.post("/invoices", &body, None).await;
    assert_eq!(status, 200);
    body["payment_reference"] = json!("RF18 0000 0000 0000");
    let (status, _) = api.post("/invoices", &body, None).await;
    assert_eq!(status, 409);

    // A NUL in text is refused at the door (no database stores it), whatever the field.
    let mut nul = invoice_body("ERP/2026/004", "ERP-78");
    nul["lines"][0]["description"] = json!("Gouda\u{0}");
    let (status, body) = api.post("/invoices", &nul, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_body")), "{body}");

    let mut bad = invoice_body("ERP/2026/003", "ERP-78");
    bad["payee_iban"] = json!("NL91 ABNA 0417 1643 01");
    bad["payment_reference"] = json!("x".repeat(141));
    let (status, body) = api.post("/invoices", &bad, None).await;
    assert_eq!(status, 422, "{body}");
    let fields = field_codes(&body);
    assert_eq!(fields, [("payment_reference", "payment_reference_invalid"), ("payee_iban", "iban_invalid")]);
}

#[tokio::test]
async fn every_field_to_fix_is_named_at_once_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);
    let invoices_before: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM invoices").fetch_one(&app.ctx.pool).await.unwrap();
    let body = json!({ "customer_number": "C-9999", "number": " ", "currency": "EUR", "issue_date": "2026-13-01",
        "lines": [ { "description": "", "quantity": "two", "unit_price": "1.234" },
                   { "description": "ok", "quantity": "1", "unit_price": "1,50" } ] });
    let (status, res) = api.post("/invoices", &body, None).await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(res["error"]["code"], "validation_failed");
    let fields = field_codes(&res);
    assert_eq!(
        fields,
        [
            ("customer", "unknown_customer"),
            ("number", "invoice_number_empty"),
            ("issue_date", "invalid_date"),
            ("lines[0].description", "description_required"),
            ("lines[0].quantity", "quantity_invalid"),
            ("lines[0].unit_price", "amount_too_precise"),
            ("lines[1].unit_price", "amount_not_a_number"),
        ]
    );
    assert!(res["error"]["errors"][4]["message"].as_str().unwrap().contains("'two'"));
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(after, invoices_before);

    // Bodies that are not what the endpoint reads: a clear 4xx, never a 500.
    let raw = |body: &'static str, content_type: &'static str| {
        let url = format!("{}/api/v1/invoices", app.url);
        let key = app.demo.api_key.clone();
        async move {
            let res = client()
                .post(url)
                .bearer_auth(key)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let json: Value = res.json().await.unwrap();
            (status, json["error"]["code"].as_str().unwrap_or_default().to_string())
        }
    };
    assert_eq!(raw("{\"number\": ", "application/json").await, (400, "invalid_json".into()));
    assert_eq!(raw("{}", "text/plain").await, (415, "json_required".into()));
    assert_eq!(raw("{\"nmber\": \"1\"}", "application/json").await, (422, "invalid_body".into()));
    let huge = "{\"customer_number\":\"C-1001\",\"number\":\"H-1\",\"currency\":\"EUR\",\"issue_date\":\"2026-11-01\",\
                \"lines\":[{\"description\":\"x\",\"quantity\":\"99999999999999999999\",\"unit_price\":\"99999999999999\"}]}";
    let (status, code) = raw(huge, "application/json").await;
    assert_eq!(status, 422, "{code}");
    let (status, body) = api.post("/invoices", &invoice_body("X-1", "C-1001"), None).await;
    assert_eq!(status, 201, "{body}");
    let mut missing = invoice_body("X-2", "C-1001");
    missing["customer"] = json!("also-an-id");
    let (status, body) = api.post("/invoices", &missing, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("customer_required")));
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_other_content() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);
    let body = invoice_body("IDEM-1", "C-1001");
    let (status, first) = api.post("/invoices", &body, Some("order-4711")).await;
    assert_eq!(status, 201, "{first}");
    let res = client()
        .post(format!("{}/api/v1/invoices", app.url))
        .bearer_auth(&app.demo.api_key)
        .header("Idempotency-Key", "order-4711")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "the first answer, replayed");
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.json::<Value>().await.unwrap(), first);
    let (status, err) = api.post("/invoices", &invoice_body("IDEM-2", "C-1001"), Some("order-4711")).await;
    assert_eq!((status, err["error"]["code"].as_str()), (409, Some("idempotency_key_reused")));
    // Concurrent retries of one request create one invoice.
    let body = invoice_body("IDEM-3", "C-1001");
    let tries = (0..8).map(|_| api.post("/invoices", &body, Some("order-4712")));
    let answers = futures_util::future::join_all(tries).await;
    for (status, answer) in &answers {
        assert!(
            *status == 201 || (*status == 409 && answer["error"]["code"] == "request_in_progress"),
            "{status} {answer}"
        );
    }
    let made: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE number = 'IDEM-3'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(made, 1);
}

#[tokio::test]
async fn lists_page_by_cursor_and_filter() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);
    let mut seen = Vec::new();
    let mut path = "/invoices?limit=7".to_string();
    loop {
        let (status, page) = api.get(&path).await;
        assert_eq!(status, 200, "{page}");
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 7);
        seen.extend(data.iter().map(|i| i["number"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/invoices?limit=7&after={cursor}"),
            None => break,
        }
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices").fetch_one(&app.ctx.pool).await.unwrap();
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!((seen.len() as i64, unique.len() as i64), (total, total), "every invoice once");

    let (_, overdue) = api.get("/invoices?status=overdue&limit=200").await;
    for i in overdue["data"].as_array().unwrap() {
        assert_eq!(i["status"], "overdue", "{i}");
    }
    let (_, settled) = api.get("/invoices?status=settled&limit=200").await;
    assert!(settled["data"].as_array().unwrap().iter().all(|i| i["open"]["minor"] == 0));
    let (_, c) = api.get("/customers/by-number/C-1002").await;
    let (_, dkk) = api.get(&format!("/invoices?customer={}&limit=200", c["id"].as_str().unwrap())).await;
    assert_eq!(dkk["data"].as_array().unwrap().len(), 11);
    assert!(dkk["data"].as_array().unwrap().iter().all(|i| i["currency"] == "DKK"));
    let (_, due) = api.get("/invoices?due_before=2000-01-01").await;
    assert_eq!(due["data"].as_array().unwrap().len(), 0);

    for bad in [
        "/invoices?limit=0",
        "/invoices?limit=201",
        "/invoices?status=pending",
        "/invoices?after=zzz",
        "/invoices?due_before=tomorrow",
        "/invoices?updated_since=yesterday",
        "/invoices?colour=red",
    ] {
        let (status, body) = api.get(bad).await;
        assert!(status == 400 || status == 422, "{bad}: {status} {body}");
        assert!(body["error"]["message"].as_str().is_some(), "{bad}");
    }
}

#[tokio::test]
async fn test_keys_see_test_data_only_and_revoked_keys_nothing() {
    let app = TestApp::spawn().await;
    let test = Api::new(&app, &app.demo.api_key);
    let live = Api::new(&app, &app.live_key().await);
    let (_, test_invoices) = test.get("/invoices?limit=200").await;
    assert!(!test_invoices["data"].as_array().unwrap().is_empty());
    let (status, live_invoices) = live.get("/invoices").await;
    assert_eq!(status, 200);
    assert_eq!(live_invoices["data"], json!([]), "the demo's test data is not live data");
    let id = test_invoices["data"][0]["id"].as_str().unwrap();
    assert_eq!(live.get(&format!("/invoices/{id}")).await.0, 404);
    // A live customer and invoice, invisible to the test key.
    let (status, c) = live.post("/customers", &customer_body("LIVE-1"), None).await;
    assert_eq!((status, c["mode"].as_str()), (201, Some("live")));
    let (status, _) = live.post("/invoices", &invoice_body("LIVE-INV-1", "LIVE-1"), None).await;
    assert_eq!(status, 201);
    assert_eq!(test.get("/customers/by-number/LIVE-1").await.0, 404);
    let (status, body) = test.post("/invoices", &invoice_body("T-1", "LIVE-1"), None).await;
    // Another mode's customer is not found, as an id in the path would not be.
    assert_eq!((status, body["error"]["errors"][0]["code"].as_str()), (404, Some("unknown_customer")));

    // Revoked through the CLI: refused at once.
    let keys = kassa_core::services::api_keys::list(
        &app.ctx,
        &Principal::System,
        &kassa_domain::MerchantId::from_raw(
            sqlx::query_scalar::<_, String>("SELECT id FROM merchants WHERE slug = 'demo'")
                .fetch_one(&app.ctx.pool)
                .await
                .unwrap(),
        ),
    )
    .await
    .unwrap();
    let demo_key = keys.iter().find(|k| app.demo.api_key.starts_with(&k.prefix)).unwrap();
    assert!(demo_key.last_used_at.is_some(), "{demo_key:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
        .args(["api-key", "revoke", "--merchant", "demo", "--id", &demo_key.id])
        .args(["--database-url", &app.config.db.database_url])
        .env("KASSA_SECRET", "test-secret-test-secret-test-secret-00")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(test.get("/invoices").await.0, 401);
}

#[tokio::test]
async fn the_cli_creates_a_key_that_the_api_takes() {
    let app = TestApp::spawn().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
        .args(["api-key", "create", "--merchant", "demo", "--name", "ERP sync"])
        .args(["--database-url", &app.config.db.database_url])
        .env("KASSA_SECRET", "test-secret-test-secret-test-secret-00")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let key = printed.lines().last().unwrap().trim();
    assert!(key.starts_with("kassa_test_") && key.len() > 40, "{printed}");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE secret_hash = $1 OR prefix = $1")
        .bind(key)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "the key itself is not stored");
    assert_eq!(Api::new(&app, key).get("/customers").await.0, 200);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
        .args(["api-key", "create", "--merchant", "nope", "--name", "x"])
        .args(["--database-url", &app.config.db.database_url])
        .env("KASSA_SECRET", "test-secret-test-secret-test-secret-00")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no merchant 'nope'"));
}

#[tokio::test]
async fn the_openapi_document_describes_every_operation_and_needs_no_key() {
    let app = TestApp::spawn().await;
    let res = client().get(format!("{}/api/v1/openapi.json", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    if std::env::var("KASSA_PRINT_OPENAPI").is_ok() {
        println!("{}", serde_json::to_string_pretty(&doc).unwrap());
    }
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let operations = [
        ("/customers", "get"),
        ("/customers", "post"),
        ("/customers/{id}", "get"),
        ("/customers/by-number/{number}", "get"),
        ("/invoices", "get"),
        ("/invoices", "post"),
        ("/invoices/{id}", "get"),
        ("/invoices/by-number/{number}", "get"),
        ("/invoices/{id}/write_offs", "get"),
        ("/write_offs", "post"),
        ("/credit_notes", "get"),
        ("/credit_notes", "post"),
        ("/credit_notes/{id}", "get"),
        ("/credit_notes/by-number/{number}", "get"),
        ("/payments", "get"),
        ("/payments", "post"),
        ("/payments/{id}", "get"),
        ("/payments/by-key/{key}", "get"),
        ("/payments/{id}/reversal", "post"),
        ("/payments/{id}/refunds", "get"),
        ("/payments/{id}/refunds", "post"),
        ("/allocations", "post"),
        ("/webhook_endpoints", "get"),
        ("/webhook_endpoints", "post"),
        ("/webhook_endpoints/{id}", "get"),
        ("/webhook_endpoints/{id}", "patch"),
        ("/webhook_endpoints/{id}/secret", "post"),
        ("/webhook_endpoints/{id}/deliveries", "get"),
        ("/webhook_endpoints/{id}/replay", "post"),
        ("/webhook_deliveries/{id}/replay", "post"),
        ("/imports", "post"),
        ("/imports/{id}", "get"),
        ("/jobs", "get"),
        ("/jobs/{id}/retry", "post"),
        ("/settings", "get"),
        ("/settings", "patch"),
        ("/settings/bank_account", "put"),
        ("/settings/stripe", "get"),
        ("/settings/stripe", "put"),
        ("/settings/stripe/{mode}", "delete"),
        ("/promises", "get"),
        ("/promises/{id}", "get"),
        ("/settings/promises", "get"),
        ("/settings/promises", "put"),
        ("/disputes", "get"),
        ("/disputes/{id}", "get"),
        ("/disputes/{id}/files/{file}", "get"),
        ("/disputes/{id}/messages", "post"),
        ("/disputes/{id}/resolve", "post"),
        ("/plans", "get"),
        ("/plans/{id}", "get"),
        ("/plans/{id}/approve", "post"),
        ("/plans/{id}/reject", "post"),
        ("/settings/plans", "get"),
        ("/settings/plans", "put"),
        ("/widget-tokens", "get"),
        ("/widget-tokens", "post"),
        ("/widget-tokens/{id}", "get"),
        ("/widget-tokens/{id}", "patch"),
        ("/widget-tokens/{id}/revocation", "post"),
    ];
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.values().map(|p| p.as_object().unwrap().len()).sum::<usize>(), operations.len());
    for (path, method) in operations {
        let op = &doc["paths"][path][method];
        assert!(op["responses"].is_object(), "{method} {path} is documented");
        assert!(op["summary"].is_string(), "{method} {path} has a summary");
        // OpenAPI 3.1 requires a description on every answer; every operation can answer
        // 401 and 429 in the error shape (the key and rate-limit layers).
        for (status, response) in op["responses"].as_object().unwrap() {
            assert!(response["description"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path} {status}");
        }
        for status in ["401", "429"] {
            assert!(op["responses"][status]["content"]["application/json"].is_object(), "{method} {path} {status}");
        }
    }
    let ids: std::collections::HashSet<&str> =
        operations.iter().map(|(path, method)| doc["paths"][path][method]["operationId"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), operations.len(), "operation ids are unique");
    let post = &doc["paths"]["/invoices"]["post"];
    assert!(post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"));
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "InvoiceJson",
        "CustomerJson",
        "CreateInvoice",
        "CreateCustomer",
        "MoneyJson",
        "ErrorJson",
        "PaymentJson",
        "CreditNoteJson",
        "WriteOffJson",
        "CreatePayment",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    // Every schema the operations refer to is in the document.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
}

#[tokio::test]
async fn each_key_has_a_budget_per_minute_that_holds_under_parallel_requests() {
    let app = TestApp::spawn_with(|c| c.api_rate_limit = 5).await;
    let url = format!("{}/api/v1/customers?limit=1", app.url);
    // Windows are whole minutes of the clock: start well inside one.
    let second = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 60;
    if second >= 55 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - second)).await;
    }
    // Eight at once: exactly five get through, whatever the interleaving.
    let answers =
        futures_util::future::join_all((0..8).map(|_| client().get(&url).bearer_auth(&app.demo.api_key).send())).await;
    let mut statuses = Vec::new();
    for res in answers {
        let res = res.unwrap();
        let status = res.status().as_u16();
        let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(header("ratelimit-limit").as_deref(), Some("5"));
        assert_eq!(header("ratelimit-policy").as_deref(), Some("5;w=60"));
        let reset: u32 = header("ratelimit-reset").unwrap().parse().unwrap();
        assert!((1..=60).contains(&reset), "{reset}");
        if status == 429 {
            assert_eq!(header("retry-after"), Some(reset.to_string()));
            assert_eq!(header("ratelimit-remaining").as_deref(), Some("0"));
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["type"], "rate_limit");
            assert_eq!(body["error"]["code"], "rate_limited");
            assert!(body["error"]["message"].as_str().unwrap().contains("retry after"));
        }
        statuses.push(status);
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    // Another key of the same merchant has its own budget.
    let other = app.live_key().await;
    let (status, _) = Api::new(&app, &other).get("/customers").await;
    assert_eq!(status, 200);
    // An unknown key is refused before it is counted against anyone.
    let (status, _) = Api::new(&app, "kassa_test_nope").get("/customers").await;
    assert_eq!(status, 401);
}

impl Api {
    async fn post_keyed(&self, path: &str, body: &Value, key: &str) -> (u16, Value, bool) {
        let res = client()
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let replayed = res.headers().get("idempotent-replayed").is_some();
        (status, res.json().await.unwrap(), replayed)
    }
}

#[tokio::test]
async fn payments_credit_notes_allocations_and_write_offs_through_the_api() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app, &app.demo.api_key);
    let (_, customer) = api.post("/customers", &customer_body("ERP-80"), None).await;
    let (_, one) = api.post("/invoices", &invoice_body("ERP-80-1", "ERP-80"), None).await;
    let (_, two) = api.post("/invoices", &invoice_body("ERP-80-2", "ERP-80"), None).await;
    let invoice = |v: &Value| v["id"].as_str().unwrap().to_string();

    // Recording money needs a key, so that a retry never records it twice.
    let pay = json!({ "customer_number": "ERP-80", "amount": "300.00", "currency": "EUR", "reference": "NL91 0042",
                      "allocations": [ { "invoice_number": "ERP-80-2", "amount": "100" } ] });
    let (status, body) = api.post("/payments", &pay, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("idempotency_key_required")));
    let (status, payment, replayed) = api.post_keyed("/payments", &pay, "pay-80").await;
    assert_eq!((status, replayed), (201, false), "{payment}");
    assert_eq!(payment["object"], "payment");
    assert_eq!((payment["gateway"].as_str(), payment["method"].as_str()), (Some("manual"), Some("bank_transfer")));
    assert_eq!(
        payment["allocations"],
        json!([{ "invoice": invoice(&two), "invoice_number": "ERP-80-2",
        "amount": { "amount": "100.00", "currency": "EUR", "minor": 10000 } }])
    );
    assert_eq!(payment["unapplied"]["amount"], "200.00");
    let payment_id = payment["id"].as_str().unwrap().to_string();
    // The key is the merchant's own number for the payment: it reads the payment back.
    let (status, by_key) = api.get("/payments/by-key/pay-80").await;
    assert_eq!((status, &by_key["id"]), (200, &payment["id"]));
    let (status, _) = api.get("/payments/by-key/pay-81").await;
    assert_eq!(status, 404);
    // The same request again is the same payment; the key with another payment is refused.
    let (status, again, replayed) = api.post_keyed("/payments", &pay, "pay-80").await;
    assert_eq!((status, replayed, &again["id"]), (201, true, &payment["id"]));
    let mut other = pay.clone();
    other["amount"] = json!("301.00");
    let (status, body, _) = api.post_keyed("/payments", &other, "pay-80").await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("idempotency_key_reused")), "{body}");

    // The 200.00 held as credit goes to the first invoice.
    let apply = json!({ "payment": payment_id, "invoice_number": "ERP-80-1" });
    let (status, body) = api.post("/allocations", &apply, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("idempotency_key_required")));
    let (status, applied, _) = api.post_keyed("/allocations", &apply, "apply-80").await;
    assert_eq!((status, applied["amount"]["amount"].as_str()), (201, Some("200.00")), "{applied}");
    let (_, nothing_left, _) = api.post_keyed("/allocations", &apply, "apply-80-again").await;
    assert_eq!(nothing_left["error"]["code"], "no_credit_available", "{nothing_left}");

    // A credit note against it, pushed twice, then a number taken by other details.
    let note = json!({ "customer_number": "ERP-80", "number": "CN-80-1", "amount": "40.00", "currency": "EUR",
                       "invoice_number": "ERP-80-1", "reason": "Two wheels arrived cracked" });
    let (status, credit) = api.post("/credit_notes", &note, None).await;
    assert_eq!(status, 201, "{credit}");
    assert_eq!(
        (credit["allocations"][0]["amount"]["amount"].as_str(), credit["unapplied"]["minor"].as_i64()),
        (Some("40.00"), Some(0))
    );
    let (status, again) = api.post("/credit_notes", &note, None).await;
    assert_eq!((status, &again["id"]), (200, &credit["id"]));
    let mut taken = note.clone();
    taken["amount"] = json!("41.00");
    let (status, body) = api.post("/credit_notes", &taken, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("credit_note_number_taken")));
    let (status, by_number) = api.get("/credit_notes/by-number/CN-80-1").await;
    assert_eq!((status, &by_number["id"]), (200, &credit["id"]));

    // What is left of the first invoice (266 - 200 - 40 = 26.00) is written off.
    let (status, body) =
        api.post("/write_offs", &json!({ "invoice": invoice(&one), "reason": "other", "note": "x" }), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("idempotency_key_required")));
    let (status, body, _) = api
        .post_keyed("/write_offs", &json!({ "invoice": invoice(&one), "reason": "short_payment", "note": "x" }), "wo-1")
        .await;
    assert_eq!(
        (status, body["error"]["errors"][0]["code"].as_str()),
        (422, Some("write_off_reason_invalid")),
        "{body}"
    );
    let (status, written, _) = api
        .post_keyed(
            "/write_offs",
            &json!({ "invoice_number": "ERP-80-1", "reason": "small_balance", "note": "Not worth chasing" }),
            "wo-2",
        )
        .await;
    assert_eq!(
        (status, written["status"].as_str(), written["written_off"]["amount"].as_str()),
        (201, Some("paid"), Some("26.00")),
        "{written}"
    );
    let (_, offs) = api.get(&format!("/invoices/{}/write_offs", invoice(&one))).await;
    assert_eq!(
        (offs[0]["reason"].as_str(), offs[0]["note"].as_str()),
        (Some("small_balance"), Some("Not worth chasing"))
    );

    // A live key sees none of it and cannot touch it.
    let live = Api::new(&app, &app.live_key().await);
    let (status, _) = live.get(&format!("/payments/{payment_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = live.get("/payments/by-key/pay-80").await;
    assert_eq!(status, 404, "a key in test mode is not a key in live mode");
    let (status, _) =
        live.post(&format!("/payments/{payment_id}/reversal"), &json!({ "reason": "chargeback" }), None).await;
    assert_eq!(status, 404);
    let (status, _, _) = live.post_keyed("/allocations", &apply, "live-apply").await;
    assert_eq!(status, 404);
    let (status, body, _) = live.post_keyed("/payments", &pay, "live-pay").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_customer")));
    let (_, listed) = live.get("/payments").await;
    assert_eq!(listed["data"], json!([]));

    // The bank returns the transfer: exactly what it paid is owed again.
    let reversal = format!("/payments/{payment_id}/reversal");
    let (status, reversed) = api.post(&reversal, &json!({ "reason": "transfer_returned" }), None).await;
    assert_eq!((status, reversed["status"].as_str()), (200, Some("reversed")), "{reversed}");
    assert_eq!(
        (reversed["allocations"].as_array().map(Vec::len), reversed["unapplied"]["minor"].as_i64()),
        (Some(0), Some(0))
    );
    let (status, body) = api.post(&reversal, &json!({ "reason": "transfer_returned" }), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("already_reversed")));
    let (_, one_now) = api.get(&format!("/invoices/{}", invoice(&one))).await;
    assert_eq!(one_now["open"]["amount"], "200.00");
    let (_, two_now) = api.get(&format!("/invoices/{}", invoice(&two))).await;
    assert_eq!(two_now["open"]["amount"], "266.00");
    let (_, listed) = api.get(&format!("/payments?customer={}", customer["id"].as_str().unwrap())).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    // Bad amounts are named field by field.
    let bad = json!({ "customer_number": "ERP-80", "amount": "12.345", "currency": "EUR",
                      "allocations": [ { "invoice_number": "", "amount": "x" } ] });
    let (status, body, _) = api.post_keyed("/payments", &bad, "bad-80").await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> =
        body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["amount", "allocations[0].invoice_number", "allocations[0].amount"]);
    app.assert_ledger_invariants().await;
}
