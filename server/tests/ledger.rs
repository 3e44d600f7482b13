//! The full ledger on a real database (SQLite, and PostgreSQL when the suite runs there):
//! payments received elsewhere, overpayments held as credit, short payments within the
//! merchant's tolerance, credit notes, write-offs and reversals, each checked against the
//! invariants afterwards.

mod common;
use common::TestApp;
use kassa_core::principal::{Staff, StaffRole};
use kassa_core::services::customers::Outcome;
use kassa_core::services::ledger::{
    self, ApplyCredit, IssueCreditNote, RecordPayment, ReversePayment, Source, WriteOffInvoice,
};
use kassa_core::{Error, Principal};
use kassa_domain::{Apply, Currency, CustomerId, InvoiceNumber, MerchantId, Money, Problem, StaffId, WriteOffReason};

fn eur(minor: i64) -> Money {
    Money::from_minor(minor, Currency::EUR)
}

fn number(n: &str) -> InvoiceNumber {
    InvoiceNumber::parse(n).unwrap()
}

async fn balance(app: &TestApp, n: &str) -> i64 {
    let sql = format!("SELECT {} FROM invoices i WHERE i.number = $1", kassa_core::services::records::INVOICE_COLUMNS);
    let row: kassa_core::services::records::InvoiceRow =
        sqlx::query_as(&sql).bind(n).fetch_one(&app.ctx.pool).await.unwrap();
    row.balance().unwrap().minor()
}

fn staff(merchant: &MerchantId, role: StaffRole) -> Principal {
    Principal::Staff(Staff {
        merchant: merchant.clone(),
        staff: StaffId::from_raw("s1"),
        role,
        email: "clerk@demo.kassa.test".into(),
    })
}

fn payment(
    merchant: &MerchantId,
    customer: &CustomerId,
    amount: Money,
    apply: Apply<InvoiceNumber>,
    key: &str,
) -> RecordPayment {
    RecordPayment {
        merchant: merchant.clone(),
        customer: customer.clone(),
        amount,
        method: "Bank transfer".into(),
        reference: "RF18 5390 0754 7034".into(),
        apply,
        idempotency_key: key.into(),
    }
}

