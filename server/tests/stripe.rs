//! Paying through Stripe: the real `stripe` gateway code (async-stripe) talks over HTTP to the
//! Stripe stand-in (stripe-standin/), which answers in Stripe's wire format and sends events
//! signed as Stripe signs them to Kassa's webhook endpoint. A merchant connects its Stripe
//! account through the API; its debtors' pay form leads to Kassa's payment form (Stripe's
//! Payment Element); what the browser's Stripe.js would do is done here with the stand-in's
//! confirm; the events and the return address move the ledger, once.

mod common;

use std::time::Duration;

use common::smtp::{part, SmtpServer};
use common::{field_codes, TestApp};
use kassa_core::principal::StaffRole;
use kassa_stripe_standin::StandIn;
use mailparse::MailHeaderMap;

const SECRET_KEY: &str = "sk_test_51KassaStandIn000000000000000000000000000000000004242";
const PUBLISHABLE_KEY: &str = "pk_test_51KassaStandIn0000000000000000000000000000000000000";
const WEBHOOK_SECRET: &str = "whsec_standinstandinstandinstandin12";

/// A stand-in, and Kassa pointed at it.
async fn with_stripe() -> (TestApp, StandIn) {
    with_stripe_and(|_| {}).await
}

/// [`with_stripe`] with more of the configuration changed by `adjust`.
async fn with_stripe_and(adjust: impl FnOnce(&mut kassa_server::config::Config)) -> (TestApp, StandIn) {
    let standin = StandIn::start().await.unwrap();
    let (api, js) = (standin.url.clone(), format!("{}v3/", standin.url));
    let app = TestApp::spawn_with(|config| {
        config.stripe_api_url = api;
        config.stripe_js_url = js;
        adjust(config);
    })
    .await;
    (app, standin)
}

/// Connects the demo merchant's Stripe test account through the API and adds its webhook
/// endpoint at the stand-in, as a merchant does in the Stripe Dashboard.
async fn connect(app: &TestApp, standin: &StandIn, methods: &[&str]) -> serde_json::Value {
    let key = app.live_key().await;
    let body = serde_json::json!({ "secret_key": SECRET_KEY, "publishable_key": PUBLISHABLE_KEY,
        "webhook_secret": WEBHOOK_SECRET, "methods": methods });
    let (status, account) = app.api(&key, http::Method::PUT, "/settings/stripe", Some(body)).await;
    assert_eq!(status, 200, "{account}");
    standin.add_webhook_endpoint(SECRET_KEY, account["webhook_url"].as_str().unwrap(), WEBHOOK_SECRET);
    account
}

/// Posts the pay form; returns Kassa's payment form's address and the attempt.
async fn pay_form(app: &TestApp, c: &reqwest::Client, number: &str, amount: &str, key: &str) -> (String, String) {
    let form = [("merchant", "demo"), ("number", number), ("amount", amount), ("pay_key", key)];
    let res = app.server_fn(c, "pay_invoice", &form).await;
    assert_eq!(res.status(), 200);
    let next: String = res.json().await.unwrap();
    let attempt = next.strip_prefix(&format!("{}/p/demo/pay/form/", app.url)).unwrap_or_else(|| panic!("{next}"));
    (next.clone(), attempt.to_string())
}

