//! A stand-in for Stripe, for Kassa's tests: Stripe's servers are not reachable from the
//! machines the tests run on, so the real `stripe` gateway code (async-stripe) talks to this
//! instead, over HTTP, in Stripe's wire format:
//!
//! - the API's requests Kassa makes, form-encoded as Stripe takes them, with `Idempotency-Key`
//!   (the same key answers the same response) and Stripe's error objects: PaymentIntents
//!   (create with `automatic_payment_methods` or `allowed_payment_method_types`, retrieve with
//!   `expand[]=payment_method`, confirm, cancel) and refunds;
//! - the objects as Stripe's API reference documents them (every field async-stripe reads);
//! - events signed as Stripe signs them (`Stripe-Signature: t=...,v1=...`, HMAC-SHA256 over
//!   `t.body` with the endpoint's `whsec_` secret), sent to the endpoints a test registers,
//!   after the response, retried on failure, as Stripe does;
//! - the pages Stripe shows the payer: 3-D Secure and a bank's page (iDEAL, Bancontact), each
//!   with "complete" and "fail", sending the payer back to the `return_url` with Stripe's
//!   query parameters;
//! - a Stripe.js stand-in at `/v3/` implementing what Kassa's pay page uses (`Stripe(key)`,
//!   `elements({clientSecret})`, `create('payment')`, `mount`, `confirmPayment`,
//!   `confirmSetup`);
//! - Customers and SetupIntents for a SEPA Direct Debit mandate (`setup_intents.rs`), and
//!   PaymentIntents confirmed at once from the saved method, off session.
//!
//! Outcomes follow Stripe's documented test cards and methods: 4242 4242 4242 4242 succeeds,
//! 4000 0027 6000 3184 asks for 3-D Secure, 4000 0000 0000 0002 is declined
//! (`generic_decline`), 4000 0000 0000 9995 is declined (`insufficient_funds`); iDEAL and
//! Bancontact go through the bank's page; SEPA Direct Debit stays `processing` until a test
//! settles it (`POST /_standin/payment_intents/{id}/settle` with `outcome=succeeded|failed`),
//! as a real direct debit does for days.
//!
//! A succeeded payment can be charged back (`POST /_standin/payment_intents/{id}/dispute`:
//! `charge.dispute.created`, status `needs_response`) and the chargeback decided
//! (`POST /_standin/disputes/{id}/close` with `outcome=won|lost`: `charge.dispute.closed`).
//!
//! Test controls, which Stripe has in its Dashboard instead: `POST /_standin/webhook_endpoints`
//! (`secret_key`, `url`, `secret`) registers where an account's events go;
//! `GET /_standin/deliveries` lists what was sent and how the endpoint answered.

mod setup_intents;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// The API version the objects are shaped by (the one async-stripe 1.0.0-rc.10 is generated
/// from).
pub const API_VERSION: &str = "2025-10-29.clover";

/// The Stripe.js stand-in, served at `/v3/`.
const STRIPE_JS: &str = include_str!("stripe.js");

#[derive(Clone)]
struct Intent {
    id: String,
    /// The secret key it was created with: only that account sees it.
    account: String,
    amount: i64,
    currency: String,
    description: Option<String>,
    metadata: BTreeMap<String, String>,
    client_secret: String,
    status: &'static str,
    automatic: bool,
    method_types: Vec<String>,
    /// Its payment method, once confirmed: id and type.
    payment_method: Option<(String, String)>,
    last_error: Option<Value>,
    /// The page the payer must visit (3-D Secure, a bank).
    redirect: Option<String>,
    return_url: Option<String>,
    amount_received: i64,
    refunded: i64,
    created: i64,
    canceled_at: Option<i64>,
    latest_charge: Option<String>,
    /// The Customer it charges a saved method of.
    customer: Option<String>,
}

impl Intent {
    fn livemode(&self) -> bool {
        self.account.contains("_live_")
    }
}

struct Endpoint {
    account: String,
    url: String,
    secret: String,
}

#[derive(Clone, serde::Serialize)]
pub struct Delivery {
    pub event: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    /// The endpoint's last answer (0: not reached).
    pub status: u16,
    pub attempts: u32,
}

