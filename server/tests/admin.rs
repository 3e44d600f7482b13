//! Staff sign-in (argon2id) and the admin's invoice list.

mod common;
use common::{client, TestApp};

#[tokio::test]
async fn staff_sign_in_and_see_every_customers_invoices() {
    let app = TestApp::spawn().await;
    let c = client();
    let wrong = app.server_fn(&c, "staff_login", &[("email", &app.demo.staff_email), ("password", "wrong")]).await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(common::problem(wrong).await["code"], "wrong_credentials");
    assert_eq!(app.server_fn(&c, "load_admin", &[]).await.status(), 401);

    let unknown = app.server_fn(&c, "staff_login", &[("email", "nobody@example.com"), ("password", "x")]).await;
    assert_eq!(unknown.status(), 422);

    let ok = app
        .server_fn(&c, "staff_login", &[("email", "  ADMIN@demo.kassa.test "), ("password", &app.demo.staff_password)])
        .await;
    assert_eq!(ok.status(), 200);
    let overview: serde_json::Value = app.server_fn(&c, "load_admin", &[]).await.json().await.unwrap();
    let invoices = overview["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 28);
    let customers: std::collections::BTreeSet<_> =
        invoices.iter().map(|i| i["customer_name"].as_str().unwrap()).collect();
    assert_eq!(customers.len(), 3);
    let statuses: std::collections::BTreeSet<_> = invoices.iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["Credited", "Disputed", "InPlan", "Open", "Overdue", "Paid", "PartlyPaid", "WrittenOff"]
    );

    let page = c.get(format!("{}/admin", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("DK-2026-0201"));

    app.server_fn(&c, "staff_logout", &[]).await;
    assert_eq!(app.server_fn(&c, "load_admin", &[]).await.status(), 401);
}

#[tokio::test]
async fn the_demo_seed_is_idempotent() {
    let app = TestApp::spawn().await;
    let counts = || async {
        let mut counts = Vec::new();
        let tables = [
            "invoices",
            "customers",
            "staff_users",
            "payments",
            "credit_notes",
            "applications",
            "write_offs",
            "disputes",
            "dispute_messages",
        ];
        for table in tables {
            let n: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&app.ctx.pool).await.unwrap();
            counts.push(n);
        }
        counts
    };
    let before = counts().await;
    kassa_server::demo::seed(&app.ctx, &app.config).await.unwrap();
    assert_eq!(counts().await, before);
    assert_eq!(before[..3], [28, 3, 1]);
    assert_eq!(before[7..], [1, 3], "a dispute with its thread");
    app.assert_ledger_invariants().await;
}

/// The demo admin signs in with the right password, from `c`.
async fn right_password(app: &TestApp, c: &reqwest::Client) -> reqwest::Response {
    app.server_fn(c, "staff_login", &[("email", &app.demo.staff_email), ("password", &app.demo.staff_password)]).await
}

/// A client whose requests come from another loopback address (another client IP).
fn from_address(last: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, last])).build().unwrap()
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_per_email_and_address() {
    let app = TestApp::spawn().await;
    let c = client();
    for _ in 0..10 {
        let res = app.server_fn(&c, "staff_login", &[("email", &app.demo.staff_email), ("password", "guess")]).await;
        assert_eq!(res.status(), 422);
    }
    // Now even the right password waits from here: the limit is on the account from this
    // address, not on the guess.
    let res = right_password(&app, &c).await;
    assert_eq!(res.status(), 429);
    let problem = common::problem(res).await;
    assert_eq!(problem["code"], "too_many_attempts");
    assert_eq!(problem["retry_after_minutes"], 15);
    // Another account is not affected.
    let res = app.server_fn(&c, "staff_login", &[("email", "someone@else.example"), ("password", "x")]).await;
    assert_eq!(res.status(), 422);
    // Nor is the real person, signing in from elsewhere.
    let res = right_password(&app, &from_address(2)).await;
    assert_eq!(res.status(), 200, "someone guessing elsewhere does not lock the account");
    // When the window has passed, the account opens again.
    sqlx::query("UPDATE auth_failures SET created_at = created_at - 3600").execute(&app.ctx.pool).await.unwrap();
    assert_eq!(right_password(&app, &c).await.status(), 200);
}

