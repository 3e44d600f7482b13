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

/// Payments asked of a gateway (a pay form's post makes an attempt; the money follows at the
/// sandbox's checkout).
async fn payments(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM payment_attempts").fetch_one(&app.ctx.pool).await.unwrap()
}

#[tokio::test]
async fn state_changing_posts_from_another_origin_are_refused() {
    let app = TestApp::spawn().await;
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let staff = client();
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    let pay = [("merchant", "demo"), ("number", "NL-2026-0104"), ("amount", "10"), ("pay_key", "from-elsewhere")];
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

#[tokio::test]
async fn webhook_endpoints_need_an_admin_and_a_role_counts_from_the_next_request() {
    use kassa_core::principal::StaffRole;
    use kassa_core::services::staff;
    let app = TestApp::spawn().await;
    let hook = [("url", "https://erp.example.com/hook"), ("events", "*"), ("description", "")];
    for (email, role) in
        [("collector@demo.kassa.test", StaffRole::Collector), ("viewer@demo.kassa.test", StaffRole::Viewer)]
    {
        let c = app.staff_member(email, role).await;
        assert_eq!(app.server_fn(&c, "load_admin", &[]).await.status(), 200, "{email} reads");
        assert_eq!(app.server_fn(&c, "add_webhook", &hook).await.status(), 404, "{email} may not add an endpoint");
    }
    let endpoints: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(endpoints, 0);

    // An admin may, until demoted: the next request already counts the new role.
    let admin = app.staff_member("admin2@demo.kassa.test", StaffRole::Admin).await;
    assert_eq!(app.server_fn(&admin, "add_webhook", &hook).await.status(), 200);
    let m = app.demo_merchant().await;
    let members = staff::list(&app.ctx, &kassa_core::Principal::System, &m).await.unwrap();
    let id = members.into_iter().find(|s| s.email == "admin2@demo.kassa.test").unwrap().id;
    staff::set_role(&app.ctx, &kassa_core::Principal::System, &m, &id, StaffRole::Collector).await.unwrap();
    assert_eq!(app.server_fn(&admin, "add_webhook", &hook).await.status(), 404);
    // Removed from the staff: signed out at once.
    staff::remove(&app.ctx, &kassa_core::Principal::System, &m, &id).await.unwrap();
    assert_eq!(app.server_fn(&admin, "load_admin", &[]).await.status(), 401);
}

/// Every kept sign-in's end (unix seconds), and a way to move them all.
async fn sign_in_ends(app: &TestApp, set: Option<i64>) -> Vec<i64> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id_hash, data FROM sessions").fetch_all(&app.ctx.pool).await.unwrap();
    let mut ends = Vec::new();
    for (id, data) in rows {
        let mut data: serde_json::Value = serde_json::from_str(&data).unwrap();
        // Sign-ins only (the session also keeps the debtor's language).
        for (_, kept) in
            data["data"].as_object_mut().unwrap().iter_mut().filter(|(_, kept)| kept.get("until").is_some())
        {
            ends.push(kept["until"].as_i64().unwrap());
            if let Some(until) = set {
                kept["until"] = until.into();
            }
        }
        sqlx::query("UPDATE sessions SET data = $1 WHERE id_hash = $2")
            .bind(data.to_string())
            .bind(id)
            .execute(&app.ctx.pool)
            .await
            .unwrap();
    }
    ends
}

#[tokio::test]
async fn a_sign_in_ends_after_twelve_hours_and_a_pay_links_with_its_link() {
    let app = TestApp::spawn().await;
    let now = kassa_core::db::now();
    let staff = client();
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    assert_eq!(app.server_fn(&staff, "staff_login", &login).await.status(), 200);
    let ends = sign_in_ends(&app, None).await;
    assert_eq!(ends.len(), 1);
    assert!((now + 12 * 3600..now + 12 * 3600 + 60).contains(&ends[0]), "{ends:?}");
    // However active the session, the sign-in ends then.
    sign_in_ends(&app, Some(now - 1)).await;
    assert_eq!(app.server_fn(&staff, "load_admin", &[]).await.status(), 401);

    // The demo shop's pay link is valid for an hour: so is the session it starts.
    sqlx::query("DELETE FROM sessions").execute(&app.ctx.pool).await.unwrap();
    let token = kassa_server::demo::shop_token(&app.ctx, &app.shop_origin).await.unwrap();
    let pay_link = client();
    let res = pay_link.post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let ends = sign_in_ends(&app, None).await;
    assert!((now + 3600..now + 3660).contains(&ends[0]), "{ends:?}");
    let invoice = [("merchant", "demo"), ("number", "NL-2026-0107")];
    assert_eq!(app.server_fn(&pay_link, "load_invoice", &invoice).await.status(), 200);
    sign_in_ends(&app, Some(now - 1)).await;
    assert_eq!(app.server_fn(&pay_link, "load_invoice", &invoice).await.status(), 401);
}