#[derive(Default)]
struct World {
    intents: HashMap<String, Intent>,
    refunds: HashMap<String, Value>,
    /// Chargebacks (Stripe's disputes), as Stripe shows them.
    disputes: HashMap<String, Value>,
    /// Customers by id: the secret key they were made with, and as Stripe shows them.
    customers: HashMap<String, (String, Value)>,
    setups: HashMap<String, setup_intents::Setup>,
    /// Payment methods saved by a SetupIntent.
    methods: HashMap<String, setup_intents::Method>,
    /// (secret key, method and path, Idempotency-Key) → the first answer.
    idempotent: HashMap<(String, String, String), (u16, Value)>,
    endpoints: Vec<Endpoint>,
    deliveries: Vec<Delivery>,
}

#[derive(Clone)]
struct Shared {
    world: Arc<Mutex<World>>,
    /// This stand-in's own address, for the pages it sends payers to.
    base: String,
    http: reqwest::Client,
}

impl Shared {
    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running stand-in.
pub struct StandIn {
    /// Its address, `http://127.0.0.1:PORT/` (what Kassa's `KASSA_STRIPE_API_URL` is set to).
    pub url: String,
    shared: Shared,
}

impl StandIn {
    /// Starts a stand-in on a free local port.
    pub async fn start() -> anyhow::Result<StandIn> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        StandIn::serve(listener).await
    }

    /// Serves on `listener` in the background.
    pub async fn serve(listener: tokio::net::TcpListener) -> anyhow::Result<StandIn> {
        let url = format!("http://{}/", listener.local_addr()?);
        let shared = Shared {
            world: Arc::default(),
            base: url.clone(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
        };
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StandIn { url, shared })
    }

    /// Where `secret_key`'s events go, signed with `secret` (the Dashboard's "add endpoint").
    pub fn add_webhook_endpoint(&self, secret_key: &str, url: &str, secret: &str) {
        self.shared.world().endpoints.push(Endpoint {
            account: secret_key.into(),
            url: url.into(),
            secret: secret.into(),
        });
    }

    /// Every event sent so far, with how its endpoint answered.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.world().deliveries.clone()
    }

    /// A PaymentIntent's status now, as Stripe would report it.
    pub fn status(&self, intent: &str) -> Option<String> {
        self.shared.world().intents.get(intent).map(|i| i.status.to_string())
    }

    /// What the payer's browser does with Stripe.js: confirms `intent` with its client
    /// secret and a payment method (`card` with `number`, `ideal`, `bancontact`,
    /// `sepa_debit` with `iban`), returning Stripe's answer (status, body).
    pub async fn confirm(&self, intent: &str, form: &[(&str, &str)]) -> anyhow::Result<(u16, Value)> {
        self.post_form(&format!("v1/payment_intents/{intent}/confirm"), form).await
    }

    /// What Stripe.js does with an IBAN typed into the Payment Element of a mandate's form:
    /// confirms SetupIntent `setup` with its client secret (`client_secret`,
    /// `payment_method_data[type]=sepa_debit`, `payment_method_data[sepa_debit][iban]`).
    pub async fn confirm_setup(&self, setup: &str, form: &[(&str, &str)]) -> anyhow::Result<(u16, Value)> {
        self.post_form(&format!("v1/setup_intents/{setup}/confirm"), form).await
    }

    /// Posts `form` to `path` as the browser's Stripe.js does; Stripe's answer (status, body).
    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> anyhow::Result<(u16, Value)> {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let response = self
            .shared
            .http
            .post(format!("{}{path}", self.url))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.json().await?))
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/v1/payment_intents", post(create_intent))
        .route("/v1/payment_intents/{id}", get(retrieve_intent))
        .route("/v1/payment_intents/{id}/confirm", post(confirm_intent))
        .route("/v1/payment_intents/{id}/cancel", post(cancel_intent))
        .route("/v1/customers", post(setup_intents::create_customer))
        .route("/v1/setup_intents", post(setup_intents::create_setup))
        .route("/v1/setup_intents/{id}", get(setup_intents::retrieve_setup))
        .route("/v1/setup_intents/{id}/confirm", post(setup_intents::confirm_setup))
        .route("/v1/refunds", post(create_refund))
        .route("/v1/refunds/{id}", get(retrieve_refund))
        .route("/v3/", get(stripe_js))
        .route("/_standin/authenticate/{id}", get(authenticate_page).post(authenticate))
        .route("/_standin/payment_intents/{id}/settle", post(settle))
        .route("/_standin/payment_intents/{id}/dispute", post(open_dispute))
        .route("/_standin/disputes/{id}/close", post(close_dispute))
        .route("/_standin/webhook_endpoints", post(add_endpoint))
        .route("/_standin/deliveries", get(list_deliveries))
        // Stripe.js calls the API from the merchant's pages, as it does api.stripe.com.
        .layer(tower_http::cors::CorsLayer::permissive())
        .with_state(shared)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", &uuid::Uuid::new_v4().simple().to_string()[..24])
}

