//! A real Kassa on a random port against a fresh database, seeded with the demo, and an HTTP
//! client with its own cookie jar: every integration test talks to it over TCP.
//!
//! The database is a new SQLite file, or — when `KASSA_TEST_POSTGRES_URL` names a PostgreSQL
//! server (scripts/test starts a throwaway one) — a new database on that server, so the same
//! suite runs on both backends.
#![allow(dead_code)]

pub mod smtp;

use std::net::SocketAddr;

use kassa_core::Ctx;
use kassa_server::config::{Config, DbArgs};
use kassa_server::demo::DemoLinks;

/// The sandbox's test cards (core `gateways::sandbox::TEST_CARDS`): approved, and declined.
pub const APPROVED: &str = "4242424242424242";
pub const DECLINED: &str = "4000000000000002";

pub struct TestApp {
    pub url: String,
    pub shop_origin: String,
    pub config: Config,
    pub ctx: Ctx,
    pub demo: DemoLinks,
    _dir: tempfile::TempDir,
}

/// A PNG of `w` x `h` pixels in one colour.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[11, 92, 173].repeat((w * h) as usize)).unwrap();
    writer.finish().unwrap();
    bytes
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `(field, code)` of each problem in an API error body.
pub fn field_codes(body: &serde_json::Value) -> Vec<(&str, &str)> {
    body["error"]["errors"]
        .as_array()
        .map(|errors| {
            errors.iter().map(|e| (e["field"].as_str().unwrap_or(""), e["code"].as_str().unwrap_or(""))).collect()
        })
        .unwrap_or_default()
}

/// The problem a failed server-function call answers with: its code and fields.
pub async fn problem(res: reqwest::Response) -> serde_json::Value {
    let body: serde_json::Value = res.json().await.expect("a JSON error");
    body.get("Problem").cloned().unwrap_or_else(|| panic!("not a problem: {body}"))
}

/// A database nobody else uses: a file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Ok(admin_url) = std::env::var("KASSA_TEST_POSTGRES_URL") else {
        return format!("sqlite://{}/kassa.db", dir.display());
    };
    use sqlx::Connection;
    let name = format!("kassa_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("KASSA_TEST_POSTGRES_URL answers");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    url.to_string()
}

