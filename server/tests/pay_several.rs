//! Paying several invoices with one payment from the portal: the debtor chooses open invoices
//! of one currency (or all of them), sees their total, and one payment settles each exactly.

mod common;
use common::TestApp;
use http::Method;
use kassa_domain::{Currency, Money};
use serde_json::{json, Value};

/// A server function's form fields.
type Form<'a> = &'a [(&'a str, &'a str)];

/// `load_selection` for these invoice numbers (or `currency=` for all open in it).
async fn select(app: &TestApp, c: &reqwest::Client, choice: Form<'_>) -> reqwest::Response {
    let mut form = vec![("merchant", "demo")];
    form.extend_from_slice(choice);
    app.server_fn(c, "load_selection", &form).await
}

async fn pay_several(
    app: &TestApp,
    c: &reqwest::Client,
    numbers: &[&str],
    total: &str,
    key: &str,
) -> reqwest::Response {
    let names: Vec<String> = (0..numbers.len()).map(|n| format!("invoices[{n}]")).collect();
    let mut form = vec![("merchant", "demo"), ("total", total), ("pay_key", key)];
    form.extend(names.iter().map(String::as_str).zip(numbers.iter().copied()));
    app.pay_through(c, "pay_invoices", &form, common::APPROVED).await
}

async fn problem_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let problem: kassa_domain::Problem = serde_json::from_value(common::problem(res).await).unwrap();
    assert_eq!(status, problem.http_status(), "{problem:?}");
    (status, problem.code().to_string())
}

fn eur(minor: i64) -> Value {
    json!({ "minor": minor, "currency": "EUR" })
}

/// The invoice's balance as the debtor's portal shows it.
async fn balance(app: &TestApp, c: &reqwest::Client, number: &str) -> Value {
    app.invoice_json(c, number).await["invoice"]["balance"].clone()
}

