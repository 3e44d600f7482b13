//! Payment plans: a debtor asks for schedules (from a monthly budget or a number of
//! instalments) and proposes one; within policy it runs at once and holds its invoices out
//! of collection, outside it waits for staff; what is paid since pays the instalments in
//! order; the review (time injected, not waited for) records each instalment paid and closes
//! the plan completed or broken, collection resuming either way.

mod common;
use common::TestApp;
use kassa_core::principal::{Debtor, Staff, StaffRole};
use kassa_core::services::plans::{self, Ask, Decide, PlanAsk, ProposePlan};
use kassa_core::Principal;
use kassa_domain::plan::{Breach, Charge, Eligible, Frequency, PlanPolicy, PlanStatus};
use kassa_domain::{InvoiceNumber, Problem};
use serde_json::Value;
use time::{Date, Duration};

/// NL-2026-0101 of the demo's bakery: 423.00, overdue, nothing paid.
const OVERDUE: &str = "NL-2026-0101";

async fn today(app: &TestApp) -> Date {
    kassa_core::services::records::today_of(&app.ctx.pool, &app.demo_merchant().await).await.unwrap()
}

async fn bakery(app: &TestApp) -> Principal {
    let (merchant, customer) = app.demo_customer("C-1001").await;
    Principal::Debtor(Debtor { merchant, customer, invoice: None })
}

async fn staff(app: &TestApp, role: StaffRole) -> Principal {
    Principal::Staff(Staff {
        merchant: app.demo_merchant().await,
        staff: kassa_domain::StaffId::from_raw("s_test"),
        role,
        email: "staff@demo.kassa.test".into(),
    })
}

fn numbers(numbers: &[&str]) -> Vec<InvoiceNumber> {
    numbers.iter().map(|n| InvoiceNumber::parse(n).unwrap()).collect()
}

fn proposal(invoices: &[&str], frequency: &str, count: &str, key: &str) -> ProposePlan {
    ProposePlan {
        invoices: numbers(invoices),
        first: String::new(),
        frequency: frequency.into(),
        count: count.into(),
        key: key.into(),
    }
}

fn problem(err: kassa_core::Error) -> Problem {
    match err {
        kassa_core::Error::Problem(p) => p,
        other => panic!("expected a problem, got {other:?}"),
    }
}

/// The bakery's events of `kind` (the demo's Studio Grachten has a plan of its own).
async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let (_, bakery) = app.demo_customer("C-1001").await;
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM events WHERE type = $1 ORDER BY created_at, id")
        .bind(kind)
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str::<Value>(d).unwrap())
        .filter(|d| d["customer"] == bakery.as_str())
        .collect()
}

/// The kinds of plan mail queued for the demo's bakery, in alphabetical order.
async fn mails(app: &TestApp) -> Vec<String> {
    let (_, bakery) = app.demo_customer("C-1001").await;
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'mail.plan' ORDER BY created_at, id")
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap();
    let mut kinds = Vec::new();
    for payload in payloads {
        let payload: Value = serde_json::from_str(&payload).unwrap();
        let customer: String = sqlx::query_scalar("SELECT customer_id FROM payment_plans WHERE id = $1")
            .bind(payload["plan"].as_str().unwrap())
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
        if customer == bakery.as_str() {
            kinds.push(payload["kind"].as_str().unwrap().to_string());
        }
    }
    kinds.sort();
    kinds
}

async fn status_of(app: &TestApp, c: &reqwest::Client, number: &str) -> Value {
    app.invoice_json(c, number).await["invoice"]["status"].clone()
}

