//! Isolation, on SQLite and PostgreSQL: every API operation (read from the OpenAPI document),
//! every server function (read from the registry) and every page (read from the route list) is
//! called by each principal that must not reach a victim's records: nobody, a revoked or
//! malformed key, another merchant's key and staff, the merchant's test key for live records,
//! a debtor of another customer, a pay-link session of another invoice, the lower staff roles,
//! and expired or used links. Every answer is the expected refusal, no body carries anything
//! of the victim, and the victim's records are exactly as they were.
//!
//! An operation, server function or page added later fails this test until it is listed here,
//! with what it takes and what each principal must get.

mod common;
use std::collections::BTreeSet;

use common::{client, TestApp};
use http::Method;
use kassa_core::principal::{Mode, Principal, Scopes, StaffRole};
use kassa_core::services::widget;
use kassa_core::services::{api_keys, merchants, staff};
use serde_json::{json, Value};

/// One party's records, as created through the API with its key.
struct Victim {
    customer: String,
    customer_number: String,
    /// The invoice a pay link of the victim opens (first) and the one it must not (second).
    invoices: [(String, String); 2],
    payment: String,
    payment_key: String,
    credit_note: String,
    credit_note_number: String,
    endpoint: String,
    delivery: String,
    job: String,
    import: String,
    /// A promise to pay its first invoice, made as its debtor.
    promise: String,
    /// A dispute of its second invoice, opened as its debtor, with a file.
    dispute: String,
    dispute_file: String,
    /// A payment plan of its imported invoice, proposed as its debtor (outside policy: waiting).
    plan: String,
    /// A widget token of its second invoice, issued through the API.
    widget_token: String,
    /// Strings that only the victim's records hold: no refused answer may carry one.
    secrets: Vec<String>,
}

impl Victim {
    /// What a path parameter of `path` stands for, as the victim's record: its id, or its
    /// number (a payment's `Idempotency-Key`), by the resource the path names.
    fn fill(&self, path: &str) -> String {
        let resource = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        let (id, number) = match resource {
            "customers" => (&self.customer, &self.customer_number),
            "invoices" => (&self.invoices[1].0, &self.invoices[1].1),
            "payments" => (&self.payment, &self.payment_key),
            "credit_notes" => (&self.credit_note, &self.credit_note_number),
            "webhook_endpoints" => (&self.endpoint, &self.endpoint),
            "webhook_deliveries" => (&self.delivery, &self.delivery),
            "jobs" => (&self.job, &self.job),
            "promises" => (&self.promise, &self.promise),
            "disputes" => (&self.dispute, &self.dispute),
            "plans" => (&self.plan, &self.plan),
            "widget-tokens" => (&self.widget_token, &self.widget_token),
            _ => (&self.import, &self.import),
        };
        path.replace("{id}", id)
            .replace("{number}", number)
            .replace("{key}", number)
            .replace("{mode}", "test")
            .replace("{file}", &self.dispute_file)
    }
}

