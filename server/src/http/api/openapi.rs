//! The OpenAPI document made to tell the whole truth. The handlers' `#[utoipa::path]`
//! attributes state each operation's own answers; what every operation shares is stated
//! here, once, from what the API's layers do to every request:
//!
//! - every response has a description (OpenAPI 3.1 requires one), and every operation an id
//!   of its own (the handler's name and its resource: `create_credit_notes`), which client
//!   generators name their functions after;
//! - every operation can answer 401 (no key, or not a valid one), 403 (the key may not do
//!   this) and 429 (over the key's rate limit); one with a query string 400; one with an id in
//!   its path 404; one with a body 404 (a record it names is not the key's), 413 (too large)
//!   and 422, and with a JSON body 400 (not JSON) and 415 (not JSON);
//!   every POST 400 (a malformed `Idempotency-Key`) and 409 (the key reused, or its first
//!   request still running);
//! - no string anywhere may hold a NUL character (PostgreSQL cannot store one; the API refuses
//!   it), stated as a pattern on every string that has none of its own;
//! - a body that names one thing in one of several ways takes exactly one of them
//!   ([`EXACTLY_ONE_OF`]);
//! - the fields of the request bodies carry the rules the services check that a schema can
//!   state ([`field_rules`]): lengths, no blank names and numbers, no control characters, the
//!   shapes of emails, dates, amounts, URLs and IBANs, the known event names and reasons.
//!
//! `openapi-spec-validator` and schemathesis check the result in the test suite
//! (docs/security.md).

use serde_json::{json, Map, Value};

const ERROR: &str = "#/components/schemas/ErrorJson";
/// No NUL anywhere in a string (ECMA-262 and Python regular expressions alike).
const NO_NUL: &str = "^[^\\u0000]*$";

/// Request bodies that name one thing in one of several ways: the handlers take exactly one
/// (none, or two, is `customer_required`, `source_required`, `invoice_required`).
const EXACTLY_ONE_OF: &[(&str, &[&str])] = &[
    ("CreateInvoice", &["customer", "customer_number"]),
    ("CreatePayment", &["customer", "customer_number"]),
    ("CreateCreditNote", &["customer", "customer_number"]),
    ("CreateAllocation", &["payment", "credit_note", "credit_note_number"]),
    ("CreateWriteOff", &["invoice", "invoice_number"]),
];

/// Control characters (Rust's `char::is_control`), which no name or number may hold.
const CONTROL: &str = "\\u0000-\\u001f\\u007f-\\u009f";

/// Text the services trim and then require: not blank, no control character, at most `max`
/// characters.
fn text(max: u32) -> Value {
    json!({ "minLength": 1, "maxLength": max, "pattern": format!("^[^{CONTROL}]*[^\\s{CONTROL}][^{CONTROL}]*$") })
}

/// Optional text: blank is none; no control character, at most `max` characters.
fn optional_text(max: u32) -> Value {
    json!({ "maxLength": max, "pattern": format!("^[^{CONTROL}]*$") })
}

/// `staff::parse_email`: one `@` with something before it, a domain with a dot not at either
/// end, no spaces; blank is none (for the optional addresses this is used on).
fn email() -> Value {
    let c = CONTROL;
    json!({ "maxLength": 254,
            "pattern": format!("^\\s*([^\\s@{c}]+@[^\\s@.{c}][^\\s@{c}]*\\.[^\\s@{c}]*[^\\s@.{c}])?\\s*$") })
}

/// `YYYY-MM-DD`, within the years Kassa computes with (1900-2999).
fn date() -> Value {
    json!({ "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$" })
}

