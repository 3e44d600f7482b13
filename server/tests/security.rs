//! Requests from elsewhere, on SQLite and PostgreSQL: what changes something is accepted only
//! from Kassa's own pages (origin.rs); the merchant API, authenticated by its key, is not
//! bound to an origin.

mod common;
use common::{client, TestApp};

/// Posts a server function's form with the given browser headers.
async fn post_from(
    app: &TestApp,
    c: &reqwest::Client,
    name: &str,
    form: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = c.post(format!("{}/api/{name}", app.url)).form(form);
    for (header, value) in headers {
        req = req.header(*header, *value);
    }
    req.send().await.unwrap()
}

async fn payments(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM payments").fetch_one(&app.ctx.pool).await.unwrap()
}

#[tokio::test]
async fn state_changing_posts_from_another_origin_are_refused() {
    let app = TestApp::spawn().await;
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let staff = client();
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    let pay = [
        ("merchant", "demo"),
        ("number", "NL-2026-0104"),
        ("amount", "10"),
        ("outcome", "Succeed"),
        ("pay_key", "from-elsewhere"),
    ];
    let before = payments(&app).await;
    let own = app.url.clone();
    for from in [
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("referer", "http://evil.example/page.html")],
        // A sibling origin: same host name, another port.
        vec![("origin", "http://127.0.0.1:1")],
    ] {
        let res = post_from(&app, &staff, "staff_login", &login, &from).await;
        assert_eq!(res.status(), 403, "{from:?}");
        assert!(res.headers().get("set-cookie").is_none(), "{from:?}: no session from a refused post");
        assert!(res.text().await.unwrap().contains("sent from another site"));
        assert_eq!(post_from(&app, &debtor, "pay_invoice", &pay, &from).await.status(), 403, "{from:?}");
    }
    assert_eq!(payments(&app).await, before, "nothing was paid");
    // Staff signed in from Kassa's own page; a webhook from elsewhere is still refused.
    let res = post_from(&app, &staff, "staff_login", &login, &[("origin", &own)]).await;
    assert_eq!(res.status(), 200);
    let hook = [("url", "https://erp.example.com/hook"), ("events", "*"), ("description", "")];
    let res = post_from(&app, &staff, "add_webhook", &hook, &[("origin", "http://evil.example")]).await;
    assert_eq!(res.status(), 403);
    let res = post_from(&app, &staff, "add_webhook", &hook, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(res.status(), 200);
    let res = post_from(&app, &debtor, "pay_invoice", &pay, &[("referer", &format!("{own}/p/demo"))]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(payments(&app).await, before + 1);

    // The API is called by servers with a key, from anywhere.
    let res = client()
        .post(format!("{}/api/v1/customers", app.url))
        .bearer_auth(&app.demo.api_key)
        .header("origin", "http://evil.example")
        .json(&serde_json::json!({ "number": "ERP-O", "name": "Jansen", "email": "a@jansen.example" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

/// A staff member of the demo merchant with `role`, signed in through their set-password link.
async fn staff_member(app: &TestApp, email: &str, role: kassa_core::principal::StaffRole) -> reqwest::Client {
    use kassa_core::services::staff;
    let cmd = staff::AddStaff { merchant: app.demo_merchant().await, email: email.into(), role };
    let added = staff::add(&app.ctx, &kassa_core::Principal::System, cmd).await.unwrap();
    let c = client();
    let form = [
        ("token", added.password_token.as_str()),
        ("password", "a long enough sentence"),
        ("confirm", "a long enough sentence"),
    ];
    assert_eq!(app.server_fn(&c, "set_staff_password", &form).await.status(), 200);
    c
}

#[tokio::test]
async fn webhook_endpoints_need_an_admin_and_a_role_counts_from_the_next_request() {
    use kassa_core::principal::StaffRole;
    let app = TestApp::spawn().await;
    let hook = [("url", "https://erp.example.com/hook"), ("events", "*"), ("description", "")];
    for (email, role) in
        [("collector@demo.kassa.test", StaffRole::Collector), ("viewer@demo.kassa.test", StaffRole::Viewer)]
    {
        let c = staff_member(&app, email, role).await;
        assert_eq!(app.server_fn(&c, "load_admin", &[]).await.status(), 200, "{email} reads");
        assert_eq!(app.server_fn(&c, "add_webhook", &hook).await.status(), 404, "{email} may not add an endpoint");
    }
    let endpoints: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(endpoints, 0);

    // An admin may, until demoted: the next request already counts the new role.
    let admin = staff_member(&app, "admin2@demo.kassa.test", StaffRole::Admin).await;
    assert_eq!(app.server_fn(&admin, "add_webhook", &hook).await.status(), 200);
    sqlx::query("UPDATE staff_users SET role = 'collector' WHERE email = 'admin2@demo.kassa.test'")
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(app.server_fn(&admin, "add_webhook", &hook).await.status(), 404);
    // Removed from the staff: signed out at once.
    for sql in [
        "DELETE FROM staff_password_links WHERE staff_id IN (SELECT id FROM staff_users WHERE email = 'admin2@demo.kassa.test')",
        "DELETE FROM staff_users WHERE email = 'admin2@demo.kassa.test'",
    ] {
        sqlx::query(sql).execute(&app.ctx.pool).await.unwrap();
    }
    assert_eq!(app.server_fn(&admin, "load_admin", &[]).await.status(), 401);
}