/// Stripe's error object and status.
fn error(status: StatusCode, kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> Response {
    let mut body = json!({ "type": kind, "message": message });
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    if let Some(param) = param {
        body["param"] = json!(param);
    }
    (status, Json(json!({ "error": body }))).into_response()
}

fn invalid(message: &str, param: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request_error", Some("parameter_invalid"), message, Some(param))
}

fn no_such(kind: &str, id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some("resource_missing"),
        &format!("No such {kind}: '{id}'"),
        Some("id"),
    )
}

/// The secret key of a server-side request (`Authorization: Bearer sk_...`), as Stripe
/// checks it.
#[allow(clippy::result_large_err)]
fn secret_key(headers: &HeaderMap) -> Result<String, Response> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    match key {
        Some(key) if key.starts_with("sk_") || key.starts_with("rk_") => Ok(key),
        Some(key) => Err(error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            &format!("Invalid API Key provided: {}***", key.chars().take(8).collect::<String>()),
            None,
        )),
        None => {
            Err(error(StatusCode::UNAUTHORIZED, "invalid_request_error", None, "You did not provide an API key.", None))
        }
    }
}

/// A form body as Stripe reads one: `a=1&metadata[k]=v&list[0]=x&list[]=y`.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `name[key]=value` pairs.
    fn map(&self, name: &str) -> BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(k, v)| {
                let inner = k.strip_prefix(name)?.strip_prefix('[')?.strip_suffix(']')?;
                (!inner.is_empty() && inner.parse::<usize>().is_err()).then(|| (inner.to_string(), v.clone()))
            })
            .collect()
    }

    /// `name[0]=a&name[1]=b` or `name[]=a&name[]=b`.
    fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| {
                k.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('['))
                    .and_then(|rest| rest.strip_suffix(']'))
                    .is_some_and(|inner| inner.is_empty() || inner.parse::<usize>().is_ok())
            })
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The methods Stripe offers with automatic payment methods, by currency, as a Dashboard with
/// them enabled does.
fn automatic_methods(currency: &str) -> Vec<String> {
    let methods: &[&str] = match currency {
        "eur" => &["card", "ideal", "sepa_debit", "bancontact"],
        "dkk" => &["card", "mobilepay"],
        _ => &["card"],
    };
    methods.iter().map(|m| m.to_string()).collect()
}

fn intent_json(intent: &Intent, expand_method: bool) -> Value {
    let payment_method = intent.payment_method.as_ref().map(|(id, kind)| {
        if !expand_method {
            return json!(id);
        }
        let mut method = json!({
            "id": id, "object": "payment_method", "type": kind, "created": intent.created,
            "livemode": intent.livemode(), "customer": null, "metadata": {}, "allow_redisplay": "unspecified",
            "billing_details": { "address": null, "email": null, "name": null, "phone": null, "tax_id": null },
        });
        // The method's own details, as Stripe describes each (a card's brand and last digits).
        method[kind.as_str()] = match kind.as_str() {
            "card" => json!({ "brand": "visa", "country": "US", "exp_month": 12, "exp_year": 2034,
                "funding": "credit", "last4": "4242", "display_brand": "visa", "networks": null,
                "checks": null, "wallet": null, "three_d_secure_usage": { "supported": true } }),
            "sepa_debit" => json!({ "bank_code": "37040044", "branch_code": null, "country": "DE",
                "fingerprint": "standin", "last4": "3000", "generated_from": null }),
            _ => json!({}),
        };
        method
    });
    let next_action = intent.redirect.as_ref().map(
        |url| json!({ "type": "redirect_to_url", "redirect_to_url": { "url": url, "return_url": intent.return_url } }),
    );
    json!({
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": 0,
        "amount_details": { "tip": {} },
        "amount_received": intent.amount_received,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": if intent.automatic { json!({ "allow_redirects": "always", "enabled": true }) } else { Value::Null },
        "canceled_at": intent.canceled_at,
        "cancellation_reason": if intent.canceled_at.is_some() { json!("requested_by_customer") } else { Value::Null },
        "capture_method": "automatic_async",
        "client_secret": intent.client_secret,
        "confirmation_method": "automatic",
        "created": intent.created,
        "currency": intent.currency,
        "customer": intent.customer,
        "description": intent.description,
        "excluded_payment_method_types": null,
        "last_payment_error": intent.last_error,
        "latest_charge": intent.latest_charge,
        "livemode": intent.livemode(),
        "metadata": intent.metadata,
        "next_action": next_action,
        "on_behalf_of": null,
        "payment_method": payment_method,
        "payment_method_configuration_details": null,
        "payment_method_options": {},
        "payment_method_types": intent.method_types,
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": intent.status,
        "transfer_data": null,
        "transfer_group": null,
    })
}