/// The payment form's page, and the client secret Stripe.js gets from it.
async fn form_page(c: &reqwest::Client, url: &str) -> (reqwest::header::HeaderMap, String, String) {
    let page = c.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let html = page.text().await.unwrap();
    let secret =
        html.split("data-secret=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_else(|| panic!("{html}"));
    (headers, secret.to_string(), html)
}

async fn attempt_row(app: &TestApp, id: &str) -> (String, Option<String>, Option<String>, Option<String>) {
    sqlx::query_as("SELECT state, decline_code, payment_id, method FROM payment_attempts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

/// Waits until the attempt is in `state` (events arrive after Stripe's answer, as they do).
async fn wait_for(app: &TestApp, id: &str, state: &str) {
    for _ in 0..200 {
        if attempt_row(app, id).await.0 == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("attempt {id} never became {state}: {:?}", attempt_row(app, id).await);
}

/// What Stripe.js does with a card typed into the Payment Element.
async fn confirm_card(standin: &StandIn, secret: &str, back: &str, number: &str) -> (u16, serde_json::Value) {
    let form = [
        ("client_secret", secret),
        ("payment_method_data[type]", "card"),
        ("payment_method_data[card][number]", number),
        ("return_url", back),
    ];
    standin.confirm(intent_of(secret), &form).await.unwrap()
}

fn intent_of(secret: &str) -> &str {
    secret.split("_secret_").next().unwrap()
}

/// The method the payment of `attempt` records (what its receipt says).
async fn payment_method(app: &TestApp, attempt: &str) -> String {
    sqlx::query_scalar("SELECT method FROM payments WHERE attempt_id = $1")
        .bind(attempt)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

async fn payments_of(app: &TestApp, number: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications a JOIN invoices i ON i.id = a.invoice_id \
         WHERE i.number = $1 AND a.payment_id IS NOT NULL",
    )
    .bind(number)
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn connecting_stripe_checks_every_field_and_never_shows_the_secrets_again() {
    let (app, _standin) = with_stripe().await;
    let key = app.live_key().await;
    let bad = serde_json::json!({ "secret_key": "pk_test_51KassaStandIn00000000", "publishable_key": "pk_live_x",
        "webhook_secret": "secret", "methods": ["card", "bitcoin_maybe"] });
    let (status, body) = app.api(&key, http::Method::PUT, "/settings/stripe", Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_codes(&body),
        [
            ("secret_key", "stripe_secret_key_invalid"),
            ("publishable_key", "stripe_publishable_key_invalid"),
            ("webhook_secret", "stripe_webhook_secret_invalid"),
            ("methods", "payment_method_type_invalid"),
        ]
    );
    let mixed = serde_json::json!({ "secret_key": SECRET_KEY, "publishable_key": "pk_live_51KassaStandIn0000000",
        "webhook_secret": WEBHOOK_SECRET });
    let (status, body) = app.api(&key, http::Method::PUT, "/settings/stripe", Some(mixed)).await;
    assert_eq!((status, field_codes(&body)), (422, vec![("publishable_key", "stripe_keys_mode_mismatch")]));

    // A test key reads, never changes.
    let test_key = app.key(kassa_core::principal::Mode::Test, kassa_core::principal::Scopes::ALL).await;
    let good = serde_json::json!({ "secret_key": SECRET_KEY, "publishable_key": PUBLISHABLE_KEY,
        "webhook_secret": WEBHOOK_SECRET, "methods": ["card", "ideal", "card"] });
    let (status, body) = app.api(&test_key, http::Method::PUT, "/settings/stripe", Some(good.clone())).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("live_key_required")));

    let (status, account) = app.api(&key, http::Method::PUT, "/settings/stripe", Some(good)).await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["mode"], "test");
    assert_eq!(account["secret_key"], "sk_test_...4242");
    assert_eq!(account["methods"], serde_json::json!(["card", "ideal"]));
    assert_eq!(account["webhook_url"], format!("{}/webhooks/stripe/demo", app.url));
    let (_, list) = app.api(&test_key, http::Method::GET, "/settings/stripe", None).await;
    assert_eq!(list["data"][0]["secret_key"], "sk_test_...4242");
    // The secrets are sealed in the database, and not in the audit log.
    let (secret_key, webhook_secret): (String, String) =
        sqlx::query_as("SELECT secret_key, webhook_secret FROM stripe_accounts")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert!(secret_key.starts_with("sealed1:") && webhook_secret.starts_with("sealed1:"));
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT COALESCE(after_state, '') FROM audit_log WHERE action = 'merchant.stripe_connected'",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(!audit[0].contains(SECRET_KEY) && !audit[0].contains(WEBHOOK_SECRET) && audit[0].contains("...4242"));

    let deleted = common::client()
        .delete(format!("{}/api/v1/settings/stripe/test", app.url))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let (_, list) = app.api(&key, http::Method::GET, "/settings/stripe", None).await;
    assert_eq!(list["data"], serde_json::json!([]));
}

#[tokio::test]
async fn a_card_payment_goes_through_kassas_payment_form_and_stripes_event_pays_the_invoice_once() {
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &[]).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let (form_url, attempt) = pay_form(&app, &c, "NL-2026-0104", "100,00", "stripe-1").await;
    assert_eq!(attempt_row(&app, &attempt).await.0, "requires_action");

    // Kassa's form: Stripe.js from its address, the CSP widened for it on this page only, the
    // amount and words from the server in the debtor's language.
    let (headers, secret, html) = form_page(&c, &form_url).await;
    let csp = headers["content-security-policy"].to_str().unwrap();
    let origin = standin.url.trim_end_matches('/');
    assert!(csp.contains(&format!("script-src 'self' {origin}")) && csp.contains("frame-src"), "{csp}");
    assert!(html.contains(&format!("<script src=\"{}v3/\"></script>", standin.url)), "{html}");
    assert!(html.contains("<html lang=\"nl\"") && html.contains("€\u{a0}100,00 betalen"), "{html}");
    assert!(html.contains(&format!("data-key=\"{PUBLISHABLE_KEY}\"")));
    let portal_csp = c.get(format!("{}/p/demo", app.url)).send().await.unwrap().headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!portal_csp.contains(origin), "Stripe's origins only on the payment form: {portal_csp}");

    // What Stripe.js does with the card the payer typed into Stripe's fields.
    let back = format!("{}/p/demo/pay/return/{attempt}", app.url);
    let (status, intent) = confirm_card(&standin, &secret, &back, "4242424242424242").await;
    assert_eq!((status, intent["status"].as_str()), (200, Some("succeeded")));
    // Stripe's event arrives on its own and pays the invoice.
    wait_for(&app, &attempt, "succeeded").await;
    let (_, _, payment, _) = attempt_row(&app, &attempt).await;
    assert!(payment.is_some());
    assert_eq!(payments_of(&app, "NL-2026-0104").await, 1);
    // Back at the return address (Stripe.js sends the payer there): the receipt, once.
    let returned = c.get(&back).send().await.unwrap();
    assert_eq!(returned.status(), 303);
    assert_eq!(returned.headers()["location"], format!("/p/demo/payments/{}", payment.unwrap()));
    assert_eq!(payments_of(&app, "NL-2026-0104").await, 1);
    // Every method the Dashboard enables was offered; Stripe's events carry only the payment
    // method's id, so which one paid is known once Kassa asked Stripe (the return) and kept.
    assert_eq!(attempt_row(&app, &attempt).await.3.as_deref(), Some("card"));
    assert_eq!(payment_method(&app, &attempt).await, "card", "the payment (and its receipt) names it too");
    // The same pay form again answers the same receipt; the form page now shows it too.
    let again = c.get(&form_url).send().await.unwrap();
    assert_eq!(again.status(), 303);
    let deliveries = standin.deliveries();
    assert!(
        deliveries.iter().all(|d| d.status == 200),
        "{:?}",
        deliveries.iter().map(|d| (&d.kind, d.status)).collect::<Vec<_>>()
    );
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn three_d_secure_a_declined_card_and_another_card_on_the_same_form() {
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &["card"]).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;

    // 3-D Secure: Stripe sends the payer to their bank's page, which sends them back.
    let (form_url, attempt) = pay_form(&app, &c, "NL-2026-0104", "50,00", "stripe-3ds").await;
    let (_, secret, _) = form_page(&c, &form_url).await;
    let back = format!("{}/p/demo/pay/return/{attempt}", app.url);
    let (status, intent) = confirm_card(&standin, &secret, &back, "4000002760003184").await;
    assert_eq!((status, intent["status"].as_str()), (200, Some("requires_action")));
    let bank = intent["next_action"]["redirect_to_url"]["url"].as_str().unwrap().to_string();
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(plain.get(&bank).send().await.unwrap().status(), 200);
    let done = plain.post(&bank).form(&[("outcome", "complete")]).send().await.unwrap();
    assert_eq!(done.status(), 303);
    let location = done.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&back) && location.contains("redirect_status=succeeded"), "{location}");
    // Back, the gateway is asked (the event may not be here yet): the receipt.
    let returned = c.get(&location).send().await.unwrap();
    assert_eq!(returned.status(), 303, "{:?}", returned.text().await);
    wait_for(&app, &attempt, "succeeded").await;
    // Only cards were offered: the method is known.
    assert_eq!(attempt_row(&app, &attempt).await.3.as_deref(), Some("card"));
    assert_eq!(payment_method(&app, &attempt).await, "card", "the payment (and its receipt) names it too");

    // A declined card: the attempt fails with Stripe's decline code; the payer tries another
    // card on the same form, and that payment is recorded (a failed attempt can still succeed).
    let (form_url, attempt) = pay_form(&app, &c, "NL-2026-0104", "10,00", "stripe-decline").await;
    let (_, secret, _) = form_page(&c, &form_url).await;
    let back = format!("{}/p/demo/pay/return/{attempt}", app.url);
    let (status, answer) = confirm_card(&standin, &secret, &back, "4000000000009995").await;
    assert_eq!((status, answer["error"]["decline_code"].as_str()), (402, Some("insufficient_funds")));
    wait_for(&app, &attempt, "failed").await;
    assert_eq!(attempt_row(&app, &attempt).await.1.as_deref(), Some("insufficient_funds"));
    // Its words on the return page, in the debtor's language.
    let page = c.get(&back).send().await.unwrap();
    assert_eq!(page.status(), 402);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\""), "{html}");
    let (status, _) = confirm_card(&standin, &secret, &back, "4242 4242 4242 4242").await;
    assert_eq!(status, 200);
    wait_for(&app, &attempt, "succeeded").await;
    assert_eq!(payments_of(&app, "NL-2026-0104").await, 2);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_sepa_direct_debit_is_on_its_way_until_the_bank_settles_it() {
    let smtp = SmtpServer::start().await;
    let (app, standin) = with_stripe_and(|c| {
        c.smtp_url = Some(smtp.url());
        c.mail_from = Some("invoices@kassa.example".into());
    })
    .await;
    connect(&app, &standin, &[]).await;
    // Staff who act on payments hear of a failure in the language they signed in with; a
    // viewer does not.
    let danish = common::client();
    danish.get(format!("{}/lang/da", app.url)).send().await.unwrap();
    app.signed_in_staff_with(&danish, "inkasso@demo.kassa.test", StaffRole::Collector).await;
    app.staff_member("kigger@demo.kassa.test", StaffRole::Viewer).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let plain = reqwest::Client::new();
    for (key, outcome, state) in [("sepa-fails", "failed", "failed"), ("sepa-pays", "succeeded", "succeeded")] {
        let (form_url, attempt) = pay_form(&app, &c, "NL-2026-0104", "25,00", key).await;
        let (_, secret, _) = form_page(&c, &form_url).await;
        let back = format!("{}/p/demo/pay/return/{attempt}", app.url);
        let (status, intent) = standin
            .confirm(
                intent_of(&secret),
                &[
                    ("client_secret", &secret),
                    ("payment_method_data[type]", "sepa_debit"),
                    ("payment_method_data[sepa_debit][iban]", "DE89370400440532013000"),
                    ("return_url", &back),
                ],
            )
            .await
            .unwrap();
        assert_eq!((status, intent["status"].as_str()), (200, Some("processing")));
        wait_for(&app, &attempt, "processing").await;
        let page = c.get(&back).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Betaling onderweg"));
        assert_eq!(payments_of(&app, "NL-2026-0104").await, 0);
        // Days later the bank answers.
        let settled = plain
            .post(format!("{}_standin/payment_intents/{}/settle", standin.url, intent_of(&secret)))
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(settled.status(), 200);
        wait_for(&app, &attempt, state).await;
    }
    assert_eq!(payments_of(&app, "NL-2026-0104").await, 1);
    app.assert_ledger_invariants().await;

    // The mail goes out from the job queue: to the debtor (in Dutch) that the first debit
    // failed and that the invoice is still to pay, to the admin (English) and the collector
    // (Danish) that it failed, and to the debtor the second one's receipt with its PDF.
    assert!(smtp.received().is_empty(), "mail goes out from the job queue, not the event");
    app.run_jobs().await;
    let received = smtp.received_by(&["demo.kassa.test", "administratie@demolen.example"]);
    let mut mails: Vec<(String, String, String)> = received
        .iter()
        .map(|raw| {
            let mail = mailparse::parse_mail(raw).unwrap();
            let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
            (header("To"), header("Subject"), part(&mail, "text/plain"))
        })
        .collect();
    mails.sort();
    let subjects: Vec<(&str, &str)> = mails.iter().map(|(to, subject, _)| (to.as_str(), subject.as_str())).collect();
    assert_eq!(
        subjects,
        [
            ("admin@demo.kassa.test", "Payment failed: Bakkerij De Molen B.V., €25.00"),
            (
                "administratie@demolen.example",
                "Betalingsbewijs voor uw betaling van €\u{a0}25,00 aan Noorderlicht Supplies"
            ),
            ("administratie@demolen.example", "Uw betaling aan Noorderlicht Supplies is niet gelukt"),
            ("inkasso@demo.kassa.test", "Betaling mislykkedes: Bakkerij De Molen B.V., 25,00\u{a0}€"),
        ],
        "{mails:#?}"
    );
    let (staff, receipt, failed) = (&mails[0].2, &mails[1].2, &mails[2].2);
    assert!(failed.contains("Uw betaling van €\u{a0}25,00 (SEPA-incasso) is toch niet gelukt"), "{failed}");
    assert!(failed.contains("Nog te betalen: NL-2026-0104.") && failed.contains(&format!("{}/p/demo", app.url)));
    assert!(staff.contains("Open again: NL-2026-0104.") && staff.contains("has been sent an email"), "{staff}");
    assert!(
        receipt.contains("(SEPA-incasso)") && receipt.contains("Factuur NL-2026-0104: €\u{a0}25,00 betaald"),
        "{receipt}"
    );
    let raw = received.iter().find(|r| String::from_utf8_lossy(r).contains("application/pdf")).expect("a PDF");
    let mail = mailparse::parse_mail(raw).unwrap();
    let pdf = common::smtp::find(&mail, "application/pdf").unwrap();
    assert!(pdf.get_body_raw().unwrap().starts_with(b"%PDF-"));
    assert!(pdf.get_content_disposition().params["filename"].starts_with("receipt-"));
}

