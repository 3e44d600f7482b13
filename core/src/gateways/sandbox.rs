//! A gateway without a network that behaves like a provider in test mode. Its payments are
//! kept in `sandbox_payments`, as a provider keeps them: a payment is created under an
//! idempotency key (the same key finds the same payment) and requires action: the payer goes
//! to the sandbox's checkout page (served by Kassa at `/sandbox/{reference}`, see
//! `server/src/http/sandbox.rs`) and chooses a test card there, as with Stripe's test cards.
//! The card decides the outcome ([`TEST_CARDS`]); the sandbox then sends its event (signed as
//! Stripe signs webhooks, [`super::signature`]) through Kassa's one way in for gateway events,
//! and the payer comes back to the payment's `return_url`. Nothing about the outcome travels
//! with the payment request.

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use kassa_domain::{Currency, MerchantId, Money};
use serde::{Deserialize, Serialize};

use super::signature;
use super::{
    Account, CreatePayment, EventError, EventKind, GatewayError, GatewayEvent, GatewayPayment, GatewayRefund,
    GatewayStatus, NextAction, PaymentGateway, RefundPayment, RefundStatus,
};
use crate::db::{self, Pool};

pub const NAME: &str = "sandbox";

/// What a test card does, as Stripe's test cards do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCard {
    Approved,
    /// Declined with this provider code.
    Declined(&'static str),
}

/// The sandbox's test cards, by number: the checkout page offers each.
pub const TEST_CARDS: [(&str, TestCard); 3] = [
    ("4242424242424242", TestCard::Approved),
    ("4000000000000002", TestCard::Declined("card_declined")),
    ("4000000000009995", TestCard::Declined("insufficient_funds")),
];

/// The test card with this number (spaces allowed), if it is one.
pub fn test_card(number: &str) -> Option<TestCard> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    TEST_CARDS.iter().find(|(n, _)| *n == digits).map(|(_, card)| *card)
}

pub struct Sandbox {
    pool: Pool,
    public_url: String,
    /// Signs its events (derived from the instance key).
    events_key: Vec<u8>,
}

impl Sandbox {
    pub fn new(pool: Pool, public_url: &str, instance_key: &[u8]) -> Sandbox {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(instance_key).expect("HMAC takes any key length");
        mac.update(b"kassa sandbox events");
        let events_key = mac.finalize().into_bytes().to_vec();
        Sandbox { pool, public_url: public_url.trim_end_matches('/').to_string(), events_key }
    }

    /// The `kassa-sandbox-signature` header for `body` at `timestamp` (unix seconds).
    pub fn sign(&self, body: &[u8], timestamp: i64) -> String {
        signature::sign(&self.events_key, body, timestamp)
    }

    /// The event the sandbox sends when its payment `id` has moved (its state now, under a
    /// new event id), with its signature header.
    pub async fn event_for(&self, id: &str) -> Result<(String, Vec<u8>), GatewayError> {
        let row = checkout(&self.pool, id).await?.ok_or_else(|| GatewayError::NotFound(id.to_string()))?;
        let event = SandboxEvent {
            id: format!("evt_sbx_{}", uuid::Uuid::new_v4().simple()),
            payment: EventPayment {
                id: row.id,
                attempt: row.attempt_id,
                currency: row.currency,
                amount_minor: row.amount_minor,
                status: row.status,
                decline_code: row.decline_code,
                method: row.method,
            },
        };
        let body = serde_json::to_vec(&event).map_err(|e| GatewayError::Refused(e.to_string()))?;
        Ok((self.sign(&body, db::now()), body))
    }
}

/// What the sandbox sends: one kind of event, a payment as it stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxEvent {
    pub id: String,
    pub payment: EventPayment,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventPayment {
    pub id: String,
    pub attempt: String,
    pub currency: String,
    pub amount_minor: i64,
    /// `requires_action`, `processing`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    pub decline_code: Option<String>,
    pub method: Option<String>,
}

/// A sandbox payment as its checkout page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Checkout {
    pub id: String,
    pub merchant_id: String,
    pub currency: String,
    pub amount_minor: i64,
    pub description: String,
    pub return_url: String,
    pub attempt_id: String,
    pub status: String,
    pub decline_code: Option<String>,
    pub method: Option<String>,
}

