//! Bad input gets a clear answer with the right status, never a 500 or a stack trace.

mod common;
use common::{client, TestApp};

#[tokio::test]
async fn health_check_answers_while_the_database_does() {
    let app = TestApp::spawn().await;
    let res = client().get(format!("{}/healthz", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn unknown_things_are_clear_404s() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    for path in [
        "/p/no-such-merchant",
        "/p/no-such-merchant/login/abc",
        "/p/demo/login/never-issued-token",
        "/p/no-such-merchant/pay/abc",
        "/p/demo/invoices/NO-SUCH-INVOICE",
        "/p/demo/payments/no-such-payment",
        "/no/such/page",
    ] {
        let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let body = res.text().await.unwrap();
        // In the debtor's language (the bakery's customer record says Dutch).
        assert!(body.contains("Niet gevonden") || body.contains("niet geldig"), "{path}: {body}");
        assert!(!body.contains("panicked") && !body.contains("sqlx"), "{path} leaks internals");
    }
}

#[tokio::test]
async fn portal_pages_without_a_session_ask_for_a_sign_in_link() {
    let app = TestApp::spawn().await;
    let res = client().get(format!("{}/p/demo", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("Sign-in needed"));
    let res = app.server_fn(&client(), "load_portal", &[("merchant", "demo")]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.text().await.unwrap(), "\"Unauthorized\"");
}

#[tokio::test]
async fn a_bad_widget_token_is_a_json_404_any_page_can_read() {
    let app = TestApp::spawn().await;
    let res = client().get(format!("{}/w/v1/invoice?token=forged.token", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("expired or is not valid"));
}

#[tokio::test]
async fn crafted_form_fields_get_an_answer_not_a_dropped_connection() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    for merchant in ["\n", "demo\r\nSet-Cookie: x=1", "demo\u{7f}"] {
        let res = app.server_fn(&c, "portal_logout", &[("merchant", merchant)]).await;
        assert_eq!(res.status(), 404, "{merchant:?}");
        assert!(res.headers().get("location").is_none(), "{merchant:?}");
    }
    let res = app.pay(&c, "NL-2026-0301", "1", "\n").await;
    assert!(res.status().is_client_error(), "{}", res.status());
}

#[tokio::test]
async fn postgres_without_a_configured_secret_stops_start_up() {
    if !common::on_postgres() {
        return; // SQLite keeps its own key file; see cli.rs
    }
    let app = TestApp::spawn().await;
    let config = kassa_server::config::Config { secret: None, ..app.config.clone() };
    let err = kassa_server::build(&config).await.err().expect("refused").to_string();
    assert!(err.contains("KASSA_SECRET must be set when the database is PostgreSQL"), "{err}");
}

/// Building a router generates Leptos' route list, which suppresses resource loading
/// process-wide while it runs (leptos#4773): pages rendering meanwhile in another server of
/// the process must still answer (the list is generated once per process).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_other_servers_are_built_in_the_same_process() {
    let app = TestApp::spawn().await;
    let (config, ctx) = (app.config.clone(), app.ctx.clone());
    let building = std::thread::spawn(move || {
        for _ in 0..30 {
            drop(kassa_server::http::router(&config, ctx.clone()));
        }
    });
    let c = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20)).build().unwrap();
    for _ in 0..60 {
        let res = c.get(format!("{}/p/demo", app.url)).send().await.expect("every page answers");
        assert_eq!(res.status(), 401);
    }
    building.join().unwrap();
}
