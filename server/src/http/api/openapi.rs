//! The OpenAPI document made to tell the whole truth. The handlers' `#[utoipa::path]`
//! attributes state each operation's own answers; what every operation shares is stated
//! here, once, from what the API's layers do to every request:
//!
//! - every response has a description (OpenAPI 3.1 requires one), and every operation an id
//!   of its own (the handler's name and its resource: `create_credit_notes`), which client
//!   generators name their functions after;
//! - every operation can answer 401 (no key, or not a valid one), 403 (the key may not do
//!   this) and 429 (over the key's rate limit); one with a query string 400; one with an id in
//!   its path 404; one with a JSON body 400 (not JSON), 413 (too large), 415 (not JSON) and 422;
//!   every POST 400 (a malformed `Idempotency-Key`) and 409 (the key reused, or its first
//!   request still running);
//! - no string anywhere may hold a NUL character (PostgreSQL cannot store one; the API refuses
//!   it), stated as a pattern on every string that has none of its own;
//! - a body that names one thing in one of several ways takes exactly one of them
//!   ([`EXACTLY_ONE_OF`]).
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

/// Completes `doc` (the generated document, as JSON) in place.
pub fn complete(doc: &mut Value) {
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
}
