//! Extreme values into every API operation, on SQLite and PostgreSQL: each field of a valid
//! request, one at a time, replaced by values at the edges (years 1 and 9999, the i64 bounds,
//! huge and empty strings, control characters, wrong types), and the lists' query parameters
//! too. Every answer is a real answer in the API's JSON shape: a success or an error a client
//! can act on, never a 5xx, and the ledger still holds its invariants afterwards.

mod common;
use common::{client, TestApp};
use serde_json::{json, Value};

/// What each field gets, in turn.
fn extremes() -> Vec<Value> {
    let huge = "x".repeat(100_000);
    vec![
        json!(""),
        json!(" "),
        json!("0"),
        json!("-1"),
        json!("0001-01-01"),
        json!("9999-12-31"),
        json!("2026-02-30"),
        json!("92233720368547758.07"),
        json!("-92233720368547758.08"),
        json!("99999999999999999999999999999"),
        json!("1e308"),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1.5e300),
        json!(-0.0),
        json!(true),
        json!(null),
        json!([]),
        json!({}),
        json!(huge),
        json!("\u{0}"),
        json!("line\nbreak\ttab\u{7}\u{1b}[2J"),
        json!("\u{202e}gnp.exe"),
        json!("'; DROP TABLE invoices; --"),
        json!("😀".repeat(300)),
    ]
}

/// Every leaf of a JSON value, by its path of keys and indexes.
fn leaves(value: &Value, at: Vec<PathPart>, out: &mut Vec<Vec<PathPart>>) {
    match value {
        Value::Object(map) => {
            map.iter().for_each(|(k, v)| leaves(v, [at.clone(), vec![PathPart::Key(k.clone())]].concat(), out))
        }
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| leaves(v, [at.clone(), vec![PathPart::Index(i)]].concat(), out))
        }
        _ => out.push(at),
    }
}

#[derive(Debug, Clone)]
enum PathPart {
    Key(String),
    Index(usize),
}

fn replaced(template: &Value, path: &[PathPart], with: &Value) -> Value {
    let mut value = template.clone();
    let mut slot = &mut value;
    for part in path {
        slot = match part {
            PathPart::Key(k) => &mut slot[k.as_str()],
            PathPart::Index(i) => &mut slot[*i],
        };
    }
    *slot = with.clone();
    value
}