/// Answers a repeated `Idempotency-Key` with the first answer, or runs `make` and keeps it.
fn idempotent(
    shared: &Shared,
    account: &str,
    route: &str,
    headers: &HeaderMap,
    make: impl FnOnce(&mut World) -> (u16, Value),
) -> Response {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut world = shared.world();
    let slot = key.map(|k| (account.to_string(), route.to_string(), k));
    let (status, body) = match slot.as_ref().and_then(|s| world.idempotent.get(s)) {
        Some(seen) => seen.clone(),
        None => {
            let answer = make(&mut world);
            if let Some(slot) = slot {
                world.idempotent.insert(slot, answer.clone());
            }
            answer
        }
    };
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), Json(body)).into_response();
    response.headers_mut().insert("request-id", header::HeaderValue::from_static("req_standin"));
    response
}

async fn create_intent(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match secret_key(&headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = Form::parse(&body);
    let Some(amount) = form.get("amount").and_then(|a| a.parse::<i64>().ok()).filter(|a| *a > 0) else {
        return invalid("Missing required param: amount.", "amount");
    };
    let Some(currency) = form.get("currency").filter(|c| c.len() == 3).map(str::to_ascii_lowercase) else {
        return invalid("Missing required param: currency.", "currency");
    };
    let automatic = form.get("automatic_payment_methods[enabled]") == Some("true");
    // `allowed_payment_method_types` since API version 2025-10-29; `payment_method_types` before.
    let mut listed = form.list("allowed_payment_method_types");
    listed.extend(form.list("payment_method_types"));
    if automatic && !listed.is_empty() {
        return invalid(
            "You may only specify one of these parameters: automatic_payment_methods, allowed_payment_method_types.",
            "automatic_payment_methods",
        );
    }
    let listed_given = !listed.is_empty();
    let method_types = if listed_given { listed } else { automatic_methods(&currency) };
    // Confirmed at once with a saved method (off session): collected without the payer.
    let confirm = form.get("confirm") == Some("true");
    let saved = match setup_intents::saved_method(&shared.world(), &account, &form) {
        Ok(saved) => saved,
        Err(response) => return response,
    };
    if confirm && saved.is_none() {
        return invalid("confirm=true needs a payment_method here.", "payment_method");
    }
    if saved.as_ref().is_some_and(|m| !method_types.contains(&m.kind)) {
        return invalid("The PaymentMethod's type is not allowed for this PaymentIntent.", "payment_method");
    }
    let mut confirmed = None;
    let route = "POST /v1/payment_intents";
    let response = idempotent(&shared, &account.clone(), route, &headers, |world| {
        let id = new_id("pi");
        let intent = Intent {
            client_secret: format!("{id}_secret_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]),
            id: id.clone(),
            account,
            amount,
            currency,
            description: form.get("description").map(str::to_string),
            metadata: form.map("metadata"),
            status: "requires_payment_method",
            // Stripe's default is automatic payment methods when no types are listed.
            automatic: automatic || !listed_given,
            method_types,
            payment_method: None,
            last_error: None,
            redirect: None,
            return_url: None,
            amount_received: 0,
            refunded: 0,
            created: now(),
            canceled_at: None,
            latest_charge: None,
            customer: form.get("customer").map(str::to_string),
        };
        let mut intent = intent;
        if let (true, Some(method)) = (confirm, &saved) {
            intent.payment_method = form.get("payment_method").map(|id| (id.to_string(), method.kind.clone()));
            match method.kind.as_str() {
                "sepa_debit" => intent.status = "processing",
                _ => succeed(&mut intent),
            }
            confirmed = Some(intent.clone());
        }
        let body = intent_json(&intent, false);
        world.intents.insert(id, intent);
        (200, body)
    });
    if let Some(intent) = confirmed {
        send_event(&shared, &intent);
    }
    response
}

async fn retrieve_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    // The browser (Stripe.js) reads it with its client secret, the server with the key.
    let client_secret = query.iter().find(|(k, _)| k == "client_secret").map(|(_, v)| v.clone());
    let account = match (secret_key(&headers), client_secret) {
        (Ok(account), _) => Some(account),
        (Err(_), Some(_)) => None,
        (Err(response), None) => return response,
    };
    let secret = query.iter().find(|(k, _)| k == "client_secret").map(|(_, v)| v.as_str());
    let expand = query.iter().any(|(k, v)| k.starts_with("expand") && v == "payment_method");
    let world = shared.world();
    let visible = |i: &&Intent| match &account {
        Some(account) => &i.account == account,
        None => Some(i.client_secret.as_str()) == secret,
    };
    match world.intents.get(&id).filter(visible) {
        Some(intent) => Json(intent_json(intent, expand)).into_response(),
        None => no_such("payment_intent", &id),
    }
}

/// The outcome of confirming with a payment method, by Stripe's test cards and methods.
enum Outcome {
    Succeed,
    Authenticate,
    Decline(&'static str, &'static str),
    Process,
}

#[allow(clippy::result_large_err)]
fn outcome_of(form: &Form) -> Result<(String, Outcome), Response> {
    let kind = form.get("payment_method_data[type]").unwrap_or("card").to_string();
    let outcome = match kind.as_str() {
        "card" => {
            let number: String = form
                .get("payment_method_data[card][number]")
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            match number.as_str() {
                "4242424242424242" | "5555555555554444" => Outcome::Succeed,
                "4000002760003184" | "4000002500003155" => Outcome::Authenticate,
                "4000000000000002" => Outcome::Decline("card_declined", "generic_decline"),
                "4000000000009995" => Outcome::Decline("card_declined", "insufficient_funds"),
                "4000000000000069" => Outcome::Decline("expired_card", "expired_card"),
                _ => {
                    return Err(error(
                        StatusCode::PAYMENT_REQUIRED,
                        "card_error",
                        Some("incorrect_number"),
                        "Your card number is incorrect.",
                        Some("number"),
                    ))
                }
            }
        }
        "ideal" | "bancontact" | "mobilepay" => Outcome::Authenticate,
        "sepa_debit" => Outcome::Process,
        other => {
            return Err(invalid(&format!("Invalid payment_method_data[type]: {other}"), "payment_method_data[type]"))
        }
    };
    Ok((kind, outcome))
}

/// What Stripe says to a declined card, by decline code.
fn decline_message(decline_code: &str) -> &'static str {
    match decline_code {
        "insufficient_funds" => "Your card has insufficient funds.",
        "expired_card" => "Your card has expired.",
        _ => "Your card was declined.",
    }
}