impl Checkout {
    pub fn amount(&self) -> Result<Money, GatewayError> {
        let currency = Currency::parse(&self.currency).map_err(|_| GatewayError::Refused(self.currency.clone()))?;
        Ok(Money::from_minor(self.amount_minor, currency))
    }

    /// Waiting for the payer to choose a card.
    pub fn is_open(&self) -> bool {
        self.status == "requires_action"
    }
}

const COLUMNS: &str =
    "id, merchant_id, currency, amount_minor, description, return_url, attempt_id, status, decline_code, method";

fn unavailable(e: sqlx::Error) -> GatewayError {
    GatewayError::Unavailable(e.to_string())
}

/// The sandbox payment `id`, whoever's it is: its checkout page is reached by its id alone,
/// as a provider's hosted page is.
pub async fn checkout(pool: &Pool, id: &str) -> Result<Option<Checkout>, GatewayError> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM sandbox_payments WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(unavailable)
}

/// The payer's choice on the checkout page: pays with `card`, or gives up (`None`). Only a
/// payment still waiting moves; a second choice (a replayed form) changes nothing.
pub async fn choose(pool: &Pool, id: &str, card: Option<TestCard>) -> Result<(), GatewayError> {
    let (status, decline_code, method) = match card {
        Some(TestCard::Approved) => ("succeeded", None, Some(NAME)),
        Some(TestCard::Declined(code)) => ("failed", Some(code), Some(NAME)),
        None => ("canceled", None, None),
    };
    sqlx::query(
        "UPDATE sandbox_payments SET status = $1, decline_code = $2, method = $3, updated_at = $4 \
         WHERE id = $5 AND status = 'requires_action'",
    )
    .bind(status)
    .bind(decline_code)
    .bind(method)
    .bind(db::now())
    .bind(id)
    .execute(pool)
    .await
    .map_err(unavailable)?;
    Ok(())
}

impl Sandbox {
    fn payment(&self, row: &Checkout) -> Result<GatewayPayment, GatewayError> {
        let p = EventPayment {
            id: row.id.clone(),
            attempt: row.attempt_id.clone(),
            currency: row.currency.clone(),
            amount_minor: row.amount_minor,
            status: row.status.clone(),
            decline_code: row.decline_code.clone(),
            method: row.method.clone(),
        };
        self.read(p).map_err(|e| GatewayError::Refused(e.to_string()))
    }

    /// A payment as the sandbox reports it, in Kassa's terms.
    fn read(&self, p: EventPayment) -> Result<GatewayPayment, EventError> {
        let currency = Currency::parse(&p.currency).map_err(|_| EventError::Unreadable(p.currency.clone()))?;
        let status = match p.status.as_str() {
            "succeeded" => GatewayStatus::Succeeded,
            "processing" => GatewayStatus::Processing,
            "requires_action" => GatewayStatus::RequiresAction,
            "canceled" => GatewayStatus::Canceled,
            "failed" => GatewayStatus::Declined { decline_code: p.decline_code.unwrap_or_else(|| "declined".into()) },
            other => return Err(EventError::Unreadable(format!("status {other}"))),
        };
        let next = (status == GatewayStatus::RequiresAction)
            .then(|| NextAction::Redirect(format!("{}/sandbox/{}", self.public_url, p.id)));
        Ok(GatewayPayment {
            reference: p.id,
            amount: Money::from_minor(p.amount_minor, currency),
            status,
            method: p.method,
            next,
            attempt: Some(p.attempt),
        })
    }

    async fn find(&self, merchant: &MerchantId, id: &str) -> Result<Checkout, GatewayError> {
        let row: Option<Checkout> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM sandbox_payments WHERE merchant_id = $1 AND id = $2"))
                .bind(merchant.as_str())
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(unavailable)?;
        row.ok_or_else(|| GatewayError::NotFound(id.to_string()))
    }
}

