//! Stripe, through the async-stripe crates: a PaymentIntent per attempt with the payment
//! methods the merchant's Stripe account enables (card with 3-D Secure, iDEAL, SEPA Direct
//! Debit, Bancontact, MobilePay, ...), confirmed in the payer's browser by Stripe's Payment
//! Element, so card data never reaches Kassa. Stripe's objects are read here and nowhere
//! else: the core sees [`GatewayPayment`]s and [`GatewayEvent`]s.
//!
//! How a PaymentIntent's status reads in Kassa's terms:
//!
//! | Stripe                                              | Kassa                             |
//! |-----------------------------------------------------|-----------------------------------|
//! | `requires_payment_method` (no error yet), `requires_confirmation` | requires action: Kassa's payment form with the Payment Element |
//! | `requires_action` with `redirect_to_url`            | requires action: that page (a bank, 3-D Secure) |
//! | `requires_action` otherwise (`use_stripe_sdk`)       | requires action: the payment form (Stripe.js completes it) |
//! | `requires_payment_method` with `last_payment_error` | declined, with the decline code   |
//! | `processing` (SEPA Direct Debit for days)           | processing                        |
//! | `succeeded`                                         | succeeded: what Stripe received goes in the ledger |
//! | `canceled`                                          | canceled                          |
//!
//! Amounts are in the currency's minor unit both in Kassa and at Stripe (Stripe's
//! "smallest currency unit"; its zero-decimal currencies are ISO 4217's).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use kassa_domain::{Currency, Money};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    CreatePaymentIntent, CreatePaymentIntentAutomaticPaymentMethods, CreatePaymentIntentOffSession,
    RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_core::setup_intent::{CreateSetupIntent, CreateSetupIntentUsage, RetrieveSetupIntent};
use stripe_shared::{
    PaymentIntent, PaymentIntentAllowedPaymentMethodTypes, PaymentIntentStatus, Refund, SetupIntent,
    SetupIntentAllowedPaymentMethodTypes, SetupIntentStatus,
};

use super::signature;
use super::{
    Account, ChargebackStatus, CreatePayment, EventError, EventKind, GatewayChargeback, GatewayError, GatewayEvent,
    GatewayPayment, GatewayRefund, GatewaySetup, GatewayStatus, NextAction, PaymentGateway, RefundPayment,
    RefundStatus, SavedMethod, SetupMandate, SetupStatus,
};

pub const NAME: &str = "stripe";

/// Stripe's API, for real money and Stripe's own test mode.
pub const API_URL: &str = "https://api.stripe.com/";

/// The metadata key Kassa's attempt id travels under with each PaymentIntent.
pub const ATTEMPT_KEY: &str = "kassa_attempt";

/// The metadata key Kassa's refund id travels under with each Refund.
pub const REFUND_KEY: &str = "kassa_refund";

/// The metadata key Kassa's mandate id travels under with each SetupIntent (and the Customer
/// made for it).
pub const MANDATE_KEY: &str = "kassa_mandate";

/// How long one request to Stripe may take before it counts as unanswered (Stripe's own
/// libraries wait 80 s; a payer is waiting here).
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `stripe` gateway. One HTTP client per secret key is kept, so connections to Stripe
/// are reused across requests.
pub struct Stripe {
    api_url: String,
    clients: Mutex<HashMap<[u8; 32], Client>>,
}

impl Stripe {
    /// Stripe at `api_url` (its API's root, with the trailing slash: [`API_URL`], or a
    /// stand-in's address in tests).
    pub fn new(api_url: &str) -> Stripe {
        let mut api_url = api_url.to_string();
        if !api_url.ends_with('/') {
            api_url.push('/');
        }
        Stripe { api_url, clients: Mutex::new(HashMap::new()) }
    }

