//! Outgoing webhooks over real HTTP, on SQLite and PostgreSQL: a receiver on a random port
//! checks every delivery's signature by hand against the Standard Webhooks scheme (HMAC-SHA256
//! over `id.timestamp.body`, independent of the crate Kassa signs with), fails and recovers,
//! answers 410; the delivery log, secret rotation with overlap, replays, test and live kept
//! apart, and internal addresses refused.

mod common;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use base64::Engine;
use common::{client, field_codes, TestApp};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use kassa_core::jobs::{self, Worker};
use serde_json::{json, Value};
use sha2::Sha256;

/// What the receiver got: the headers that matter and the body.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once they run out.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

/// Serves a test receiver on a random port; its `/hook` URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

impl Receiver {
    async fn spawn() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = axum::Router::new().route("/hook", post(receive)).with_state(receiver.clone());
        let url = serve(app).await;
        (receiver, url)
    }

    fn answer(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: String) -> (http::StatusCode, &'static str) {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    r.got.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    (http::StatusCode::from_u16(status).unwrap(), "receiver says hello")
}

/// The Standard Webhooks check, by hand: some `v1,` entry of the header is the base64
/// HMAC-SHA256, keyed with the secret's bytes, of `id.timestamp.body`.
fn signed_by(secret: &str, r: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", r.id, r.timestamp, r.body).as_bytes());
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    r.signature.split(' ').any(|s| s == expected)
}

/// Runs the job queue until it is empty or has given up, each retry made due at once instead
/// of after its backoff.
async fn deliver_all(app: &TestApp) {
    let worker = Worker::new(app.ctx.clone(), jobs::handlers());
    for _ in 0..30 {
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE state = 'queued' AND kind = 'webhook.deliver'")
            .execute(&app.ctx.pool)
            .await
            .unwrap();
        if worker.run_once().await.unwrap() == 0 {
            return;
        }
        while worker.run_once().await.unwrap() > 0 {}
    }
    panic!("the job queue does not come to rest");
}

async fn push_customer(app: &TestApp, key: &str, number: &str) {
    let body = json!({ "number": number, "name": "Jansen", "email": "a@jansen.example" });
    let (status, _) = app.api(key, http::Method::POST, "/customers", Some(body)).await;
    assert_eq!(status, 201);
}

fn invoice(number: &str) -> Value {
    json!({ "customer_number": "ERP-9", "number": number, "currency": "EUR", "issue_date": "2026-11-02",
            "lines": [ { "description": "Butter", "quantity": "2", "unit_price": "4.10" } ] })
}