#[tokio::test]
async fn a_plan_within_policy_runs_at_once_and_its_instalments_are_paid_in_order() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;

    // 150.00 a month pays 423.00 in three; the longer ones cost less each.
    let ask = PlanAsk {
        invoices: numbers(&[OVERDUE]),
        first: String::new(),
        ask: Some(Ask::PerMonth { amount: "150".into(), decimal: ',' }),
    };
    let quote = plans::quote_on(&app.ctx, &debtor, ask, today).await.unwrap();
    assert_eq!(quote.principal.minor(), 42_300);
    assert_eq!(quote.first, today + Duration::days(14), "two weeks ahead unless chosen");
    let counts: Vec<usize> = quote.offers.iter().map(|o| o.schedule.instalments.len()).collect();
    assert_eq!(counts, [3, 4, 5]);
    assert!(quote.offers.iter().all(|o| o.breaches.is_empty()));

    let plan =
        plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "3", "plan-1"), today).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Active, "within policy: accepted at once");
    assert_eq!(plan.decided_by.as_deref(), Some("policy"));
    let amounts: Vec<i64> = plan.instalments.iter().map(|i| i.amount.minor()).collect();
    assert_eq!(amounts, [14_100, 14_100, 14_100]);
    assert_eq!(plan.instalments[0].due, today + Duration::days(14));
    assert_eq!(plan.instalments[1].due, kassa_domain::plan::add_months(today + Duration::days(14), 1).unwrap());
    assert_eq!(status_of(&app, &c, OVERDUE).await, "InPlan", "out of collection");
    // The same form again is the same plan; another plan of the invoice is refused.
    let again =
        plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "3", "plan-1"), today).await.unwrap();
    assert_eq!(again.id, plan.id);
    let other = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "2", "plan-2"), today).await;
    let refused = problem(other.unwrap_err());
    assert_eq!(refused, Problem::InvoiceAlreadyInPlan { number: OVERDUE.into() });
    assert_eq!(refused.http_status(), 409);
    assert_eq!(events(&app, "plan.proposed").await.len(), 1);
    assert_eq!(events(&app, "plan.accepted").await.len(), 1);

    // The first instalment paid: the review records it once.
    assert_eq!(app.pay(&c, OVERDUE, "141", "pay-1").await.status(), 200);
    let reviewed = plans::review_one(&app.ctx, &plan.id, |_| today).await.unwrap();
    assert_eq!((reviewed.instalments_paid, reviewed.completed, reviewed.broken), (1, 0, 0));
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| today).await.unwrap(), plans::Reviewed::default());
    let paid = events(&app, "plan.instalment_paid").await;
    assert_eq!(paid.len(), 1);
    assert_eq!((paid[0]["instalment"].as_u64(), paid[0]["remaining"].as_str()), (Some(1), Some("282.00")));
    let collector = staff(&app, StaffRole::Collector).await;
    let seen = plans::get(&app.ctx, &collector, &plan.id).await.unwrap();
    assert_eq!(seen.paid.minor(), 14_100);
    assert_eq!(seen.next().map(|i| i.seq), Some(2));

    // Reminded of the second instalment three days before its date, once.
    let second = plan.instalments[1].due;
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| second - Duration::days(4)).await.unwrap().reminders, 0);
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| second - Duration::days(3)).await.unwrap().reminders, 1);
    assert_eq!(
        plans::review_one(&app.ctx, &plan.id, |_| second - Duration::days(1)).await.unwrap(),
        plans::Reviewed::default()
    );
    assert_eq!(mails(&app).await, ["accepted", "reminder"]);

    // The second instalment unpaid: late within the grace (7 days), broken the day after.
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| second + Duration::days(7)).await.unwrap().broken, 0);
    assert_eq!(status_of(&app, &c, OVERDUE).await, "InPlan");
    assert_eq!(plans::review_one(&app.ctx, &plan.id, |_| second + Duration::days(8)).await.unwrap().broken, 1);
    assert_eq!(status_of(&app, &c, OVERDUE).await, "Overdue", "back in collection");
    let broken = events(&app, "plan.broken").await;
    assert_eq!(broken.len(), 1);
    assert_eq!((broken[0]["paid"].as_str(), broken[0]["missed"]["missing"].as_str()), (Some("141.00"), Some("141.00")));
    assert_eq!(plans::get(&app.ctx, &collector, &plan.id).await.unwrap().status, PlanStatus::Broken);
    assert_eq!(mails(&app).await, ["accepted", "broken", "reminder"]);
    assert_eq!(
        plans::review_one(&app.ctx, &plan.id, |_| second + Duration::days(40)).await.unwrap(),
        plans::Reviewed::default()
    );
    // Broken, the invoice may go into a new plan.
    let next = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "2", "plan-3"), today).await;
    assert_eq!(next.unwrap().principal.minor(), 28_200);
}