async fn confirm_intent(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let answer = {
        let mut world = shared.world();
        let Some(intent) = world.intents.get_mut(&id) else {
            return no_such("payment_intent", &id);
        };
        // The browser (Stripe.js) confirms with the client secret, the server with the key.
        let by_browser = form.get("client_secret") == Some(intent.client_secret.as_str());
        if !by_browser && secret_key(&headers).ok().as_deref() != Some(intent.account.as_str()) {
            return no_such("payment_intent", &id);
        }
        if !matches!(intent.status, "requires_payment_method" | "requires_confirmation") {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("payment_intent_unexpected_state"),
                &format!("This PaymentIntent's status is {}: it cannot be confirmed.", intent.status),
                None,
            );
        }
        let (kind, outcome) = match outcome_of(&form) {
            Ok(found) => found,
            Err(response) => return response,
        };
        if !intent.method_types.contains(&kind) {
            return invalid(
                &format!("The payment method type \"{kind}\" is not allowed for this PaymentIntent."),
                "payment_method_data[type]",
            );
        }
        intent.return_url = form.get("return_url").map(str::to_string);
        intent.payment_method = Some((new_id("pm"), kind.clone()));
        intent.last_error = None;
        let mut status = 200;
        match outcome {
            Outcome::Succeed => succeed(intent),
            Outcome::Process => intent.status = "processing",
            Outcome::Authenticate => {
                if intent.return_url.is_none() {
                    return invalid(
                        "A return_url must be specified because this payment method requires a redirect.",
                        "return_url",
                    );
                }
                intent.status = "requires_action";
                intent.redirect = Some(format!("{}_standin/authenticate/{}", shared.base, intent.id));
            }
            Outcome::Decline(code, decline_code) => {
                decline(intent, code, decline_code);
                status = 402;
            }
        }
        let intent = intent.clone();
        if status == 402 {
            // Stripe answers a decline with the card error, the PaymentIntent inside it.
            let mut error = intent.last_error.clone().unwrap_or(Value::Null);
            error["payment_intent"] = intent_json(&intent, false);
            (status, json!({ "error": error }), intent)
        } else {
            (status, intent_json(&intent, false), intent)
        }
    };
    let (status, body, intent) = answer;
    send_event(&shared, &intent);
    (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), Json(body)).into_response()
}

