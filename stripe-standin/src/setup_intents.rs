//! SetupIntents and Customers, as Kassa sets up a SEPA Direct Debit mandate with them: a
//! Customer for the payer, a SetupIntent (`usage=off_session`, SEPA Direct Debit) confirmed in
//! the browser by Stripe.js with the payer's IBAN, after which the PaymentMethod is attached to
//! the Customer with its mandate, and PaymentIntents created with `confirm=true`,
//! `off_session=true` and that method are collected without the payer (`processing`, as a
//! direct debit is for days, until a test settles it).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{deliver, error, idempotent, invalid, new_id, no_such, now, secret_key, Form, Shared};

#[derive(Clone)]
pub(crate) struct Setup {
    id: String,
    account: String,
    customer: Option<String>,
    client_secret: String,
    status: &'static str,
    description: Option<String>,
    metadata: std::collections::BTreeMap<String, String>,
    payment_method: Option<String>,
    mandate: Option<String>,
    last_error: Option<Value>,
    created: i64,
}

/// A saved payment method: whose it is and what it is.
#[derive(Clone)]
pub(crate) struct Method {
    pub account: String,
    pub customer: String,
    pub kind: String,
    pub last4: String,
}

fn livemode(account: &str) -> bool {
    account.contains("_live_")
}

/// A PaymentMethod as Stripe's API reference shows one.
pub(crate) fn method_json(id: &str, method: &Method, created: i64) -> Value {
    let mut json = json!({
        "id": id, "object": "payment_method", "type": method.kind, "created": created,
        "livemode": livemode(&method.account), "customer": method.customer, "metadata": {},
        "allow_redisplay": "unspecified",
        "billing_details": { "address": null, "email": null, "name": null, "phone": null, "tax_id": null },
    });
    json[method.kind.as_str()] = json!({ "bank_code": "19043", "branch_code": null, "country": "AT",
        "fingerprint": "standin", "last4": method.last4, "generated_from": null });
    json
}

fn setup_json(setup: &Setup, methods: &std::collections::HashMap<String, Method>, expand: bool) -> Value {
    let payment_method = setup.payment_method.as_ref().map(|id| match methods.get(id) {
        Some(method) if expand => method_json(id, method, setup.created),
        _ => json!(id),
    });
    json!({
        "id": setup.id,
        "object": "setup_intent",
        "application": null,
        "automatic_payment_methods": null,
        "cancellation_reason": null,
        "client_secret": setup.client_secret,
        "created": setup.created,
        "customer": setup.customer,
        "description": setup.description,
        "flow_directions": null,
        "last_setup_error": setup.last_error,
        "latest_attempt": null,
        "livemode": livemode(&setup.account),
        "mandate": setup.mandate,
        "metadata": setup.metadata,
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": payment_method,
        "payment_method_configuration_details": null,
        "payment_method_options": null,
        "payment_method_types": ["sepa_debit"],
        "single_use_mandate": null,
        "status": setup.status,
        "usage": "off_session",
    })
}