#[tokio::test]
async fn a_proposal_outside_policy_waits_for_staff_and_a_fee_is_an_invoice_of_its_own() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let today = today(&app).await;
    let admin = staff(&app, StaffRole::Admin).await;
    let policy = PlanPolicy {
        charge: Charge::Fee { minor: 1_500 },
        frequencies: vec![Frequency::Monthly, Frequency::Fortnightly],
        ..PlanPolicy::default()
    };
    plans::set_policy(&app.ctx, &admin, policy).await.unwrap();

    // Ten fortnightly instalments: more than the six allowed, so staff decide.
    let plan =
        plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE, "NL-2026-0102"], "fortnightly", "10", "p"), today)
            .await
            .unwrap();
    assert_eq!(plan.status, PlanStatus::Proposed);
    assert_eq!(plan.breaches, [Breach::TooManyInstalments { max: 6 }]);
    assert_eq!(plan.principal.minor(), 42_300 + 36_315, "what both still owe");
    assert_eq!(plan.charge.minor(), 1_500);
    assert_eq!(plan.instalments.iter().map(|i| i.amount.minor()).sum::<i64>(), 42_300 + 36_315 + 1_500);
    assert_eq!(status_of(&app, &c, OVERDUE).await, "Overdue", "a proposal holds nothing yet");

    // A debtor does not decide; rejecting needs a reason.
    assert!(matches!(
        plans::decide(&app.ctx, &debtor, Decide { plan: plan.id.clone(), approve: true, reason: None }).await,
        Err(kassa_core::Error::Forbidden)
    ));
    let no_reason = plans::decide(&app.ctx, &admin, Decide { plan: plan.id.clone(), approve: false, reason: None });
    assert_eq!(problem(no_reason.await.unwrap_err()), Problem::ReasonRequired);

    // Approved: it runs, and its fee is an invoice of its own due with the last instalment.
    let approve = || Decide { plan: plan.id.clone(), approve: true, reason: Some("Agreed by phone".into()) };
    let approved = plans::decide(&app.ctx, &admin, approve()).await.unwrap();
    assert_eq!(approved.status, PlanStatus::Active);
    assert_eq!(approved.decision_reason.as_deref(), Some("Agreed by phone"));
    let fee = approved.charge_invoice.clone().expect("a fee invoice");
    let fee_json = app.invoice_json(&c, fee.as_str()).await;
    assert_eq!(fee_json["invoice"]["total"]["minor"], 1_500);
    assert_eq!(fee_json["invoice"]["status"], "InPlan");
    // Its line in the customer's language (the bakery's is Dutch), whoever approved it.
    let line: String = sqlx::query_scalar(
        "SELECT l.description FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.number = $1",
    )
    .bind(fee.as_str())
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(line, "Kosten betalingsregeling");
    assert_eq!(status_of(&app, &c, OVERDUE).await, "InPlan");
    // The same decision again answers the plan; the other one is refused.
    assert_eq!(plans::decide(&app.ctx, &admin, approve()).await.unwrap().id, plan.id);
    let reject = Decide { plan: plan.id.clone(), approve: false, reason: Some("No".into()) };
    let late = problem(plans::decide(&app.ctx, &admin, reject).await.unwrap_err());
    assert_eq!((late.clone(), late.http_status()), (Problem::PlanDecided, 409));

    // The debtor was told in Dutch: the proposal received, then the agreement with its
    // schedule.
    app.run_jobs().await;
    let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT subject, text_body, attachments FROM caught_mail WHERE recipient = 'administratie@demolen.example' \
         AND subject LIKE 'Uw betalingsregeling%' ORDER BY created_at, id",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(mails.len(), 2, "{mails:?}");
    // Staff were told of the proposal waiting for them (the demo's admin signed in in English).
    let staff: Vec<(String, String)> = sqlx::query_as(
        "SELECT recipient, text_body FROM caught_mail WHERE subject = 'Payment plan to approve: Bakkerij De Molen B.V. (C-1001)'",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    assert!(!staff.is_empty() && staff.iter().all(|(_, text)| text.contains("more than 6 instalments")), "{staff:?}");
    let texts: Vec<&str> = mails.iter().map(|(_, text, _)| text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("heeft uw voorstel ontvangen")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("gaat akkoord") && t.contains("Termijn 10,")), "{texts:?}");
    let attached: Vec<&str> = mails.iter().map(|(_, _, files)| files.as_str()).collect();
    assert!(attached.contains(&format!("betalingsregeling-{}.pdf", plan.id).as_str()), "the agreement: {attached:?}");

    // Paying everything early ends it.
    assert_eq!(app.pay(&c, OVERDUE, "423", "pay-1").await.status(), 200);
    assert_eq!(app.pay(&c, "NL-2026-0102", "363.15", "pay-2").await.status(), 200);
    assert_eq!(app.pay(&c, fee.as_str(), "15", "pay-3").await.status(), 200);
    let reviewed = plans::review(&app.ctx, |_| today).await.unwrap();
    assert_eq!((reviewed.instalments_paid, reviewed.completed), (10, 1));
    let completed = plans::get(&app.ctx, &admin, &plan.id).await.unwrap();
    assert_eq!(completed.status, PlanStatus::Completed);
    assert!(completed.instalments.iter().all(|i| i.paid));
    assert_eq!(status_of(&app, &c, OVERDUE).await, "Paid");
    assert_eq!(events(&app, "plan.completed").await.len(), 1);

    // Listed for staff and the debtor alike.
    let listed = plans::list(&app.ctx, &admin, Some(PlanStatus::Completed), None, 50).await.unwrap();
    assert_eq!(listed.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [plan.id.as_str()]);
    assert_eq!(plans::mine(&app.ctx, &debtor).await.unwrap().len(), 1);
}