/// Creates a customer with two invoices, a payment, a credit note, a webhook endpoint (and so
/// deliveries and jobs) and an import, with `key` (its mode), all named with `tag`.
async fn victim(app: &TestApp, key: &str, tag: &str, amounts: [&str; 3]) -> Victim {
    let post = |path: &'static str, body: Value| async move {
        let (status, answer) = app.api(key, Method::POST, path, Some(body)).await;
        assert_eq!(status, 201, "{path}: {answer}");
        answer
    };
    let endpoint =
        post("/webhook_endpoints", json!({ "url": format!("https://{tag}-erp.example/hook"), "events": ["*"] })).await;
    let name = format!("{tag} Holding B.V.");
    let email = format!("ap@{tag}.example");
    let customer = post("/customers", json!({ "number": format!("{tag}-C"), "name": name, "email": email })).await;
    let mut invoices = Vec::new();
    for (n, price) in [(1, amounts[0]), (2, amounts[1])] {
        let number = format!("{tag}-INV-{n}");
        let body = json!({ "customer_number": format!("{tag}-C"), "number": number, "currency": "EUR",
            "issue_date": "2026-11-02", "due_date": "2026-12-30",
            "lines": [ { "description": format!("{tag} consulting"), "quantity": "1", "unit_price": price } ] });
        let invoice = post("/invoices", body).await;
        invoices.push((invoice["id"].as_str().unwrap().to_string(), number));
    }
    let widget = post(
        "/widget-tokens",
        json!({ "invoice_number": format!("{tag}-INV-2"), "origins": [format!("https://{}.example", tag.to_lowercase())] }),
    )
    .await;
    let payment_key = format!("{tag}-pay-2");
    let pay = json!({ "customer_number": format!("{tag}-C"), "amount": amounts[2], "currency": "EUR",
        "method": "bank_transfer", "reference": format!("{tag}-REF-2"),
        "allocations": [ { "invoice_number": format!("{tag}-INV-2"), "amount": amounts[2] } ] });
    let (status, payment) = app.api_keyed(key, "/payments", &payment_key, pay).await;
    assert_eq!(status, 201, "{payment}");
    let credit_note_number = format!("{tag}-CN-2");
    let credit = post(
        "/credit_notes",
        json!({ "customer_number": format!("{tag}-C"), "number": credit_note_number,
        "amount": "11.11", "currency": "EUR", "invoice_number": format!("{tag}-INV-2"), "reason": "discount" }),
    )
    .await;
    // A promise to pay the first invoice, made as the customer's debtor in the portal.
    let merchant: String = sqlx::query_scalar("SELECT merchant_id FROM customers WHERE id = $1")
        .bind(customer["id"].as_str().unwrap())
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let merchant = kassa_domain::MerchantId::from_raw(merchant);
    let debtor = kassa_core::Principal::Debtor(kassa_core::principal::Debtor {
        merchant: merchant.clone(),
        customer: kassa_domain::CustomerId::from_raw(customer["id"].as_str().unwrap()),
        invoice: None,
    });
    let today = kassa_core::services::records::today_of(&app.ctx.pool, &merchant).await.unwrap();
    let promise = kassa_core::services::promises::make(
        &app.ctx,
        &debtor,
        kassa_core::services::promises::MakePromise {
            invoices: vec![kassa_domain::InvoiceNumber::parse(&invoices[0].1).unwrap()],
            date: kassa_core::services::records::format_date(today + time::Duration::days(5)),
            amount: None,
            decimal: '.',
            key: format!("{tag}-promise"),
        },
    )
    .await
    .unwrap();
    let dispute = kassa_core::services::disputes::open(
        &app.ctx,
        &debtor,
        kassa_core::services::disputes::OpenDispute {
            invoice: kassa_domain::InvoiceNumber::parse(&invoices[1].1).unwrap(),
            reason: "other".into(),
            lines: Vec::new(),
            amount: Some("100.00".into()),
            decimal: '.',
            message: format!("{tag} disputes this"),
            files: vec![kassa_core::services::disputes::Upload {
                filename: format!("{tag}-evidence.pdf"),
                bytes: b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec(),
            }],
            key: format!("{tag}-dispute"),
        },
    )
    .await
    .unwrap();
    let csv = format!(
        "invoice_number,customer_number,currency,issue_date,description,quantity,unit_price\n{tag}-IMP-1,{tag}-C,EUR,2026-11-05,{tag} import,1,10.00\n"
    );
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(format!("{tag}.csv")));
    let res =
        client().post(format!("{}/api/v1/imports", app.url)).bearer_auth(key).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 202);
    let import: Value = res.json().await.unwrap();
    // The import runs, and the events become deliveries (queued: nothing is sent here).
    let handlers: Vec<std::sync::Arc<dyn kassa_core::jobs::Handler>> =
        vec![std::sync::Arc::new(kassa_core::events::Dispatch), std::sync::Arc::new(kassa_core::imports::queue::Run)];
    let worker = kassa_core::jobs::Worker::new(app.ctx.clone(), handlers);
    while worker.run_once().await.unwrap() > 0 {}
    let (_, done) = app.api(key, Method::GET, &format!("/imports/{}", import["id"].as_str().unwrap()), None).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    // A payment plan of the imported invoice (10.00: below the default policy's minimum, so it
    // waits for staff), proposed as the debtor.
    let plan = kassa_core::services::plans::propose_on(
        &app.ctx,
        &debtor,
        kassa_core::services::plans::ProposePlan {
            invoices: vec![kassa_domain::InvoiceNumber::parse(&format!("{tag}-IMP-1")).unwrap()],
            first: String::new(),
            frequency: "monthly".into(),
            count: "1".into(),
            key: format!("{tag}-plan"),
        },
        today,
    )
    .await
    .unwrap();
    assert_eq!(plan.status, kassa_domain::plan::PlanStatus::Proposed);
    let endpoint_id = endpoint["id"].as_str().unwrap().to_string();
    let delivery: String = sqlx::query_scalar("SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 LIMIT 1")
        .bind(&endpoint_id)
        .fetch_one(&app.ctx.pool)
        .await
        .expect("the endpoint has a delivery");
    let job: String = sqlx::query_scalar("SELECT id FROM jobs WHERE merchant_id IS NOT NULL AND mode = $1 LIMIT 1")
        .bind(if key.starts_with("kassa_live_") { "live" } else { "test" })
        .fetch_one(&app.ctx.pool)
        .await
        .expect("the victim's mode has a job");
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let secrets = vec![
        name,
        email,
        format!("{tag}-C"),
        format!("{tag}-INV"),
        format!("{tag}-REF"),
        format!("{tag}-CN"),
        format!("{tag}-erp.example"),
        format!("{tag} consulting"),
        amounts[0].into(),
        amounts[1].into(),
        amounts[2].into(),
        text(&customer["id"]),
        invoices[0].0.clone(),
        invoices[1].0.clone(),
        text(&payment["id"]),
        text(&credit["id"]),
        endpoint_id.clone(),
        delivery.clone(),
        text(&import["id"]),
        promise.id.clone(),
        dispute.id.clone(),
        format!("{tag} disputes this"),
        format!("{tag}-evidence"),
        dispute.files[0].id.clone(),
        plan.id.clone(),
        text(&widget["id"]),
        text(&widget["token"]),
    ];
    Victim {
        customer: text(&customer["id"]),
        customer_number: format!("{tag}-C"),
        invoices: [invoices[0].clone(), invoices[1].clone()],
        payment: text(&payment["id"]),
        payment_key,
        credit_note: text(&credit["id"]),
        credit_note_number,
        endpoint: endpoint_id,
        delivery,
        job,
        import: text(&import["id"]),
        promise: promise.id,
        dispute_file: dispute.files[0].id.clone(),
        dispute: dispute.id,
        plan: plan.id,
        widget_token: text(&widget["id"]),
        secrets,
    }
}

