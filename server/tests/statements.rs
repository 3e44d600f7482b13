//! A debtor's statement of account: the opening balance, every invoice, payment, reversal,
//! credit note and write-off of the period with the running balance, and the closing balance,
//! on the merchant's days; a statement to today closes with what the portal says is due less
//! the credit held. On SQLite, and on PostgreSQL when the suite runs there.

mod common;
use common::TestApp;
use kassa_core::principal::{Staff, StaffRole};
use kassa_core::services::ledger::{self, IssueCreditNote, RecordPayment, ReversePayment, WriteOffInvoice};
use kassa_core::services::records;
use kassa_core::Principal;
use kassa_domain::{Apply, Currency, InvoiceNumber, MerchantId, Money, StaffId, WriteOffReason};
use serde_json::Value;
use time::macros::date;

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn collector(merchant: &MerchantId) -> Principal {
    Principal::Staff(Staff {
        merchant: merchant.clone(),
        staff: StaffId::from_raw("s1"),
        role: StaffRole::Collector,
        email: "clerk@demo.kassa.test".into(),
    })
}

async fn statement(app: &TestApp, c: &reqwest::Client, from: &str, to: &str) -> Value {
    let res = app.server_fn(c, "load_statement", &[("merchant", "demo"), ("from", from), ("to", to)]).await;
    assert_eq!(res.status(), 200, "{from}..{to}");
    res.json().await.unwrap()
}

fn section<'a>(s: &'a Value, currency: &str) -> &'a Value {
    s["sections"].as_array().unwrap().iter().find(|x| x["currency"] == currency).unwrap_or_else(|| panic!("{s}"))
}

fn minor(v: &Value) -> i64 {
    v["minor"].as_i64().unwrap_or_else(|| panic!("not money: {v}"))
}

/// Each entry's balance is the one before it plus what it charged less what it credited.
fn assert_runs(section: &Value) {
    let mut balance = minor(&section["opening"]);
    for e in section["entries"].as_array().unwrap() {
        balance += e["charged"].as_object().map(|_| minor(&e["charged"])).unwrap_or(0);
        balance -= e["credited"].as_object().map(|_| minor(&e["credited"])).unwrap_or(0);
        assert_eq!(minor(&e["balance"]), balance, "{e}");
    }
    assert_eq!(minor(&section["closing"]), balance);
}