/// A proposal approved after its first instalment's date: the dates move on by whole months
/// (the day of the month kept) until the first is not in the past, amounts unchanged.
#[tokio::test]
async fn a_proposal_approved_late_starts_on_a_date_to_come() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let today = today(&app).await;
    let admin = staff(&app, StaffRole::Admin).await;
    // Proposed 75 days ago (the first instalment 14 days after), seven monthly: outside the
    // policy's six, so it waited for staff.
    let then = today - Duration::days(75);
    let plan = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "7", "late"), then).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Proposed);
    let proposed: Vec<Date> = plan.instalments.iter().map(|i| i.due).collect();
    assert!(proposed[0] < today);
    let approved =
        plans::decide(&app.ctx, &admin, Decide { plan: plan.id.clone(), approve: true, reason: None }).await.unwrap();
    let dues: Vec<Date> = approved.instalments.iter().map(|i| i.due).collect();
    assert!(dues[0] >= today && dues[0] < kassa_domain::plan::add_months(today, 1).unwrap(), "{dues:?}");
    let moved =
        (1..4).find(|m| kassa_domain::plan::add_months(proposed[0], *m).unwrap() == dues[0]).expect("whole months");
    for (i, due) in dues.iter().enumerate() {
        assert_eq!(*due, kassa_domain::plan::add_months(proposed[0], moved + i as u32).unwrap());
    }
    let amounts = |p: &kassa_core::services::plans::Plan| p.instalments.iter().map(|i| i.amount).collect::<Vec<_>>();
    assert_eq!(amounts(&approved), amounts(&plan));
}

#[tokio::test]
async fn a_rejected_proposal_leaves_the_invoices_in_collection() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let today = today(&app).await;
    let collector = staff(&app, StaffRole::Collector).await;
    let plan = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "12", "p"), today).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Proposed);
    let reject = || Decide { plan: plan.id.clone(), approve: false, reason: Some("Six months at most".into()) };
    let rejected = plans::decide(&app.ctx, &collector, reject()).await.unwrap();
    assert_eq!(
        (rejected.status, rejected.decision_reason.as_deref()),
        (PlanStatus::Rejected, Some("Six months at most"))
    );
    assert_eq!(plans::decide(&app.ctx, &collector, reject()).await.unwrap().status, PlanStatus::Rejected);
    assert_eq!(events(&app, "plan.rejected").await.len(), 1);
    // Rejected, the invoice may be proposed again.
    let again = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "6", "p2"), today).await;
    assert_eq!(again.unwrap().status, PlanStatus::Active);
}