/// Fails if `body` carries any of `secrets`. The language menu's links name the page they
/// come back to, which is the path the caller asked for: they are left out.
fn no_leak(body: &str, secrets: &[String], context: &str) {
    let mut rest = body;
    let mut body = String::new();
    while let Some(at) = rest.find("href=\"/lang/") {
        body.push_str(&rest[..at]);
        rest = &rest[at + 6..];
        rest = rest.find('"').map_or("", |end| &rest[end + 1..]);
    }
    body.push_str(rest);
    for secret in secrets {
        assert!(
            !body.contains(secret.as_str()),
            "{context}: the answer carries {secret:?}: {}",
            &body[..body.len().min(600)]
        );
    }
}

/// What the victims' records are: changed by nobody here.
async fn fingerprint(app: &TestApp, victims: &[&Victim]) -> Vec<String> {
    let pool = &app.ctx.pool;
    let mut rows: Vec<String> = Vec::new();
    for v in victims {
        let by_customer = [
            "SELECT id || ':' || CAST(open_minor AS TEXT) || ':' || COALESCE(promised_until, '-') || ':' \
             || CAST(disputed_minor AS TEXT) || ':' || COALESCE(plan_id, '-') FROM invoices \
             WHERE customer_id = $1",
            "SELECT id || ':' || status || ':' || COALESCE(decided_by, '-') FROM payment_plans WHERE customer_id = $1",
            "SELECT id || ':' || state FROM promises WHERE customer_id = $1",
            "SELECT id || ':' || status || ':' || COALESCE(outcome, '-') FROM disputes WHERE customer_id = $1",
            "SELECT m.id FROM dispute_messages m JOIN disputes d ON d.id = m.dispute_id WHERE d.customer_id = $1",
            "SELECT f.id || ':' || f.sha256 FROM dispute_files f JOIN disputes d ON d.id = f.dispute_id \
             WHERE d.customer_id = $1",
            "SELECT id || ':' || COALESCE(CAST(reversed_at AS TEXT), '-') || ':' || CAST(refunded_minor AS TEXT) \
             FROM payments WHERE customer_id = $1",
            "SELECT id FROM refunds WHERE customer_id = $1",
            "SELECT id FROM credit_notes WHERE customer_id = $1",
            "SELECT w.id FROM write_offs w JOIN invoices i ON i.id = w.invoice_id WHERE i.customer_id = $1",
            "SELECT a.id || ':' || CAST(a.amount_minor AS TEXT) FROM applications a \
             JOIN invoices i ON i.id = a.invoice_id WHERE i.customer_id = $1",
        ];
        for sql in by_customer {
            rows.extend(strings(pool, sql, &v.customer).await);
        }
        let sql = "SELECT id || ':' || status || ':' || url || ':' || events FROM webhook_endpoints WHERE id = $1";
        rows.extend(strings(pool, sql, &v.endpoint).await);
        rows.extend(strings(pool, "SELECT id FROM webhook_deliveries WHERE endpoint_id = $1", &v.endpoint).await);
        rows.extend(strings(pool, "SELECT id FROM webhook_secrets WHERE endpoint_id = $1", &v.endpoint).await);
    }
    let merchant = app.demo_merchant().await;
    for sql in [
        "SELECT id || ':' || role FROM staff_users WHERE merchant_id = $1",
        "SELECT id || ':' || COALESCE(CAST(revoked_at AS TEXT), '-') FROM api_keys WHERE merchant_id = $1",
        "SELECT id || ':' || time_zone || ':' || COALESCE(bank_iban, '-') || ':' || CAST(promise_window_days AS TEXT) \
         FROM merchants WHERE id = $1",
        "SELECT mode || ':' || secret_key_hint || ':' || publishable_key FROM stripe_accounts WHERE merchant_id = $1",
    ] {
        rows.extend(strings(pool, sql, merchant.as_str()).await);
    }
    rows
}