#[tokio::test]
async fn events_reach_the_receiver_signed_and_a_failing_receiver_gets_them_when_it_recovers() {
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    // What happened before the endpoint existed is not sent.
    deliver_all(&app).await;
    let (receiver, url) = Receiver::spawn().await;
    let (status, endpoint) = app
        .api(
            &key,
            http::Method::POST,
            "/webhook_endpoints",
            Some(json!({ "url": url, "events": ["invoice.*", "payment.succeeded"], "description": "ERP" })),
        )
        .await;
    assert_eq!(status, 201, "{endpoint}");
    let secret = endpoint["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT secret FROM webhook_secrets").fetch_all(&app.ctx.pool).await.unwrap();
    assert!(stored.iter().all(|s| !s.contains(&secret[6..])), "the database holds secrets sealed only");
    let id = endpoint["id"].as_str().unwrap().to_string();
    let (_, shown) = app.api(&key, http::Method::GET, &format!("/webhook_endpoints/{id}"), None).await;
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    assert_eq!((shown["status"].as_str(), shown["mode"].as_str()), (Some("enabled"), Some("test")));

    // The receiver is down twice, then answers.
    receiver.answer(&[503, 500]);
    push_customer(&app, &key, "ERP-9").await;
    let (status, _) = app.api(&key, http::Method::POST, "/invoices", Some(invoice("WH-1"))).await;
    assert_eq!(status, 201);
    deliver_all(&app).await;
    let got = receiver.got();
    // customer.created is not subscribed; invoice.created is, tried three times.
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|r| r.id == got[0].id), "one webhook-id on every try");
    for r in &got {
        assert!(signed_by(&secret, r), "{r:?}");
        let age = kassa_core::db::now() - r.timestamp.parse::<i64>().unwrap();
        assert!((0..300).contains(&age));
    }
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!((body["type"].as_str(), body["mode"].as_str()), (Some("invoice.created"), Some("test")));
    assert_eq!(body["id"], got[0].id.as_str());
    assert_eq!(body["data"]["number"], "WH-1");

    let (_, log) = app.api(&key, http::Method::GET, &format!("/webhook_endpoints/{id}/deliveries"), None).await;
    let delivery = &log["data"][0];
    assert_eq!(
        (delivery["status"].as_str(), delivery["event_type"].as_str()),
        (Some("delivered"), Some("invoice.created"))
    );
    let codes: Vec<i64> =
        delivery["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(codes, [503, 500, 200]);
    assert_eq!(delivery["attempts"][0]["response"], "receiver says hello");
    assert!(delivery["attempts"][0]["error"].as_str().unwrap().contains("503"));

    // A rotated secret overlaps: both sign until the old one expires.
    let (status, rotated) = app
        .api(&key, http::Method::POST, &format!("/webhook_endpoints/{id}/secret"), Some(json!({ "overlap_hours": 1 })))
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    let replay = format!("/webhook_deliveries/{}/replay", delivery["id"].as_str().unwrap());
    let (status, _) = app.api(&key, http::Method::POST, &replay, None).await;
    assert_eq!(status, 202);
    deliver_all(&app).await;
    let again = receiver.got().pop().unwrap();
    assert_eq!(again.id, got[0].id, "a replay is the same message");
    assert!(signed_by(&secret, &again) && signed_by(&new_secret, &again), "{again:?}");
    assert!(!signed_by(&kassa_core::webhooks::new_secret(), &again));

    // 410 Gone: Kassa stops at once, says why, and keeps the delivery for later.
    receiver.answer(&[410]);
    app.api(&key, http::Method::POST, "/invoices", Some(invoice("WH-2"))).await;
    deliver_all(&app).await;
    let (_, gone) = app.api(&key, http::Method::GET, &format!("/webhook_endpoints/{id}"), None).await;
    assert_eq!(
        (gone["status"].as_str(), gone["disabled_reason"].as_str()),
        (Some("disabled"), Some("the receiver answered 410 Gone"))
    );
    let before = receiver.got().len();
    app.api(&key, http::Method::POST, "/invoices", Some(invoice("WH-3"))).await;
    deliver_all(&app).await;
    assert_eq!(receiver.got().len(), before, "nothing goes to a disabled endpoint");
    let (status, body) = app
        .api(
            &key,
            http::Method::POST,
            &format!("/webhook_endpoints/{id}/replay"),
            Some(json!({ "since": "2026-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("webhook_endpoint_disabled")));
    // Enabled again, the missed events are replayed by time range.
    let (status, _) = app
        .api(&key, http::Method::PATCH, &format!("/webhook_endpoints/{id}"), Some(json!({ "status": "enabled" })))
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .api(
            &key,
            http::Method::POST,
            &format!("/webhook_endpoints/{id}/replay"),
            Some(json!({ "since": "2026-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!((status, body["replayed"].as_u64()), (202, Some(2)), "{body}");
    deliver_all(&app).await;
    // Deliveries carry no promise of order (receivers order by the event's timestamp).
    let mut numbers: Vec<String> = receiver.got()[before..]
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).unwrap()["data"]["number"].as_str().unwrap().to_string())
        .collect();
    numbers.sort();
    assert_eq!(numbers, ["WH-2", "WH-3"]);
}

#[tokio::test]
async fn live_endpoints_hear_live_events_only_and_bad_endpoints_are_refused() {
    let app = TestApp::spawn().await;
    let (receiver, url) = Receiver::spawn().await;
    let live = app.live_key().await;
    let (status, _) =
        app.api(&live, http::Method::POST, "/webhook_endpoints", Some(json!({ "url": url, "events": ["*"] }))).await;
    assert_eq!(status, 201);
    // A test-mode invoice: the live endpoint hears nothing.
    let test = app.demo.api_key.clone();
    push_customer(&app, &test, "ERP-9").await;
    app.api(&test, http::Method::POST, "/invoices", Some(invoice("T-1"))).await;
    deliver_all(&app).await;
    assert!(receiver.got().is_empty(), "{:?}", receiver.got());
    let (_, listed) = app.api(&test, http::Method::GET, "/webhook_endpoints", None).await;
    assert_eq!(listed["data"], json!([]), "test keys do not see live endpoints");
    // A live one: it does.
    push_customer(&app, &live, "ERP-9L").await;
    deliver_all(&app).await;
    let got = receiver.got();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!((body["type"].as_str(), body["mode"].as_str()), (Some("customer.created"), Some("live")));

    // Everything wrong with an endpoint, at once.
    let (status, body) = app
        .api(
            &test,
            http::Method::POST,
            "/webhook_endpoints",
            Some(json!({ "url": "erp.example.com/hook", "events": ["invoice.eaten", "*"] })),
        )
        .await;
    assert_eq!(status, 422);
    let fields = field_codes(&body);
    assert_eq!(fields, [("url", "webhook_url_invalid"), ("events[0]", "webhook_event_unknown")]);
    let (_, body) = app
        .api(
            &test,
            http::Method::POST,
            "/webhook_endpoints",
            Some(json!({ "url": "https://erp.example.com/", "events": [] })),
        )
        .await;
    assert_eq!(body["error"]["errors"][0]["code"], "webhook_events_required");
}

#[tokio::test]
async fn internal_addresses_are_refused_unless_allowed() {
    let app = TestApp::spawn_with(|c| c.webhook_allow_private_targets = false).await;
    let key = app.demo.api_key.clone();
    for url in ["http://127.0.0.1:9/hook", "https://localhost/hook", "https://169.254.169.254/latest", "http://[::1]/"]
    {
        let (status, body) =
            app.api(&key, http::Method::POST, "/webhook_endpoints", Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_eq!(
            (status, body["error"]["errors"][0]["code"].as_str()),
            (422, Some("webhook_target_private")),
            "{url}: {body}"
        );
    }
    // A name that resolves to an internal address is caught when delivering: it is tried,
    // logged, and never reaches the address.
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, merchant_id, mode, url, description, events, status, created_at, updated_at) \
         SELECT 'we_sneaky', id, 'test', 'http://localhost:9/hook', '', '[\"*\"]', 'enabled', 0, 0 FROM merchants WHERE slug = 'demo'",
    )
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO webhook_secrets (id, endpoint_id, secret, created_at) VALUES ('s1', 'we_sneaky', $1, 0)")
        .bind(app.ctx.webhook_secrets.seal(&kassa_core::webhooks::new_secret()))
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    push_customer(&app, &key, "ERP-9").await;
    deliver_all(&app).await;
    let (_, log) = app.api(&key, http::Method::GET, "/webhook_endpoints/we_sneaky/deliveries", None).await;
    let attempt = &log["data"][0]["attempts"][0];
    assert!(attempt["status_code"].is_null());
    assert!(attempt["error"].as_str().unwrap().contains("internal address"), "{attempt}");
    // Every try is logged; after the last (more than three days of backoff) it is given up.
    assert_eq!(log["data"][0]["attempts"].as_array().unwrap().len(), 25);
    assert_eq!(log["data"][0]["status"], "failed");
    // An endpoint that has failed for five days without a success is disabled, and says why.
    sqlx::query("UPDATE webhook_endpoints SET failing_since = failing_since - 6 * 86400 WHERE id = 'we_sneaky'")
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    push_customer(&app, &key, "ERP-10").await;
    deliver_all(&app).await;
    let (_, endpoint) = app.api(&key, http::Method::GET, "/webhook_endpoints/we_sneaky", None).await;
    assert_eq!(
        (endpoint["status"].as_str(), endpoint["disabled_reason"].as_str()),
        (Some("disabled"), Some("every delivery failed for 5 days"))
    );
    let disabled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_endpoint.disabled'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(disabled, 1, "the audit log says so");
}

/// A receiver that takes `delay` to answer 200, counting how many requests it holds at once.
async fn slow_receiver(delay: std::time::Duration) -> (Arc<std::sync::atomic::AtomicUsize>, Arc<Mutex<usize>>, String) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(Mutex::new(0usize)));
    let state = (now.clone(), most.clone());
    let app = axum::Router::new().route(
        "/hook",
        post(move || {
            let (now, most) = state.clone();
            async move {
                let holding = now.fetch_add(1, Ordering::SeqCst) + 1;
                {
                    let mut m = most.lock().unwrap();
                    *m = (*m).max(holding);
                }
                tokio::time::sleep(delay).await;
                now.fetch_sub(1, Ordering::SeqCst);
                "ok"
            }
        }),
    );
    (now, most, serve(app).await)
}

/// A receiver that answers 200 and then a body that never ends.
async fn endless_receiver() -> String {
    let app = axum::Router::new().route(
        "/hook",
        post(|| async {
            let chunk = axum::body::Bytes::from(vec![b'x'; 64 * 1024]);
            let endless = futures_util::stream::repeat_with(move || Ok::<_, std::convert::Infallible>(chunk.clone()));
            axum::body::Body::from_stream(endless)
        }),
    );
    serve(app).await
}

#[tokio::test]
async fn a_slow_receiver_holds_two_slots_and_an_endless_answer_is_cut_short() {
    let app = TestApp::spawn().await;
    let (test, live) = (app.demo.api_key.clone(), app.live_key().await);
    deliver_all(&app).await;
    let (_, most, slow_url) = slow_receiver(std::time::Duration::from_millis(1500)).await;
    let endless_url = endless_receiver().await;
    let endpoint = |url: String| json!({ "url": url, "events": ["customer.created"] });
    let (status, slow) = app.api(&test, http::Method::POST, "/webhook_endpoints", Some(endpoint(slow_url))).await;
    assert_eq!(status, 201);
    let (status, endless) = app.api(&live, http::Method::POST, "/webhook_endpoints", Some(endpoint(endless_url))).await;
    assert_eq!(status, 201);
    // Six events for the slow receiver first, then one for the other.
    for n in 0..6 {
        push_customer(&app, &test, &format!("SLOW-{n}")).await;
    }
    push_customer(&app, &live, "ENDLESS-1").await;

    let mut worker = Worker::new(app.ctx.clone(), jobs::handlers());
    worker.concurrency = 4;
    worker.poll = std::time::Duration::from_millis(50);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    let delivered = |endpoint: &Value| {
        let pool = app.ctx.pool.clone();
        let id = endpoint["id"].as_str().unwrap().to_string();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'delivered'",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let started = std::time::Instant::now();
    while delivered(&endless).await == 0 {
        assert!(started.elapsed().as_secs() < 10, "the other receiver's delivery waits behind the slow one");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(delivered(&slow).await < 6, "delivered while the slow receiver still had a queue");
    while delivered(&slow).await < 6 {
        assert!(started.elapsed().as_secs() < 30, "the slow receiver's deliveries do not finish");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = stop.send(());
    running.await.unwrap();
    assert_eq!(*most.lock().unwrap(), 2, "one receiver holds at most two of the four slots");
    // The endless answer was read up to a limit: the log keeps its start.
    let (_, log) = app
        .api(
            &live,
            http::Method::GET,
            &format!("/webhook_endpoints/{}/deliveries", endless["id"].as_str().unwrap()),
            None,
        )
        .await;
    let attempt = &log["data"][0]["attempts"][0];
    assert_eq!(attempt["status_code"], 200, "{attempt}");
    assert_eq!(attempt["response"].as_str().unwrap().len(), 500);
}

/// Runs the hourly overdue check once, as the job queue would.
async fn check_overdue(app: &TestApp) {
    app.check_overdue().await;
    deliver_all(app).await;
}

#[tokio::test]
async fn an_invoice_past_due_is_announced_once_and_again_if_it_is_reopened() {
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    deliver_all(&app).await;
    let (receiver, url) = Receiver::spawn().await;
    let (status, _) = app
        .api(&key, http::Method::POST, "/webhook_endpoints", Some(json!({ "url": url, "events": ["invoice.overdue"] })))
        .await;
    assert_eq!(status, 201);
    let overdue = |r: &Receiver| -> Vec<String> {
        let mut numbers: Vec<String> = r
            .got()
            .iter()
            .map(|g| serde_json::from_str::<Value>(&g.body).unwrap()["data"]["number"].as_str().unwrap().to_string())
            .collect();
        numbers.sort();
        numbers
    };
    check_overdue(&app).await;
    let demo = overdue(&receiver);
    assert!(demo.contains(&"NL-2026-0101".to_string()), "{demo:?}");
    assert!(!demo.contains(&"NL-2026-0103".to_string()), "a paid invoice is not overdue: {demo:?}");
    check_overdue(&app).await;
    assert_eq!(overdue(&receiver), demo, "announced once");

    push_customer(&app, &key, "ERP-9").await;
    let mut late = invoice("LATE-1");
    late["issue_date"] = json!("2026-01-01");
    late["due_date"] = json!("2026-01-15");
    app.api(&key, http::Method::POST, "/invoices", Some(late)).await;
    check_overdue(&app).await;
    assert_eq!(overdue(&receiver).len(), demo.len() + 1);
    // Paid, then the payment bounces: overdue again, and announced again.
    let pay = json!({ "customer_number": "ERP-9", "amount": "8.20", "currency": "EUR" });
    let (_, payment) = app.api_keyed(&key, "/payments", "late-1", pay).await;
    check_overdue(&app).await;
    assert_eq!(overdue(&receiver).len(), demo.len() + 1, "a paid invoice is not announced");
    let reversal = format!("/payments/{}/reversal", payment["id"].as_str().unwrap());
    let (status, _) =
        app.api(&key, http::Method::POST, &reversal, Some(json!({ "reason": "transfer_returned" }))).await;
    assert_eq!(status, 200);
    check_overdue(&app).await;
    let all = overdue(&receiver);
    assert_eq!(all.iter().filter(|n| *n == "LATE-1").count(), 2, "{all:?}");
}

#[tokio::test]
async fn an_answer_with_a_secret_is_kept_sealed_and_still_replayed() {
    let app = TestApp::spawn().await;
    let post = |path: String, body: Value, key: &'static str| {
        let req = client()
            .post(format!("{}/api/v1{path}", app.url))
            .bearer_auth(&app.demo.api_key)
            .header("Idempotency-Key", key)
            .json(&body);
        async move {
            let res = req.send().await.unwrap();
            let replayed = res.headers().contains_key("idempotent-replayed");
            (res.status().as_u16(), replayed, res.json::<Value>().await.unwrap())
        }
    };
    let endpoint = json!({ "url": "https://erp.example.com/kassa", "events": ["*"] });
    let (status, replayed, first) = post("/webhook_endpoints".into(), endpoint.clone(), "create-1").await;
    assert_eq!((status, replayed), (201, false), "{first}");
    let path = format!("/webhook_endpoints/{}/secret", first["id"].as_str().unwrap());
    let (status, _, rotated) = post(path.clone(), json!({ "overlap_hours": 0 }), "rotate-1").await;
    assert_eq!(status, 200, "{rotated}");
    let secrets = [first["secret"].as_str().unwrap(), rotated["secret"].as_str().unwrap()];

    let kept: Vec<String> =
        sqlx::query_scalar("SELECT response FROM api_requests WHERE key IN ('create-1', 'rotate-1')")
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(kept.len(), 2);
    for kept in &kept {
        assert!(kassa_core::secrets::Sealer::is_sealed(kept), "{kept}");
        assert!(secrets.iter().all(|s| !kept.contains(&s[6..])), "a secret in plain text in the idempotency store");
    }
    // The same requests again: the same answers, secrets included.
    let (status, replayed, again) = post("/webhook_endpoints".into(), endpoint, "create-1").await;
    assert_eq!((status, replayed, &again), (201, true, &first));
    let (status, replayed, again) = post(path, json!({ "overlap_hours": 0 }), "rotate-1").await;
    assert_eq!((status, replayed, &again), (200, true, &rotated));
}
