//! Which language a visitor gets: the customer's (from the customer record) once a link is
//! opened, the browser's before that, and the one chosen with the language menu above both;
//! `<html lang>` follows, and so do the link pages, the error pages and the problem messages.

mod common;
use common::{client, TestApp};

async fn page(c: &reqwest::Client, url: &str) -> (u16, String) {
    let res = c.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn lang_of(html: &str) -> &str {
    let start = html.find("<html lang=\"").map(|i| i + 12).unwrap_or(0);
    &html[start..start + html[start..].find('"').unwrap_or(0)]
}

#[tokio::test]
async fn a_debtor_reads_the_portal_in_their_customer_records_language() {
    let app = TestApp::spawn().await;
    // The coffee roaster's record says Danish: its link's page speaks Danish before sign-in,
    // whatever the browser asks for.
    let link = app.magic_link("Fjordkaffe ApS").await;
    let c = client();
    let res = c.get(&link).header("accept-language", "en-GB,en;q=0.9").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert_eq!(lang_of(&html), "da");
    assert!(html.contains("Dine fakturaer fra") && html.contains(">Fortsæt</button>"), "{html}");
    assert_eq!(c.post(&link).send().await.unwrap().status(), 303);
    let (status, html) = page(&c, &format!("{}/p/demo", app.url)).await;
    assert_eq!(status, 200);
    assert_eq!(lang_of(&html), "da");
    assert!(html.contains("Hej Fjordkaffe ApS") && html.contains("Åbne fakturaer"), "{html}");
    assert!(html.contains(">Forfalden<"), "statuses in Danish: {html}");

    // The bakery's says Dutch.
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let (_, html) = page(&c, &format!("{}/p/demo/invoices/NL-2026-0104", app.url)).await;
    assert_eq!(lang_of(&html), "nl");
    assert!(html.contains("Factuur NL-2026-0104") && html.contains("Nu betalen"), "{html}");
    // Amounts as Dutch writes them, and the pay form starts with the balance typed that way.
    assert!(html.contains("€\u{a0}310,00") && html.contains("value=\"310,00\""), "{html}");
}

#[tokio::test]
async fn the_language_menu_switches_and_remembers() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let (_, html) = page(&c, &format!("{}/p/demo", app.url)).await;
    // Every language is offered, each in its own words, linking back to this page.
    for (code, name) in [("en", "English"), ("nl", "Nederlands"), ("da", "Dansk")] {
        let link = format!("href=\"/lang/{code}?to=%2Fp%2Fdemo\" lang=\"{code}\" hreflang=\"{code}\"");
        assert!(html.contains(&link) && html.contains(&format!(">{name}</a>")), "{code}: {html}");
    }
    let res = c.get(format!("{}/lang/en?to=%2Fp%2Fdemo", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/p/demo");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("kassa_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");
    // The client keeps the cookie as a browser does: the choice beats the customer record.
    let (_, html) = page(&c, &format!("{}/p/demo", app.url)).await;
    assert_eq!(lang_of(&html), "en");
    assert!(html.contains("Hello Bakkerij De Molen B.V.") && html.contains("Open invoices"), "{html}");

    // Only Kassa's languages, and only back to a page of this site.
    assert_eq!(c.get(format!("{}/lang/fr?to=%2Fp%2Fdemo", app.url)).send().await.unwrap().status(), 404);
    for away in ["https://evil.example/", "//evil.example/x", "/\\evil.example"] {
        let res = c.get(format!("{}/lang/da", app.url)).query(&[("to", away)]).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/", "{away}");
    }
}

#[tokio::test]
async fn without_a_sign_in_the_browser_decides() {
    let app = TestApp::spawn().await;
    for (accept, lang, heading) in [
        ("da-DK,da;q=0.9,en;q=0.8", "da", "Log ind påkrævet"),
        ("nl-BE", "nl", "Aanmelden nodig"),
        ("fr-FR", "en", "Sign-in needed"),
    ] {
        let res = client().get(format!("{}/p/demo", app.url)).header("accept-language", accept).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let html = res.text().await.unwrap();
        assert_eq!(lang_of(&html), lang, "{accept}");
        assert!(html.contains(heading), "{accept}: {html}");
    }
    // The plain link pages too.
    let res = client()
        .get(format!("{}/p/demo/login/never-issued", app.url))
        .header("accept-language", "nl")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Deze aanmeldlink is niet geldig"));
}

#[tokio::test]
async fn a_refused_payment_says_why_in_the_debtors_language() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Fjordkaffe ApS").await;
    let invoice = format!("{}/p/demo/invoices/DK-2026-0205", app.url);
    // A plain form post (no JavaScript): refused, it goes back to the invoice with the reason.
    let res = c
        .post(format!("{}/api/pay_invoice", app.url))
        .header("accept", "text/html")
        .header("referer", &invoice)
        .form(&[("merchant", "demo"), ("number", "DK-2026-0205"), ("amount", "99999"), ("pay_key", "too-much-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&invoice), "{back}");
    // Followed as a browser follows the redirect from its own page's form (origin.rs shows a
    // form error only then).
    let res = c.get(&back).header("sec-fetch-site", "same-origin").send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("Du kan højst betale 1.790,00\u{a0}kr., restbeløbet."), "{html}");

    // `1.790` in Danish could be 1790 kroner or a mistyped 1,79: refused, never guessed.
    let pay = |amount: &'static str, key: &'static str| {
        c.post(format!("{}/api/pay_invoice", app.url)).form(&[
            ("merchant", "demo"),
            ("number", "DK-2026-0205"),
            ("amount", amount),
            ("pay_key", key),
        ])
    };
    let res = pay("1.790", "ambiguous-1").send().await.unwrap();
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["Problem"]["code"], "amount_ambiguous", "{problem}");
    // Written the Danish way, or with a phone's point for the øre, it is read.
    assert_eq!(app.pay(&c, "DK-2026-0205", "10,50", "typed-1").await.status(), 200);
    assert_eq!(app.pay(&c, "DK-2026-0205", "10.50", "typed-2").await.status(), 200);
    let balance = app.invoice_json(&c, "DK-2026-0205").await["invoice"]["balance"]["minor"].clone();
    assert_eq!(balance, 179_000 - 2 * 1_050);
}