/// An amount as a plain decimal (`1234.50`), more than zero (or any sign when `signed`), with
/// at most `decimals` decimals, within the amount cap (10^15 minor units).
fn amount_with(decimals: u32, signed: bool) -> Value {
    let int = 14 - decimals.min(4);
    let pattern = match (decimals, signed) {
        (0, false) => format!("^\\s*0*[1-9][0-9]{{0,{int}}}\\s*$"),
        (0, true) => format!("^\\s*-?[0-9]{{1,{}}}\\s*$", int + 1),
        (d, false) => {
            // A fraction of up to `d` digits that are not all zero, by where its first non-zero is.
            let fractions: Vec<String> = (0..d).map(|i| format!("0{{{i}}}[1-9][0-9]{{0,{}}}", d - 1 - i)).collect();
            format!("^\\s*(0*[1-9][0-9]{{0,{int}}}(\\.[0-9]{{1,{d}}})?|0*\\.({}))\\s*$", fractions.join("|"))
        }
        (d, true) => format!("^\\s*-?[0-9]{{1,{}}}(\\.[0-9]{{1,{d}}})?\\s*$", int + 1),
    };
    json!({ "pattern": pattern })
}

/// An amount in a currency named beside it: the loosest shape here (four decimals, the most
/// any currency has), narrowed per currency by [`decimals_per_currency`].
fn amount() -> Value {
    amount_with(4, false)
}

/// Where a body's amounts sit, with the currency that rules their decimals beside them (a
/// property of the same body).
/// (An invoice's lines are left out: a condition reaching into every line makes generators
/// such as schemathesis give up on the body; the lines' prices keep the loosest shape.)
const AMOUNTS_IN: &[(&str, &[&str])] =
    &[("CreatePayment", &["amount", "allocations/items/amount"]), ("CreateCreditNote", &["amount"])];

/// For each body in [`AMOUNTS_IN`], one `if`/`then` per number of decimals: if the currency is
/// one with that many, each amount has at most that many (`1.5` is refused in JPY, `1.505` is
/// fine in BHD).
fn decimals_per_currency(doc: &mut Value, codes: &[String]) {
    let mut by_decimals: std::collections::BTreeMap<u32, Vec<&String>> = Default::default();
    for code in codes {
        if let Ok(c) = kassa_domain::Currency::parse(code) {
            by_decimals.entry(c.minor_digits()).or_default().push(code);
        }
    }
    for (schema, amounts) in AMOUNTS_IN {
        let Some(body) = doc.pointer_mut(&format!("/components/schemas/{schema}")).and_then(Value::as_object_mut)
        else {
            continue;
        };
        let conditions = by_decimals.iter().map(|(decimals, codes)| {
            let mut then = json!({});
            for path in *amounts {
                let mut at = &mut then;
                for part in path.split('/') {
                    at = at
                        .as_object_mut()
                        .map(|o| o.entry(if part == "items" { "items" } else { "properties" }).or_insert(json!({})))
                        .unwrap();
                    if part != "items" {
                        at = at.as_object_mut().map(|o| o.entry(part).or_insert(json!({}))).unwrap();
                    }
                }
                *at = amount_with(*decimals, false);
            }
            json!({ "if": { "properties": { "currency": { "enum": codes } }, "required": ["currency"] }, "then": then })
        });
        let all = body.entry("allOf").or_insert(json!([]));
        if let Some(all) = all.as_array_mut() {
            all.extend(conditions);
        }
    }
}

