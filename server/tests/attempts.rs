//! Payment attempts: written before the provider is called, moving only forward, with an
//! idempotency key bound to who asked and what they asked, and never two open attempts on
//! one invoice.

mod common;
use std::sync::Arc;

use async_trait::async_trait;
use common::TestApp;
use kassa_core::gateways::{
    Account, CreatePayment, EventError, GatewayError, GatewayEvent, GatewayPayment, GatewayRefund, GatewayStatus,
    PaymentGateway, RefundPayment,
};
use kassa_core::principal::Debtor;
use kassa_core::services::payments::{self, PayInvoice, Paying};
use kassa_core::Principal;
use kassa_domain::{CustomerId, InvoiceNumber, MerchantId, Money};

/// The problem a refused call answers with, checked to come with its own status (a conflict is
/// 409 here as in the API: `Problem::http_status`).
async fn code(res: reqwest::Response) -> String {
    let status = res.status().as_u16();
    let problem: kassa_domain::Problem = serde_json::from_value(common::problem(res).await).unwrap();
    assert_eq!(status, problem.http_status(), "{problem:?}");
    assert!(status >= 400);
    problem.code().to_string()
}

#[tokio::test]
async fn a_second_attempt_on_an_invoice_waits_for_the_open_one() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    // Another tab is on its bank's page for NL-2026-0104.
    sqlx::query(
        "INSERT INTO payment_attempts (id, merchant_id, customer_id, idempotency_key, principal, request_hash, currency, \
         amount_minor, gateway, state, created_at, updated_at) \
         SELECT 'open-1', i.merchant_id, i.customer_id, 'other-tab', 'debtor:' || i.customer_id, 'x', 'EUR', 31000, \
         'sandbox', 'requires_action', $1, $1 FROM invoices i WHERE i.number = 'NL-2026-0104'",
    )
    .bind(kassa_core::db::now())
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO payment_attempt_invoices (attempt_id, merchant_id, invoice_id) \
         SELECT 'open-1', merchant_id, id FROM invoices WHERE number = 'NL-2026-0104'",
    )
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!(code(app.pay(&c, "NL-2026-0104", "310", "this-tab").await).await, "payment_in_progress");
    // Another invoice is not blocked.
    assert_eq!(app.pay(&c, "NL-2026-0101", "10", "this-tab-2").await.status(), 200);
    // An attempt abandoned long ago no longer blocks.
    sqlx::query("UPDATE payment_attempts SET created_at = created_at - 3600 WHERE id = 'open-1'")
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(app.pay(&c, "NL-2026-0104", "310", "this-tab-3").await.status(), 200);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_key_reused_with_other_content_or_by_someone_else_is_refused() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    assert_eq!(app.pay(&c, "NL-2026-0104", "100", "k-1").await.status(), 200);
    assert_eq!(code(app.pay(&c, "NL-2026-0104", "50", "k-1").await).await, "idempotency_key_reused");
    let other = app.debtor("Studio Grachten").await;
    assert_eq!(code(app.pay(&other, "NL-2026-0301", "100", "k-1").await).await, "idempotency_key_reused");
    // Exactly one attempt and one payment for the key.
    let (attempts, payments): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM payment_attempts WHERE idempotency_key = 'k-1'), \
         (SELECT COUNT(*) FROM payments p JOIN payment_attempts a ON a.id = p.attempt_id WHERE a.idempotency_key = 'k-1')",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!((attempts, payments), (1, 1));
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn a_declined_attempt_is_an_attempt_not_a_payment() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let form = [("merchant", "demo"), ("number", "NL-2026-0104"), ("amount", "310"), ("pay_key", "dec-1")];
    assert_eq!(app.pay_through(&c, "pay_invoice", &form, common::DECLINED).await.status(), 402);
    let (state, code, payment): (String, Option<String>, Option<String>) =
        sqlx::query_as("SELECT state, decline_code, payment_id FROM payment_attempts WHERE idempotency_key = 'dec-1'")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), code.as_deref(), payment), ("failed", Some("card_declined"), None));
    // Replaying the declined request answers the same decline, without a second attempt.
    assert_eq!(app.server_fn(&c, "pay_invoice", &form).await.status(), 402);
    app.assert_ledger_invariants().await;
}