#[async_trait]
impl PaymentGateway for Sandbox {
    fn name(&self) -> &'static str {
        NAME
    }

    fn signature_header(&self) -> &'static str {
        "kassa-sandbox-signature"
    }

    async fn create(&self, account: &Account, request: CreatePayment) -> Result<GatewayPayment, GatewayError> {
        if account.live {
            return Err(GatewayError::Refused("the sandbox takes no live payments".into()));
        }
        let now = db::now();
        sqlx::query(
            "INSERT INTO sandbox_payments (id, merchant_id, idempotency_key, currency, amount_minor, description, \
             return_url, attempt_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $9, 'requires_action', $8, $8) \
             ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
        )
        .bind(format!("sbx_{}", uuid::Uuid::new_v4().simple()))
        .bind(account.merchant.as_str())
        .bind(&request.idempotency_key)
        .bind(request.amount.currency().code())
        .bind(request.amount.minor())
        .bind(&request.description)
        .bind(&request.return_url)
        .bind(now)
        .bind(&request.attempt)
        .execute(&self.pool)
        .await
        .map_err(unavailable)?;
        let row: Checkout = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM sandbox_payments WHERE merchant_id = $1 AND idempotency_key = $2"
        ))
        .bind(account.merchant.as_str())
        .bind(&request.idempotency_key)
        .fetch_one(&self.pool)
        .await
        .map_err(unavailable)?;
        self.payment(&row)
    }

    async fn retrieve(&self, account: &Account, reference: &str) -> Result<GatewayPayment, GatewayError> {
        let row = self.find(&account.merchant, reference).await?;
        self.payment(&row)
    }

    async fn refund(&self, account: &Account, request: RefundPayment) -> Result<GatewayRefund, GatewayError> {
        let row = self.find(&account.merchant, &request.payment_reference).await?;
        if row.status != "succeeded" {
            return Err(GatewayError::Refused(format!("payment {} has not succeeded", row.id)));
        }
        if request.amount.currency() != row.amount()?.currency() {
            return Err(GatewayError::Refused("a refund is made in the payment's currency".into()));
        }
        let now = db::now();
        let mut tx = db::begin_write(&self.pool).await.map_err(unavailable)?;
        let seen: Option<(String, i64)> = sqlx::query_as(
            "SELECT id, amount_minor FROM sandbox_refunds WHERE merchant_id = $1 AND idempotency_key = $2",
        )
        .bind(account.merchant.as_str())
        .bind(&request.idempotency_key)
        .fetch_optional(&mut *tx)
        .await
        .map_err(unavailable)?;
        let (id, minor) = match seen {
            Some(seen) => seen,
            None => {
                let refunded: i64 = sqlx::query_scalar("SELECT refunded_minor FROM sandbox_payments WHERE id = $1")
                    .bind(&row.id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                if refunded + request.amount.minor() > row.amount_minor || !request.amount.is_positive() {
                    return Err(GatewayError::Refused("the refund exceeds what is left of the payment".into()));
                }
                let id = format!("sbxr_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(
                    "INSERT INTO sandbox_refunds (id, merchant_id, payment_id, idempotency_key, amount_minor, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(account.merchant.as_str())
                .bind(&row.id)
                .bind(&request.idempotency_key)
                .bind(request.amount.minor())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                sqlx::query(
                    "UPDATE sandbox_payments SET refunded_minor = refunded_minor + $1, updated_at = $2 WHERE id = $3",
                )
                .bind(request.amount.minor())
                .bind(now)
                .bind(&row.id)
                .execute(&mut *tx)
                .await
                .map_err(unavailable)?;
                (id, request.amount.minor())
            }
        };
        tx.commit().await.map_err(unavailable)?;
        Ok(GatewayRefund {
            reference: id,
            refund: None,
            payment_reference: row.id.clone(),
            amount: Money::from_minor(minor, request.amount.currency()),
            status: RefundStatus::Succeeded,
        })
    }

    fn event(&self, _account: &Account, signature: &str, body: &[u8], now: i64) -> Result<GatewayEvent, EventError> {
        signature::verify(&self.events_key, signature, body, now, signature::TOLERANCE_SECS)
            .map_err(|e| EventError::BadSignature(e.code()))?;
        let event: SandboxEvent = serde_json::from_slice(body).map_err(|e| EventError::Unreadable(e.to_string()))?;
        Ok(GatewayEvent { id: event.id, kind: EventKind::Payment(self.read(event.payment)?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_are_read_with_or_without_spaces() {
        assert_eq!(test_card("4242 4242 4242 4242"), Some(TestCard::Approved));
        assert_eq!(test_card("4000000000000002"), Some(TestCard::Declined("card_declined")));
        assert_eq!(test_card("4000 0000 0000 9995"), Some(TestCard::Declined("insufficient_funds")));
        assert_eq!(test_card("4111 1111 1111 1111"), None);
    }
}