async fn strings(pool: &kassa_core::db::Pool, sql: &str, bind: &str) -> Vec<String> {
    let mut found: Vec<String> =
        sqlx::query_scalar(sql).bind(bind).fetch_all(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    found.sort();
    found
}

/// The body each operation is sent with, naming the victim's records where it names any;
/// `true` when the operation must refuse (it reaches a record), `false` when it may act on the
/// caller's own records (creating its own customer, endpoint or import).
fn request(method: &Method, path: &str, v: &Victim) -> (Option<Value>, bool) {
    let (inv_id, inv_number) = &v.invoices[1];
    let body = match (method.as_str(), path) {
        ("GET", _) => return (None, path.contains('{')),
        ("POST", "/customers") => {
            return (Some(json!({ "number": "OWN-C", "name": "Own", "email": "own@own.example" })), false)
        }
        ("POST", "/webhook_endpoints") => {
            return (Some(json!({ "url": "https://own.example/hook", "events": ["*"] })), false)
        }
        ("POST", "/imports") => return (None, false),
        ("PATCH", "/settings") => return (Some(json!({ "time_zone": "Pacific/Kiritimati" })), false),
        ("PUT", "/settings/bank_account") => {
            return (Some(json!({ "account_name": "Own", "iban": "NL91ABNA0417164300" })), false)
        }
        ("PUT", "/settings/stripe") => {
            let keys = json!({ "secret_key": "sk_test_51OwnOwnOwnOwn", "publishable_key": "pk_test_51OwnOwnOwnOwn",
                "webhook_secret": "whsec_ownownownown" });
            return (Some(keys), false);
        }
        ("DELETE", "/settings/stripe/{mode}") => return (None, false),
        ("PUT", "/settings/promises") => return (Some(json!({ "window_days": 14, "grace_days": 2 })), false),
        ("POST", "/disputes/{id}/messages") => json!({ "body": "an attacker's note", "internal": true }),
        ("POST", "/disputes/{id}/resolve") => json!({ "outcome": "credited_in_full", "message": "an attacker's" }),
        ("POST", "/plans/{id}/approve") => json!({}),
        ("POST", "/widget-tokens/{id}/revocation") => json!({}),
        ("PATCH", "/widget-tokens/{id}") => json!({ "origins": ["https://attacker.example"] }),
        ("POST", "/widget-tokens") => json!({ "invoice_number": inv_number, "origins": ["https://own.example"] }),
        ("POST", "/plans/{id}/reject") => json!({ "reason": "an attacker's" }),
        ("PUT", "/settings/plans") => {
            let policy = serde_json::to_value(kassa_server::http::api::plans::PlanPolicyJson::from(
                kassa_domain::plan::PlanPolicy::default(),
            ))
            .unwrap();
            return (Some(policy), false);
        }
        ("POST", "/allocations") => json!({ "payment": v.payment, "invoice": inv_id, "amount": "1.00" }),
        ("POST", "/credit_notes") => json!({ "customer": v.customer, "number": "OWN-CN", "amount": "1.00",
            "currency": "EUR", "invoice_number": inv_number, "reason": "discount" }),
        ("POST", "/invoices") => json!({ "customer": v.customer, "number": "OWN-1", "currency": "EUR",
            "issue_date": "2026-11-02", "lines": [ { "description": "x", "quantity": "1", "unit_price": "1.00" } ] }),
        ("POST", "/payments") => json!({ "customer": v.customer, "amount": "1.00", "currency": "EUR", "method": "cash",
            "reference": "r", "allocations": [ { "invoice_number": inv_number, "amount": "1.00" } ] }),
        ("POST", "/write_offs") => json!({ "invoice": inv_id, "amount": "1.00", "reason": "small_balance" }),
        ("POST", "/payments/{id}/reversal") => json!({ "reason": "chargeback" }),
        ("POST", "/payments/{id}/refunds") => json!({ "amount": "1.00", "reason": "returned" }),
        ("POST", "/jobs/{id}/retry") | ("POST", "/webhook_deliveries/{id}/replay") => json!({}),
        ("PATCH", "/webhook_endpoints/{id}") => json!({ "url": "https://own.example/hook", "status": "disabled" }),
        ("POST", "/webhook_endpoints/{id}/replay") => {
            json!({ "since": "2026-01-01T00:00:00Z", "until": "2026-12-31T00:00:00Z" })
        }
        ("POST", "/webhook_endpoints/{id}/secret") => json!({ "overlap_hours": 1 }),
        other => panic!("{other:?} is new: say here what it is sent with and whether it must refuse"),
    };
    (Some(body), true)
}

/// Every operation of the OpenAPI document, as (method, path template).
async fn operations(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value =
        client().get(format!("{}/api/v1/openapi.json", app.url)).send().await.unwrap().json().await.unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if let Ok(m) = method.to_uppercase().parse::<Method>() {
                ops.push((m, path.clone()));
            }
        }
    }
    assert!(ops.len() >= 32, "{}", ops.len());
    ops
}