/// Which backend this run of the suite uses.
pub fn on_postgres() -> bool {
    std::env::var("KASSA_TEST_POSTGRES_URL").is_ok()
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A Kassa whose configuration `adjust` changed first (a lower rate limit, say).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let mut config = Config {
            db: DbArgs { database_url: fresh_database(dir.path()).await },
            addr,
            public_url: None,
            site_root: dir.path().join("site"),
            demo_shop_addr: Some("127.0.0.1:9".parse().unwrap()),
            // PostgreSQL requires a configured secret; SQLite makes its own key file.
            secret: on_postgres().then(|| "test-secret-test-secret-test-secret-00".to_string().into()),
            api_rate_limit: 1200,
            // The tests' webhook receivers listen on 127.0.0.1.
            webhook_allow_private_targets: true,
            job_concurrency: None,
            trusted_proxies: Vec::new(),
            // Mail stays in the catcher unless a test starts an SMTP server.
            smtp_url: None,
            mail_from: None,
            // Stripe's servers are out of reach: tests that pay through Stripe start the
            // stand-in (stripe-standin/) and point these at it.
            stripe_api_url: "http://127.0.0.1:9/".into(),
            stripe_js_url: "http://127.0.0.1:9/v3/".into(),
            page_cache_mb: 64,
        };
        adjust(&mut config);
        let kassa = kassa_server::build(&config).await.unwrap();
        let demo = kassa_server::demo::seed(&kassa.ctx, &config).await.unwrap();
        let service = kassa.router.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        TestApp {
            url: format!("http://{addr}"),
            shop_origin: "http://127.0.0.1:9".into(),
            config,
            ctx: kassa.ctx,
            demo,
            _dir: dir,
        }
    }

    /// The demo merchant's id.
    /// A request to `/api/v1{path}` with `key`: its status and JSON body.
    pub async fn api(
        &self,
        key: &str,
        method: http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = client().request(method, format!("{}/api/v1{path}", self.url)).bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        answer(req).await
    }

    /// POSTs `body` to the API's `path` with API key `key` under the Idempotency-Key
    /// `idempotency_key`: the status and the JSON answer.
    pub async fn api_keyed(
        &self,
        key: &str,
        path: &str,
        idempotency_key: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let req = client()
            .post(format!("{}/api/v1{path}", self.url))
            .bearer_auth(key)
            .header("Idempotency-Key", idempotency_key)
            .json(&body);
        answer(req).await
    }

    /// The demo merchant's id and that of its customer numbered `number` (`C-1003`).
    pub async fn demo_customer(&self, number: &str) -> (kassa_domain::MerchantId, kassa_domain::CustomerId) {
        let (m, c): (String, String) = sqlx::query_as(
            "SELECT m.id, c.id FROM merchants m JOIN customers c ON c.merchant_id = m.id \
             WHERE m.slug = 'demo' AND c.number = $1",
        )
        .bind(number)
        .fetch_one(&self.ctx.pool)
        .await
        .unwrap();
        (kassa_domain::MerchantId::from_raw(m), kassa_domain::CustomerId::from_raw(c))
    }

    /// `count` open EUR invoices of `minor` each for the demo customer numbered `customer`,
    /// written straight into the database (500 to a statement): `{prefix}-00000`, ..., issued
    /// on `issued`, the `n`th due on `due(n)`. For lists and statements that must stay small
    /// whatever the count.
    pub async fn bulk_invoices(
        &self,
        customer: &str,
        prefix: &str,
        count: usize,
        minor: i64,
        issued: &str,
        due: impl Fn(usize) -> &'static str,
    ) {
        let (m, c) = self.demo_customer(customer).await;
        let mut tx = kassa_core::db::begin_write(&self.ctx.pool).await.unwrap();
        for chunk in (0..count).collect::<Vec<_>>().chunks(500) {
            let values: Vec<String> = chunk
                .iter()
                .map(|n| {
                    format!(
                        "('{prefix}-{n}', '{m}', '{c}', '{prefix}-{n:05}', 'EUR', '{issued}', '{}', {minor}, {minor}, \
                         'test', 1, 1)",
                        due(*n)
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO invoices (id, merchant_id, customer_id, number, currency, issue_date, due_date, \
                 total_minor, open_minor, mode, created_at, updated_at) VALUES {}",
                values.join(", ")
            );
            sqlx::query(&sql).execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    pub async fn demo_merchant(&self) -> kassa_domain::MerchantId {
        let slug = kassa_domain::MerchantSlug::parse("demo").unwrap();
        kassa_core::services::records::merchant_by_slug(&self.ctx.pool, &slug).await.unwrap().id
    }

    /// A new live API key of the demo merchant with every scope (the demo prints a test key).
    pub async fn live_key(&self) -> String {
        self.key(kassa_core::principal::Mode::Live, kassa_core::principal::Scopes::ALL).await
    }

    /// A new API key of the demo merchant.
    pub async fn key(&self, mode: kassa_core::principal::Mode, scopes: kassa_core::principal::Scopes) -> String {
        use kassa_core::services::api_keys::{self, CreateKey};
        let cmd = CreateKey { merchant: self.demo_merchant().await, name: "ERP".into(), mode, scopes };
        let created = api_keys::create(&self.ctx, &kassa_core::Principal::System, cmd).await.unwrap();
        secrecy::ExposeSecret::expose_secret(&created.secret).to_string()
    }

    /// A fresh magic link for a demo customer (as `kassa demo` prints them).
    pub async fn magic_link(&self, customer: &str) -> String {
        let links = kassa_server::demo::seed(&self.ctx, &self.config).await.unwrap();
        links.customers.into_iter().find(|c| c.name == customer).expect("demo customer").magic_link
    }

    /// A client signed in as a demo customer.
    pub async fn debtor(&self, customer: &str) -> reqwest::Client {
        let c = client();
        let res = c.post(self.magic_link(customer).await).send().await.unwrap();
        assert_eq!(res.status(), 303, "magic link should sign in");
        c
    }

    /// A client signed in as a new staff member, through their set-password link.
    pub async fn signed_in_staff(&self, cmd: kassa_core::services::staff::AddStaff) -> reqwest::Client {
        let c = client();
        self.add_staff_on(&c, cmd).await;
        c
    }

    /// A new staff member of the demo merchant with `role`, signed in on client `c` (one that
    /// chose a language, say).
    pub async fn signed_in_staff_with(&self, c: &reqwest::Client, email: &str, role: kassa_core::principal::StaffRole) {
        let cmd =
            kassa_core::services::staff::AddStaff { merchant: self.demo_merchant().await, email: email.into(), role };
        self.add_staff_on(c, cmd).await;
    }

    /// Adds a staff member and signs them in on `c` through their set-password link.
    async fn add_staff_on(&self, c: &reqwest::Client, cmd: kassa_core::services::staff::AddStaff) {
        use kassa_core::services::staff;
        let added = staff::add(&self.ctx, &kassa_core::Principal::System, cmd).await.unwrap();
        let form = [
            ("token", added.password_token.as_str()),
            ("password", "a long enough sentence"),
            ("confirm", "a long enough sentence"),
        ];
        assert_eq!(self.server_fn(c, "set_staff_password", &form).await.status(), 200);
    }

    /// A staff member of the demo merchant with `role`, signed in.
    pub async fn staff_member(&self, email: &str, role: kassa_core::principal::StaffRole) -> reqwest::Client {
        let cmd =
            kassa_core::services::staff::AddStaff { merchant: self.demo_merchant().await, email: email.into(), role };
        self.signed_in_staff(cmd).await
    }

    /// Runs queued jobs (every handler `kassa serve` runs) until none is left.
    pub async fn run_jobs(&self) {
        let worker = kassa_core::jobs::Worker::new(self.ctx.clone(), kassa_server::handlers());
        while worker.run_once().await.unwrap() > 0 {}
    }

    pub async fn server_fn(&self, c: &reqwest::Client, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        c.post(format!("{}/api/{name}", self.url)).form(form).send().await.unwrap()
    }

    /// Pays (part of) an invoice through the pay form and the sandbox's checkout with its
    /// approved test card, as [`TestApp::pay_through`] does.
    pub async fn pay(&self, c: &reqwest::Client, number: &str, amount: &str, key: &str) -> reqwest::Response {
        let form = [("merchant", "demo"), ("number", number), ("amount", amount), ("pay_key", key)];
        self.pay_through(c, "pay_invoice", &form, APPROVED).await
    }

    /// Pays as a browser does: the pay form (`endpoint`), then the sandbox's checkout page with
    /// the test `card` (or `"cancel"`), back to the payment's return address, and the form
    /// again (the same key), which answers with the outcome: the receipt's path (200, JSON) or
    /// why not. A refusal before the sandbox is answered as it came.
    pub async fn pay_through(
        &self,
        c: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
        card: &str,
    ) -> reqwest::Response {
        let res = self.server_fn(c, endpoint, form).await;
        if res.status() != 200 {
            return res;
        }
        let next: String = res.json().await.unwrap();
        if let Some(reference) = next.split("/sandbox/").nth(1) {
            let page = c.get(format!("{}/sandbox/{reference}", self.url)).send().await.unwrap();
            assert_eq!(page.status(), 200, "the sandbox's checkout page");
            let chose =
                c.post(format!("{}/sandbox/{reference}", self.url)).form(&[("card", card)]).send().await.unwrap();
            assert_eq!(chose.status(), 303, "the sandbox sends the payer back");
            let back = chose.headers()["location"].to_str().unwrap().to_string();
            assert!(back.starts_with(&format!("{}/p/demo/pay/return/", self.url)), "{back}");
            let returned = c.get(&back).send().await.unwrap();
            assert!(matches!(returned.status().as_u16(), 303 | 402), "back from the sandbox: {}", returned.status());
        }
        self.server_fn(c, endpoint, form).await
    }

    /// Runs the hourly overdue check once, as the job queue would.
    pub async fn check_overdue(&self) {
        use kassa_core::jobs::{Handler, Job};
        let job = Job {
            id: "t".into(),
            kind: kassa_core::overdue::CHECK.into(),
            payload: serde_json::json!({}),
            attempts: 1,
            max_attempts: 1,
        };
        kassa_core::overdue::Check.run(&self.ctx, &job).await.unwrap();
    }

    /// The invoice as the portal's `load_invoice` server function returns it.
    /// An invoice's open balance in minor units, as the ledger keeps it.
    pub async fn open_minor(&self, number: &str) -> i64 {
        sqlx::query_scalar("SELECT open_minor FROM invoices WHERE number = $1")
            .bind(number)
            .fetch_one(&self.ctx.pool)
            .await
            .unwrap()
    }

    pub async fn invoice_json(&self, c: &reqwest::Client, number: &str) -> serde_json::Value {
        self.server_fn(c, "load_invoice", &[("merchant", "demo"), ("number", number)]).await.json().await.unwrap()
    }

    /// The ledger invariants over the whole database, checked two ways: every customer's
    /// ledger is loaded into the domain and checked there (`ledger::verify_all`), and plain SQL
    /// checks the same rules on the raw rows, so a bug in the loader cannot hide one. Tests
    /// call it where they want the check mid-way; every test gets it at its end anyway (`Drop`).
    pub async fn assert_ledger_invariants(&self) {
        assert_ledger_invariants(&self.ctx.pool).await;
    }
}

/// Every test's database passes the ledger checks when the test ends (unless it failed
/// already): on a thread of its own with its own connection, as `Drop` cannot wait for the
/// test's runtime.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let url = self.config.db.database_url.clone();
        let checked = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let pool = kassa_core::db::connect(&url).await.expect("the test database opens again");
                assert_ledger_invariants(&pool).await;
                pool.close().await;
            })
        })
        .join();
        if let Err(failure) = checked {
            std::panic::resume_unwind(failure);
        }
    }
}