    fn client(&self, account: &Account) -> Result<Client, GatewayError> {
        let credentials = account
            .credentials
            .as_ref()
            .ok_or_else(|| GatewayError::Refused("this merchant has not connected a Stripe account".into()))?;
        let key = credentials.secret_key.expose_secret();
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut clients = self.clients.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(client) = clients.get(&digest) {
            return Ok(client.clone());
        }
        let client = ClientBuilder::new(key)
            .url(self.api_url.clone())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        clients.insert(digest, client.clone());
        Ok(client)
    }
}

fn idempotent(key: &str) -> Result<RequestStrategy, GatewayError> {
    let key = IdempotencyKey::new(key).map_err(|e| GatewayError::Refused(format!("idempotency key: {e}")))?;
    Ok(RequestStrategy::Idempotent(key))
}

/// Stripe's refusals in Kassa's terms: 404 is "not found", any other answer from Stripe a
/// refusal (a bad key, a bad request), no answer at all "unavailable".
fn gateway_error(error: StripeError) -> GatewayError {
    match error {
        StripeError::Stripe(errors, 404) => {
            GatewayError::NotFound(errors.message.clone().unwrap_or_else(|| "no such object".into()))
        }
        StripeError::Stripe(errors, status) if status < 500 && status != 429 => GatewayError::Refused(format!(
            "{status} {}: {}",
            errors.code.as_ref().map(|c| c.as_str().to_string()).unwrap_or_else(|| errors.type_.as_str().to_string()),
            errors.message.as_deref().unwrap_or("")
        )),
        other => GatewayError::Unavailable(other.to_string()),
    }
}

fn currency_of(stripe: &stripe_types::Currency) -> Result<Currency, GatewayError> {
    Currency::parse(&stripe.to_string().to_ascii_uppercase())
        .map_err(|e| GatewayError::Refused(format!("Stripe answered in a currency Kassa does not know: {e}")))
}

fn stripe_currency(currency: Currency) -> Result<stripe_types::Currency, GatewayError> {
    currency
        .code()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| GatewayError::Refused(format!("Stripe does not take {}", currency.code())))
}

/// Whether Stripe has a payment method type of this name (`card`, `ideal`, `sepa_debit`, ...),
/// by the API specification async-stripe is generated from.
pub fn is_method(name: &str) -> bool {
    !matches!(
        name.parse::<PaymentIntentAllowedPaymentMethodTypes>(),
        Ok(PaymentIntentAllowedPaymentMethodTypes::Unknown(_))
    )
}

/// A PaymentIntent in Kassa's terms (see the module's table).
pub fn payment_of(intent: &PaymentIntent) -> Result<GatewayPayment, GatewayError> {
    let currency = currency_of(&intent.currency)?;
    let redirect = intent
        .next_action
        .as_ref()
        .and_then(|next| next.redirect_to_url.as_ref())
        .and_then(|redirect| redirect.url.clone());
    let form = || intent.client_secret.clone().map(|client_secret| NextAction::PaymentForm { client_secret });
    let (status, next) = match &intent.status {
        PaymentIntentStatus::Succeeded => (GatewayStatus::Succeeded, None),
        // Kassa captures at once; a held authorisation is on its way like a direct debit.
        PaymentIntentStatus::Processing | PaymentIntentStatus::RequiresCapture => (GatewayStatus::Processing, None),
        PaymentIntentStatus::Canceled => (GatewayStatus::Canceled, None),
        PaymentIntentStatus::RequiresPaymentMethod => match &intent.last_payment_error {
            Some(error) => {
                let decline_code = error
                    .decline_code
                    .clone()
                    .or_else(|| error.code.as_ref().map(|code| code.as_str().to_string()))
                    .unwrap_or_else(|| "card_declined".into());
                (GatewayStatus::Declined { decline_code }, None)
            }
            None => (GatewayStatus::RequiresAction, form()),
        },
        PaymentIntentStatus::RequiresAction => match redirect {
            Some(url) => (GatewayStatus::RequiresAction, Some(NextAction::Redirect(url))),
            None => (GatewayStatus::RequiresAction, form()),
        },
        PaymentIntentStatus::RequiresConfirmation => (GatewayStatus::RequiresAction, form()),
        // A status newer than this code: nothing is recorded until it is one Kassa knows.
        _ => (GatewayStatus::Processing, None),
    };
    // What reached the merchant once it succeeded; what is asked for before.
    let minor = if status == GatewayStatus::Succeeded { intent.amount_received } else { intent.amount };
    let method = intent
        .payment_method
        .as_ref()
        .and_then(|method| method.as_object())
        .map(|method| method.type_.as_str().to_string())
        .or_else(|| match intent.payment_method_types.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        });
    Ok(GatewayPayment {
        reference: intent.id.as_str().to_string(),
        amount: Money::from_minor(minor, currency),
        status,
        method,
        next,
        attempt: intent.metadata.get(ATTEMPT_KEY).cloned(),
    })
}