#[tokio::test]
async fn stripes_events_are_refused_unless_signed_with_the_merchants_secret() {
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &[]).await;
    let body = serde_json::json!({ "id": "evt_forged", "object": "event", "type": "payment_intent.succeeded",
        "data": { "object": {} } })
    .to_string();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let url = format!("{}/webhooks/stripe/demo", app.url);
    let refused = |secret: &'static str, expected: &'static str| {
        let (url, body) = (url.clone(), body.clone());
        async move {
            let res = reqwest::Client::new()
                .post(&url)
                .header("stripe-signature", kassa_stripe_standin::sign(secret, body.as_bytes(), now))
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 400);
            let answer: serde_json::Value = res.json().await.unwrap();
            assert!(answer.to_string().contains(expected), "{secret}: {answer}");
        }
    };
    refused("whsec_someoneelse0000000000", "no_valid_signature").await;
    refused(WEBHOOK_SECRET, "unreadable").await;
    // The merchant rolls its signing secret in Stripe's Dashboard and gives Kassa the new
    // one: events are read with it at once (Kassa keeps a merchant's secrets for a few
    // seconds, and forgets them when they change), and no longer with the old one.
    let key = app.live_key().await;
    let rolled = serde_json::json!({ "secret_key": SECRET_KEY, "publishable_key": PUBLISHABLE_KEY,
        "webhook_secret": "whsec_rolledrolledrolledrolled000000" });
    assert_eq!(app.api(&key, http::Method::PUT, "/settings/stripe", Some(rolled)).await.0, 200);
    refused("whsec_rolledrolledrolledrolled000000", "unreadable").await;
    refused(WEBHOOK_SECRET, "no_valid_signature").await;
}