#[tokio::test]
async fn bad_asks_are_refused_with_what_to_do() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let today = today(&app).await;
    let propose = |p: ProposePlan| plans::propose_on(&app.ctx, &debtor, p, today);
    let first = |first: Date| ProposePlan {
        first: kassa_core::services::records::format_date(first),
        ..proposal(&[OVERDUE], "monthly", "3", "k")
    };
    let cases = [
        (proposal(&[OVERDUE], "daily", "3", "k"), Problem::PlanFrequencyUnknown { input: "daily".into() }),
        (proposal(&[OVERDUE], "monthly", "0", "k"), Problem::PlanInstalmentsInvalid { max: 60 }),
        (proposal(&[OVERDUE], "monthly", "61", "k"), Problem::PlanInstalmentsInvalid { max: 60 }),
        (proposal(&[OVERDUE], "monthly", "three", "k"), Problem::PlanInstalmentsInvalid { max: 60 }),
        (
            first(today - Duration::days(1)),
            Problem::PlanFirstDateInvalid { earliest: today, latest: today + Duration::days(90) },
        ),
        (
            first(today + Duration::days(91)),
            Problem::PlanFirstDateInvalid { earliest: today, latest: today + Duration::days(90) },
        ),
        (
            proposal(&["NL-2026-0103"], "monthly", "3", "k"),
            Problem::InvoiceAlreadyPaid { number: "NL-2026-0103".into() },
        ),
        (proposal(&[OVERDUE], "monthly", "3", ""), Problem::FormExpired),
    ];
    for (ask, expected) in cases {
        assert_eq!(problem(propose(ask).await.unwrap_err()), expected);
    }
    // Another customer's invoice is not found.
    assert!(matches!(
        propose(proposal(&["DK-2026-0201"], "monthly", "3", "k")).await,
        Err(kassa_core::Error::NotFound)
    ));
    let bad_budget = PlanAsk {
        invoices: numbers(&[OVERDUE]),
        first: String::new(),
        ask: Some(Ask::PerMonth { amount: "12.345".into(), decimal: ',' }),
    };
    assert!(matches!(
        problem(plans::quote_on(&app.ctx, &debtor, bad_budget, today).await.unwrap_err()),
        Problem::AmountAmbiguous { .. } | Problem::AmountTooPrecise { .. }
    ));

    // The merchant's rules: not offered, or overdue invoices only; and the rules themselves.
    let admin = staff(&app, StaffRole::Admin).await;
    let collector = staff(&app, StaffRole::Collector).await;
    assert!(plans::set_policy(&app.ctx, &collector, PlanPolicy::default()).await.is_err());
    let silly = PlanPolicy { max_instalments: 0, ..PlanPolicy::default() };
    assert_eq!(problem(plans::set_policy(&app.ctx, &admin, silly).await.unwrap_err()), Problem::PlanPolicyInvalid);
    plans::set_policy(&app.ctx, &admin, PlanPolicy { eligible: Eligible::Overdue, ..PlanPolicy::default() })
        .await
        .unwrap();
    assert_eq!(
        problem(propose(proposal(&["NL-2026-0107"], "monthly", "3", "k")).await.unwrap_err()),
        Problem::PlanInvoiceNotDue { number: "NL-2026-0107".into() }
    );
    plans::set_policy(&app.ctx, &admin, PlanPolicy { offered: false, ..PlanPolicy::default() }).await.unwrap();
    assert_eq!(
        problem(propose(proposal(&[OVERDUE], "monthly", "3", "k")).await.unwrap_err()),
        Problem::PlansNotOffered
    );
    assert!(events(&app, "plan.proposed").await.is_empty(), "nothing was proposed");
}