/// A SetupIntent in Kassa's terms: a SEPA Direct Debit mandate being set up, or set up.
pub fn setup_of(intent: &SetupIntent) -> GatewaySetup {
    let status = match &intent.status {
        SetupIntentStatus::Succeeded => SetupStatus::Succeeded,
        SetupIntentStatus::Canceled => SetupStatus::Canceled,
        SetupIntentStatus::RequiresPaymentMethod => match &intent.last_setup_error {
            Some(error) => SetupStatus::Failed {
                code: error
                    .decline_code
                    .clone()
                    .or_else(|| error.code.as_ref().map(|code| code.as_str().to_string()))
                    .unwrap_or_else(|| "setup_failed".into()),
            },
            None => SetupStatus::RequiresAction,
        },
        SetupIntentStatus::RequiresAction | SetupIntentStatus::RequiresConfirmation => SetupStatus::RequiresAction,
        // Processing, or a status newer than this code: nothing is recorded until it settles.
        _ => SetupStatus::Processing,
    };
    let method = intent.payment_method.as_ref();
    let saved = match (&status, &intent.customer, method) {
        (SetupStatus::Succeeded, Some(customer), Some(method)) => Some(SavedMethod {
            customer: customer.id().as_str().to_string(),
            payment_method: method.id().as_str().to_string(),
            mandate: intent.mandate.as_ref().map(|m| m.id().as_str().to_string()),
        }),
        _ => None,
    };
    GatewaySetup {
        reference: intent.id.as_str().to_string(),
        mandate: intent.metadata.as_ref().and_then(|m| m.get(MANDATE_KEY)).cloned(),
        last4: method
            .and_then(|m| m.as_object())
            .and_then(|m| m.sepa_debit.as_ref())
            .and_then(|debit| debit.last4.clone()),
        client_secret: if status == SetupStatus::RequiresAction { intent.client_secret.clone() } else { None },
        status,
        saved,
    }
}

fn refund_of(refund: &Refund) -> Result<GatewayRefund, GatewayError> {
    let status = match refund.status.as_deref() {
        Some("succeeded") => RefundStatus::Succeeded,
        Some("failed") | Some("canceled") => RefundStatus::Failed,
        // pending, requires_action: Stripe reports when it is done.
        _ => RefundStatus::Pending,
    };
    Ok(GatewayRefund {
        reference: refund.id.as_str().to_string(),
        refund: refund.metadata.as_ref().and_then(|m| m.get(REFUND_KEY)).cloned(),
        payment_reference: refund.payment_intent.as_ref().map(|p| p.id().as_str().to_string()).unwrap_or_default(),
        amount: Money::from_minor(refund.amount, currency_of(&refund.currency)?),
        status,
    })
}