/// Pays `amount` of `number` by card through Stripe and waits for the payment; its id.
async fn paid_by_card(
    app: &TestApp,
    standin: &StandIn,
    c: &reqwest::Client,
    number: &str,
    amount: &str,
    key: &str,
) -> (String, String) {
    let (form_url, attempt) = pay_form(app, c, number, amount, key).await;
    let (_, secret, _) = form_page(c, &form_url).await;
    let back = format!("{}/p/demo/pay/return/{attempt}", app.url);
    let (status, _) = confirm_card(standin, &secret, &back, "4242424242424242").await;
    assert_eq!(status, 200);
    wait_for(app, &attempt, "succeeded").await;
    (attempt_row(app, &attempt).await.2.unwrap(), intent_of(&secret).to_string())
}

#[tokio::test]
async fn a_refund_goes_back_through_stripe_once_and_reopens_what_it_paid() {
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &[]).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let (payment, _) = paid_by_card(&app, &standin, &c, "NL-2026-0104", "100,00", "stripe-refund").await;
    assert_eq!(app.open_minor("NL-2026-0104").await, 21_000);
    let key = app.demo.api_key.clone();
    let refund = |amount: &str, idempotency: &str| {
        common::client()
            .post(format!("{}/api/v1/payments/{payment}/refunds", app.url))
            .bearer_auth(&key)
            .header("Idempotency-Key", idempotency)
            .json(&serde_json::json!({ "amount": amount, "reason": "two sacks returned" }))
    };
    let first: serde_json::Value = refund("40.00", "refund-1").send().await.unwrap().json().await.unwrap();
    assert_eq!(first["status"], "succeeded", "{first}");
    assert_eq!(first["gateway"], "stripe");
    assert_eq!(first["amount"]["amount"], "40.00");
    assert_eq!(app.open_minor("NL-2026-0104").await, 25_000);
    // The same key again: the same refund, nothing refunded twice (at Stripe or in the ledger).
    let again: serde_json::Value = refund("40.00", "refund-1").send().await.unwrap().json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(app.open_minor("NL-2026-0104").await, 25_000);
    // More than the payment still stands for is refused, in words.
    let res = refund("60.01", "refund-2").send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "refund_exceeds_payment", "{body}");
    // Stripe's own event for the refund arrives too, and changes nothing more.
    for _ in 0..200 {
        if standin.deliveries().iter().any(|d| d.kind == "refund.created" && d.status == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(standin.deliveries().iter().any(|d| d.kind == "refund.created" && d.status == 200));
    assert_eq!(app.open_minor("NL-2026-0104").await, 25_000);
    let (_, list) = app.api(&key, http::Method::GET, &format!("/payments/{payment}/refunds"), None).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (_, shown) = app.api(&key, http::Method::GET, &format!("/payments/{payment}"), None).await;
    assert_eq!(shown["refunded"]["amount"], "40.00", "{shown}");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_chargeback_reverses_the_payment_and_a_won_one_stands_it_again() {
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &[]).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let plain = reqwest::Client::new();
    // 310.00 open. Won: 100.00 paid, taken back, paid again (210.00 open). Lost: 50.00 paid and
    // taken back for good (still 210.00 open).
    for (key, outcome, closed, open_after) in
        [("cb-won", "won", "chargeback_won", 21_000), ("cb-lost", "lost", "chargeback_lost", 21_000)]
    {
        let amount = if outcome == "won" { "100,00" } else { "50,00" };
        let before = app.open_minor("NL-2026-0104").await;
        let (_, intent) = paid_by_card(&app, &standin, &c, "NL-2026-0104", amount, key).await;
        let attempt: String = sqlx::query_scalar("SELECT id FROM payment_attempts WHERE gateway_reference = $1")
            .bind(&intent)
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
        let dispute: serde_json::Value = plain
            .post(format!("{}_standin/payment_intents/{intent}/dispute", standin.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        wait_for(&app, &attempt, "chargeback").await;
        // The money was taken back: what the payment paid is owed again.
        assert_eq!(app.open_minor("NL-2026-0104").await, before);
        let res = plain
            .post(format!("{}_standin/disputes/{}/close", standin.url, dispute["id"].as_str().unwrap()))
            .form(&[("outcome", outcome)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        wait_for(&app, &attempt, closed).await;
        assert_eq!(app.open_minor("NL-2026-0104").await, open_after);
    }
    app.assert_ledger_invariants().await;
}

/// The mandate of a plan, as stored: status and the account's last four digits.
async fn mandate_of(app: &TestApp, plan: &str) -> Option<(String, Option<String>)> {
    sqlx::query_as("SELECT status, last4 FROM plan_mandates WHERE plan_id = $1")
        .bind(plan)
        .fetch_optional(&app.ctx.pool)
        .await
        .unwrap()
}

/// A plan's page as the debtor's browser loads it (`debit`: where direct debit stands).
async fn agreement(app: &TestApp, c: &reqwest::Client, plan: &str) -> serde_json::Value {
    let res = app.server_fn(c, "load_plan_agreement", &[("merchant", "demo"), ("id", plan)]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// A plan's instalments collected by SEPA Direct Debit: the debtor sets up the mandate on
/// Kassa's form (Stripe's fields take the IBAN), and the plans job collects each instalment on
/// its date from it, once; the debit is on its way for days, the plan does not break
/// meanwhile, and the bank's answer pays the instalment. Stopped, nothing more is collected.
#[tokio::test]
async fn a_plans_instalments_are_collected_by_sepa_direct_debit_from_the_debtors_mandate() {
    use kassa_core::principal::Debtor;
    use kassa_core::services::plans::{self, ProposePlan};
    use kassa_core::Principal;
    let (app, standin) = with_stripe().await;
    connect(&app, &standin, &[]).await;
    let (merchant, customer) = app.demo_customer("C-1001").await;
    let debtor = Principal::Debtor(Debtor { merchant: merchant.clone(), customer, invoice: None });
    let today = kassa_core::services::records::today_of(&app.ctx.pool, &merchant).await.unwrap();
    let proposal = ProposePlan {
        invoices: vec![kassa_domain::InvoiceNumber::parse("NL-2026-0101").unwrap()],
        first: String::new(),
        frequency: "monthly".into(),
        count: "3".into(),
        key: "debit-plan".into(),
    };
    let plan = plans::propose_on(&app.ctx, &debtor, proposal, today).await.unwrap();
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let page = agreement(&app, &c, &plan.id).await;
    assert_eq!((page["debit"]["status"].as_str(), page["debit"]["offered"].as_bool()), (Some("none"), Some(true)));

    // Set up: on to Kassa's mandate form; asked twice (a double click), one setup.
    let form = [("merchant", "demo"), ("plan", plan.id.as_str())];
    let mut secrets = Vec::new();
    for _ in 0..2 {
        let res = app.server_fn(&c, "setup_plan_debit", &form).await;
        assert_eq!(res.status(), 200);
        let next: String = res.json().await.unwrap();
        assert_eq!(next, format!("/p/demo/plans/{}/debit", plan.id));
        let (headers, secret, html) = form_page(&c, &format!("{}{next}", app.url)).await;
        assert!(secret.starts_with("seti_"), "{secret}");
        assert!(html.contains("data-mode=\"setup\"") && html.contains("Stripe"), "{html}");
        let csp = headers[http::header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains(standin.url.trim_end_matches('/')), "{csp}");
        secrets.push(secret);
    }
    assert_eq!(secrets[0], secrets[1]);
    assert_eq!(mandate_of(&app, &plan.id).await, Some(("pending".into(), None)));

    // What Stripe.js does with what the debtor types: a wrong IBAN is refused by Stripe, the
    // form stays; a right one sets the mandate up, and Stripe's event makes it active.
    let secret = &secrets[0];
    let setup = intent_of(secret);
    let typed = |iban: &'static str| {
        [
            ("client_secret", secret.as_str()),
            ("payment_method_data[type]", "sepa_debit"),
            ("payment_method_data[sepa_debit][iban]", iban),
        ]
    };
    let (status, refused) = standin.confirm_setup(setup, &typed("12")).await.unwrap();
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("invalid_bank_account_iban")));
    let (status, done) = standin.confirm_setup(setup, &typed("AT61 1904 3002 3457 3201")).await.unwrap();
    assert_eq!((status, done["status"].as_str()), (200, Some("succeeded")), "{done}");
    for _ in 0..200 {
        if mandate_of(&app, &plan.id).await.is_some_and(|m| m.0 == "active") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Stripe's event names the method without its details (as Stripe's events do); back from
    // Stripe, Kassa asks for the account's last digits, and the plan's page says where it
    // stands.
    assert_eq!(mandate_of(&app, &plan.id).await, Some(("active".into(), None)));
    let back = c.get(format!("{}/p/demo/plans/{}/debit/return", app.url, plan.id)).send().await.unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(back.headers()[http::header::LOCATION], format!("/p/demo/plans/{}", plan.id).as_str());
    assert_eq!(mandate_of(&app, &plan.id).await, Some(("active".into(), Some("3201".into()))));
    let page = agreement(&app, &c, &plan.id).await;
    assert_eq!(page["debit"]["status"], "active");
    assert!(page["debit"]["words"].as_str().unwrap().contains("3201"), "{page}");
    // The merchant's systems read it with the plan.
    let (status, read) = app.api(&app.demo.api_key, http::Method::GET, &format!("/plans/{}", plan.id), None).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["direct_debit"], serde_json::json!({ "status": "active", "last4": "3201" }));

    // The plans job collects the first instalment on its date, once: a debit on its way.
    let first = plan.instalments[0].due;
    let before = plans::review_one(&app.ctx, &plan.id, |_| first - time::Duration::days(1)).await.unwrap();
    assert_eq!(before.debits, 0, "not before its date");
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| first).await.unwrap().debits, 1);
    let (attempt, amount, reference): (String, i64, String) =
        sqlx::query_as("SELECT id, amount_minor, gateway_reference FROM payment_attempts WHERE idempotency_key = $1")
            .bind(format!("plan-debit:{}:1", plan.id))
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(amount, 14_100);
    wait_for(&app, &attempt, "processing").await;
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| first).await.unwrap().debits, 0, "once");
    // Past the grace while the bank has not answered: the plan goes on.
    let late = plans::review_one(&app.ctx, &plan.id, |_| first + time::Duration::days(20)).await.unwrap();
    assert_eq!((late.broken, late.debits), (0, 0));

    // The bank pays: the instalment is paid, from the debit.
    let settled = reqwest::Client::new()
        .post(format!("{}_standin/payment_intents/{reference}/settle", standin.url))
        .form(&[("outcome", "succeeded")])
        .send()
        .await
        .unwrap();
    assert_eq!(settled.status(), 200);
    wait_for(&app, &attempt, "succeeded").await;
    assert_eq!(payment_method(&app, &attempt).await, "sepa_debit");
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| first).await.unwrap().instalments_paid, 1);

    // Three days before the second, the debtor is told (in Dutch) it will be collected, and
    // from which account: SEPA's notice before a debit.
    let second = plan.instalments[1].due;
    let reminded = plans::review_one(&app.ctx, &plan.id, |_| second - time::Duration::days(3)).await.unwrap();
    assert_eq!(reminded.reminders, 1);
    app.run_jobs().await;
    let notice: String = sqlx::query_scalar(
        "SELECT text_body FROM caught_mail WHERE recipient = 'administratie@demolen.example' \
         AND subject LIKE 'Termijn te betalen op%'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert!(notice.contains("via SEPA-incasso afgeschreven van uw rekening eindigend op 3201"), "{notice}");

    // Stopped by the debtor: the second instalment is theirs to pay.
    assert_eq!(app.server_fn(&c, "stop_plan_debit", &form).await.status(), 200);
    assert_eq!(mandate_of(&app, &plan.id).await.unwrap().0, "stopped");
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| second).await.unwrap().debits, 0);
    let page = agreement(&app, &c, &plan.id).await;
    assert_eq!((page["debit"]["status"].as_str(), page["debit"]["offered"].as_bool()), (Some("stopped"), Some(true)));
    app.assert_ledger_invariants().await;
}