#[tokio::test]
async fn the_api_reads_plans_decides_proposals_and_sets_the_policy() {
    let app = TestApp::spawn().await;
    let debtor = bakery(&app).await;
    let today = today(&app).await;
    let plan = plans::propose_on(&app.ctx, &debtor, proposal(&[OVERDUE], "monthly", "9", "p"), today).await.unwrap();
    let key = &app.demo.api_key;
    let (status, listed) = app.api(key, http::Method::GET, "/plans?status=proposed", None).await;
    assert_eq!(status, 200, "{listed}");
    let first = &listed["data"][0];
    assert_eq!((first["id"].as_str(), first["object"].as_str()), (Some(plan.id.as_str()), Some("plan")));
    assert_eq!(first["invoices"][0]["number"], OVERDUE);
    // Nine monthly instalments: too many, and the last more than six months away.
    let breaches =
        serde_json::json!([{ "rule": "too_many_instalments", "limit": 6 }, { "rule": "too_long", "limit": 6 }]);
    assert_eq!(first["breaches"], breaches);
    assert!(first["direct_debit"].is_null(), "no mandate set up");
    assert_eq!(first["instalments"].as_array().unwrap().len(), 9);
    assert_eq!(first["instalments"][0]["amount"]["amount"], "47.00");
    let (status, _) = app.api(key, http::Method::GET, "/plans?status=late", None).await;
    assert_eq!(status, 400);

    let path = format!("/plans/{}", plan.id);
    let (status, problem) =
        app.api(key, http::Method::POST, &format!("{path}/reject"), Some(serde_json::json!({}))).await;
    assert_eq!((status, problem["error"]["code"].as_str()), (422, Some("reason_required")), "{problem}");
    let (status, approved) =
        app.api(key, http::Method::POST, &format!("{path}/approve"), Some(serde_json::json!({}))).await;
    assert_eq!((status, approved["status"].as_str()), (200, Some("active")), "{approved}");
    assert!(approved["decided_by"].as_str().unwrap().starts_with("api_key:"));
    let (status, problem) =
        app.api(key, http::Method::POST, &format!("{path}/reject"), Some(serde_json::json!({ "reason": "No" }))).await;
    assert_eq!((status, problem["error"]["code"].as_str()), (409, Some("plan_decided")), "{problem}");
    let (status, one) = app.api(key, http::Method::GET, &path, None).await;
    assert_eq!((status, one["status"].as_str()), (200, Some("active")));
    // Paged by cursor: this plan and the demo's, one a page, each once.
    let (_, first_page) = app.api(key, http::Method::GET, "/plans?limit=1", None).await;
    assert_eq!(first_page["has_more"], Value::Bool(true), "{first_page}");
    let next = format!("/plans?limit=1&after={}", first_page["next_cursor"].as_str().unwrap());
    let (_, second_page) = app.api(key, http::Method::GET, &next, None).await;
    assert_eq!((&second_page["has_more"], &second_page["next_cursor"]), (&Value::Bool(false), &Value::Null));
    let mut numbers =
        [&first_page, &second_page].map(|p| p["data"][0]["customer_number"].as_str().unwrap().to_string());
    numbers.sort();
    assert_eq!(numbers, ["C-1001", "C-1003"]);
    let (status, _) = app.api(key, http::Method::GET, "/plans?after=not-a-cursor", None).await;
    assert_eq!(status, 400);
    let live = app.live_key().await;
    let (status, none) = app.api(&live, http::Method::GET, &path, None).await;
    assert_eq!(status, 404, "test data stays out of live: {none}");

    // The policy: read by any key, set by a live one, within limits.
    let (status, read) = app.api(key, http::Method::GET, "/settings/plans", None).await;
    assert_eq!(status, 200);
    assert_eq!(read["max_instalments"], 6);
    assert_eq!(read["charge"], serde_json::json!({ "kind": "none", "minor": null, "basis_points": null }));
    let mut changed = read.clone();
    changed["charge"] = serde_json::json!({ "kind": "interest", "basis_points": 800 });
    changed["frequencies"] = serde_json::json!(["monthly", "weekly"]);
    let (status, problem) = app.api(key, http::Method::PUT, "/settings/plans", Some(changed.clone())).await;
    assert_eq!((status, problem["error"]["code"].as_str()), (403, Some("live_key_required")), "{problem}");
    let (status, set) = app.api(&live, http::Method::PUT, "/settings/plans", Some(changed.clone())).await;
    assert_eq!((status, &set["charge"]["basis_points"]), (200, &serde_json::json!(800)), "{set}");
    let merchant = app.demo_merchant().await;
    let policy = plans::policy(&app.ctx.pool, &merchant).await.unwrap();
    assert_eq!(policy.charge, Charge::Interest { basis_points: 800 });
    assert_eq!(policy.frequencies, [Frequency::Monthly, Frequency::Weekly]);
    changed["max_instalments"] = serde_json::json!(0);
    let (status, problem) = app.api(&live, http::Method::PUT, "/settings/plans", Some(changed.clone())).await;
    assert_eq!((status, problem["error"]["code"].as_str()), (422, Some("plan_policy_invalid")), "{problem}");
    changed["max_instalments"] = serde_json::json!(6);
    changed["frequencies"] = serde_json::json!(["daily"]);
    let (status, problem) = app.api(&live, http::Method::PUT, "/settings/plans", Some(changed)).await;
    assert_eq!((status, problem["error"]["code"].as_str()), (422, Some("plan_frequency_unknown")), "{problem}");
}