#[tokio::test]
async fn a_statement_runs_from_its_opening_to_what_is_due_less_credit() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1003").await; // Studio Grachten, EUR
    let debtor = app.debtor("Studio Grachten").await;
    let merchant = records::merchant_by_id(&app.ctx.pool, &m).await.unwrap();
    let today = merchant.today().unwrap();
    let day = |d: time::Date| d.to_string();

    // Since the first invoice: opening nothing; closing what the overview says.
    let all = statement(&app, &debtor, "2000-01-01", &day(today)).await;
    let eur_all = section(&all, "EUR");
    assert_eq!(minor(&eur_all["opening"]), 0);
    assert_runs(eur_all);
    let overview: Value = app.server_fn(&debtor, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    assert_eq!(overview["has_statement"], true);
    let due = overview["totals"].as_array().unwrap().iter().find(|t| t["due"]["currency"] == "EUR").unwrap();
    let credit = overview["credit"].as_array().unwrap().iter().find(|m| m["currency"] == "EUR").map(minor).unwrap_or(0);
    assert_eq!(minor(&eur_all["closing"]), minor(&due["due"]) - credit, "{all}");
    let invoices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE merchant_id = $1 AND customer_id = $2")
        .bind(m.as_str())
        .bind(c.as_str())
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let listed = eur_all["entries"].as_array().unwrap();
    assert_eq!(listed.iter().filter(|e| e["label"].as_str().unwrap().starts_with("Factuur ")).count() as i64, invoices);

    // Today: a payment held as credit, a credit note, a write-off, then the payment reversed.
    let who = collector(&m);
    let payment = ledger::record_payment(
        &app.ctx,
        &who,
        RecordPayment {
            merchant: m.clone(),
            customer: c.clone(),
            amount: eur(10_00),
            method: "cash".into(),
            reference: "RF18 5390 0754 7034".into(),
            apply: Apply::Hold,
            idempotency_key: "statement-1".into(),
        },
    )
    .await
    .unwrap();
    let cmd = IssueCreditNote {
        merchant: m.clone(),
        customer: c.clone(),
        number: "CN-STATEMENT-1".into(),
        amount: eur(5_00),
        against: None,
        reason: "goodwill".into(),
    };
    ledger::issue_credit_note(&app.ctx, &who, cmd).await.unwrap();
    let open: String = sqlx::query_scalar(
        "SELECT number FROM invoices WHERE merchant_id = $1 AND customer_id = $2 AND open_minor > 100 ORDER BY number LIMIT 1",
    )
    .bind(m.as_str())
    .bind(c.as_str())
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    let write_off = WriteOffInvoice {
        merchant: m.clone(),
        invoice: InvoiceNumber::parse(&open).unwrap(),
        amount: Some(eur(1_00)),
        reason: WriteOffReason::SmallBalance,
        note: "rounding".into(),
    };
    ledger::write_off(&app.ctx, &who, write_off).await.unwrap();
    let reversal = ReversePayment { merchant: m.clone(), payment: payment.clone(), reason: "chargeback".into() };
    ledger::reverse_payment(&app.ctx, &who, reversal).await.unwrap();

    let now = statement(&app, &debtor, &day(today), &day(today)).await;
    let eur_now = section(&now, "EUR");
    assert_runs(eur_now);
    // Today opens where everything before today closed.
    let yesterday = today.previous_day().unwrap();
    let before = statement(&app, &debtor, "2000-01-01", &day(yesterday)).await;
    assert_eq!(minor(&eur_now["opening"]), minor(&section(&before, "EUR")["closing"]));
    let moved: Vec<(String, i64, i64)> = eur_now["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let label = e["label"].as_str().unwrap();
            label.contains("Contant")
                || label.contains("CN-STATEMENT")
                || (label == format!("Afgeboekt op factuur {open}") && e["credited"]["minor"] == 1_00)
        })
        .map(|e| {
            let amount = |k: &str| e[k].as_object().map(|_| minor(&e[k])).unwrap_or(0);
            (e["label"].as_str().unwrap().to_string(), amount("charged"), amount("credited"))
        })
        .collect();
    assert_eq!(
        moved,
        vec![
            ("Betaling (Contant)".to_string(), 0, 10_00),
            ("Creditnota CN-STATEMENT-1".to_string(), 0, 5_00),
            (format!("Afgeboekt op factuur {open}"), 0, 1_00),
            ("Betaling teruggeboekt (Contant)".to_string(), 10_00, 0),
        ],
        "{now}"
    );
    // The payment links to its receipt; the closing balance is still due less credit.
    let paid = &eur_now["entries"].as_array().unwrap().iter().find(|e| e["label"] == "Betaling (Contant)").unwrap();
    assert_eq!(paid["href"], format!("/p/demo/payments/{payment}"));
    let after: Value = app.server_fn(&debtor, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let due = after["totals"].as_array().unwrap().iter().find(|t| t["due"]["currency"] == "EUR").unwrap();
    let credit = after["credit"].as_array().unwrap().iter().find(|m| m["currency"] == "EUR").map(minor).unwrap_or(0);
    assert_eq!(minor(&eur_now["closing"]), minor(&due["due"]) - credit);
    assert_eq!(minor(&eur_now["closing"]), minor(&eur_all["closing"]) - 5_00 - 1_00);

    // The overview's recent activity: newest first, the reversal at the top; what this test
    // did is there in the order it happened (the demo's own payment and write-off of today
    // may share its second: recent_activity_is_newest_first checks the order exactly).
    let activity: Vec<(String, i64, String)> = after["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["label"].as_str().unwrap().to_string(), minor(&a["amount"]), a["href"].to_string()))
        .collect();
    assert_eq!(activity.len(), 5, "{after}");
    assert_eq!(activity[0], ("Betaling teruggeboekt (Contant)".to_string(), 10_00, "null".to_string()));
    let at = |label: &str, amount: i64| activity.iter().position(|a| a.0 == label && a.1 == amount);
    let (wrote_off, credited) =
        (at(&format!("Afgeboekt op factuur {open}"), 1_00), at("Creditnota CN-STATEMENT-1", 5_00));
    assert!(wrote_off.is_some() && credited.is_some() && wrote_off < credited, "{activity:?}");
    for (label, _, href) in &activity {
        if label.starts_with("Betaling (") {
            assert!(href.starts_with("\"/p/demo/payments/"), "{activity:?}");
        }
    }

    // The page itself, in the customer's Dutch: the form keeps the period, the rows are there.
    let page =
        debtor.get(format!("{}/p/demo/statement?from={}&to={}", app.url, day(today), day(today))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Rekeningoverzicht</h1>"), "{html}");
    assert!(html.contains(&format!(r#"name="from" value="{}""#, day(today))), "{html}");
    assert!(html.contains("Betaling teruggeboekt (Contant)") && html.contains("Creditnota CN-STATEMENT-1"));
    let list = debtor.get(format!("{}/p/demo", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(list.contains(r#"<h2 id="activity-title">Recente activiteit</h2>"#), "{list}");
    let section = &list[list.find("activity-title").unwrap()..];
    assert!(section.contains(r#"<span class="activity-what">Betaling teruggeboekt (Contant)</span>"#), "{list}");
    assert!(html.contains(&format!("/p/demo/statement/pdf?from={}&amp;to={}", day(today), day(today))), "{html}");
    app.assert_ledger_invariants().await;
}

/// A customer of its own, so nothing else shares its activity: two invoices on days before
/// today, then today a payment, a credit note, a write-off and the payment reversed.
#[tokio::test]
async fn recent_activity_is_newest_first() {
    use kassa_core::principal::{Debtor, Mode, Scopes};
    use kassa_core::services::statements::{recent_activity, EntryKind};
    let app = TestApp::spawn().await;
    let key = app.key(Mode::Test, Scopes::ALL).await;
    let customer = serde_json::json!({ "number": "ACT-1", "name": "Activiteit B.V.", "email": "act@klant.example" });
    assert_eq!(app.api(&key, http::Method::POST, "/customers", Some(customer)).await.0, 201);
    for (number, issued) in [("ACT-A", "2026-03-01"), ("ACT-B", "2026-04-01")] {
        let invoice = serde_json::json!({ "customer_number": "ACT-1", "number": number, "currency": "EUR",
            "issue_date": issued, "lines": [ { "description": "Kaas", "quantity": "1", "unit_price": "100.00" } ] });
        assert_eq!(app.api(&key, http::Method::POST, "/invoices", Some(invoice)).await.0, 201);
    }
    let (m, c) = app.demo_customer("ACT-1").await;
    let merchant = records::merchant_by_id(&app.ctx.pool, &m).await.unwrap();
    let debtor = Debtor { merchant: m.clone(), customer: c.clone(), invoice: None };
    let latest = |limit: u32| {
        let (pool, debtor, merchant) = (app.ctx.pool.clone(), debtor.clone(), merchant.clone());
        async move {
            let mut db = pool.acquire().await.unwrap();
            recent_activity(&mut db, &debtor, &merchant, limit).await.unwrap()
        }
    };
    let invoices = latest(5).await;
    let numbers: Vec<_> = invoices.iter().map(|a| a.kind.clone()).collect();
    assert!(
        matches!(&numbers[..], [EntryKind::Invoice { number: b }, EntryKind::Invoice { number: a }]
            if b == "ACT-B" && a == "ACT-A"),
        "{numbers:?}"
    );

    let who = collector(&m);
    let pay = RecordPayment {
        merchant: m.clone(),
        customer: c.clone(),
        amount: eur(30_00),
        method: "cash".into(),
        reference: String::new(),
        apply: Apply::OldestDueFirst,
        idempotency_key: "activity-1".into(),
    };
    let payment = ledger::record_payment(&app.ctx, &who, pay).await.unwrap();
    let cmd = IssueCreditNote {
        merchant: m.clone(),
        customer: c.clone(),
        number: "CN-ACT-1".into(),
        amount: eur(5_00),
        against: None,
        reason: "goodwill".into(),
    };
    ledger::issue_credit_note(&app.ctx, &who, cmd).await.unwrap();
    let write_off = WriteOffInvoice {
        merchant: m.clone(),
        invoice: InvoiceNumber::parse("ACT-B").unwrap(),
        amount: Some(eur(2_00)),
        reason: WriteOffReason::SmallBalance,
        note: "rounding".into(),
    };
    ledger::write_off(&app.ctx, &who, write_off).await.unwrap();
    let reversal = ReversePayment { merchant: m.clone(), payment: payment.clone(), reason: "chargeback".into() };
    ledger::reverse_payment(&app.ctx, &who, reversal).await.unwrap();

    let today = merchant.today().unwrap();
    let five: Vec<(String, i64, time::Date)> = latest(5)
        .await
        .into_iter()
        .map(|a| {
            let what = match a.kind {
                EntryKind::Invoice { number } => format!("invoice {number}"),
                EntryKind::Payment { payment: p, .. } => format!("payment {}", p == payment),
                EntryKind::PaymentReversed { payment: p, .. } => format!("reversal {}", p == payment),
                EntryKind::CreditNote { number } => format!("credit note {number}"),
                EntryKind::WriteOff { invoice, .. } => format!("write-off {invoice}"),
            };
            (what, a.amount.minor(), a.date)
        })
        .collect();
    assert_eq!(
        five,
        vec![
            ("reversal true".to_string(), 30_00, today),
            ("write-off ACT-B".to_string(), -2_00, today),
            ("credit note CN-ACT-1".to_string(), -5_00, today),
            ("payment true".to_string(), -30_00, today),
            ("invoice ACT-B".to_string(), 10_000, date!(2026 - 04 - 01)),
        ]
    );
    assert_eq!(latest(2).await.len(), 2);
    assert!(latest(0).await.is_empty());
    // A pay link's session (one invoice) has no account activity.
    let one: String = sqlx::query_scalar("SELECT id FROM invoices WHERE merchant_id = $1 AND number = 'ACT-A'")
        .bind(m.as_str())
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap();
    let pay_link = Debtor { invoice: Some(kassa_domain::InvoiceId::from_raw(one)), ..debtor.clone() };
    let mut db = app.ctx.pool.acquire().await.unwrap();
    assert!(recent_activity(&mut db, &pay_link, &merchant, 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_day_is_the_merchants_day() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1003").await;
    let debtor = app.debtor("Studio Grachten").await;
    let payment = ledger::record_payment(
        &app.ctx,
        &collector(&m),
        RecordPayment {
            merchant: m.clone(),
            customer: c.clone(),
            amount: eur(7_00),
            method: "cash".into(),
            reference: "late evening".into(),
            apply: Apply::Hold,
            idempotency_key: "statement-zone".into(),
        },
    )
    .await
    .unwrap();
    // 2026-03-14 23:30 UTC is already 15 March in Amsterdam (UTC+1 then).
    let at = time::macros::datetime!(2026-03-14 23:30 UTC).unix_timestamp();
    sqlx::query("UPDATE payments SET created_at = $1 WHERE id = $2")
        .bind(at)
        .bind(payment.as_str())
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    let paid_on = |s: &Value| -> Vec<Value> {
        s["sections"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|x| x["entries"].as_array().unwrap().clone())
            .filter(|e| e["label"] == "Betaling (Contant)")
            .map(|e| e["date"].clone())
            .collect()
    };
    let day = |d: time::Date| vec![serde_json::to_value(d).unwrap()];
    assert_eq!(paid_on(&statement(&app, &debtor, "2026-03-14", "2026-03-14").await), Vec::<Value>::new());
    assert_eq!(paid_on(&statement(&app, &debtor, "2026-03-15", "2026-03-15").await), day(date!(2026 - 03 - 15)));
    // Moved to Los Angeles, the same moment is the 14th.
    sqlx::query("UPDATE merchants SET time_zone = 'America/Los_Angeles' WHERE id = $1")
        .bind(m.as_str())
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(paid_on(&statement(&app, &debtor, "2026-03-14", "2026-03-14").await), day(date!(2026 - 03 - 14)));
}

#[tokio::test]
async fn a_period_that_cannot_be_read_or_is_too_long_is_said_on_the_form() {
    let app = TestApp::spawn().await;
    let debtor = app.debtor("Studio Grachten").await;
    // Reversed: refused in words, with what was typed kept.
    let res = debtor.get(format!("{}/p/demo/statement?from=2026-06-30&to=2026-01-01", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("De periode begint op 30 jun 2026, na het einde op 1 jan 2026"), "{html}");
    assert!(html.contains(r#"value="2026-06-30""#) && html.contains(r#"aria-invalid="true""#), "{html}");
    let res = debtor.get(format!("{}/p/demo/statement?from=30-06-2026", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("30-06-2026"));

    // More entries than one statement lists: choose a shorter period; the period after is fine.
    app.bulk_invoices("C-1003", "OLD", 2_001, 100, "2001-06-01", |_| "2001-07-01").await;
    let res = app
        .server_fn(&debtor, "load_statement", &[("merchant", "demo"), ("from", "2001-01-01"), ("to", "2001-12-31")])
        .await;
    assert_eq!(res.status(), 422);
    let long: Value = res.json().await.unwrap();
    assert_eq!(long["error"], "Meer dan 2000 boekingen in deze periode: kies een kortere periode.", "{long}");
    let after = statement(&app, &debtor, "2002-01-01", "2002-12-31").await;
    assert_eq!(minor(&section(&after, "EUR")["opening"]), 2_001 * 100);
    assert!(section(&after, "EUR")["entries"].as_array().unwrap().is_empty());
    // (A pay link's session, one invoice, has no statement: isolation.rs.)
}