/// The fields of a Dispute Kassa reads. Read with serde rather than async-stripe's `Dispute`,
/// which requires fields Stripe added in 2024 (`enhanced_eligibility_types`): an endpoint on
/// an older API version would send events Kassa could not read, and a chargeback would be
/// missed. These five fields are in every API version.
#[derive(serde::Deserialize)]
struct DisputeFields {
    id: String,
    amount: i64,
    currency: String,
    status: String,
    /// The PaymentIntent's id, or the PaymentIntent when expanded.
    payment_intent: Option<serde_json::Value>,
}

/// A dispute in Kassa's terms, when it moves money: an inquiry (`warning_*`) or a prevented
/// one does not, and is not a chargeback.
fn chargeback_of(object: &serde_json::Value) -> Result<Option<GatewayChargeback>, EventError> {
    let dispute: DisputeFields = serde_json::from_value(object.clone())
        .map_err(|e| EventError::Unreadable(format!("not a Stripe dispute: {e}")))?;
    let status = match dispute.status.as_str() {
        "needs_response" | "under_review" => ChargebackStatus::Opened,
        "won" => ChargebackStatus::Won,
        "lost" => ChargebackStatus::Lost,
        _ => return Ok(None),
    };
    let payment = match &dispute.payment_intent {
        Some(serde_json::Value::String(id)) => id.clone(),
        Some(serde_json::Value::Object(intent)) => match intent.get("id").and_then(|id| id.as_str()) {
            Some(id) => id.to_string(),
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    let currency = Currency::parse(&dispute.currency.to_ascii_uppercase())
        .map_err(|e| EventError::Unreadable(format!("a dispute in a currency Kassa does not know: {e}")))?;
    Ok(Some(GatewayChargeback {
        reference: dispute.id,
        payment_reference: payment,
        amount: Money::from_minor(dispute.amount, currency),
        status,
    }))
}

/// The parts of an event Kassa reads before it knows the object's type.
#[derive(serde::Deserialize)]
struct Envelope {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EnvelopeData,
}

#[derive(serde::Deserialize)]
struct EnvelopeData {
    object: serde_json::Value,
}

fn read<T: miniserde::Deserialize>(object: &serde_json::Value) -> Result<T, EventError> {
    miniserde::json::from_str(&object.to_string())
        .map_err(|_| EventError::Unreadable("its object is not what Stripe sends for this event type".into()))
}

/// A Stripe event's body in Kassa's terms (its signature checked before).
pub fn event_of(body: &[u8]) -> Result<GatewayEvent, EventError> {
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| EventError::Unreadable(format!("not a Stripe event: {e}")))?;
    let kind = match envelope.kind.as_str() {
        "payment_intent.succeeded"
        | "payment_intent.processing"
        | "payment_intent.payment_failed"
        | "payment_intent.canceled"
        | "payment_intent.requires_action" => {
            let intent: PaymentIntent = read(&envelope.data.object)?;
            EventKind::Payment(payment_of(&intent).map_err(|e| EventError::Unreadable(e.to_string()))?)
        }
        "refund.created" | "refund.updated" | "refund.failed" => {
            let refund: Refund = read(&envelope.data.object)?;
            EventKind::Refund(refund_of(&refund).map_err(|e| EventError::Unreadable(e.to_string()))?)
        }
        "setup_intent.succeeded"
        | "setup_intent.setup_failed"
        | "setup_intent.canceled"
        | "setup_intent.requires_action" => {
            let intent: SetupIntent = read(&envelope.data.object)?;
            EventKind::Setup(setup_of(&intent))
        }
        "charge.dispute.created" | "charge.dispute.closed" => match chargeback_of(&envelope.data.object)? {
            Some(chargeback) => EventKind::Chargeback(chargeback),
            None => EventKind::Other(envelope.kind.clone()),
        },
        other => EventKind::Other(other.to_string()),
    };
    Ok(GatewayEvent { id: envelope.id, kind })
}

#[async_trait]
impl PaymentGateway for Stripe {
    fn name(&self) -> &'static str {
        NAME
    }

    fn signature_header(&self) -> &'static str {
        "stripe-signature"
    }

    async fn create(&self, account: &Account, request: CreatePayment) -> Result<GatewayPayment, GatewayError> {
        let client = self.client(account)?;
        let mut create = CreatePaymentIntent::new(request.amount.minor(), stripe_currency(request.amount.currency())?)
            .description(request.description)
            .metadata(HashMap::from([(ATTEMPT_KEY.to_string(), request.attempt)]));
        let methods = account.credentials.as_ref().map(|c| c.methods.clone()).unwrap_or_default();
        create = if let Some(saved) = request.saved {
            // Collected from the mandate the payer signed, at once, without them.
            let debit = create
                .customer(saved.customer)
                .payment_method(saved.payment_method)
                .confirm(true)
                .off_session(CreatePaymentIntentOffSession::Bool(true))
                .allowed_payment_method_types(vec![PaymentIntentAllowedPaymentMethodTypes::SepaDebit]);
            match saved.mandate {
                Some(mandate) => debit.mandate(mandate),
                None => debit,
            }
        } else if methods.is_empty() {
            // Every method the merchant enabled in its Stripe Dashboard.
            create.automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
        } else {
            create.allowed_payment_method_types(
                methods
                    .iter()
                    .map(|m| m.parse().unwrap_or_else(|e: std::convert::Infallible| match e {}))
                    .collect::<Vec<_>>(),
            )
        };
        let intent = create
            .customize()
            .request_strategy(idempotent(&request.idempotency_key)?)
            .send(&client)
            .await
            .map_err(gateway_error)?;
        payment_of(&intent)
    }

    async fn retrieve(&self, account: &Account, reference: &str) -> Result<GatewayPayment, GatewayError> {
        let client = self.client(account)?;
        let intent = RetrievePaymentIntent::new(reference)
            .expand(vec!["payment_method".to_string()])
            .send(&client)
            .await
            .map_err(gateway_error)?;
        payment_of(&intent)
    }

    async fn refund(&self, account: &Account, request: RefundPayment) -> Result<GatewayRefund, GatewayError> {
        let client = self.client(account)?;
        let refund = CreateRefund::new()
            .payment_intent(request.payment_reference)
            .amount(request.amount.minor())
            .metadata(HashMap::from([(REFUND_KEY.to_string(), request.refund)]))
            .customize()
            .request_strategy(idempotent(&request.idempotency_key)?)
            .send(&client)
            .await
            .map_err(gateway_error)?;
        refund_of(&refund)
    }

    fn mandates(&self) -> bool {
        true
    }

    async fn setup(&self, account: &Account, request: SetupMandate) -> Result<GatewaySetup, GatewayError> {
        let client = self.client(account)?;
        let metadata = HashMap::from([(MANDATE_KEY.to_string(), request.mandate)]);
        // The payer at Stripe: a SEPA Direct Debit method is reused only from a Customer.
        let mut customer = CreateCustomer::new().name(request.name).metadata(metadata.clone());
        if let Some(email) = request.email {
            customer = customer.email(email);
        }
        let customer = customer
            .customize()
            .request_strategy(idempotent(&format!("{}:customer", request.idempotency_key))?)
            .send(&client)
            .await
            .map_err(gateway_error)?;
        let intent = CreateSetupIntent::new()
            .customer(customer.id.as_str())
            .allowed_payment_method_types(vec![SetupIntentAllowedPaymentMethodTypes::SepaDebit])
            .usage(CreateSetupIntentUsage::OffSession)
            .description(request.description)
            .metadata(metadata)
            .customize()
            .request_strategy(idempotent(&request.idempotency_key)?)
            .send(&client)
            .await
            .map_err(gateway_error)?;
        Ok(setup_of(&intent))
    }

    async fn retrieve_setup(&self, account: &Account, reference: &str) -> Result<GatewaySetup, GatewayError> {
        let client = self.client(account)?;
        let intent = RetrieveSetupIntent::new(reference)
            .expand(vec!["payment_method".to_string()])
            .send(&client)
            .await
            .map_err(gateway_error)?;
        Ok(setup_of(&intent))
    }

    fn event(&self, account: &Account, header: &str, body: &[u8], now: i64) -> Result<GatewayEvent, EventError> {
        let credentials = account
            .credentials
            .as_ref()
            .ok_or(EventError::BadSignature("this merchant has not connected a Stripe account"))?;
        signature::verify(
            credentials.webhook_secret.expose_secret().as_bytes(),
            header,
            body,
            now,
            signature::TOLERANCE_SECS,
        )
        .map_err(|e| EventError::BadSignature(e.code()))?;
        event_of(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PaymentIntent object exactly as Stripe's API reference shows it
    /// (docs.stripe.com/api/payment_intents/object), not as Kassa's stand-in makes it.
    const DOCUMENTED: &str = include_str!("fixtures/stripe_payment_intent.json");

    fn documented(change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let mut intent: serde_json::Value = serde_json::from_str(DOCUMENTED).unwrap();
        change(&mut intent);
        intent
    }

    fn event(kind: &str, object: serde_json::Value) -> Vec<u8> {
        serde_json::json!({ "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy", "object": "event", "api_version": "2025-10-29.clover",
            "created": 1686089970, "data": { "object": object }, "livemode": false, "pending_webhooks": 0,
            "request": { "id": null, "idempotency_key": null }, "type": kind })
        .to_string()
        .into_bytes()
    }

    fn payment(kind: &str, object: serde_json::Value) -> GatewayPayment {
        match event_of(&event(kind, object)).unwrap().kind {
            EventKind::Payment(payment) => payment,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn stripes_documented_payment_intent_reads_as_waiting_for_the_payers_details() {
        let read = payment("payment_intent.requires_action", documented(|_| {}));
        assert_eq!(read.reference, "pi_3MtwBwLkdIwHu7ix28a3tqPa");
        assert_eq!(read.amount, Money::from_minor(2000, Currency::parse("USD").unwrap()));
        assert_eq!(read.status, GatewayStatus::RequiresAction);
        assert_eq!(
            read.next,
            Some(NextAction::PaymentForm {
                client_secret: "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH".into()
            })
        );
        assert_eq!((read.method, read.attempt), (None, None));
    }

    #[test]
    fn a_success_records_what_stripe_received_and_finds_kassas_attempt() {
        let read = payment(
            "payment_intent.succeeded",
            documented(|i| {
                i["status"] = "succeeded".into();
                i["amount_received"] = 2000.into();
                i["payment_method"] = "pm_1NG8Du2eZvKYlo2C".into();
                i["payment_method_types"] = serde_json::json!(["ideal"]);
                i["metadata"] = serde_json::json!({ "kassa_attempt": "att_1" });
            }),
        );
        assert_eq!(read.status, GatewayStatus::Succeeded);
        assert_eq!(read.next, None);
        assert_eq!(read.method.as_deref(), Some("ideal"));
        assert_eq!(read.attempt.as_deref(), Some("att_1"));
    }

    #[test]
    fn declines_redirects_and_direct_debits_read_as_kassa_knows_them() {
        let declined = payment(
            "payment_intent.payment_failed",
            documented(|i| {
                i["last_payment_error"] = serde_json::json!({ "type": "card_error", "code": "card_declined",
                    "decline_code": "insufficient_funds", "message": "Your card has insufficient funds." });
            }),
        );
        assert_eq!(declined.status, GatewayStatus::Declined { decline_code: "insufficient_funds".into() });
        let authentication = payment(
            "payment_intent.payment_failed",
            documented(|i| {
                i["last_payment_error"] = serde_json::json!({ "type": "invalid_request_error",
                    "code": "payment_intent_authentication_failure", "message": "We are unable to authenticate" });
            }),
        );
        assert_eq!(
            authentication.status,
            GatewayStatus::Declined { decline_code: "payment_intent_authentication_failure".into() }
        );
        let bank = payment(
            "payment_intent.requires_action",
            documented(|i| {
                i["status"] = "requires_action".into();
                i["next_action"] = serde_json::json!({ "type": "redirect_to_url",
                    "redirect_to_url": { "url": "https://hooks.stripe.com/redirect/authenticate/src_1", "return_url": "https://kassa.example/p/x/pay/return/a" } });
            }),
        );
        assert_eq!(
            bank.next,
            Some(NextAction::Redirect("https://hooks.stripe.com/redirect/authenticate/src_1".into()))
        );
        let debit = payment("payment_intent.processing", documented(|i| i["status"] = "processing".into()));
        assert_eq!(debit.status, GatewayStatus::Processing);
        let gone = payment("payment_intent.canceled", documented(|i| i["status"] = "canceled".into()));
        assert_eq!(gone.status, GatewayStatus::Canceled);
    }

    #[test]
    fn other_events_are_kept_by_name_and_broken_ones_refused() {
        let other = event_of(&event("customer.created", serde_json::json!({ "id": "cus_1" }))).unwrap();
        assert_eq!(other.kind, EventKind::Other("customer.created".into()));
        assert!(matches!(event_of(b"not json"), Err(EventError::Unreadable(_))));
        assert!(matches!(
            event_of(&event("payment_intent.succeeded", serde_json::json!({ "id": "pi_1" }))),
            Err(EventError::Unreadable(_))
        ));
    }

    /// The Dispute object as Stripe's API reference prints it (API version 2024-06-20, before
    /// the enhanced-evidence fields), with the statuses a chargeback goes through.
    #[test]
    fn a_dispute_from_any_api_version_reads_as_a_chargeback_when_it_moves_money() {
        let documented = serde_json::json!({ "id": "du_1MtJUT2eZvKYlo2CNaw2HvEv", "object": "dispute", "amount": 1000,
            "balance_transactions": [], "charge": "ch_1AZtxr2eZvKYlo2CJDX8whov", "created": 1680651737, "currency": "usd",
            "evidence": { "access_activity_log": null, "uncategorized_text": null },
            "evidence_details": { "due_by": 1682294399, "has_evidence": false, "past_due": false, "submission_count": 0 },
            "is_charge_refundable": true, "livemode": false, "metadata": {}, "payment_intent": null,
            "reason": "general", "status": "warning_needs_response" });
        let read = |status: &str, intent: serde_json::Value| {
            let mut dispute = documented.clone();
            dispute["status"] = status.into();
            dispute["payment_intent"] = intent;
            event_of(&event("charge.dispute.created", dispute)).unwrap().kind
        };
        // An inquiry takes no money: not a chargeback.
        assert_eq!(read("warning_needs_response", "pi_1".into()), EventKind::Other("charge.dispute.created".into()));
        let opened = GatewayChargeback {
            reference: "du_1MtJUT2eZvKYlo2CNaw2HvEv".into(),
            payment_reference: "pi_1".into(),
            amount: Money::from_minor(1000, Currency::parse("USD").unwrap()),
            status: ChargebackStatus::Opened,
        };
        assert_eq!(read("needs_response", "pi_1".into()), EventKind::Chargeback(opened.clone()));
        let won = GatewayChargeback { status: ChargebackStatus::Won, ..opened.clone() };
        assert_eq!(
            read("won", serde_json::json!({ "id": "pi_1", "object": "payment_intent" })),
            EventKind::Chargeback(won)
        );
        let lost = GatewayChargeback { status: ChargebackStatus::Lost, ..opened };
        assert_eq!(read("lost", "pi_1".into()), EventKind::Chargeback(lost));
        // A dispute on a charge without a PaymentIntent is none of Kassa's payments.
        assert_eq!(read("lost", serde_json::Value::Null), EventKind::Other("charge.dispute.created".into()));
    }

    /// The SetupIntent object as Stripe's API reference prints it
    /// (docs.stripe.com/api/setup_intents/object), moved through what a SEPA Direct Debit
    /// mandate's setup goes through.
    #[test]
    fn a_setup_intent_reads_as_a_mandate_being_set_up_set_up_or_refused() {
        let documented = serde_json::json!({ "id": "seti_1Mm8s8LkdIwHu7ix0OXBfTRG", "object": "setup_intent",
            "application": null, "cancellation_reason": null,
            "client_secret": "seti_1Mm8s8LkdIwHu7ix0OXBfTRG_secret_NXDICkPqPeiBTAFqWmkbff09lRmSVXe",
            "created": 1678942624, "customer": null, "description": null, "flow_directions": null,
            "last_setup_error": null, "latest_attempt": null, "livemode": false, "mandate": null, "metadata": {},
            "next_action": null, "on_behalf_of": null, "payment_method": null,
            "payment_method_options": { "card": { "mandate_options": null, "network": null,
                "request_three_d_secure": "automatic" } },
            "payment_method_types": ["card"], "single_use_mandate": null, "status": "requires_payment_method",
            "usage": "off_session" });
        let read = |kind: &str, change: &dyn Fn(&mut serde_json::Value)| {
            let mut intent = documented.clone();
            change(&mut intent);
            match event_of(&event(kind, intent)).unwrap().kind {
                EventKind::Setup(setup) => setup,
                other => panic!("{other:?}"),
            }
        };
        let waiting = read("setup_intent.requires_action", &|_| {});
        assert_eq!(waiting.status, SetupStatus::RequiresAction);
        assert_eq!(
            waiting.client_secret.as_deref(),
            Some("seti_1Mm8s8LkdIwHu7ix0OXBfTRG_secret_NXDICkPqPeiBTAFqWmkbff09lRmSVXe")
        );
        assert_eq!((waiting.saved, waiting.mandate), (None, None));
        let done = read("setup_intent.succeeded", &|i| {
            i["status"] = "succeeded".into();
            i["customer"] = "cus_NffrFeUfNV2Hib".into();
            i["payment_method"] = "pm_1Mm8s8LkdIwHu7ixsepa".into();
            i["mandate"] = "mandate_1Mm8s8LkdIwHu7ix".into();
            i["payment_method_types"] = serde_json::json!(["sepa_debit"]);
            i["payment_method_options"] = serde_json::Value::Null;
            i["metadata"] = serde_json::json!({ "kassa_mandate": "m_1" });
        });
        assert_eq!(done.status, SetupStatus::Succeeded);
        assert_eq!(done.client_secret, None, "no secret once it needs nobody");
        assert_eq!(done.mandate.as_deref(), Some("m_1"));
        assert_eq!(
            done.saved,
            Some(SavedMethod {
                customer: "cus_NffrFeUfNV2Hib".into(),
                payment_method: "pm_1Mm8s8LkdIwHu7ixsepa".into(),
                mandate: Some("mandate_1Mm8s8LkdIwHu7ix".into()),
            })
        );
        let refused = read("setup_intent.setup_failed", &|i| {
            i["last_setup_error"] = serde_json::json!({ "type": "invalid_request_error",
                "code": "payment_method_unactivated", "message": "The operation cannot be performed" });
        });
        assert_eq!(refused.status, SetupStatus::Failed { code: "payment_method_unactivated".into() });
        assert_eq!(read("setup_intent.canceled", &|i| i["status"] = "canceled".into()).status, SetupStatus::Canceled);
    }

    #[test]
    fn only_stripes_method_names_are_methods() {
        assert!(is_method("card") && is_method("ideal") && is_method("sepa_debit") && is_method("mobilepay"));
        assert!(!is_method("visa") && !is_method(""));
    }
}