/// What each request body's fields take, by schema and property ([`text`] and the others).
/// `codes`: the currency codes Kassa knows ([`kassa_domain::Currency::known_codes`]).
fn field_rules(codes: &[String]) -> Vec<(&'static str, &'static str, Value)> {
    use kassa_domain::{CustomerNumber, InvoiceNumber};
    let number = || text(InvoiceNumber::MAX_CHARS.max(CustomerNumber::MAX_CHARS) as u32);
    let currency = || json!({ "enum": codes });
    // Labels of letters, digits and inner hyphens; the last starts with a letter (a URL whose
    // host ends in a number is read as an IPv4 address, and refused when it is not one).
    let host = "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let url = json!({ "maxLength": 2000,
        "pattern": format!("^\\s*[hH][tT][tT][pP][sS]?://{host}(:[1-9][0-9]{{0,3}})?([/?#][!-~]*)?\\s*$") });
    let mut events: Vec<String> = vec!["*".into()];
    for t in kassa_core::events::EventType::ALL {
        let group = format!("{}.*", t.as_str().split('.').next().unwrap_or_default());
        if !events.contains(&group) {
            events.push(group);
        }
        events.push(t.as_str().into());
    }
    let events = json!({ "minItems": 1, "maxItems": 50, "items": { "type": "string", "enum": events } });
    vec![
        ("CreateCustomer", "number", number()),
        ("CreateCustomer", "name", text(200)),
        ("CreateCustomer", "email", email()),
        ("CreateCustomer", "segment", optional_text(64)),
        ("CreateCustomer", "payment_terms_days", json!({ "minimum": 0, "maximum": 365 })),
        ("CreateCustomer", "contacts", json!({ "maxItems": 20 })),
        ("ContactJson", "email", email()),
        ("CreateInvoice", "customer_number", number()),
        ("CreateInvoice", "number", number()),
        ("CreateInvoice", "currency", currency()),
        ("CreateInvoice", "issue_date", date()),
        ("CreateInvoice", "due_date", date()),
        ("CreateInvoice", "lines", json!({ "minItems": 1 })),
        ("CreateInvoice", "payment_reference", optional_text(140)),
        ("CreateInvoice", "payee_iban", json!({ "pattern": "^\\s*([A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{8,40})?\\s*$" })),
        ("CreateLine", "description", text(500)),
        ("CreateLine", "quantity", json!({ "pattern": "^\\s*[0-9]{1,9}(\\.[0-9]{1,6})?\\s*$" })),
        ("CreateLine", "unit_price", amount_with(4, true)),
        ("CreatePayment", "customer_number", number()),
        ("CreatePayment", "amount", amount()),
        ("CreatePayment", "currency", currency()),
        ("CreatePayment", "method", optional_text(64)),
        ("CreatePayment", "reference", optional_text(200)),
        ("AllocateTo", "invoice_number", number()),
        ("AllocateTo", "amount", amount()),
        ("CreateCreditNote", "customer_number", number()),
        ("CreateCreditNote", "number", number()),
        ("CreateCreditNote", "amount", amount()),
        ("CreateCreditNote", "currency", currency()),
        ("CreateCreditNote", "invoice_number", number()),
        ("CreateCreditNote", "reason", text(500)),
        ("CreateAllocation", "credit_note_number", number()),
        ("CreateAllocation", "invoice_number", number()),
        ("CreateAllocation", "amount", amount()),
        ("CreateWriteOff", "invoice_number", number()),
        ("CreateWriteOff", "amount", amount()),
        ("CreateWriteOff", "reason", json!({ "enum": ["bad_debt", "small_balance", "other"] })),
        ("CreateWriteOff", "note", text(500)),
        ("CreateReversal", "reason", text(500)),
        ("CreateEndpoint", "url", url.clone()),
        ("CreateEndpoint", "events", events.clone()),
        ("CreateEndpoint", "description", json!({ "maxLength": 500 })),
        ("UpdateEndpoint", "url", url),
        ("UpdateEndpoint", "events", events),
        ("UpdateEndpoint", "description", json!({ "maxLength": 500 })),
    ]
}

/// Completes `doc` (the generated document, as JSON) in place.
pub fn complete(doc: &mut Value) {
    let codes = kassa_domain::Currency::known_codes();
    for (schema, property, rules) in field_rules(&codes) {
        let at = format!("/components/schemas/{schema}/properties/{property}");
        // (`every_field_rule_finds_its_field` holds the real document to having each one.)
        if let (Some(field), Value::Object(rules)) = (doc.pointer_mut(&at).and_then(Value::as_object_mut), rules) {
            field.extend(rules);
        }
    }
    // The import form takes `file` and `on_error`, nothing else.
    if let Some(form) = doc.pointer_mut("/components/schemas/ImportForm").and_then(Value::as_object_mut) {
        form.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (schema, fields) in EXACTLY_ONE_OF {
        if let Some(s) = doc.pointer_mut(&format!("/components/schemas/{schema}")).and_then(Value::as_object_mut) {
            // One branch per way, each matching when that field is given (not null): exactly
            // one branch may match. Inside an `allOf`, not beside `properties`: generators
            // (openapi-python-client) read a top-level `oneOf` as a union of the branches
            // alone and drop the other properties; the meaning is the same.
            let branches: Vec<Value> =
                fields.iter().map(|f| json!({ "required": [f], "properties": { *f: { "type": "string" } } })).collect();
            s.insert("allOf".into(), json!([{ "oneOf": branches }]));
        }
    }
    decimals_per_currency(doc, &codes);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let resource = path.trim_start_matches('/').split('/').next().unwrap_or_default().to_string();
            for (method, operation) in item.iter_mut() {
                if let Some(operation) = operation.as_object_mut() {
                    if let Some(Value::String(id)) = operation.get_mut("operationId") {
                        *id = format!("{id}_{resource}");
                    }
                    complete_operation(method, operation);
                }
            }
        }
    }
    forbid_nul(doc);
}

