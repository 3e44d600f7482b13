//! Magic links, the portal's data and paying: single use, scoped to one debtor, never twice.

mod common;
use common::{client, TestApp};

#[tokio::test]
async fn a_magic_link_signs_in_once() {
    let app = TestApp::spawn().await;
    let link = app.magic_link("Studio Grachten").await;
    let c = client();
    // Opened (a person, or a mail scanner): a page with "Continue", and no sign-in yet.
    for _ in 0..2 {
        let opened = c.get(&link).send().await.unwrap();
        assert_eq!(opened.status(), 200);
        assert!(opened.headers().get("set-cookie").is_none(), "opening a link signs nobody in");
        let html = opened.text().await.unwrap();
        let path = link.strip_prefix(&app.url).unwrap();
        assert!(html.contains(&format!("<form method=\"post\" action=\"{path}\">")), "{html}");
        // In the customer's language: Studio Grachten's record says Dutch.
        assert!(html.contains(">Verder</button>") && html.contains("<html lang=\"nl\">"), "{html}");
    }
    assert_eq!(app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.status(), 401);
    let res = c.post(&link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let page = c.get(format!("{}/p/demo", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Hello <!-- -->Studio Grachten") || html.contains("Studio Grachten"));
    assert!(html.contains("NL-2026-0301"));
    assert!(!html.contains("NL-2026-0101"), "another customer's invoice leaked");

    for again in [client().get(&link).send().await.unwrap(), client().post(&link).send().await.unwrap()] {
        assert_eq!(again.status(), 410);
        assert!(again.text().await.unwrap().contains("can no longer be used"));
    }
}

#[tokio::test]
async fn a_link_issued_for_another_merchant_is_unknown_here() {
    let app = TestApp::spawn().await;
    let link = app.magic_link("Studio Grachten").await;
    sqlx::query(
        "INSERT INTO merchants (id, slug, name, brand_color, created_at) VALUES ('m2', 'other', 'Other', '#000000', 0)",
    )
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    let foreign = link.replace("/p/demo/", "/p/other/");
    assert_eq!(client().get(&foreign).send().await.unwrap().status(), 404);
    assert_eq!(client().post(&foreign).send().await.unwrap().status(), 404);
    // ... and was not spent by the attempt.
    assert_eq!(client().post(&link).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn an_expired_magic_link_is_refused() {
    let app = TestApp::spawn().await;
    let link = app.magic_link("Studio Grachten").await;
    sqlx::query("UPDATE magic_links SET expires_at = 0").execute(&app.ctx.pool).await.unwrap();
    assert_eq!(client().get(&link).send().await.unwrap().status(), 410);
    assert_eq!(client().post(&link).send().await.unwrap().status(), 410);
}

#[tokio::test]
async fn paying_records_payment_and_allocation_once() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let res = app.pay(&c, "NL-2026-0104", "100,00", "key-1").await;
    assert_eq!(res.status(), 200);
    let receipt: String = res.json().await.unwrap();
    assert!(receipt.starts_with("/p/demo/payments/"));

    // The same attempt again (double click, replayed post) answers the same receipt.
    let replay: String = app.pay(&c, "NL-2026-0104", "100,00", "key-1").await.json().await.unwrap();
    assert_eq!(replay, receipt);
    let payments: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments p JOIN payment_attempts a ON a.id = p.attempt_id WHERE a.idempotency_key = 'key-1'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(payments, 1);

    let detail = app.invoice_json(&c, "NL-2026-0104").await;
    assert_eq!(detail["invoice"]["balance"]["minor"], 21000);
    assert_eq!(detail["invoice"]["status"], "PartlyPaid");

    let page = c.get(format!("{}{receipt}", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    // In the bakery's language: Dutch writes the amount `€ 100,00`.
    assert!(page.text().await.unwrap().contains("€\u{a0}100,00"));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn concurrent_double_submits_pay_once() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Fjordkaffe ApS").await;
    let (a, b) = tokio::join!(app.pay(&c, "DK-2026-0204", "1975", "same"), app.pay(&c, "DK-2026-0204", "1975", "same"));
    let (a, b): (String, String) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a, b);
    // Two different attempts racing for the same balance: the second is refused or left
    // unapplied, never allocated beyond the invoice.
    let d = app.debtor("Fjordkaffe ApS").await;
    let (x, y) = tokio::join!(app.pay(&d, "DK-2026-0205", "1790", "k-x"), app.pay(&d, "DK-2026-0205", "1790", "k-y"));
    let (xs, ys) = (x.status(), y.status());
    assert!(xs == 200 || ys == 200, "{xs} {}; {ys} {}", x.text().await.unwrap(), y.text().await.unwrap());
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn bad_amounts_are_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    for (amount, expected) in [
        ("0", "amount_not_positive"),
        ("abc", "amount_not_a_number"),
        ("0,005", "amount_too_precise"),
        ("310.01", "amount_exceeds_balance"),
    ] {
        let res = app.pay(&c, "NL-2026-0104", amount, &format!("bad-{amount}")).await;
        assert_eq!(res.status(), 422, "{amount}");
        let problem = common::problem(res).await;
        assert_eq!(problem["code"], expected, "{amount}: {problem}");
        if expected == "amount_exceeds_balance" {
            assert_eq!(problem["balance"]["minor"], 31000, "the field says what the balance is");
        }
    }
    let res = app.pay(&c, "NL-2026-0103", "1", "paid-already").await;
    assert_eq!(res.status(), 422);
    assert_eq!(common::problem(res).await["code"], "nothing_open");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_declined_payment_settles_nothing() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let form = [("merchant", "demo"), ("number", "NL-2026-0104"), ("amount", "310"), ("pay_key", "declined-1")];
    let res = app.pay_through(&c, "pay_invoice", &form, common::DECLINED).await;
    assert_eq!(res.status(), 402);
    let problem = common::problem(res).await;
    assert_eq!(
        (problem["code"].as_str(), problem["decline_code"].as_str()),
        (Some("payment_declined"), Some("card_declined"))
    );
    let detail = app.invoice_json(&c, "NL-2026-0104").await;
    assert_eq!(detail["invoice"]["balance"]["minor"], 31000);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn one_debtor_cannot_pay_or_read_another_debtors_invoice() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    let res = app.pay(&c, "NL-2026-0104", "1", "cross").await;
    assert_eq!(res.status(), 404);
    let res = app.server_fn(&c, "load_invoice", &[("merchant", "demo"), ("number", "DK-2026-0201")]).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn signing_out_ends_the_debtor_session() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    assert_eq!(app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.status(), 200);
    let res = app.server_fn(&c, "portal_logout", &[("merchant", "demo")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["location"], "/p/demo/signed-out");
    assert_eq!(app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.status(), 401);
}

#[tokio::test]
async fn test_mode_shows_its_banner_on_every_portal_page() {
    let app = TestApp::spawn().await;
    let link = app.magic_link("Studio Grachten").await;
    let pages = [
        format!("{}/p/demo/signed-out", app.url),
        // Not signed in: the error page.
        format!("{}/p/demo", app.url),
        format!("{}/p/demo/invoices/NL-2026-0301", app.url),
        // A sign-in link that is not valid.
        format!("{}/p/demo/login/not-a-token", app.url),
    ];
    let fetch = |url: String| async move { client().get(url).send().await.unwrap() };
    for url in &pages {
        let res = fetch(url.clone()).await;
        let status = res.status();
        let html = res.text().await.unwrap();
        assert!(html.contains("data-testid=\"test-banner\""), "no banner on {url} ({status}): {html}");
    }
    // A link's "Continue" page, and a used link's page too.
    let open = fetch(link.clone()).await;
    assert!(open.text().await.unwrap().contains("data-testid=\"test-banner\""));
    assert_eq!(client().post(&link).send().await.unwrap().status(), 303);
    let used = fetch(link.clone()).await;
    assert_eq!(used.status(), 410);
    assert!(used.text().await.unwrap().contains("data-testid=\"test-banner\""));
    // Error statuses still reach the response (they travel beside the page's CSP).
    assert_eq!(fetch(pages[1].clone()).await.status(), 401);

    sqlx::query("UPDATE merchants SET mode = 'live'").execute(&app.ctx.pool).await.unwrap();
    for url in pages.iter().chain([&link]) {
        let html = fetch(url.clone()).await.text().await.unwrap();
        assert!(!html.contains("test-banner"), "banner in live mode on {url}");
    }
}