#[tokio::test]
async fn one_address_gets_thirty_wrong_passwords_whatever_the_emails() {
    let app = TestApp::spawn().await;
    let c = client();
    for n in 0..30 {
        let email = format!("guess-{n}@demo.kassa.test");
        let res = app.server_fn(&c, "staff_login", &[("email", email.as_str()), ("password", "guess")]).await;
        assert_eq!(res.status(), 422);
    }
    assert_eq!(right_password(&app, &c).await.status(), 429);
    assert_eq!(right_password(&app, &from_address(3)).await.status(), 200);
}

#[tokio::test]
async fn the_limit_holds_under_thirty_parallel_guesses() {
    let app = TestApp::spawn().await;
    let guesses = (0..30).map(|_| async {
        app.server_fn(&client(), "staff_login", &[("email", &app.demo.staff_email), ("password", "guess")])
            .await
            .status()
            .as_u16()
    });
    let mut statuses = futures_util::future::join_all(guesses).await;
    statuses.sort();
    let wrong = statuses.iter().filter(|s| **s == 422).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((wrong, limited), (10, 20), "{statuses:?}");
}

#[tokio::test]
async fn the_database_holds_no_usable_session_id() {
    let app = TestApp::spawn().await;
    let c = client();
    let res = app
        .server_fn(&c, "staff_login", &[("email", &app.demo.staff_email), ("password", &app.demo.staff_password)])
        .await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    let id = cookie.split(';').next().unwrap().strip_prefix("kassa_session=").unwrap().to_string();
    let (rows, leaked): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN id_hash = $1 OR data LIKE $2 THEN 1 ELSE 0 END), 0) FROM sessions",
    )
    .bind(&id)
    .bind(format!("%{id}%"))
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert!(rows >= 1, "the session is stored");
    assert_eq!(leaked, 0, "the raw session id is in the database");
    // The cookie itself still works.
    assert_eq!(app.server_fn(&c, "load_admin", &[]).await.status(), 200);
}

