//! A gateway without a network: approves or declines as asked, and answers a repeated
//! idempotency key with the same payment, the way a real provider does.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{GatewayError, GatewayPayment, GatewayStatus, PaymentGateway, StartPayment};

#[derive(Default)]
pub struct Sandbox {
    seen: Mutex<HashMap<String, GatewayPayment>>,
}

#[async_trait]
impl PaymentGateway for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn method_label(&self) -> &'static str {
        "Sandbox (test payment)"
    }

    async fn start(&self, request: StartPayment) -> Result<GatewayPayment, GatewayError> {
        let mut seen = self.seen.lock().expect("sandbox lock");
        let payment = seen.entry(request.idempotency_key.clone()).or_insert_with(|| GatewayPayment {
            reference: format!("sbx_{}", uuid::Uuid::new_v4().simple()),
            amount: request.amount,
            status: if request.sandbox_approve {
                GatewayStatus::Succeeded
            } else {
                GatewayStatus::Declined { decline_code: "card_declined".into() }
            },
        });
        Ok(payment.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kassa_domain::{Currency, Money};

    fn request(key: &str, approve: bool) -> StartPayment {
        StartPayment {
            amount: Money::from_minor(100, Currency::EUR),
            idempotency_key: key.into(),
            description: "test".into(),
            sandbox_approve: approve,
        }
    }

    #[tokio::test]
    async fn replays_answer_the_same_payment() {
        let s = Sandbox::default();
        let a = s.start(request("k1", true)).await.unwrap();
        let b = s.start(request("k1", false)).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.status, GatewayStatus::Succeeded);
        let c = s.start(request("k2", false)).await.unwrap();
        assert!(matches!(c.status, GatewayStatus::Declined { .. }));
    }
}