#[tokio::test]
async fn one_payment_settles_each_chosen_invoice_exactly() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    // NL-2026-0101 (2 x sacks and delivery: 423.00) and NL-2026-0104 (310.00), both unpaid.
    let res = select(&app, &c, &[("invoices[0]", "NL-2026-0104"), ("invoices[1]", "NL-2026-0101")]).await;
    assert_eq!(res.status(), 200);
    let chosen: Value = res.json().await.unwrap();
    let numbers: Vec<&str> =
        chosen["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["NL-2026-0101", "NL-2026-0104"], "oldest due first");
    assert_eq!(chosen["total"], eur(73_300));

    let res = pay_several(&app, &c, &["NL-2026-0101", "NL-2026-0104"], "733.00", "several-1").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let receipt: String = res.json().await.unwrap();
    let payment = receipt.rsplit('/').next().unwrap().to_string();
    for number in ["NL-2026-0101", "NL-2026-0104"] {
        let detail = app.invoice_json(&c, number).await;
        assert_eq!(detail["invoice"]["balance"], eur(0), "{number}");
        assert_eq!(detail["invoice"]["status"], "Paid", "{number}");
    }
    // Exactly each balance, nothing held as credit.
    let applied: Vec<(String, i64)> = sqlx::query_as(
        "SELECT i.number, a.amount_minor FROM applications a JOIN invoices i ON i.id = a.invoice_id \
         WHERE a.payment_id = $1 ORDER BY i.number",
    )
    .bind(&payment)
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(applied, [("NL-2026-0101".to_string(), 42_300), ("NL-2026-0104".to_string(), 31_000)]);
    let receipt: Value =
        app.server_fn(&c, "load_receipt", &[("merchant", "demo"), ("payment", &payment)]).await.json().await.unwrap();
    assert_eq!(receipt["amount"], eur(73_300));
    assert_eq!(receipt["invoices"].as_array().unwrap().len(), 2);

    // The same form again (a double click, a reload) answers the same payment, charging nothing.
    let again = pay_several(&app, &c, &["NL-2026-0101", "NL-2026-0104"], "733.00", "several-1").await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<String>().await.unwrap(), format!("/p/demo/payments/{payment}"));
    let payments: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM payments WHERE attempt_id IN \
        (SELECT id FROM payment_attempts WHERE idempotency_key = 'several-1')",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(payments, 1);
    // Now paid, they cannot be chosen again.
    let (status, code) = problem_code(select(&app, &c, &[("invoices[0]", "NL-2026-0104")]).await).await;
    assert_eq!((status, code.as_str()), (422, "invoice_already_paid"));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn pay_all_chooses_every_open_invoice_of_the_currency() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Fjordkaffe ApS").await;
    let chosen: Value = select(&app, &c, &[("currency", "DKK")]).await.json().await.unwrap();
    let invoices = chosen["invoices"].as_array().unwrap();
    let portal: Value = app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let open: Vec<&Value> =
        portal["invoices"].as_array().unwrap().iter().filter(|i| i["balance"]["minor"] != 0).collect();
    assert_eq!(invoices.len(), open.len());
    assert!(invoices.len() >= 3);
    // All that is due in DKK but the 75.00 the demo's dispute (DK-2026-0210's delivery) holds.
    let due = portal["totals"][0]["due"]["minor"].as_i64().unwrap();
    assert_eq!(chosen["total"]["minor"].as_i64(), Some(due - 7_500), "all open DKK less what is disputed");

    let numbers: Vec<&str> = invoices.iter().map(|i| i["number"].as_str().unwrap()).collect();
    let total = Money::from_minor(chosen["total"]["minor"].as_i64().unwrap(), Currency::DKK).amount_string();
    let res = pay_several(&app, &c, &numbers, &total, "pay-all-1").await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let portal: Value = app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    assert_eq!(portal["totals"][0]["due"]["minor"], 7_500, "what the dispute holds");
    // Nothing that is asked for is left to choose.
    let (_, code) = problem_code(select(&app, &c, &[("currency", "DKK")]).await).await;
    assert_eq!(code, "nothing_selected");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_selection_that_cannot_be_paid_together_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let cases: [(Form, u16, &str); 3] = [
        (&[], 422, "nothing_selected"),
        (&[("invoices[0]", "NL-2026-0103")], 422, "invoice_already_paid"),
        (&[("currency", "XYZ")], 422, "unknown_currency"),
    ];
    for (choice, status, code) in cases {
        let got = problem_code(select(&app, &c, choice).await).await;
        assert_eq!(got, (status, code.to_string()), "{choice:?}");
    }
    // A missing invoice, and another customer's, which is as unknown: not found, as on its page.
    for choice in [
        [("invoices[0]", "NL-2026-0104"), ("invoices[1]", "NO-SUCH")],
        [("invoices[0]", "DK-2026-0201"), ("invoices[1]", "NL-2026-0104")],
    ] {
        assert_eq!(select(&app, &c, &choice).await.status(), 404, "{choice:?}");
    }
    // An invoice in another currency on the same account.
    let body = json!({ "customer_number": "C-1001", "number": "NL-2026-DKK", "currency": "DKK",
        "issue_date": "2026-11-02", "due_date": "2026-12-30",
        "lines": [ { "description": "Danish rye", "quantity": "1", "unit_price": "100.00" } ] });
    let (status, answer) = app.api(&app.demo.api_key, Method::POST, "/invoices", Some(body)).await;
    assert_eq!(status, 201, "{answer}");
    let got =
        problem_code(select(&app, &c, &[("invoices[0]", "NL-2026-0104"), ("invoices[1]", "NL-2026-DKK")]).await).await;
    assert_eq!(got, (422, "selection_mixes_currencies".to_string()));
    let got = problem_code(pay_several(&app, &c, &["NL-2026-0104", "NL-2026-DKK"], "410.00", "mixed-1").await).await;
    assert_eq!(got, (422, "selection_mixes_currencies".to_string()));
    // Too many: a crafted form naming more than one payment settles.
    let many: Vec<String> = (0..=kassa_core::services::portal::MAX_SELECTED).map(|n| format!("X-{n}")).collect();
    let names: Vec<String> = (0..many.len()).map(|n| format!("invoices[{n}]")).collect();
    let choice: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(many.iter().map(String::as_str)).collect();
    assert_eq!(problem_code(select(&app, &c, &choice).await).await.1, "too_many_selected");
    assert_eq!(balance(&app, &c, "NL-2026-0104").await, eur(31_000), "nothing paid");
}