pub async fn assert_ledger_invariants(pool: &kassa_core::db::Pool) {
    let checked = kassa_core::services::ledger::verify_all(pool).await.expect("every ledger checks out");
    assert!(checked > 0);
    let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap() };
    let over = count(
        "SELECT COUNT(*) FROM invoices i WHERE i.total_minor < \
             (SELECT COALESCE(SUM(a.amount_minor), 0) FROM applications a WHERE a.invoice_id = i.id) + \
             (SELECT COALESCE(SUM(w.amount_minor), 0) FROM write_offs w WHERE w.invoice_id = i.id)",
    )
    .await;
    assert_eq!(over, 0, "an invoice is settled beyond its total");
    let stale = count(
        "SELECT COUNT(*) FROM invoices i WHERE i.open_minor <> i.total_minor - \
             (SELECT COALESCE(SUM(a.amount_minor), 0) FROM applications a WHERE a.invoice_id = i.id) - \
             (SELECT COALESCE(SUM(w.amount_minor), 0) FROM write_offs w WHERE w.invoice_id = i.id)",
    )
    .await;
    assert_eq!(stale, 0, "an invoice's stored open balance differs from its ledger");
    let overspent = count(
        "SELECT COUNT(*) FROM payments p WHERE p.amount_minor - p.refunded_minor < \
             (SELECT COALESCE(SUM(a.amount_minor), 0) FROM applications a WHERE a.payment_id = p.id)",
    )
    .await;
    assert_eq!(overspent, 0, "a payment applies more than it brought, less its refunds");
    let refunds_astray = count(
        "SELECT COUNT(*) FROM payments p WHERE p.refunded_minor < 0 OR p.refunded_minor > p.amount_minor \
             OR p.refunded_minor <> (SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r \
                                     WHERE r.payment_id = p.id AND r.state = 'succeeded')",
    )
    .await;
    assert_eq!(refunds_astray, 0, "a payment's refunded amount is not the sum of its refunds");
    let reversed_still_applied = count(
        "SELECT COUNT(*) FROM payments p WHERE p.reversed_at IS NOT NULL AND 0 <> \
             (SELECT COALESCE(SUM(a.amount_minor), 0) FROM applications a WHERE a.payment_id = p.id)",
    )
    .await;
    assert_eq!(reversed_still_applied, 0, "a reversed payment still settles something");
    let credit_overspent = count(
        "SELECT COUNT(*) FROM credit_notes c WHERE c.amount_minor < \
             (SELECT COALESCE(SUM(a.amount_minor), 0) FROM applications a WHERE a.credit_note_id = c.id)",
    )
    .await;
    assert_eq!(credit_overspent, 0, "a credit note applies more than its amount");
    let unsettled_attempts = count(
            "SELECT COUNT(*) FROM payments p JOIN payment_attempts a ON a.merchant_id = p.merchant_id AND a.id = p.attempt_id \
             WHERE a.state NOT IN ('succeeded', 'refunded', 'chargeback', 'chargeback_won', 'chargeback_lost') \
               OR a.payment_id <> p.id",
        )
        .await;
    assert_eq!(unsettled_attempts, 0, "a payment comes from an attempt that did not succeed");
    let lost_payments = count(
        "SELECT COUNT(*) FROM payment_attempts a WHERE a.state = 'succeeded' AND NOT EXISTS \
             (SELECT 1 FROM payments p WHERE p.merchant_id = a.merchant_id AND p.id = a.payment_id)",
    )
    .await;
    assert_eq!(lost_payments, 0, "a succeeded attempt has no payment in the ledger");
}

/// Sends `req`: the status and the JSON answer.
async fn answer(req: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}
