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
    // In the customer's language (Dutch) unless the element asks for another.
    assert_eq!(body["lang"], "nl");
    assert_eq!(body["amount_due_text"], "€\u{a0}55,95");
    assert_eq!(body["words"]["pay"], "€\u{a0}55,95 betalen");
    assert_eq!(body["status"], "open");
    assert!(body["pay_url"].as_str().unwrap().starts_with(&format!("{}/p/demo/pay/", app.url)));
    assert_eq!(body["page_url"], format!("{}/w/v1/pay/{t}?lang=nl", app.url));
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", t.as_str()), ("lang", "da")])
        .header("Origin", &app.shop_origin)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["words"]["pay"], "Betal 55,95\u{a0}€");
    assert_eq!(body["words"]["status"], "Status: Åben", "{body}");
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", "tampered"), ("lang", "da")])
        .header("Origin", &app.shop_origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "Denne betalingsknap er udløbet eller ugyldig. Genindlæs siden.");
}

/// The location a response sends to.
fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_pay_page_pays_in_the_overlay_once_and_only_the_tokens_sites_frame_it() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    // No session anywhere: a frame on another site does not get Kassa's cookie.
    let c = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = c.get(format!("{}/w/v1/pay/{t}?lang=en", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains(&format!("frame-ancestors {};", app.shop_origin)), "{policy}");
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    assert!(html.contains("Invoice NL-2026-0107 from"), "{html}");
    assert!(html.contains("Pay €55.95"), "{html}");
    // Without `lang`, the customer's language.
    let dutch = c.get(format!("{}/w/v1/pay/{t}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(dutch.contains("€\u{a0}55,95 betalen"), "{dutch}");

    // Pay: to the sandbox's checkout (framed by the token's sites too), back to the page.
    let key = [("key", "widget-overlay-1"), ("amount", "55.95")];
    let res = c.post(format!("{}/w/v1/pay/{t}?lang=en", app.url)).form(&key).send().await.unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let checkout = location(&res);
    assert!(checkout.contains("/sandbox/"), "{checkout}");
    let checkout = if checkout.starts_with("http") { checkout } else { format!("{}{checkout}", app.url) };
    let res = c.get(&checkout).send().await.unwrap();
    let policy = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains(&format!("frame-ancestors {};", app.shop_origin)), "{policy}");
    let res = c.post(&checkout).form(&[("card", "4242424242424242")]).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.starts_with(&format!("{}/w/v1/pay/{t}/return/", app.url)), "{back}");
    let res = c.get(&back).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/w/v1/pay/{t}?lang=en"), "in the language it was started in");
    let paid = c.get(format!("{}/w/v1/pay/{t}?lang=en", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(paid.contains("Paid. Thank you!"), "{paid}");
    assert_eq!(paid.matches("/w/v1/framed-").count(), 1, "the page tells the element it is shown, once: {paid}");
    let (_, shown) = widget_read(&app, &t, &app.shop_origin).await;
    assert_eq!(shown["status"], "paid");

    // The same form again answers with that payment; a new one is refused: nothing is owed.
    let res = c.post(format!("{}/w/v1/pay/{t}?lang=en", app.url)).form(&key).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/w/v1/pay/{t}?lang=en"));
    let res = c
        .post(format!("{}/w/v1/pay/{t}?lang=en", app.url))
        .form(&[("key", "widget-overlay-2"), ("amount", "55.95")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let payments: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications a JOIN invoices i ON i.id = a.invoice_id WHERE i.number = 'NL-2026-0107'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(payments, 1);
}

/// The one payment attempt that pays invoice `number`.
async fn attempt_of(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar(
        "SELECT a.attempt_id FROM payment_attempt_invoices a JOIN invoices i ON i.id = a.invoice_id WHERE i.number = $1",
    )
    .bind(number)
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_widget_pay_page_sees_only_the_attempts_that_pay_its_invoice() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    // The same customer starts paying another invoice in the portal.
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let res = app.pay(&debtor, "NL-2026-0104", "310", "portal-attempt").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let other = attempt_of(&app, "NL-2026-0104").await;
    let c = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["return", "form"] {
        let res = c.get(format!("{}/w/v1/pay/{t}/{path}/{other}?lang=en", app.url)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(!html.contains("NL-2026-0104"), "{html}");
    }
    // Its own attempt it does see.
    let res = c
        .post(format!("{}/w/v1/pay/{t}?lang=en", app.url))
        .form(&[("key", "widget-own"), ("amount", "55.95")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let own = attempt_of(&app, "NL-2026-0107").await;
    let res = c.get(format!("{}/w/v1/pay/{t}/return/{own}?lang=en", app.url)).send().await.unwrap();
    assert_ne!(res.status(), 404);
}

#[tokio::test]
async fn a_pay_page_with_a_bad_token_says_so_and_shows_nothing() {
    let app = TestApp::spawn().await;
    let c = client();
    let res = c.get(format!("{}/w/v1/pay/not-a-token?lang=nl", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Deze betaalknop is verlopen of ongeldig"), "{html}");
    let res = c
        .post(format!("{}/w/v1/pay/not-a-token", app.url))
        .form(&[("key", "k"), ("amount", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = c.get(format!("{}/w/v1/pay/not-a-token/return/some-attempt", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
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
    let link = format!("{}/p/demo/pay/{t}", app.url);
    let opened = c.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert!(opened.headers().get("set-cookie").is_none(), "opening a pay link signs nobody in");
    assert!(opened.text().await.unwrap().contains("Factuur NL-2026-0107 van"), "in the customer's language");
    let res = c.post(&link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo/invoices/NL-2026-0107");
    // Signed in for it, the link goes straight to the invoice.
    let again = c.get(&link).send().await.unwrap();
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"], "/p/demo/invoices/NL-2026-0107");
    let overview: serde_json::Value =
        app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let invoices = overview["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1);
    assert_eq!(invoices[0]["number"], "NL-2026-0107");
    let other = app.server_fn(&c, "load_invoice", &[("merchant", "demo"), ("number", "NL-2026-0104")]).await;
    assert_eq!(other.status(), 404);
    // One invoice is no account: no statement is offered, and none is there; nor is the
    // account's activity (other invoices, payments for them).
    assert_eq!(overview["has_statement"], false);
    assert_eq!(overview["activity"], serde_json::json!([]));
    let list = c.get(format!("{}/p/demo", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains("/p/demo/statement"), "{list}");
    let statement = c.get(format!("{}/p/demo/statement/pdf", app.url)).send().await.unwrap();
    assert_eq!(statement.status(), 404);

    let res = app.pay(&c, "NL-2026-0107", "55.95", "widget-pay").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", &app.shop_origin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "paid");
}

#[tokio::test]
async fn a_request_that_names_no_origin_is_refused() {
    // A browser names the page's origin on every cross-site read; a request without one is
    // not the merchant's page (a script elsewhere, a crawler): it gets nothing.
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let res = client().get(format!("{}/w/v1/invoice", app.url)).query(&[("token", &t)]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(!res.text().await.unwrap().contains("NL-2026-0107"));
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", &t)])
        .header("Origin", "null")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "an opaque origin (a sandboxed frame, a file) is no site");
}

/// Reads `/w/v1/invoice` with `token` from `origin`: its status and answer.
async fn widget_read(app: &TestApp, token: &str, origin: &str) -> (u16, serde_json::Value) {
    let res = client()
        .get(format!("{}/w/v1/invoice", app.url))
        .query(&[("token", token)])
        .header("Origin", origin)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn the_api_issues_lists_and_revokes_tokens() {
    use http::Method;
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107",
        "origins": ["https://Shop.Example/", "http://localhost:8080"], "expires_in_days": 7 });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["object"], "widget_token");
    assert_eq!(issued["invoice_number"], "NL-2026-0107");
    assert_eq!(issued["origins"], serde_json::json!(["https://shop.example", "http://localhost:8080"]));
    let expires = time::OffsetDateTime::parse(
        issued["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&days), "{days} hours");
    let token = issued["token"].as_str().unwrap().to_string();
    assert_eq!(issued["pay_url"], format!("{}/p/demo/pay/{token}", app.url));

    let (status, shown) = widget_read(&app, &token, "https://shop.example").await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["number"], "NL-2026-0107");
    assert_eq!(widget_read(&app, &token, "https://other.example").await.0, 403);
    let id = issued["id"].as_str().unwrap();
    let (status, listed) = app.api(&key, Method::GET, "/widget-tokens?invoice_number=NL-2026-0107", None).await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"][0]["id"], id);
    assert_eq!(listed["data"][0]["token"], token.as_str(), "the same token, read again");
    let (status, _) = app.api(&key, Method::GET, "/widget-tokens?invoice_number=NL-2026-0104", None).await;
    assert_eq!(status, 200);

    // Revoked: the element shows nothing, the pay link opens nothing, at once; again is the same.
    let path = format!("/widget-tokens/{id}/revocation");
    let (status, revoked) = app.api(&key, Method::POST, &path, Some(serde_json::json!({}))).await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(widget_read(&app, &token, "https://shop.example").await.0, 404);
    let res = client().post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let (status, again) = app.api(&key, Method::POST, &path, Some(serde_json::json!({}))).await;
    assert_eq!((status, &again["revoked_at"]), (200, &revoked["revoked_at"]));
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE subject_id = $1")
        .bind(id)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(audited, 2, "issued and revoked, once each");
}

#[tokio::test]
async fn a_pay_link_session_ends_when_its_link_is_revoked() {
    use http::Method;
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "origins": ["https://shop.example"] });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    let (id, token) = (issued["id"].as_str().unwrap(), issued["token"].as_str().unwrap());
    let c = client();
    let res = c.post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let invoice = [("merchant", "demo"), ("number", "NL-2026-0107")];
    assert_eq!(app.server_fn(&c, "load_invoice", &invoice).await.status(), 200);
    // Its first page, rendered and then kept.
    let first = format!("{}/p/demo", app.url);
    for _ in 0..2 {
        let page = c.get(&first).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("NL-2026-0107"));
    }
    let path = format!("/widget-tokens/{id}/revocation");
    assert_eq!(app.api(&key, Method::POST, &path, Some(serde_json::json!({}))).await.0, 200);
    // The next request of that session finds it signed out: the kept first page, the page, the
    // data, the documents.
    let page = c.get(&first).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("NL-2026-0107"), "no kept page after the link's end");
    assert_eq!(app.server_fn(&c, "load_invoice", &invoice).await.status(), 401);
    let page = c.get(format!("{}/p/demo/invoices/NL-2026-0107", app.url)).send().await.unwrap();
    assert!(!page.text().await.unwrap().contains("55,95"), "the revoked link's invoice is not shown");
    let pdf = c.get(format!("{}/p/demo/invoices/NL-2026-0107/pdf", app.url)).send().await.unwrap();
    assert_ne!(pdf.status(), 200);
    // A session from a magic link is not a link's: it goes on.
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    assert_eq!(app.server_fn(&debtor, "load_invoice", &invoice).await.status(), 200);
}

#[tokio::test]
async fn what_a_token_asks_for_is_checked() {
    use http::Method;
    use kassa_core::principal::{Mode, Scopes};
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let ask = |invoice: &str, origins: serde_json::Value, days: Option<u32>| serde_json::json!({ "invoice_number": invoice, "origins": origins, "expires_in_days": days });
    for (body, status, code) in [
        (ask("NL-2026-0107", serde_json::json!(["http://shop.example"]), None), 422, "widget_origin_invalid"),
        (ask("NL-2026-0107", serde_json::json!(["https://shop.example/pay"]), None), 422, "widget_origin_invalid"),
        (ask("NL-2026-0107", serde_json::json!([]), None), 422, "widget_origins_count"),
        (ask("NL-2026-0107", serde_json::json!(["https://shop.example"]), Some(91)), 422, "widget_days_out_of_range"),
        (ask("NL-2026-0107", serde_json::json!(["https://shop.example"]), Some(0)), 422, "widget_days_out_of_range"),
        (ask("NO-SUCH-1", serde_json::json!(["https://shop.example"]), None), 404, "unknown_invoice"),
    ] {
        let (got, answer) = app.api(&key, Method::POST, "/widget-tokens", Some(body.clone())).await;
        assert_eq!((got, answer["error"]["code"].as_str().unwrap_or_default()), (status, code), "{body}: {answer}");
    }
    // A read-only key may list but not issue; a live key does not find a test invoice.
    let read = app.key(Mode::Test, Scopes::READ).await;
    let body = ask("NL-2026-0107", serde_json::json!(["https://shop.example"]), None);
    assert_eq!(app.api(&read, Method::POST, "/widget-tokens", Some(body.clone())).await.0, 403);
    assert_eq!(app.api(&read, Method::GET, "/widget-tokens", None).await.0, 200);
    let live = app.live_key().await;
    assert_eq!(app.api(&live, Method::POST, "/widget-tokens", Some(body)).await.0, 404);
}

#[tokio::test]
async fn a_new_key_keeps_live_pages_working_and_a_retired_one_stops_its_tokens() {
    let app = TestApp::spawn().await;
    let old = token(&app).await;
    assert_eq!(token(&app).await, old, "the shop hands out its live token again, not a new one per visit");
    let (kid, _) = app.ctx.tokens.rotate(&app.ctx.pool).await.unwrap();
    let new = token(&app).await;
    assert_ne!(old, new);
    assert_eq!(widget_read(&app, &old, &app.shop_origin).await.0, 200, "a token of the key before still works");
    assert_eq!(widget_read(&app, &new, &app.shop_origin).await.0, 200);
    let signed_with_new: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM widget_tokens WHERE key_id = $1")
        .bind(&kid)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(signed_with_new, 1, "the token issued after the rotation, and only it, is signed with the new key");
    // Another process (a fresh signer) opens the keys from the database.
    let fresh = kassa_server::context(&app.config).await.unwrap();
    assert!(kassa_core::services::widget::open(&fresh, &old).await.is_ok());
    assert_eq!(app.ctx.tokens.retire_before(&app.ctx.pool).await.unwrap(), 1);
    assert_eq!(widget_read(&app, &old, &app.shop_origin).await.0, 404, "its key retired, the old token is dead");
    assert_eq!(widget_read(&app, &new, &app.shop_origin).await.0, 200);
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let app = TestApp::spawn().await;
    let t = token(&app).await;
    let tampered = format!("x{t}");
    let res = client().get(format!("{}/p/demo/pay/{tampered}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = client().post(format!("{}/p/demo/pay/{tampered}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_pay_link_reads_the_receipts_of_its_invoice_only() {
    use kassa_core::services::ledger::{self, RecordPayment};
    use kassa_domain::{Apply, Currency, CustomerId, InvoiceNumber, Money};
    let app = TestApp::spawn().await;
    // The customer pays another invoice in the portal...
    let debtor = app.debtor("Bakkerij De Molen B.V.").await;
    let res = app.pay(&debtor, "NL-2026-0104", "310", "other-invoice").await;
    assert_eq!(res.status(), 200);
    let other: String = res.json().await.unwrap();
    let other = other.rsplit('/').next().unwrap().to_string();
    // ...and one bank transfer settles the pay link's invoice and another.
    let customer: String = sqlx::query_scalar("SELECT customer_id FROM invoices WHERE number = 'NL-2026-0107'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let number = |n: &str| InvoiceNumber::parse(n).unwrap();
    let eur = |cents| Money::from_minor(cents, Currency::EUR);
    let both = ledger::record_payment(
        &app.ctx,
        &kassa_core::Principal::System,
        RecordPayment {
            merchant: app.demo_merchant().await,
            customer: CustomerId::from_raw(customer),
            amount: eur(5595 + 10000),
            method: "Bank transfer".into(),
            reference: "NL-2026-0107 + 0101".into(),
            apply: Apply::Specified(vec![(number("NL-2026-0107"), eur(5595)), (number("NL-2026-0101"), eur(10000))]),
            idempotency_key: "two-invoices".into(),
        },
    )
    .await
    .unwrap()
    .to_string();

    let pay_link = client();
    let res = pay_link.post(format!("{}/p/demo/pay/{}", app.url, token(&app).await)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let receipt = |c: &reqwest::Client, payment: &str| {
        let (app, c, payment) = (&app, c.clone(), payment.to_string());
        async move { app.server_fn(&c, "load_receipt", &[("merchant", "demo"), ("payment", &payment)]).await }
    };
    let res = receipt(&pay_link, &both).await;
    assert_eq!(res.status(), 200);
    let seen: serde_json::Value = res.json().await.unwrap();
    let numbers: Vec<&str> =
        seen["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["NL-2026-0107"], "{seen}");
    assert_eq!(seen["amount"]["minor"], 5595, "this invoice's share, not what else was paid: {seen}");
    let body = seen.to_string();
    assert!(!body.contains("NL-2026-0101") && !body.contains("15595"), "{body}");
    assert!(!body.contains("+ 0101"), "the payer's reference names the other invoice: {body}");
    assert_eq!(receipt(&pay_link, &other).await.status(), 404, "a payment of another invoice");
    // Signed in as the customer, the same receipt shows the whole payment.
    let whole: serde_json::Value = receipt(&debtor, &both).await.json().await.unwrap();
    assert_eq!(whole["invoices"].as_array().unwrap().len(), 2, "{whole}");
    assert_eq!(whole["amount"]["minor"], 15595);
}

/// The badge at `path` (`.svg` or `.png`): its status, headers and bytes.
async fn badge(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = client().get(format!("{}{path}", app.url)).send().await.unwrap();
    (res.status().as_u16(), res.headers().clone(), res.bytes().await.unwrap().to_vec())
}

/// The PNG's size and the colour of its pixel at (x, y).
fn png_pixel(bytes: &[u8], x: u32, y: u32) -> ((u32, u32), [u8; 3]) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let channels = frame.color_type.samples() as u32;
    let at = ((y * frame.width + x) * channels) as usize;
    ((frame.width, frame.height), [pixels[at], pixels[at + 1], pixels[at + 2]])
}

#[tokio::test]
async fn an_email_token_opens_the_pay_link_and_draws_the_badge_due_then_paid() {
    use http::Method;
    use kassa_core::services::ledger::{self, RecordPayment};
    use kassa_domain::{Apply, Currency, CustomerId, InvoiceNumber, Money};
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "kind": "email" });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["kind"], "email");
    assert_eq!(issued["origins"], serde_json::json!([]));
    assert_eq!(issued["expires_at"], "9999-12-31T23:59:59Z", "as long as the debt, and after");
    let token = issued["token"].as_str().unwrap().to_string();
    assert_eq!(issued["badge_url"], format!("{}/w/v1/badge/{token}.png", app.url));
    // An email token with sites or a lifetime is a mistake, said so.
    let bad =
        serde_json::json!({ "invoice_number": "NL-2026-0107", "kind": "email", "origins": ["https://shop.example"] });
    let (status, refused) = app.api(&key, Method::POST, "/widget-tokens", Some(bad)).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap_or_default().contains("origins"), "{refused}");

    // Due, in the customer's language (Dutch), small, cached briefly, revalidated.
    let (status, headers, svg) = badge(&app, &format!("/w/v1/badge/{token}.svg")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert_eq!(headers["cache-control"], "public, max-age=30, must-revalidate");
    assert!(headers.get("set-cookie").is_none());
    let text = String::from_utf8(svg.clone()).unwrap();
    assert!(text.contains("Betaal €\u{a0}55,95 vóór"), "{text}");
    assert!(svg.len() <= 5 * 1024, "{} bytes", svg.len());
    let etag = headers["etag"].to_str().unwrap().to_string();
    let res = client()
        .get(format!("{}/w/v1/badge/{token}.svg", app.url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let (_, _, danish) = badge(&app, &format!("/w/v1/badge/{token}.svg?lang=da")).await;
    assert!(String::from_utf8(danish).unwrap().contains("Betal 55,95\u{a0}€ senest"));
    let (status, headers, png) = badge(&app, &format!("/w/v1/badge/{token}.png")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert!(png.len() <= 5 * 1024, "{} bytes", png.len());
    eprintln!("email badge: SVG {} bytes, PNG {} bytes", svg.len(), png.len());
    let (size, corner) = png_pixel(&png, 20, 40);
    assert_eq!(size, (720, 80), "twice the size it is shown at");
    assert_eq!(corner, [0x1e, 0x40, 0xaf], "due: blue");

    // It reads nothing through the element's endpoint, from any site, and frames nowhere.
    assert_eq!(widget_read(&app, &token, "https://shop.example").await.0, 403);
    let page = client().get(format!("{}/w/v1/pay/{token}", app.url)).send().await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    // The pay link opens the invoice.
    let res = client().post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    // A site's token draws no badge.
    let site = crate::token(&app).await;
    assert_eq!(badge(&app, &format!("/w/v1/badge/{site}.svg")).await.0, 404);
    assert_eq!(badge(&app, &format!("/w/v1/badge/{token}.gif")).await.0, 404);
    assert_eq!(badge(&app, "/w/v1/badge/tampered.png").await.0, 404);

    // Paid (by bank transfer): the next look says so.
    let customer: String = sqlx::query_scalar("SELECT customer_id FROM invoices WHERE number = 'NL-2026-0107'")
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let eur = Money::from_minor(5595, Currency::EUR);
    ledger::record_payment(
        &app.ctx,
        &kassa_core::Principal::System,
        RecordPayment {
            merchant: app.demo_merchant().await,
            customer: CustomerId::from_raw(customer),
            amount: eur,
            method: "Bank transfer".into(),
            reference: "NL-2026-0107".into(),
            apply: Apply::Specified(vec![(InvoiceNumber::parse("NL-2026-0107").unwrap(), eur)]),
            idempotency_key: "badge-paid".into(),
        },
    )
    .await
    .unwrap();
    let (_, headers, svg) = badge(&app, &format!("/w/v1/badge/{token}.svg")).await;
    assert!(String::from_utf8(svg).unwrap().contains("Betaald, dank u"));
    assert_ne!(headers["etag"].to_str().unwrap(), etag);
    let (_, _, png) = badge(&app, &format!("/w/v1/badge/{token}.png")).await;
    assert_eq!(png_pixel(&png, 20, 40).1, [0x16, 0x65, 0x34], "paid: green");
    // The link in the old email still opens (on the paid invoice).
    let res = client().post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn the_merchant_caps_how_long_a_sites_token_lives() {
    use http::Method;
    use kassa_core::principal::StaffRole;
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let owner = app.staff_member("owner@cap.example", StaffRole::Owner).await;
    for refused in ["0", "91", "a week"] {
        let res = app.server_fn(&owner, "save_widget_policy", &[("max_days", refused)]).await;
        assert_eq!(res.status(), 422, "{refused}");
    }
    let res = app.server_fn(&owner, "save_widget_policy", &[("max_days", "7")]).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // Unless asked, seven days (less than the usual thirty); more is refused with the cap.
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "origins": ["https://shop.example"] });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    let expires = time::OffsetDateTime::parse(
        issued["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let hours = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((7 * 24 - 1..=7 * 24).contains(&hours), "{hours} hours");
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "origins": ["https://shop.example"], "expires_in_days": 8 });
    let (status, refused) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "widget_days_out_of_range");
    assert!(refused["error"]["message"].as_str().unwrap().contains("1 to 7 days"), "{refused}");
    // An email token is not a site's: it still lives until revoked.
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "kind": "email" });
    let (status, email) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!((status, email["expires_at"].as_str()), (201, Some("9999-12-31T23:59:59Z")));
}

#[tokio::test]
async fn a_customers_token_shows_their_open_invoices_and_pays_the_chosen_ones_at_once() {
    use http::Method;
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let body = serde_json::json!({ "customer_number": "C-1003", "origins": [app.shop_origin] });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["invoice_number"], serde_json::Value::Null);
    assert_eq!(issued["customer_number"], "C-1003");
    let t = issued["token"].as_str().unwrap().to_string();
    assert_eq!(issued["pay_url"], format!("{}/w/v1/pay/{t}", app.url));
    // An email's button covers one invoice; a token covers an invoice or a customer.
    let body = serde_json::json!({ "customer_number": "C-1003", "kind": "email" });
    let (status, refused) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("widget_email_covers_one_invoice")),
        "{refused}"
    );
    let body = serde_json::json!({ "customer_number": "C-1003", "invoice_number": "NL-2026-0304", "origins": [app.shop_origin] });
    let (status, refused) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("widget_invoice_or_customer")), "{refused}");
    let body = serde_json::json!({ "origins": [app.shop_origin] });
    assert_eq!(app.api(&key, Method::POST, "/widget-tokens", Some(body)).await.0, 400);
    let body = serde_json::json!({ "customer_number": "C-9999", "origins": [app.shop_origin] });
    assert_eq!(app.api(&key, Method::POST, "/widget-tokens", Some(body)).await.0, 404);

    // What <kassa-invoices> shows: the open invoices, in the customer's language.
    let read = |path: &'static str, token: String| {
        let url = format!("{}/w/v1/{path}", app.url);
        let origin = app.shop_origin.clone();
        async move {
            let res = client().get(url).query(&[("token", token)]).header("Origin", origin).send().await.unwrap();
            (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, shown) = read("invoices", t.clone()).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["lang"], "nl");
    let numbers: Vec<&str> =
        shown["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    for number in ["NL-2026-0301", "NL-2026-0304", "NL-2026-0306"] {
        assert!(numbers.contains(&number), "{number} in {numbers:?}");
    }
    assert!(!numbers.contains(&"NL-2026-0305"), "paid: {numbers:?}");
    assert!(numbers.iter().all(|n| n.starts_with("NL-2026-03")), "only this customer's: {numbers:?}");
    let line = shown["invoices"].as_array().unwrap().iter().find(|i| i["number"] == "NL-2026-0304").unwrap();
    assert_eq!(line["amount_due_text"], "€\u{a0}314,91");
    assert!(line["label"].as_str().unwrap().starts_with("Factuur NL-2026-0304, €\u{a0}314,91, Vervaldatum "), "{line}");
    assert_eq!(shown["totals"][0]["currency"], "EUR");
    assert!(shown["totals"][0]["pay_all"].as_str().unwrap().starts_with("Alles betalen: €"), "{shown}");
    assert_eq!(shown["page_url"], format!("{}/w/v1/pay/{t}?lang=nl", app.url));
    // Each element reads only its own kind of token, saying which one it needs.
    let (status, wrong) = read("invoice", t.clone()).await;
    assert_eq!(status, 400);
    assert!(wrong["error"].as_str().unwrap().contains("<kassa-invoices>"), "{wrong}");
    assert_eq!(read("invoices", token(&app).await).await.0, 400);
    // Another site reads nothing.
    let res = client()
        .get(format!("{}/w/v1/invoices", app.url))
        .query(&[("token", &t)])
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // The pay page: choose, see the total, pay once for both.
    let c = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = |query: &str| c.get(format!("{}/w/v1/pay/{t}?lang=en{query}", app.url)).send();
    let html = page("").await.unwrap().text().await.unwrap();
    assert!(html.contains("Choose the invoices to pay"), "{html}");
    assert!(html.contains("value=\"NL-2026-0304\""), "{html}");
    let res = page("&invoice=NL-2026-0304&invoice=NL-2026-0306").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&format!("frame-ancestors {}", app.shop_origin)));
    let html = res.text().await.unwrap();
    assert!(html.contains("Total: €449.91"), "{html}");
    // Another customer's invoice is not theirs to choose.
    let html = page("&invoice=NL-2026-0104").await.unwrap().text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(!html.contains("Spelt"), "{html}");
    let pay = |total: &'static str, key: &'static str| {
        c.post(format!("{}/w/v1/pay/{t}?lang=en", app.url))
            .form(&[("key", key), ("invoices", "NL-2026-0304\nNL-2026-0306"), ("total", total)])
            .send()
    };
    // A total that is not what the invoices ask for now pays nothing.
    assert_eq!(pay("400.00", "widget-several-0").await.unwrap().status(), 409);
    let res = pay("449.91", "widget-several-1").await.unwrap();
    assert_eq!(res.status(), 303);
    let checkout = location(&res);
    assert!(checkout.contains("/sandbox/"), "{checkout}");
    let res = c.post(&checkout).form(&[("card", "4242424242424242")]).send().await.unwrap();
    let res = c.get(location(&res)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let back = location(&res);
    assert!(back.starts_with(&format!("/w/v1/pay/{t}?lang=en&paid=")), "{back}");
    assert_eq!(app.open_minor("NL-2026-0304").await, 0);
    assert_eq!(app.open_minor("NL-2026-0306").await, 0);
    let html = c.get(format!("{}{back}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Thank you: €449.91 paid for NL-2026-0304, NL-2026-0306."), "{html}");
    // The same form again is the same payment.
    assert_eq!(location(&pay("449.91", "widget-several-1").await.unwrap()), back);
    let payments: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT a.payment_id) FROM applications a JOIN invoices i ON i.id = a.invoice_id \
         WHERE i.number IN ('NL-2026-0304', 'NL-2026-0306')",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(payments, 1);
    let (_, shown) = read("invoices", t.clone()).await;
    let numbers: Vec<&str> =
        shown["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert!(!numbers.contains(&"NL-2026-0304") && !numbers.contains(&"NL-2026-0306"), "{numbers:?}");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn the_merchant_changes_a_tokens_sites_and_kassas_own_pages_may_read_it() {
    use http::Method;
    let app = TestApp::spawn().await;
    let key = app.demo.api_key.clone();
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "origins": ["https://shop.example"] });
    let (status, issued) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    assert_eq!(status, 201, "{issued}");
    let (id, token) = (issued["id"].as_str().unwrap(), issued["token"].as_str().unwrap().to_string());
    let path = format!("/widget-tokens/{id}");
    let body = serde_json::json!({ "origins": ["https://new-shop.example/"] });
    let (status, changed) = app.api(&key, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["origins"], serde_json::json!(["https://new-shop.example"]));
    assert_eq!(changed["token"], token.as_str(), "the same token, only its sites changed");
    // A site taken off gets nothing at its next read; the new one reads.
    assert_eq!(widget_read(&app, &token, "https://shop.example").await.0, 403);
    assert_eq!(widget_read(&app, &token, "https://new-shop.example").await.0, 200);
    let (status, refused) =
        app.api(&key, Method::PATCH, &path, Some(serde_json::json!({ "origins": ["http://shop.example"] }))).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("widget_origin_invalid")), "{refused}");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'widget_token.origins_changed' AND subject_id = $1",
    )
    .bind(id)
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // An email token has no websites to change.
    let body = serde_json::json!({ "invoice_number": "NL-2026-0107", "kind": "email" });
    let (_, email) = app.api(&key, Method::POST, "/widget-tokens", Some(body)).await;
    let email_path = format!("/widget-tokens/{}", email["id"].as_str().unwrap());
    let body = serde_json::json!({ "origins": ["https://shop.example"] });
    let (status, refused) = app.api(&key, Method::PATCH, &email_path, Some(body)).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("widget_email_has_no_sites")), "{refused}");

    // Kassa's own pages (the admin's live preview) read it: by their origin, or as a
    // same-origin read without one; a read that names no origin and is not same-origin does not.
    assert_eq!(widget_read(&app, &token, &app.url).await.0, 200);
    let read = |fetch_site: &'static str| {
        client()
            .get(format!("{}/w/v1/invoice", app.url))
            .query(&[("token", &token)])
            .header("Sec-Fetch-Site", fetch_site)
            .send()
    };
    assert_eq!(read("same-origin").await.unwrap().status(), 200);
    assert_eq!(read("cross-site").await.unwrap().status(), 403);
    assert_eq!(read("none").await.unwrap().status(), 403);
}