#[tokio::test]
async fn new_staff_choose_their_password_through_a_single_use_link() {
    use kassa_core::principal::StaffRole;
    use kassa_core::services::staff;
    let app = TestApp::spawn().await;
    let merchant: String =
        sqlx::query_scalar("SELECT id FROM merchants WHERE slug = 'demo'").fetch_one(&app.ctx.pool).await.unwrap();
    let cmd = staff::AddStaff {
        merchant: kassa_domain::MerchantId::from_raw(merchant),
        email: "piet@demo.kassa.test".into(),
        role: StaffRole::Viewer,
    };
    let added = staff::add(&app.ctx, &kassa_core::Principal::System, cmd).await.unwrap();
    let c = client();
    // Before choosing a password, no password signs them in.
    let res = app.server_fn(&c, "staff_login", &[("email", "piet@demo.kassa.test"), ("password", "!")]).await;
    assert_eq!(common::problem(res).await["code"], "wrong_credentials");

    let page = c.get(format!("{}/admin/set-password/{}", app.url, added.password_token)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Choose your Kassa password"));
    let token = added.password_token.as_str();
    let (app, c) = (&app, &c);
    let attempt = |password: &'static str, confirm: &'static str| async move {
        app.server_fn(c, "set_staff_password", &[("token", token), ("password", password), ("confirm", confirm)]).await
    };
    assert_eq!(common::problem(attempt("short", "short").await).await["code"], "password_too_short");
    assert_eq!(
        common::problem(attempt("a long enough sentence", "a long enough sentencE").await).await["code"],
        "passwords_differ"
    );
    assert_eq!(attempt("a long enough sentence", "a long enough sentence").await.status(), 200);
    assert_eq!(app.server_fn(c, "load_admin", &[]).await.status(), 200, "signed in");
    assert_eq!(
        common::problem(attempt("another long sentence", "another long sentence").await).await["code"],
        "password_link_expired"
    );
    let res = app
        .server_fn(
            &client(),
            "staff_login",
            &[("email", "piet@demo.kassa.test"), ("password", "a long enough sentence")],
        )
        .await;
    assert_eq!(res.status(), 200);
}

/// Signs in as the demo's staff member with `password`, as sent through a proxy that says the
/// client is `forwarded_for`.
async fn login_via(app: &TestApp, password: &str, forwarded_for: &str) -> u16 {
    let form = [("email", app.demo.staff_email.as_str()), ("password", password)];
    let res = client()
        .post(format!("{}/api/staff_login", app.url))
        .header("x-forwarded-for", forwarded_for)
        .form(&form)
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_sign_in_limit() {
    let app = TestApp::spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    for _ in 0..10 {
        assert_eq!(login_via(&app, "wrong", "203.0.113.1").await, 422);
    }
    assert_eq!(login_via(&app, "wrong", "203.0.113.1").await, 429);
    // A client that writes the header itself is still the address the proxy appended.
    assert_eq!(login_via(&app, "wrong", "203.0.113.99, 203.0.113.1").await, 429);
    // Someone guessing from one address does not lock the real person out from another.
    assert_eq!(login_via(&app, "wrong", "203.0.113.2").await, 422);
    assert_eq!(login_via(&app, &app.demo.staff_password, "203.0.113.2").await, 200);

    // Without a trusted proxy the header is the client's own word and is ignored: all of
    // these come from 127.0.0.1.
    let direct = TestApp::spawn().await;
    for n in 0..10 {
        assert_eq!(login_via(&direct, "wrong", &format!("203.0.113.{n}")).await, 422);
    }
    assert_eq!(login_via(&direct, "wrong", "203.0.113.200").await, 429);
}

#[tokio::test]
async fn a_customer_s_page_has_its_invoices_history_plans_promises_and_disputes() {
    let app = TestApp::spawn().await;
    let viewer = app.staff_member("viewer@demo.kassa.test", kassa_core::principal::StaffRole::Viewer).await;
    let (_, fjordkaffe) = app.demo_customer("C-1002").await;
    let form = [("id", fjordkaffe.as_str())];
    let res = app.server_fn(&viewer, "load_customer", &form).await;
    assert_eq!(res.status(), 200);
    let page: serde_json::Value = res.json().await.unwrap();
    assert_eq!(page["name"], "Fjordkaffe ApS");
    assert_eq!(page["invoices"].as_array().unwrap().len(), 11);
    // The demo's kept and broken promises, its dispute under review, no plan yet.
    assert_eq!(page["promises"].as_array().unwrap().len(), 2, "{page}");
    assert_eq!(page["disputes"][0]["href"].as_str().map(|h| h.starts_with("/admin/disputes/")), Some(true));
    assert_eq!(page["plans"].as_array().unwrap().len(), 0);
    // Its history is its statement for the last year: every invoice, the payments, the
    // reversed one, closing with what it owes less its credit.
    let dkk = &page["history"][0];
    assert_eq!(dkk["currency"], "DKK");
    let labels: Vec<&str> = dkk["entries"].as_array().unwrap().iter().map(|e| e["label"].as_str().unwrap()).collect();
    assert!(labels.iter().any(|l| l.contains("DK-2026-0211")), "{labels:?}");
    assert!(dkk["entries"].as_array().unwrap().iter().all(|e| e["href"].is_null()), "no links into the portal");
    // Another customer's page is as its own; an unknown id is not found.
    assert_eq!(app.server_fn(&viewer, "load_customer", &[("id", "nobody")]).await.status(), 404);
    let html = viewer.get(format!("{}/admin/customers/{}", app.url, fjordkaffe)).send().await.unwrap();
    assert_eq!(html.status(), 200);
    assert!(html.text().await.unwrap().contains("Fjordkaffe ApS (C-1002)"));
}