/// What the API's shared extractors and layers accept in the parameters every operation of a
/// kind has (`PageParams`, `Cursor::decode`, the idempotency layer), stated once.
fn constrain_shared_parameters(operation: &mut Map<String, Value>) {
    let Some(params) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for p in params {
        let schema = match (p["in"].as_str(), p["name"].as_str()) {
            (Some("query"), Some("limit")) => {
                json!({ "type": "integer", "minimum": 1, "maximum": super::PageParams::MAX_LIMIT })
            }
            (Some("query"), Some("after")) => {
                json!({ "type": "string", "pattern": kassa_core::services::records::Cursor::PATTERN })
            }
            // Printable ASCII, 1-255 characters (a header loses spaces at either end in transit).
            (Some("header"), Some("Idempotency-Key")) => {
                json!({ "type": "string", "pattern": "^[!-~]([ -~]{0,253}[!-~])?$" })
            }
            _ => continue,
        };
        p["schema"] = schema;
    }
}

fn complete_operation(method: &str, operation: &mut Map<String, Value>) {
    constrain_shared_parameters(operation);
    let params = operation.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let has = |place: &str| params.iter().any(|p| p["in"] == place);
    let json_body = operation
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .is_some_and(|c| c.contains_key("application/json"));
    let body = operation.contains_key("requestBody");
    let mut shared: Vec<(&str, &str)> = vec![
        ("401", "No API key, or not a valid one (`invalid_api_key`)."),
        ("403", "The key may not do this: `scope_missing` when it lacks the scope this needs (the answer names it), `forbidden` otherwise."),
        ("429", "Over the key's rate limit (`rate_limited`); `Retry-After` says when to come back."),
    ];
    if has("query") {
        shared
            .push(("400", "A query parameter Kassa cannot read (`invalid_query`, `invalid_limit`, `invalid_cursor`)."));
    }
    if has("path") {
        shared.push(("404", "No such record for this key's merchant and mode (`not_found`)."));
    }
    if body {
        shared.push((
            "404",
            "A customer or invoice the body names is not one of this key's (`unknown_customer`, `unknown_invoice`, \
             `not_found`).",
        ));
        shared.push(("413", "The body is larger than Kassa reads (`body_too_large`)."));
        shared.push(("422", "Fields to fix (`validation_failed` with each field), or a rule of the ledger."));
    }
    if json_body {
        shared.push(("400", "The body is not the JSON this operation takes (`invalid_json`)."));
        shared.push(("415", "The body is not sent as `application/json` (`json_required`)."));
    }
    if method == "post" {
        shared.push(("400", "The `Idempotency-Key` is not 1-255 printable characters (`invalid_idempotency_key`)."));
        shared.push((
            "409",
            "The `Idempotency-Key` was used for another request (`idempotency_key_reused`), or its first request \
             is still running (`request_in_progress`).",
        ));
    }
    let responses = operation.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for (status, description) in shared {
        match responses.get_mut(status) {
            // Already stated by the handler: its words stay, and the shared reason joins them.
            Some(existing) => {
                if let Some(d) = existing.get("description").and_then(Value::as_str) {
                    if !d.is_empty() && !d.contains(description) {
                        existing["description"] = Value::String(format!("{d} Or: {description}"));
                    }
                }
            }
            None => {
                responses.insert(
                    status.to_string(),
                    json!({ "description": description,
                            "content": { "application/json": { "schema": { "$ref": ERROR } } } }),
                );
            }
        }
    }
    for (status, response) in responses.iter_mut() {
        let described = response.get("description").and_then(Value::as_str).is_some_and(|d| !d.is_empty());
        if !described {
            response["description"] = Value::String(reason(status).to_string());
        }
    }
}