async fn call_api(
    app: &TestApp,
    key: Option<&str>,
    method: &Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, String) {
    let mut req = client()
        .request(method.clone(), format!("{}/api/v1{path}", app.url))
        .header("Idempotency-Key", kassa_core::db::new_id());
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    if path == "/imports" && method == Method::POST {
        let part = reqwest::multipart::Part::bytes(b"invoice_number,customer_number\n".to_vec()).file_name("own.csv");
        req = req.multipart(reqwest::multipart::Form::new().part("file", part));
    } else if let Some(body) = body {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn no_api_key_reaches_what_is_not_its_own() {
    let app = TestApp::spawn_with(|c| c.api_rate_limit = u32::MAX).await;
    let test = victim(&app, &app.demo.api_key, "VICTEST", ["7777.13", "6543.29", "1234.57"]).await;
    let live_key = app.live_key().await;
    let live = victim(&app, &live_key, "VICLIVE", ["8888.31", "5432.17", "2345.71"]).await;
    let (other_key, _) = other_merchant(&app).await;
    let merchant = app.demo_merchant().await;
    let cmd =
        api_keys::CreateKey { merchant: merchant.clone(), name: "old".into(), mode: Mode::Test, scopes: Scopes::ALL };
    let made = api_keys::create(&app.ctx, &Principal::System, cmd).await.unwrap();
    api_keys::revoke(&app.ctx, &Principal::System, &merchant, &made.key.id).await.unwrap();
    let revoked = secrecy::ExposeSecret::expose_secret(&made.secret).to_string();
    let before = fingerprint(&app, &[&test, &live]).await;

    let everything: Vec<String> = test.secrets.iter().chain(&live.secrets).cloned().collect();
    let mut calls = 0;
    for (method, template) in operations(&app).await {
        // Nobody, a malformed key and a revoked key: 401, whatever the target.
        let path = test.fill(&template);
        let (body, _) = request(&method, &template, &test);
        for key in [None, Some("kassa_test_not-a-key"), Some("Bearer"), Some(revoked.as_str())] {
            let (status, text) = call_api(&app, key, &method, &path, body.as_ref()).await;
            assert_eq!(status, 401, "{method} {path} with {key:?}: {text}");
            no_leak(&text, &everything, &format!("{method} {path} with {key:?}"));
            calls += 1;
        }
        // Another merchant's key (every scope) at the demo's records, test and live; the demo's
        // test key at its live records.
        for (key, victim, who) in [
            (other_key.as_str(), &test, "another merchant's key"),
            (other_key.as_str(), &live, "another merchant's key"),
            (app.demo.api_key.as_str(), &live, "the test key"),
        ] {
            let path = victim.fill(&template);
            let (body, refuses) = request(&method, &template, victim);
            let (status, text) = call_api(&app, Some(key), &method, &path, body.as_ref()).await;
            let context = format!("{who}: {method} {path}");
            assert!(status < 500, "{context}: {status} {text}");
            if refuses {
                assert!(matches!(status, 404 | 422), "{context}: {status} {text}");
            }
            // An answer may say back what the caller sent ("no invoice X on this account").
            let mut said = text.clone();
            for sent in body.iter().flat_map(|b| b.as_object()).flat_map(|o| o.values()).filter_map(|v| v.as_str()) {
                said = said.replace(sent, "");
            }
            no_leak(&said, &victim.secrets, &context);
            calls += 1;
        }
    }
    assert!(calls > 200, "{calls}");
    assert_eq!(fingerprint(&app, &[&test, &live]).await, before, "a refused request changed something");
}

/// Another merchant with an owner signed in (a client with their session) and a key with
/// every scope.
async fn other_merchant(app: &TestApp) -> (String, reqwest::Client) {
    let slug = kassa_domain::MerchantSlug::parse("other").unwrap();
    let cmd = merchants::CreateMerchant {
        slug,
        name: "Other Merchant".into(),
        brand_color: None,
        logo: None,
        time_zone: None,
    };
    let other = merchants::create(&app.ctx, &Principal::System, cmd).await.unwrap();
    let cmd = api_keys::CreateKey {
        merchant: other.id.clone(),
        name: "theirs".into(),
        mode: Mode::Test,
        scopes: Scopes::ALL,
    };
    let key = api_keys::create(&app.ctx, &Principal::System, cmd).await.unwrap();
    let cmd = staff::AddStaff { merchant: other.id, email: "owner@other.example".into(), role: StaffRole::Admin };
    let owner = app.signed_in_staff(cmd).await;
    (secrecy::ExposeSecret::expose_secret(&key.secret).to_string(), owner)
}

/// The arguments each server function is called with, aimed at the victim.
fn server_fn_form(name: &str, v: &Victim) -> Vec<(&'static str, String)> {
    let s = |x: &str| x.to_string();
    match name {
        "load_portal" | "load_branding" | "portal_logout" => vec![("merchant", s("demo"))],
        "load_statement" => vec![("merchant", s("demo")), ("from", s("2000-01-01")), ("to", s("2999-12-31"))],
        "load_invoice" => vec![("merchant", s("demo")), ("number", v.invoices[1].1.clone())],
        "pay_invoice" => vec![
            ("merchant", s("demo")),
            ("number", v.invoices[1].1.clone()),
            ("amount", s("1.00")),
            ("pay_key", kassa_core::db::new_id()),
        ],
        "load_receipt" => vec![("merchant", s("demo")), ("payment", v.payment.clone())],
        "promise_to_pay" => vec![
            ("merchant", s("demo")),
            ("number", v.invoices[1].1.clone()),
            ("date", s("2099-01-01")),
            ("amount", s("")),
            ("promise_key", kassa_core::db::new_id()),
        ],
        "load_selection" => vec![("merchant", s("demo")), ("invoices[0]", v.invoices[1].1.clone())],
        "pay_invoices" => vec![
            ("merchant", s("demo")),
            ("invoices[0]", v.invoices[1].1.clone()),
            ("total", s("6543.29")),
            ("pay_key", kassa_core::db::new_id()),
        ],
        "staff_login" => vec![("email", s("admin@demo.kassa.test")), ("password", s("not the password"))],
        "set_staff_password" => vec![
            ("token", s("expired-or-made-up")),
            ("password", s("a long enough sentence")),
            ("confirm", s("a long enough sentence")),
        ],
        "staff_logout" | "load_admin" | "load_webhooks" | "load_jobs" | "load_settings" | "load_mail" => vec![],
        "load_payments" => vec![("before", s(""))],
        "load_promises" => vec![("state", s("open"))],
        "load_disputes" => vec![("status", s("open"))],
        "load_dispute" => vec![("id", v.dispute.clone())],
        // An empty message: refused even where the dispute is found, so nothing changes.
        "answer_dispute" => vec![
            ("dispute", v.dispute.clone()),
            ("message", s("")),
            ("internal", s("1")),
            ("key", kassa_core::db::new_id()),
        ],
        "resolve_dispute" => {
            vec![("dispute", v.dispute.clone()), ("outcome", s("credited_in_full")), ("message", s(""))]
        }
        "answer_my_dispute" => vec![
            ("merchant", s("demo")),
            ("number", v.invoices[1].1.clone()),
            ("dispute", v.dispute.clone()),
            ("message", s("an attacker's answer")),
            ("reply_key", kassa_core::db::new_id()),
        ],
        "load_plans" => vec![("status", s("proposed"))],
        "load_customer" => vec![("id", v.customer.clone())],
        "load_plan" => vec![("id", v.plan.clone())],
        // Rejecting without a reason: refused even where the plan is found, so nothing changes.
        "decide_plan" => vec![("plan", v.plan.clone()), ("decision", s("reject")), ("reason", s(""))],
        "load_plan_quote" => vec![("merchant", s("demo")), ("invoices[0]", v.invoices[1].1.clone())],
        "propose_plan" => vec![
            ("merchant", s("demo")),
            ("invoices[0]", v.invoices[1].1.clone()),
            ("count", s("2")),
            ("frequency", s("monthly")),
            ("first", s("")),
            ("plan_key", kassa_core::db::new_id()),
        ],
        "load_plan_agreement" => vec![("merchant", s("demo")), ("id", v.plan.clone())],
        "pay_plan_instalment" => {
            vec![("merchant", s("demo")), ("plan", v.plan.clone()), ("pay_key", kassa_core::db::new_id())]
        }
        "setup_plan_debit" | "stop_plan_debit" => vec![("merchant", s("demo")), ("plan", v.plan.clone())],
        "refund_payment" => vec![
            ("payment", v.payment.clone()),
            // More than it paid: refused even where it is found, so nothing changes.
            ("amount", s("99999.00")),
            ("reason", s("an attacker's refund")),
            ("key", kassa_core::db::new_id()),
        ],
        "save_settings" => vec![("time_zone", s("Pacific/Kiritimati"))],
        "save_bank_details" => vec![
            ("account_name", s("Attacker")),
            ("iban", s("NL91ABNA0417164300")),
            ("bic", s("")),
            ("reference_scheme", s("rf")),
            ("fik_creditor", s("")),
        ],
        "connect_stripe" => vec![
            ("secret_key", s("sk_test_51AttackerAttacker")),
            ("publishable_key", s("pk_test_51AttackerAttacker")),
            ("webhook_secret", s("whsec_attackerattacker")),
            ("methods", s("")),
        ],
        "disconnect_stripe" => vec![("mode", s("test"))],
        "save_promise_policy" => vec![("window_days", s("7")), ("grace_days", s("1"))],
        "save_widget_policy" => vec![("max_days", s("30"))],
        "save_plan_policy" => vec![
            ("offered", s("1")),
            ("eligible", s("open")),
            ("max_instalments", s("3")),
            ("max_months", s("3")),
            ("min_total", s("10.00")),
            ("min_instalment", s("5.00")),
            ("frequencies[0]", s("monthly")),
            ("charge", s("none")),
            ("grace_days", s("1")),
            ("max_first_days", s("10")),
        ],
        "retry_job" => vec![("id", v.job.clone())],
        "load_widgets" => vec![],
        "issue_widget_token" => {
            vec![("invoice", v.invoices[1].1.clone()), ("origins", s("https://attacker.example")), ("days", s(""))]
        }
        "revoke_widget_token" => vec![("id", v.widget_token.clone())],
        "save_widget_origins" => vec![("id", v.widget_token.clone()), ("origins", s("https://attacker.example"))],
        "add_webhook" => vec![("url", s("https://attacker.example/hook")), ("events", s("*")), ("description", s(""))],
        "set_webhook_enabled" => vec![("id", v.endpoint.clone()), ("enabled", s("false"))],
        other => panic!("server function {other} is new: say here what it is called with"),
    }
}

/// What `who` must get from `name`: the statuses it may answer with.
fn expected(name: &str, who: &str) -> &'static [u16] {
    let staff = matches!(who, "staff of another merchant" | "a viewer" | "a collector");
    match name {
        // Public, or ending one's own session: answered, and nothing of the victim in it.
        "load_branding" | "portal_logout" | "staff_logout" => &[200],
        "staff_login" => &[422],
        "set_staff_password" => &[422],
        // A debtor's own overview (or, for a pay link, its own invoice).
        "load_portal" if matches!(who, "a debtor of another customer" | "a pay link of another invoice") => &[200],
        // A statement is the whole account's: a debtor's own; a pay link (one invoice) has none.
        "load_statement" if who == "a debtor of another customer" => &[200],
        "load_statement" if who.starts_with("a pay link") => &[404],
        "load_invoice"
        | "pay_invoice"
        | "load_receipt"
        | "load_portal"
        | "load_selection"
        | "pay_invoices"
        | "promise_to_pay"
        | "answer_my_dispute"
        | "load_plan_quote"
        | "propose_plan"
        | "load_plan_agreement"
        | "pay_plan_instalment"
        | "setup_plan_debit"
        | "stop_plan_debit"
            if who.starts_with("a debtor") || who.starts_with("a pay link") =>
        {
            &[404]
        }
        "load_invoice"
        | "pay_invoice"
        | "load_receipt"
        | "load_portal"
        | "load_selection"
        | "pay_invoices"
        | "promise_to_pay"
        | "answer_my_dispute"
        | "load_plan_quote"
        | "propose_plan"
        | "load_plan_agreement"
        | "pay_plan_instalment"
        | "setup_plan_debit"
        | "stop_plan_debit" => &[401],
        // Staff read their own merchant's admin; the lower roles may not change settings.
        "load_admin" | "load_webhooks" | "load_settings" | "load_payments" | "load_promises" | "load_disputes"
        | "load_plans"
            if staff =>
        {
            &[200]
        }
        // A dispute of the merchant's own customer: its staff read it; a collector reaches it
        // (and is told the message is empty), a viewer may not write; another merchant's staff
        // do not find it.
        "load_dispute" if who == "staff of another merchant" => &[404],
        "load_dispute" if staff => &[200],
        "answer_dispute" | "resolve_dispute" if who == "a collector" => &[422],
        "answer_dispute" | "resolve_dispute" if staff => &[404],
        // Likewise a payment plan: rejecting it without a reason is refused to a collector.
        "load_plan" | "load_customer" if who == "staff of another merchant" => &[404],
        "load_customer" if staff => &[200],
        "load_plan" if staff => &[200],
        "decide_plan" if who == "a collector" => &[422],
        "decide_plan" if staff => &[404],
        // A refund is a posting: collectors and admins of the payment's own merchant reach it
        // (and are told it paid less); another merchant's staff do not find it; a viewer may
        // not post.
        "refund_payment" if who == "a collector" => &[422],
        "refund_payment" if staff => &[404],
        // Its own merchant's settings: the owner of another merchant changes their own.
        "save_settings"
        | "save_bank_details"
        | "connect_stripe"
        | "disconnect_stripe"
        | "save_promise_policy"
        | "save_plan_policy"
        | "save_widget_policy"
            if who == "staff of another merchant" =>
        {
            &[200]
        }
        "save_settings"
        | "save_bank_details"
        | "connect_stripe"
        | "disconnect_stripe"
        | "save_promise_policy"
        | "save_plan_policy"
        | "save_widget_policy"
            if staff =>
        {
            &[404]
        }
        // Pay buttons: staff read their own merchant's; another merchant's staff do not find the
        // victim's invoice or token, a viewer may not issue or revoke, a collector of the
        // victim's own merchant may.
        "load_widgets" if staff => &[200],
        "issue_widget_token" | "revoke_widget_token" | "save_widget_origins" if who == "a collector" => &[200],
        "issue_widget_token" | "revoke_widget_token" | "save_widget_origins" if staff => &[404],
        // Jobs are settings: the owner of another merchant sees their own, lower roles none.
        "load_jobs" if who == "staff of another merchant" => &[200],
        "load_jobs" | "retry_job" if staff => &[404],
        // The mail catcher holds sign-in links: admins of the merchant only.
        "load_mail" if who == "staff of another merchant" => &[200],
        "load_mail" if staff => &[404],
        // Their own merchant's endpoint (or a 422 for an address that does not resolve here).
        "add_webhook" if who == "staff of another merchant" => &[200, 422],
        "add_webhook" | "set_webhook_enabled" if staff => &[404],
        _ => &[401],
    }
}

#[tokio::test]
async fn no_server_function_or_page_reaches_what_is_not_its_own() {
    let app = TestApp::spawn().await;
    let v = victim(&app, &app.demo.api_key, "VICTIM", ["7777.13", "6543.29", "1234.57"]).await;
    // A pay link of the victim's first invoice: it may see the customer and that invoice, not
    // the second invoice or its payment.
    let pay_link_secrets: Vec<String> = vec![
        v.invoices[1].1.clone(),
        v.invoices[1].0.clone(),
        v.payment.clone(),
        "6543.29".into(),
        "1234.57".into(),
        "VICTIM-REF".into(),
        "VICTIM-CN".into(),
        v.dispute.clone(),
        "disputes this".into(),
    ];
    let merchant = app.demo_merchant().await;
    // Widget tokens (pay links): a fresh one of the first invoice, and of the second one that
    // is fresh, one expired and one revoked.
    let token = |invoice: &str, lifetime: i64| {
        let (ctx, merchant) = (app.ctx.clone(), merchant.clone());
        let (invoice, origins) =
            (kassa_domain::InvoiceId::from_raw(invoice.to_string()), vec![app.shop_origin.clone()]);
        let invoice = widget::Target::Invoice(invoice);
        async move { widget::issue_for(&ctx, &merchant, &invoice, origins, lifetime).await.unwrap() }
    };
    let first = token(&v.invoices[0].0, 600).await.token.unwrap();
    let second = token(&v.invoices[1].0, 600).await.token.unwrap();
    let expired_pay = token(&v.invoices[1].0, -1).await.token.unwrap();
    let revoked = token(&v.invoices[1].0, 600).await;
    let admin = kassa_core::Principal::Staff(kassa_core::principal::Staff {
        merchant: merchant.clone(),
        staff: kassa_domain::StaffId::from_raw("isolation-admin".to_string()),
        role: StaffRole::Admin,
        email: "admin@demo.kassa.test".into(),
    });
    widget::revoke(&app.ctx, &admin, &revoked.id).await.unwrap();
    let revoked = revoked.token.unwrap();
    let now = kassa_core::db::now();
    let pay_link = client();
    let res = pay_link.post(format!("{}/p/demo/pay/{first}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303, "a fresh pay link opens");

    let (_, other_staff) = other_merchant(&app).await;
    let viewer = app.staff_member("viewer@demo.kassa.test", StaffRole::Viewer).await;
    let collector = app.staff_member("collector@demo.kassa.test", StaffRole::Collector).await;
    let principals: Vec<(&str, reqwest::Client, &[String])> = vec![
        ("nobody", client(), &v.secrets),
        ("a debtor of another customer", app.debtor("Bakkerij De Molen B.V.").await, &v.secrets),
        ("a pay link of another invoice", pay_link, &pay_link_secrets),
        ("staff of another merchant", other_staff, &v.secrets),
        ("a viewer", viewer, &[]),
        ("a collector", collector, &[]),
    ];
    // Links to try at the end: one used already, one expired (issued now: issuing seeds the demo
    // again, which adds a key, before the records are fingerprinted).
    let magic = app.magic_link("Bakkerij De Molen B.V.").await;
    assert_eq!(client().post(&magic).send().await.unwrap().status(), 303);
    let stale = app.magic_link("Bakkerij De Molen B.V.").await;
    sqlx::query("UPDATE magic_links SET expires_at = $1").bind(now - 1).execute(&app.ctx.pool).await.unwrap();
    let before = fingerprint(&app, &[&v]).await;

    // Every page, with the victim's invoice and payment in its path.
    let pages = leptos_axum::generate_route_list(kassa_app::App);
    assert!(pages.len() >= 8);
    for page in &pages {
        let path = page
            .path()
            .replace(":merchant", "demo")
            .replace("{merchant}", "demo")
            .replace(":number", &v.invoices[1].1)
            .replace("{number}", &v.invoices[1].1)
            .replace(":payment", &v.payment)
            .replace("{payment}", &v.payment)
            .replace(":token", "made-up")
            .replace("{token}", "made-up")
            .replace("/checkout", &format!("/checkout?invoice={}", v.invoices[1].1));
        for (who, c, secrets) in &principals {
            let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert!(status < 500, "{who}: GET {path} answered {status}");
            no_leak(&text, secrets, &format!("{who}: GET {path}"));
        }
    }
    // The portal's pages outside the router (a plan's PDF, its direct-debit form and the
    // return from Stripe's), with the victim's plan: another debtor does not find it.
    for path in ["pdf", "debit", "debit/return"].map(|tail| format!("/p/demo/plans/{}/{tail}", v.plan)) {
        for (who, c, secrets) in &principals {
            let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            let refused =
                if who.starts_with("a debtor") { status == 404 } else { status != 200 || !text.contains("%PDF") };
            assert!(status < 500 && refused, "{who}: GET {path} answered {status}");
            no_leak(&text, secrets, &format!("{who}: GET {path}"));
        }
    }

    let names: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    assert!(names.len() >= 13, "{names:?}");
    // Signing out last: the principals stay who they are for every other call.
    let last = |name: &String| name.ends_with("_logout");
    let ordered = names.iter().filter(|n| !last(n)).chain(names.iter().filter(|n| last(n)));
    for name in ordered {
        let form = server_fn_form(name, &v);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for (who, c, secrets) in &principals {
            let res = app.server_fn(c, name, &form).await;
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert!(expected(name, who).contains(&status), "{who}: {name} answered {status}: {text}");
            // An answer may say back what the caller sent ("no invoice X on this account").
            let said = form.iter().fold(text, |said, (_, sent)| said.replace(&sent[..], ""));
            no_leak(&said, secrets, &format!("{who}: {name}"));
        }
    }

    // Expired, used and made-up links start no session and show nothing.
    let forged = format!("{second}x");
    for link in [
        format!("{}/p/demo/pay/{expired_pay}", app.url),
        format!("{}/p/demo/pay/{forged}", app.url),
        format!("{}/p/demo/pay/{revoked}", app.url),
        format!("{}/p/other/pay/{second}", app.url),
        magic.clone(),
        stale,
        format!("{}/p/demo/login/made-up", app.url),
    ] {
        let c = client();
        for method in [Method::GET, Method::POST] {
            let res = c.request(method.clone(), &link).send().await.unwrap();
            let status = res.status().as_u16();
            assert!(status != 303 && status < 500, "{method} {link}: {status}");
            no_leak(&res.text().await.unwrap(), &v.secrets, &link);
        }
        let res = app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await;
        assert_eq!(res.status(), 401, "{link} started a session");
    }
    // The widget's data: a token that is expired, forged or revoked.
    for t in [expired_pay, forged, revoked] {
        let res = client()
            .get(format!("{}/w/v1/invoice?token={t}", app.url))
            .header("origin", &app.shop_origin)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        no_leak(&res.text().await.unwrap(), &v.secrets, "widget");
    }
    assert_eq!(fingerprint(&app, &[&v]).await, before, "a refused call changed something");
}