#[tokio::test]
async fn live_mode_takes_no_sandbox_payments() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let page = c.get(format!("{}/p/demo/invoices/NL-2026-0104", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"test-banner\""), "test mode shows it");
    sqlx::query("UPDATE merchants SET mode = 'live'").execute(&app.ctx.pool).await.unwrap();
    let page = c.get(format!("{}/p/demo/invoices/NL-2026-0104", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("test-banner"), "{page}");
    assert_eq!(code(app.pay(&c, "NL-2026-0104", "310", "live-1").await).await, "payments_unavailable");
    let attempts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_attempts").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(attempts, 0, "nothing reached a gateway");
}

/// A provider that takes the payment at once (a saved card) and charges one cent less than
/// asked (a rounding or currency-conversion difference): the ledger must record what it
/// charged.
struct ChargesLess;

#[async_trait]
impl PaymentGateway for ChargesLess {
    fn name(&self) -> &'static str {
        "charges-less"
    }
    fn signature_header(&self) -> &'static str {
        "charges-less-signature"
    }
    async fn create(&self, _: &Account, request: CreatePayment) -> Result<GatewayPayment, GatewayError> {
        Ok(GatewayPayment {
            reference: format!("cl_{}", request.idempotency_key),
            amount: Money::from_minor(request.amount.minor() - 1, request.amount.currency()),
            status: GatewayStatus::Succeeded,
            method: Some("card".into()),
            next: None,
            attempt: Some(request.attempt),
        })
    }
    async fn retrieve(&self, _: &Account, reference: &str) -> Result<GatewayPayment, GatewayError> {
        Err(GatewayError::NotFound(reference.into()))
    }
    async fn refund(&self, _: &Account, request: RefundPayment) -> Result<GatewayRefund, GatewayError> {
        Err(GatewayError::NotFound(request.payment_reference))
    }
    fn event(&self, _: &Account, _: &str, _: &[u8], _: i64) -> Result<GatewayEvent, EventError> {
        Err(EventError::Unreadable("no events".into()))
    }
}

#[tokio::test]
async fn the_ledger_records_what_the_provider_charged() {
    let app = TestApp::spawn().await;
    let gateways = app.ctx.gateways.clone().replace("sandbox", Arc::new(ChargesLess));
    let ctx = app.ctx.with_gateways(gateways);
    let (m, c, i): (String, String, String) =
        sqlx::query_as("SELECT merchant_id, customer_id, id FROM invoices WHERE number = 'NL-2026-0104'")
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
    let who = Principal::Debtor(Debtor {
        merchant: MerchantId::from_raw(m),
        customer: CustomerId::from_raw(c),
        invoice: Some(kassa_domain::InvoiceId::from_raw(i)),
    });
    let cmd = PayInvoice {
        number: InvoiceNumber::parse("NL-2026-0104").unwrap(),
        amount: "100.00".into(),
        decimal: '.',
        key: "provider-amount".into(),
        back: Default::default(),
    };
    let Paying::Paid(payment) = payments::pay(&ctx, &who, cmd).await.unwrap() else { panic!("paid at once") };
    let (amount, applied): (i64, i64) = sqlx::query_as(
        "SELECT p.amount_minor, CAST((SELECT SUM(a.amount_minor) FROM applications a WHERE a.payment_id = p.id) AS BIGINT) \
         FROM payments p WHERE p.id = $1",
    )
    .bind(payment.as_str())
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    assert_eq!((amount, applied), (9_999, 9_999));
    app.assert_ledger_invariants().await;
}