fn succeed(intent: &mut Intent) {
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    intent.redirect = None;
    intent.latest_charge = Some(new_id("ch"));
}

fn decline(intent: &mut Intent, code: &str, decline_code: &str) {
    intent.status = "requires_payment_method";
    intent.redirect = None;
    let charge = new_id("ch");
    intent.latest_charge = Some(charge.clone());
    intent.last_error = Some(json!({
        "type": "card_error",
        "code": code,
        "decline_code": decline_code,
        "charge": charge,
        "message": decline_message(decline_code),
        "doc_url": format!("https://stripe.com/docs/error-codes/{code}"),
        "payment_method_type": intent.payment_method.as_ref().map(|(_, kind)| kind.clone()),
    }));
}

async fn cancel_intent(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let account = match secret_key(&headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let intent = {
        let mut world = shared.world();
        let Some(intent) = world.intents.get_mut(&id).filter(|i| i.account == account) else {
            return no_such("payment_intent", &id);
        };
        if matches!(intent.status, "succeeded" | "canceled" | "processing") {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("payment_intent_unexpected_state"),
                &format!("You cannot cancel this PaymentIntent because it has a status of {}.", intent.status),
                None,
            );
        }
        intent.status = "canceled";
        intent.redirect = None;
        intent.canceled_at = Some(now());
        intent.clone()
    };
    send_event(&shared, &intent);
    Json(intent_json(&intent, false)).into_response()
}

fn refund_json(id: &str, intent: &Intent, amount: i64, metadata: &BTreeMap<String, String>) -> Value {
    json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": null,
        "charge": intent.latest_charge,
        "created": now(),
        "currency": intent.currency,
        "destination_details": null,
        "metadata": metadata,
        "payment_intent": intent.id,
        "reason": null,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": null,
    })
}