#[tokio::test]
async fn a_total_that_no_longer_holds_is_not_charged() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let chosen: Value = select(&app, &c, &[("invoices[0]", "NL-2026-0101"), ("invoices[1]", "NL-2026-0104")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chosen["total"], eur(73_300));
    // Meanwhile, in another tab, part of NL-2026-0104 is paid.
    assert_eq!(app.pay(&c, "NL-2026-0104", "10.00", "other-tab").await.status(), 200);
    let res = pay_several(&app, &c, &["NL-2026-0101", "NL-2026-0104"], "733.00", "stale-total").await;
    let problem = common::problem(res).await;
    assert_eq!(problem["code"], "selection_changed");
    assert_eq!(problem["total"], eur(72_300));
    assert_eq!(balance(&app, &c, "NL-2026-0101").await, eur(42_300), "nothing charged");
    // With the new total it goes through.
    let res = pay_several(&app, &c, &["NL-2026-0101", "NL-2026-0104"], "723.00", "fresh-total").await;
    assert_eq!(res.status(), 200);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_pay_link_chooses_its_own_invoice_only() {
    let app = TestApp::spawn().await;
    let c = common::client();
    let token = kassa_server::demo::shop_token(&app.ctx, &app.shop_origin).await.unwrap();
    assert_eq!(c.post(format!("{}/p/demo/pay/{token}", app.url)).send().await.unwrap().status(), 303);
    let shop_invoice = kassa_server::demo::SHOP_INVOICE;
    assert_eq!(select(&app, &c, &[("invoices[0]", shop_invoice)]).await.status(), 200);
    assert_eq!(select(&app, &c, &[("invoices[0]", "NL-2026-0104")]).await.status(), 404);
    let chosen: Value = select(&app, &c, &[("currency", "EUR")]).await.json().await.unwrap();
    let numbers: Vec<&str> =
        chosen["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, [shop_invoice], "pay all is its own invoice");
}

#[tokio::test]
async fn what_disputes_hold_is_not_charged_and_a_wholly_disputed_invoice_is_refused() {
    use kassa_core::services::disputes::{self, OpenDispute};
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let (merchant, customer) = app.demo_customer("C-1001").await;
    let debtor = kassa_core::Principal::Debtor(kassa_core::principal::Debtor { merchant, customer, invoice: None });
    // The delivery line of NL-2026-0101 (45.00 of 423.00) disputed; NL-2026-0104 in full.
    for (number, lines, key) in [("NL-2026-0101", vec![2], "d1"), ("NL-2026-0104", vec![], "d2")] {
        let cmd = OpenDispute {
            invoice: kassa_domain::InvoiceNumber::parse(number).unwrap(),
            reason: "other".into(),
            lines,
            amount: None,
            decimal: ',',
            message: "Not as ordered".into(),
            files: Vec::new(),
            key: key.into(),
        };
        disputes::open(&app.ctx, &debtor, cmd).await.unwrap();
    }
    let res = select(&app, &c, &[("invoices[0]", "NL-2026-0104")]).await;
    assert_eq!(problem_code(res).await, (422, "invoice_wholly_disputed".into()));
    let chosen: Value = select(&app, &c, &[("invoices[0]", "NL-2026-0101")]).await.json().await.unwrap();
    assert_eq!(chosen["total"], eur(37_800), "what is asked for: the rest");
    assert_eq!(chosen["invoices"][0]["balance"], eur(37_800), "the row says what it asks for too");
    // "Pay all in EUR" leaves the wholly disputed one out.
    let all: Value = select(&app, &c, &[("currency", "EUR")]).await.json().await.unwrap();
    assert!(all["invoices"].as_array().unwrap().iter().all(|i| i["number"] != "NL-2026-0104"), "{all}");
    assert_eq!(pay_several(&app, &c, &["NL-2026-0101"], "378.00", "k").await.status(), 200);
    assert_eq!(balance(&app, &c, "NL-2026-0101").await, eur(4_500), "what the dispute holds is still open");
}