#[tokio::test]
async fn over_https_cookies_are_host_only_and_browsers_told_to_stay() {
    let app = TestApp::spawn_with(|c| c.public_url = Some("https://pay.example.com".into())).await;
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    let res = app.server_fn(&client(), "staff_login", &login).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=63072000");
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-kassa_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");

    // Over plain http (the demo): neither.
    let plain = TestApp::spawn().await;
    let res = plain.server_fn(&client(), "staff_login", &login).await;
    assert!(res.headers().get("strict-transport-security").is_none());
    assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("kassa_session="));
}

#[tokio::test]
async fn pages_and_their_data_are_not_kept_by_browsers_or_proxies() {
    let app = TestApp::spawn().await;
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let page = debtor.get(format!("{}/p/demo/invoices/NL-2026-0101", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let data = app.server_fn(&debtor, "load_portal", &[("merchant", "demo")]).await;
    assert_eq!(data.headers()["cache-control"], "no-store");
    let api = client().get(format!("{}/api/v1/invoices", app.url)).bearer_auth(&app.demo.api_key).send().await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    // A stylesheet keeps its own caching.
    let theme = client().get(format!("{}/p/demo/theme.css", app.url)).send().await.unwrap();
    assert_eq!(theme.headers()["cache-control"], "public, max-age=300");
}

#[tokio::test]
async fn someone_active_stays_signed_in_past_two_hours_at_a_write_a_minute() {
    let app = TestApp::spawn().await;
    let staff = client();
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    assert_eq!(app.server_fn(&staff, "staff_login", &login).await.status(), 200);
    let kept = || async {
        let (data, expires): (String, i64) =
            sqlx::query_as("SELECT data, expires_at FROM sessions").fetch_one(&app.ctx.pool).await.unwrap();
        (serde_json::from_str::<serde_json::Value>(&data).unwrap(), expires)
    };
    // As if signed in nearly two hours ago and active since: the store would end the session
    // in 30 seconds, and the request before this one was noted two minutes ago.
    let now = kassa_core::db::now();
    let (mut data, _) = kept().await;
    for (_, signed_in) in data["data"].as_object_mut().unwrap().iter_mut() {
        signed_in["seen"] = (now - 120).into();
    }
    sqlx::query("UPDATE sessions SET data = $1, expires_at = $2")
        .bind(data.to_string())
        .bind(now + 30)
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(app.server_fn(&staff, "load_admin", &[]).await.status(), 200);
    let (_, expires) = kept().await;
    assert!(expires >= now + 2 * 3600 - 60, "the request moved the idle end two hours on: {}", expires - now);
    // The next request within the minute writes nothing.
    sqlx::query("UPDATE sessions SET expires_at = $1").bind(now + 600).execute(&app.ctx.pool).await.unwrap();
    assert_eq!(app.server_fn(&staff, "load_admin", &[]).await.status(), 200);
    assert_eq!(kept().await.1, now + 600, "saved again within the minute");
}

/// A form's error comes back in the URL for the page to show (`__path`, `__err`); a link from
/// elsewhere with one made up must not put its words on a Kassa page.
#[tokio::test]
async fn a_form_error_in_a_link_from_elsewhere_is_not_shown() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let forged = base64::engine::general_purpose::URL_SAFE.encode(r#"{"Transport":"CALL +31 20 000 0000 NOW"}"#);
    let url = format!("{}/p/demo/invoices/NL-2026-0105?__path=%2Fapi%2Fpay_invoice&__err={forged}", app.url);
    let page = |site: Option<&'static str>| {
        let mut req = debtor.get(&url);
        if let Some(site) = site {
            req = req.header("sec-fetch-site", site);
        }
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    for site in [None, Some("cross-site"), Some("none"), Some("same-site")] {
        let html = page(site).await;
        assert!(html.contains("NL-2026-0105") && !html.contains("CALL +31"), "{site:?}: {html}");
    }
    // What the browser sends on the redirect after Kassa's own form post: shown, as it must be.
    assert!(page(Some("same-origin")).await.contains("CALL +31 20 000 0000 NOW"));
}
