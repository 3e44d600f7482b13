//! The widget's invoice endpoint: signed tokens, CORS for the token's origins only, and the
//! pay link that opens one invoice in the portal.

mod common;
use common::{client, TestApp};

async fn token(app: &TestApp) -> String {
    kassa_server::demo::shop_token(&app.ctx, &app.shop_origin).await.unwrap()
}

#[tokio::test]
async fn the_tokens_origin_may_read_the_invoice() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", &app.shop_origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], app.shop_origin.as_str());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["number"], "NL-2026-0107");
    assert_eq!(body["amount_due_text"], "EUR 55.95");
    assert_eq!(body["status"], "open");
    assert!(body["pay_url"].as_str().unwrap().starts_with(&format!("{}/p/demo/pay/", app.url)));
}

#[tokio::test]
async fn other_origins_are_refused() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_pay_link_opens_that_invoice_only() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let c = client();
    let res = c.get(format!("{}/p/demo/pay/{t}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo/invoices/NL-2026-0107");
    let overview: serde_json::Value =
        app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let invoices = overview["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["number"], "NL-2026-0107");
    let other = app.server_fn(&c, "load_invoice", &[("merchant", "demo"), ("number", "NL-2026-0104")]).await;
    assert_eq!(other.status(), 404);

    let res = app.pay(&c, "NL-2026-0107", "55.95", "widget-pay").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "paid");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let tampered = format!("x{t}");
    let res = client().get(format!("{}/p/demo/pay/{tampered}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}