async fn create_refund(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match secret_key(&headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = Form::parse(&body);
    let Some(intent_id) = form.get("payment_intent").map(str::to_string) else {
        return invalid(
            "One of the following params should be provided for this request: payment_intent or charge.",
            "payment_intent",
        );
    };
    let requested = form.get("amount").map(|a| a.parse::<i64>());
    let mut refunded = None;
    let response = idempotent(&shared, &account.clone(), "POST /v1/refunds", &headers, |world| {
        let Some(intent) = world.intents.get_mut(&intent_id).filter(|i| i.account == account) else {
            return (
                404,
                json!({ "error": { "type": "invalid_request_error", "code": "resource_missing",
                "message": format!("No such payment_intent: '{intent_id}'"), "param": "payment_intent" } }),
            );
        };
        if intent.status != "succeeded" {
            return (
                400,
                json!({ "error": { "type": "invalid_request_error", "code": "charge_not_refundable",
                "message": "This PaymentIntent does not have a successful charge to refund." } }),
            );
        }
        let left = intent.amount_received - intent.refunded;
        let amount = match requested {
            None => left,
            Some(Ok(amount)) if amount > 0 && amount <= left => amount,
            Some(_) => {
                return (
                    400,
                    json!({ "error": { "type": "invalid_request_error", "code": "amount_too_large",
                    "param": "amount", "message": format!("Refund amount is greater than unrefunded amount on charge ({left}).") } }),
                )
            }
        };
        intent.refunded += amount;
        let id = new_id("re");
        let body = refund_json(&id, intent, amount, &form.map("metadata"));
        world.refunds.insert(id, body.clone());
        refunded = Some(body.clone());
        (200, body)
    });
    if let Some(refund) = refunded {
        deliver(&shared, &account, "refund.created", refund);
    }
    response
}

async fn retrieve_refund(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Err(response) = secret_key(&headers) {
        return response;
    }
    match shared.world().refunds.get(&id) {
        Some(refund) => Json(refund.clone()).into_response(),
        None => no_such("refund", &id),
    }
}

async fn stripe_js() -> Response {
    ([(header::CONTENT_TYPE, "application/javascript; charset=utf-8")], STRIPE_JS).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Stripe's page for 3-D Secure or a bank's approval: the payer completes or fails it.
async fn authenticate_page(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let world = shared.world();
    let Some(intent) = world.intents.get(&id).filter(|i| i.status == "requires_action") else {
        return (StatusCode::NOT_FOUND, "No payment is waiting here.").into_response();
    };
    let kind = intent.payment_method.as_ref().map(|(_, k)| k.as_str()).unwrap_or("card");
    let title = if kind == "card" { "3D Secure 2 Test Page" } else { "Test bank page" };
    Html(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>{title}</title></head><body><main>\
         <h1>{title}</h1><p>{} {} for {}</p>\
         <form method=post><button name=outcome value=complete>Complete</button>\
         <button name=outcome value=fail>Fail</button></form></main></body></html>",
        intent.amount,
        escape(&intent.currency),
        escape(intent.description.as_deref().unwrap_or("")),
    ))
    .into_response()
}

async fn authenticate(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let intent = {
        let mut world = shared.world();
        let Some(intent) = world.intents.get_mut(&id).filter(|i| i.status == "requires_action") else {
            return (StatusCode::NOT_FOUND, "No payment is waiting here.").into_response();
        };
        if form.get("outcome") == Some("complete") {
            if intent.payment_method.as_ref().is_some_and(|(_, k)| k == "sepa_debit") {
                intent.status = "processing";
                intent.redirect = None;
            } else {
                succeed(intent);
            }
        } else {
            intent.status = "requires_payment_method";
            intent.redirect = None;
            intent.last_error = Some(json!({
                "type": "invalid_request_error",
                "code": "payment_intent_authentication_failure",
                "message": "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
                "payment_method_type": intent.payment_method.as_ref().map(|(_, kind)| kind.clone()),
            }));
        }
        intent.clone()
    };
    send_event(&shared, &intent);
    let redirect_status = if intent.status == "requires_payment_method" { "failed" } else { "succeeded" };
    let Some(return_url) = intent.return_url.clone() else {
        return Html("Done: this payment had no return_url.").into_response();
    };
    let mut url = match url::Url::parse(&return_url) {
        Ok(url) => url,
        Err(_) => return (StatusCode::BAD_REQUEST, "The return_url is not a URL.").into_response(),
    };
    url.query_pairs_mut()
        .append_pair("payment_intent", &intent.id)
        .append_pair("payment_intent_client_secret", &intent.client_secret)
        .append_pair("redirect_status", redirect_status);
    Redirect::to(url.as_str()).into_response()
}

#[derive(serde::Deserialize)]
struct SettleForm {
    outcome: String,
}

/// A processing payment (a direct debit) settles: the money arrived, or the bank refused.
async fn settle(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
    let Ok(form) = serde_json::from_slice::<SettleForm>(&body)
        .or_else(|_| Form::parse(&body).get("outcome").map(|o| SettleForm { outcome: o.to_string() }).ok_or(()))
    else {
        return invalid("outcome is succeeded or failed", "outcome");
    };
    let intent = {
        let mut world = shared.world();
        let Some(intent) = world.intents.get_mut(&id).filter(|i| i.status == "processing") else {
            return no_such("processing payment_intent", &id);
        };
        match form.outcome.as_str() {
            "succeeded" => succeed(intent),
            "failed" => {
                let kind = intent.payment_method.as_ref().map(|(_, k)| k.clone());
                decline(intent, "payment_method_provider_decline", "insufficient_funds");
                if let Some(error) = intent.last_error.as_mut() {
                    error["type"] = json!("invalid_request_error");
                    error["payment_method_type"] = json!(kind);
                }
            }
            _ => return invalid("outcome is succeeded or failed", "outcome"),
        }
        intent.clone()
    };
    send_event(&shared, &intent);
    Json(intent_json(&intent, false)).into_response()
}

/// The payer's bank takes a succeeded payment back (a dispute, in Stripe's words).
async fn open_dispute(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let (account, dispute) = {
        let mut world = shared.world();
        let Some(intent) = world.intents.get(&id).filter(|i| i.status == "succeeded").cloned() else {
            return no_such("succeeded payment_intent", &id);
        };
        let dispute_id = new_id("du");
        let dispute = json!({
            "id": dispute_id,
            "object": "dispute",
            "amount": intent.amount_received - intent.refunded,
            "balance_transactions": [],
            "charge": intent.latest_charge,
            "created": now(),
            "currency": intent.currency,
            "enhanced_eligibility_types": [],
            "evidence": { "enhanced_evidence": {}, "customer_name": null, "uncategorized_text": null },
            "evidence_details": { "due_by": now() + 7 * 86_400, "enhanced_eligibility": {}, "has_evidence": false,
                "past_due": false, "submission_count": 0 },
            "is_charge_refundable": false,
            "livemode": intent.livemode(),
            "metadata": {},
            "network_reason_code": "10.4",
            "payment_intent": intent.id,
            "payment_method_details": null,
            "reason": "fraudulent",
            "status": "needs_response",
        });
        world.disputes.insert(dispute_id, dispute.clone());
        (intent.account, dispute)
    };
    deliver(&shared, &account, "charge.dispute.created", dispute.clone());
    Json(dispute).into_response()
}

/// The bank decides a chargeback: `won` (the money comes back to the merchant) or `lost`.
async fn close_dispute(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let outcome = match form.get("outcome") {
        Some(o @ ("won" | "lost")) => o.to_string(),
        _ => return invalid("outcome is won or lost", "outcome"),
    };
    let (account, dispute) = {
        let mut world = shared.world();
        let Some(dispute) = world.disputes.get_mut(&id) else {
            return no_such("dispute", &id);
        };
        dispute["status"] = json!(outcome);
        let dispute = dispute.clone();
        let intent = dispute["payment_intent"].as_str().unwrap_or_default().to_string();
        let Some(account) = world.intents.get(&intent).map(|i| i.account.clone()) else {
            return no_such("payment_intent", &intent);
        };
        (account, dispute)
    };
    deliver(&shared, &account, "charge.dispute.closed", dispute.clone());
    Json(dispute).into_response()
}

#[derive(serde::Deserialize)]
struct EndpointForm {
    secret_key: String,
    url: String,
    secret: String,
}

async fn add_endpoint(State(shared): State<Shared>, Json(form): Json<EndpointForm>) -> StatusCode {
    shared.world().endpoints.push(Endpoint { account: form.secret_key, url: form.url, secret: form.secret });
    StatusCode::NO_CONTENT
}

async fn list_deliveries(State(shared): State<Shared>) -> Json<Vec<Delivery>> {
    Json(shared.world().deliveries.clone())
}

/// The event for where `intent` is now.
fn send_event(shared: &Shared, intent: &Intent) {
    let kind = match (intent.status, &intent.last_error) {
        ("succeeded", _) => "payment_intent.succeeded",
        ("processing", _) => "payment_intent.processing",
        ("requires_action", _) => "payment_intent.requires_action",
        ("canceled", _) => "payment_intent.canceled",
        ("requires_payment_method", Some(_)) => "payment_intent.payment_failed",
        _ => return,
    };
    deliver(shared, &intent.account, kind, intent_json(intent, false));
}

/// Stripe's signature header for `body` with `secret` at `timestamp`.
pub fn sign(secret: &str, body: &[u8], timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// An event about `object`, to every endpoint of `account`, after the current response, each
/// tried up to three times, as Stripe retries.
fn deliver(shared: &Shared, account: &str, kind: &str, object: Value) {
    let event = json!({
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now(),
        "data": { "object": object },
        "livemode": account.contains("_live_"),
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    });
    let body = event.to_string();
    let event_id = event["id"].as_str().unwrap_or_default().to_string();
    let targets: Vec<(String, String, usize)> = {
        let mut world = shared.world();
        let targets: Vec<(String, String)> = world
            .endpoints
            .iter()
            .filter(|e| e.account == account)
            .map(|e| (e.url.clone(), e.secret.clone()))
            .collect();
        targets
            .into_iter()
            .map(|(url, secret)| {
                world.deliveries.push(Delivery {
                    event: event_id.clone(),
                    kind: kind.to_string(),
                    url: url.clone(),
                    status: 0,
                    attempts: 0,
                });
                (url, secret, world.deliveries.len() - 1)
            })
            .collect()
    };
    for (url, secret, slot) in targets {
        let shared = shared.clone();
        let body = body.clone();
        tokio::spawn(async move {
            for attempt in 1..=3u32 {
                let answer = shared
                    .http
                    .post(&url)
                    .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                    .header(header::USER_AGENT, "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                    .header("stripe-signature", sign(&secret, body.as_bytes(), now()))
                    .body(body.clone())
                    .send()
                    .await;
                let status = answer.map(|r| r.status().as_u16()).unwrap_or(0);
                if let Some(delivery) = shared.world().deliveries.get_mut(slot) {
                    delivery.status = status;
                    delivery.attempts = attempt;
                }
                if (200..300).contains(&status) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
        });
    }
}