/// The standard words for a status, for a response the handler did not describe.
fn reason(status: &str) -> &'static str {
    status
        .parse::<u16>()
        .ok()
        .and_then(|s| http::StatusCode::from_u16(s).ok())
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Answer")
}

/// Every string schema without a pattern of its own gets [`NO_NUL`].
fn forbid_nul(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let is_string = match map.get("type") {
                Some(Value::String(t)) => t == "string",
                Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
                _ => false,
            };
            let constrained = map.contains_key("pattern") || map.contains_key("enum") || map.contains_key("format");
            if is_string && !constrained {
                map.insert("pattern".into(), Value::String(NO_NUL.into()));
            }
            map.values_mut().for_each(forbid_nul);
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_nul),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_answers_are_added_and_every_answer_described() {
        let mut doc = json!({ "paths": { "/things/{id}": { "post": {
            "parameters": [ { "in": "path", "name": "id", "schema": { "type": "string" } } ],
            "requestBody": { "content": { "application/json": { "schema": { "type": "object" } } } },
            "responses": { "201": { "content": {} }, "404": { "description": "No such thing." } }
        } } } });
        complete(&mut doc);
        let r = &doc["paths"]["/things/{id}"]["post"]["responses"];
        assert_eq!(r["201"]["description"], "Created");
        assert!(r["404"]["description"].as_str().unwrap().starts_with("No such thing. Or:"));
        for status in ["400", "401", "403", "409", "413", "415", "422", "429"] {
            assert!(r[status]["description"].as_str().is_some_and(|d| d.len() > 5), "{status}: {r}");
        }
        assert_eq!(doc["paths"]["/things/{id}"]["post"]["parameters"][0]["schema"]["pattern"], NO_NUL);
    }

    #[test]
    fn one_of_several_ways_to_name_a_thing_is_required() {
        let mut doc = json!({ "components": { "schemas": { "CreateWriteOff": { "type": "object" } } } });
        complete(&mut doc);
        let branches = doc["components"]["schemas"]["CreateWriteOff"]["allOf"][0]["oneOf"].as_array().unwrap();
        let required: Vec<&Value> = branches.iter().map(|b| &b["required"][0]).collect();
        assert_eq!(required, [&json!("invoice"), &json!("invoice_number")]);
    }

    #[test]
    fn every_field_rule_finds_its_field() {
        let doc = crate::http::api::openapi_json();
        for (schema, property, rules) in field_rules(&kassa_domain::Currency::known_codes()) {
            let field = &doc["components"]["schemas"][schema]["properties"][property];
            for (key, value) in rules.as_object().unwrap() {
                assert_eq!(&field[key], value, "{schema}.{property}.{key}");
            }
        }
        for (schema, _) in AMOUNTS_IN {
            let conditions = doc["components"]["schemas"][schema]["allOf"].as_array().unwrap();
            assert!(conditions.iter().filter(|c| c.get("if").is_some()).count() >= 3, "{schema}");
        }
        // JPY has no decimals, BHD three: each amount of a payment follows its currency.
        let payment = &doc["components"]["schemas"]["CreatePayment"]["allOf"];
        let rule = |code: &str| {
            payment
                .as_array()
                .unwrap()
                .iter()
                .find(|c| {
                    c["if"]["properties"]["currency"]["enum"].as_array().is_some_and(|e| e.contains(&json!(code)))
                })
                .unwrap()["then"]["properties"]["amount"]["pattern"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let matches = |pattern: &str, text: &str| regex_lite_match(pattern, text);
        assert!(matches(&rule("JPY"), "1500") && !matches(&rule("JPY"), "1500.5"));
        assert!(matches(&rule("BHD"), "1.505") && !matches(&rule("BHD"), "1.5055"));
        assert!(matches(&rule("EUR"), "0.10") && matches(&rule("EUR"), "12.5") && !matches(&rule("EUR"), "0.00"));
    }

    /// The document's patterns are ECMA-262; these use nothing the `regex` crate reads otherwise.
    fn regex_lite_match(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(text)
    }
}