pub(crate) async fn create_customer(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match secret_key(&headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = Form::parse(&body);
    idempotent(&shared, &account.clone(), "POST /v1/customers", &headers, move |world| {
        let id = new_id("cus");
        let customer = json!({
            "id": id, "object": "customer", "address": null, "balance": 0, "created": now(), "currency": null,
            "default_source": null, "delinquent": false, "description": null, "discount": null,
            "email": form.get("email"), "invoice_prefix": "STANDIN", "livemode": livemode(&account),
            "metadata": form.map("metadata"), "name": form.get("name"), "next_invoice_sequence": 1,
            "phone": null, "preferred_locales": [], "shipping": null, "tax_exempt": "none", "test_clock": null,
        });
        world.customers.insert(id, (account, customer.clone()));
        (200, customer)
    })
}

pub(crate) async fn create_setup(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match secret_key(&headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let form = Form::parse(&body);
    let mut types = form.list("allowed_payment_method_types");
    types.extend(form.list("payment_method_types"));
    if types != ["sepa_debit"] {
        return invalid("This stand-in sets up SEPA Direct Debit only.", "allowed_payment_method_types");
    }
    let customer = form.get("customer").map(str::to_string);
    if let Some(id) = &customer {
        if shared.world().customers.get(id).is_none_or(|(owner, _)| owner != &account) {
            return no_such("customer", id);
        }
    }
    if form.get("usage") != Some("off_session") {
        return invalid("Kassa collects later: usage must be off_session.", "usage");
    }
    idempotent(&shared, &account.clone(), "POST /v1/setup_intents", &headers, move |world| {
        let id = new_id("seti");
        let setup = Setup {
            client_secret: format!("{id}_secret_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]),
            id: id.clone(),
            account,
            customer,
            status: "requires_payment_method",
            description: form.get("description").map(str::to_string),
            metadata: form.map("metadata"),
            payment_method: None,
            mandate: None,
            last_error: None,
            created: now(),
        };
        let body = setup_json(&setup, &world.methods, false);
        world.setups.insert(id, setup);
        (200, body)
    })
}

pub(crate) async fn retrieve_setup(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let secret = query.iter().find(|(k, _)| k == "client_secret").map(|(_, v)| v.as_str());
    let account = secret_key(&headers).ok();
    if account.is_none() && secret.is_none() {
        return secret_key(&headers).err().unwrap_or_else(|| no_such("setup_intent", &id));
    }
    let expand = query.iter().any(|(k, v)| k.starts_with("expand") && v == "payment_method");
    let world = shared.world();
    let visible = |s: &&Setup| match &account {
        Some(account) => &s.account == account,
        None => Some(s.client_secret.as_str()) == secret,
    };
    match world.setups.get(&id).filter(visible) {
        Some(setup) => Json(setup_json(setup, &world.methods, expand)).into_response(),
        None => no_such("setup_intent", &id),
    }
}

/// Stripe.js confirms with the client secret and the IBAN typed into the Payment Element.
pub(crate) async fn confirm_setup(State(shared): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
    let form = Form::parse(&body);
    let (setup, body) = {
        let mut world = shared.world();
        let Some(setup) = world.setups.get(&id).cloned() else { return no_such("setup_intent", &id) };
        if form.get("client_secret") != Some(setup.client_secret.as_str()) {
            return no_such("setup_intent", &id);
        }
        if setup.status != "requires_payment_method" {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("setup_intent_unexpected_state"),
                &format!("This SetupIntent's status is {}: it cannot be confirmed.", setup.status),
                None,
            );
        }
        if form.get("payment_method_data[type]") != Some("sepa_debit") {
            return invalid("This SetupIntent takes SEPA Direct Debit only.", "payment_method_data[type]");
        }
        let iban: String = form
            .get("payment_method_data[sepa_debit][iban]")
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let plausible = iban.len() >= 15
            && iban.len() <= 34
            && iban[..2].chars().all(|c| c.is_ascii_alphabetic())
            && iban[2..].chars().all(|c| c.is_ascii_alphanumeric());
        if !plausible {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some("invalid_bank_account_iban"),
                "The IBAN you entered is invalid.",
                Some("payment_method_data[sepa_debit][iban]"),
            );
        }
        let method_id = new_id("pm");
        let customer = setup.customer.clone().unwrap_or_default();
        let method = Method {
            account: setup.account.clone(),
            customer,
            kind: "sepa_debit".into(),
            last4: iban[iban.len() - 4..].into(),
        };
        world.methods.insert(method_id.clone(), method);
        let setup = world.setups.get_mut(&id).expect("read above");
        setup.status = "succeeded";
        setup.payment_method = Some(method_id);
        setup.mandate = Some(new_id("mandate"));
        let setup = setup.clone();
        let body = setup_json(&setup, &world.methods, false);
        (setup, body)
    };
    deliver(&shared, &setup.account, "setup_intent.succeeded", body.clone());
    Json(body).into_response()
}

/// What an off-session PaymentIntent is charged with: the saved method, if it is the account's
/// and the customer's.
#[allow(clippy::result_large_err)]
pub(crate) fn saved_method(world: &super::World, account: &str, form: &Form) -> Result<Option<Method>, Response> {
    let Some(id) = form.get("payment_method") else { return Ok(None) };
    let method = world.methods.get(id).filter(|m| m.account == account).cloned();
    let Some(method) = method else { return Err(no_such("payment_method", id)) };
    if form.get("customer") != Some(method.customer.as_str()) {
        return Err(invalid(
            "The provided PaymentMethod belongs to another Customer: pass that Customer.",
            "payment_method",
        ));
    }
    Ok(Some(method))
}