/// Sends one request (with a fresh Idempotency-Key) and checks the answer is a real one.
async fn send(app: &TestApp, method: http::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut req = client()
        .request(method.clone(), format!("{}/api/v1{path}", app.url))
        .bearer_auth(&app.demo.api_key)
        .header("Idempotency-Key", kassa_core::db::new_id());
    if let Some(b) = body {
        req = req.json(b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let shown: String = body.map(|b| b.to_string().chars().take(300).collect()).unwrap_or_default();
    assert!(status < 500, "{method} {path} {shown} answered {status}: {text}");
    let answer: Value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{method} {path} {shown}: not JSON: {text}"));
    if status >= 400 {
        let code = answer["error"]["code"].as_str().unwrap_or_default();
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(!code.is_empty() && message.len() > 5, "{method} {path} {shown}: {answer}");
    }
    (status, answer)
}

#[tokio::test]
async fn no_value_in_any_field_of_any_operation_reaches_a_server_error() {
    // Thousands of requests: more than a key's default budget for a minute.
    let app = TestApp::spawn_with(|c| c.api_rate_limit = u32::MAX).await;
    let key = app.demo.api_key.clone();
    let customer = json!({ "number": "EXT-1", "name": "Zuivelhoeve Jansen", "email": "a@jansen.example",
        "language": "nl", "segment": "smb", "payment_terms_days": 14,
        "contacts": [{ "name": "Anna", "email": "anna@jansen.example", "role": "accounts_payable" }] });
    assert_eq!(app.api(&key, http::Method::POST, "/customers", Some(customer.clone())).await.0, 201);
    let invoice = json!({ "customer_number": "EXT-1", "number": "EXT/2026/1", "currency": "EUR",
        "issue_date": "2026-11-02", "due_date": "2026-11-30", "payment_reference": "RF18539007547034",
        "payee_iban": "NL91ABNA0417164300",
        "lines": [ { "description": "Gouda", "quantity": "3", "unit_price": "84.50" } ] });
    let (status, created) = app.api(&key, http::Method::POST, "/invoices", Some(invoice.clone())).await;
    assert_eq!(status, 201, "{created}");
    let hold = json!({ "customer_number": "EXT-1", "amount": "10.00", "currency": "EUR", "method": "bank_transfer",
        "reference": "x", "hold": true });
    let (status, paid) = send(&app, http::Method::POST, "/payments", Some(&hold)).await;
    assert_eq!(status, 201, "{paid}");
    let payment = paid["id"].as_str().unwrap().to_string();
    let (_, endpoint) = app
        .api(
            &key,
            http::Method::POST,
            "/webhook_endpoints",
            Some(json!({ "url": "https://erp.example.com/hook", "events": ["*"] })),
        )
        .await;
    let endpoint = endpoint["id"].as_str().unwrap().to_string();

    let operations: Vec<(http::Method, String, Value)> = vec![
        (http::Method::POST, "/customers".into(), customer),
        (http::Method::POST, "/invoices".into(), invoice),
        (
            http::Method::POST,
            "/payments".into(),
            json!({ "customer_number": "EXT-1", "amount": "5.00", "currency": "EUR", "method": "cash",
                    "reference": "r", "allocations": [ { "invoice_number": "EXT/2026/1", "amount": "5.00" } ] }),
        ),
        (http::Method::POST, format!("/payments/{payment}/reversal"), json!({ "reason": "chargeback" })),
        (
            http::Method::POST,
            "/credit_notes".into(),
            json!({ "customer_number": "EXT-1", "number": "EXT/CN/1", "amount": "1.00", "currency": "EUR",
                    "invoice_number": "EXT/2026/1", "reason": "discount" }),
        ),
        (
            http::Method::POST,
            "/allocations".into(),
            json!({ "payment": payment, "invoice_number": "EXT/2026/1", "amount": "1.00" }),
        ),
        (
            http::Method::POST,
            "/write_offs".into(),
            json!({ "invoice_number": "EXT/2026/1", "amount": "1.00", "reason": "small_balance", "note": "n" }),
        ),
        (
            http::Method::POST,
            "/webhook_endpoints".into(),
            json!({ "url": "https://erp.example.com/other", "events": ["invoice.*"], "description": "d" }),
        ),
        (
            http::Method::PATCH,
            format!("/webhook_endpoints/{endpoint}"),
            json!({ "url": "https://erp.example.com/hook", "events": ["*"], "description": "d", "status": "enabled" }),
        ),
        (http::Method::POST, format!("/webhook_endpoints/{endpoint}/secret"), json!({ "overlap_hours": 1 })),
        (
            http::Method::POST,
            format!("/webhook_endpoints/{endpoint}/replay"),
            json!({ "since": "2026-01-01T00:00:00Z", "until": "2026-12-31T00:00:00Z" }),
        ),
    ];
    let values = extremes();
    let mut sent = 0;
    for (method, path, template) in &operations {
        let mut paths = Vec::new();
        leaves(template, Vec::new(), &mut paths);
        for field in &paths {
            for value in &values {
                send(&app, method.clone(), path, Some(&replaced(template, field, value))).await;
                sent += 1;
            }
        }
        // The whole body as each extreme, too.
        for value in &values {
            send(&app, method.clone(), path, Some(value)).await;
            sent += 1;
        }
    }
    // Lists and reads, with extreme query parameters and path segments.
    let texts =
        ["", "0", "-1", "18446744073709551616", "9999-12-31", "0001-01-01", "%00", "%FF%FE", "x%20y", "..%2F..%2Fetc"];
    for list in ["/customers", "/invoices", "/payments", "/credit_notes", "/webhook_endpoints", "/imports"] {
        for param in ["limit", "after", "status", "customer", "due_before", "due_after", "updated_since"] {
            for text in texts {
                send(&app, http::Method::GET, &format!("{list}?{param}={text}"), None).await;
                sent += 1;
            }
        }
    }
    for read in [
        "/customers/",
        "/invoices/",
        "/invoices/by-number/",
        "/payments/",
        "/payments/by-key/",
        "/credit_notes/",
        "/imports/",
    ] {
        for text in texts.iter().chain([&"x".repeat(5000).as_str()]) {
            send(&app, http::Method::GET, &format!("{read}{text}"), None).await;
            sent += 1;
        }
    }
    assert!(sent > 2000, "{sent}");
    app.assert_ledger_invariants().await;
}