#[tokio::test]
async fn one_payment_over_several_invoices_oldest_first_then_held_as_credit() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1003").await; // Studio Grachten, EUR
    let who = staff(&m, StaffRole::Collector);
    // By due date: 0301 429.90 (due 60 days ago), 0303 191.88 left (due 11 days ago), then
    // 0302 537.00 (due today); 0307 is older but written off.
    assert_eq!((balance(&app, "NL-2026-0301").await, balance(&app, "NL-2026-0303").await), (42_990, 19_188));
    ledger::record_payment(&app.ctx, &who, payment(&m, &c, eur(50_000), Apply::OldestDueFirst, "bank-1"))
        .await
        .unwrap();
    assert_eq!(balance(&app, "NL-2026-0301").await, 0);
    assert_eq!(balance(&app, "NL-2026-0303").await, 19_188 - (50_000 - 42_990));
    assert_eq!(balance(&app, "NL-2026-0302").await, 53_700, "untouched until older ones are settled");

    // Far more than is open: everything settles, the rest is credit on the customer.
    ledger::record_payment(&app.ctx, &who, payment(&m, &c, eur(500_000), Apply::OldestDueFirst, "bank-2"))
        .await
        .unwrap();
    for n in ["NL-2026-0302", "NL-2026-0303", "NL-2026-0304", "NL-2026-0306"] {
        assert_eq!(balance(&app, n).await, 0, "{n}");
    }
    let portal = app.debtor("Studio Grachten").await;
    let overview: serde_json::Value =
        app.server_fn(&portal, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let credit = overview["credit"][0]["minor"].as_i64().unwrap();
    assert!(credit > 0, "{overview}");
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_short_payment_within_tolerance_settles_and_the_difference_is_recorded() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE merchants SET short_payment_tolerance_minor = 100").execute(&app.ctx.pool).await.unwrap();
    let (m, c) = app.demo_customer("C-1001").await; // Bakkerij, NL-2026-0104 is 310.00 open
    let apply = Apply::Specified(vec![(number("NL-2026-0104"), eur(30_950))]);
    ledger::record_payment(&app.ctx, &Principal::System, payment(&m, &c, eur(30_950), apply, "short")).await.unwrap();
    assert_eq!(balance(&app, "NL-2026-0104").await, 0);
    let (amount, reason): (i64, String) = sqlx::query_as(
        "SELECT w.amount_minor, w.reason FROM write_offs w JOIN invoices i ON i.id = w.invoice_id WHERE i.number = 'NL-2026-0104'",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!((amount, reason.as_str()), (50, "short_payment"));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn credit_notes_write_offs_and_held_credit_applied_later() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1001").await;
    let who = staff(&m, StaffRole::Admin);
    // A credit note larger than what is open: the invoice is settled, the rest held.
    let (cn, created) = ledger::issue_credit_note(
        &app.ctx,
        &who,
        IssueCreditNote {
            merchant: m.clone(),
            customer: c.clone(),
            number: "CN-T-1".into(),
            amount: eur(40_000),
            against: Some(number("NL-2026-0104")),
            reason: "Wrong flour delivered".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created, Outcome::Created);
    assert_eq!(balance(&app, "NL-2026-0104").await, 0);
    // Issuing it again is a no-op; the same number with another amount is refused.
    let again = IssueCreditNote {
        merchant: m.clone(),
        customer: c.clone(),
        number: "CN-T-1".into(),
        amount: eur(40_000),
        against: Some(number("NL-2026-0104")),
        reason: "Wrong flour delivered".into(),
    };
    assert_eq!(
        ledger::issue_credit_note(&app.ctx, &who, again.clone()).await.unwrap(),
        (cn.clone(), Outcome::Unchanged)
    );
    let other = IssueCreditNote { amount: eur(1), ..again };
    assert!(matches!(
        ledger::issue_credit_note(&app.ctx, &who, other).await,
        Err(Error::Problem(Problem::CreditNoteNumberTaken { .. }))
    ));
    // The 90.00 held applies to another invoice.
    let before = balance(&app, "NL-2026-0101").await;
    let applied = ledger::apply_credit(
        &app.ctx,
        &who,
        ApplyCredit {
            merchant: m.clone(),
            customer: c.clone(),
            source: Source::CreditNote(cn),
            invoice: number("NL-2026-0101"),
            amount: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(applied.amount, eur(9_000));
    assert_eq!(balance(&app, "NL-2026-0101").await, before - 9_000);
    // Write off the rest of it as bad debt.
    ledger::write_off(
        &app.ctx,
        &who,
        WriteOffInvoice {
            merchant: m.clone(),
            invoice: number("NL-2026-0101"),
            amount: None,
            reason: WriteOffReason::BadDebt,
            note: "Customer disputes the delivery; not worth a claim".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(balance(&app, "NL-2026-0101").await, 0);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_reversed_payment_reopens_what_it_paid() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1001").await;
    let who = staff(&m, StaffRole::Collector);
    let apply = Apply::Specified(vec![(number("NL-2026-0104"), eur(10_000)), (number("NL-2026-0101"), eur(5_000))]);
    let (b104, b101) = (balance(&app, "NL-2026-0104").await, balance(&app, "NL-2026-0101").await);
    let p = ledger::record_payment(&app.ctx, &who, payment(&m, &c, eur(20_000), apply, "dd-1")).await.unwrap();
    assert_eq!(balance(&app, "NL-2026-0104").await, b104 - 10_000);
    let reverse = || ReversePayment { merchant: m.clone(), payment: p.clone(), reason: "direct_debit_failed".into() };
    ledger::reverse_payment(&app.ctx, &who, reverse()).await.unwrap();
    assert_eq!((balance(&app, "NL-2026-0104").await, balance(&app, "NL-2026-0101").await), (b104, b101));
    assert!(matches!(
        ledger::reverse_payment(&app.ctx, &who, reverse()).await,
        Err(Error::Problem(Problem::AlreadyReversed))
    ));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn who_may_post_and_what_gets_refused() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1001").await;
    let viewer = staff(&m, StaffRole::Viewer);
    let p = || payment(&m, &c, eur(100), Apply::OldestDueFirst, "k");
    assert!(matches!(ledger::record_payment(&app.ctx, &viewer, p()).await, Err(Error::Forbidden)));
    let other_merchant = staff(&MerchantId::from_raw("someone-else"), StaffRole::Admin);
    assert!(matches!(ledger::record_payment(&app.ctx, &other_merchant, p()).await, Err(Error::NotFound)));
    let collector = staff(&m, StaffRole::Collector);
    ledger::record_payment(&app.ctx, &collector, p()).await.unwrap();
    // The same key with other content is refused, never answered with the first payment.
    let different = RecordPayment { amount: eur(101), ..p() };
    assert!(matches!(
        ledger::record_payment(&app.ctx, &collector, different).await,
        Err(Error::Problem(Problem::IdempotencyKeyReused))
    ));
    let too_much = Apply::Specified(vec![(number("NL-2026-0104"), eur(31_001))]);
    assert!(matches!(
        ledger::record_payment(&app.ctx, &collector, payment(&m, &c, eur(40_000), too_much, "k2")).await,
        Err(Error::Problem(Problem::AmountExceedsBalance { .. }))
    ));
    let unknown = Apply::Specified(vec![(number("NL-2099-0001"), eur(1))]);
    assert!(matches!(
        ledger::record_payment(&app.ctx, &collector, payment(&m, &c, eur(1), unknown, "k3")).await,
        Err(Error::Problem(Problem::UnknownInvoice { .. }))
    ));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn concurrent_payments_for_one_customer_never_overapply() {
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1002").await; // Fjordkaffe, DKK
    let dkk = |minor| Money::from_minor(minor, Currency::DKK);
    let runs = (0..8).map(|i| {
        let cmd = RecordPayment {
            merchant: m.clone(),
            customer: c.clone(),
            amount: dkk(300_000),
            method: "Bank transfer".into(),
            reference: format!("batch-{i}"),
            apply: Apply::OldestDueFirst,
            idempotency_key: format!("parallel-{i}"),
        };
        let ctx = app.ctx.clone();
        async move { ledger::record_payment(&ctx, &Principal::System, cmd).await }
    });
    // Each in its own task, as requests run.
    let mut running = tokio::task::JoinSet::new();
    for run in runs {
        running.spawn(run);
    }
    for result in running.join_all().await {
        result.unwrap();
    }
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn aging_buckets_and_a_customers_balance_follow_the_ledger() {
    use kassa_core::services::reports;
    let app = TestApp::spawn().await;
    let (m, c) = app.demo_customer("C-1003").await; // Studio Grachten, EUR
    let who = staff(&m, StaffRole::Viewer);
    let today = kassa_core::services::records::today_of(&app.ctx.pool, &m).await.unwrap();
    let before = reports::aging(&app.ctx, &who, today).await.unwrap();
    let eur_before = before.iter().find(|a| a.currency == Currency::EUR).unwrap().clone();
    let parts =
        [eur_before.current, eur_before.days_1_30, eur_before.days_31_60, eur_before.days_61_90, eur_before.over_90];
    assert_eq!(parts.iter().map(|m| m.minor()).sum::<i64>(), eur_before.total.minor());
    // NL-2026-0301 (429.90) is 60 days overdue: the 31-60 bucket. Paying it moves it out.
    ledger::record_payment(
        &app.ctx,
        &Principal::System,
        payment(&m, &c, eur(42_990), Apply::Specified(vec![(number("NL-2026-0301"), eur(42_990))]), "aging"),
    )
    .await
    .unwrap();
    let after = reports::aging(&app.ctx, &who, today).await.unwrap();
    let eur_after = after.iter().find(|a| a.currency == Currency::EUR).unwrap();
    assert_eq!(eur_before.days_31_60.minor() - eur_after.days_31_60.minor(), 42_990);
    assert_eq!(eur_before.total.minor() - eur_after.total.minor(), 42_990);
    // The customer's balance is the sum of its ledger; a debtor may not ask.
    let balance = reports::customer_balance(&app.ctx, &who, &c).await.unwrap();
    let open: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(open_minor) AS BIGINT) FROM invoices WHERE merchant_id = $1 AND customer_id = $2",
    )
    .bind(m.as_str())
    .bind(c.as_str())
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(balance, [eur(open)], "no credit held: the balance is what is open");
    let debtor = Principal::Debtor(kassa_core::principal::Debtor { merchant: m, customer: c.clone(), invoice: None });
    assert!(matches!(reports::customer_balance(&app.ctx, &debtor, &c).await, Err(Error::Unauthenticated)));
    app.assert_ledger_invariants().await;
}
