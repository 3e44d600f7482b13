//! `/api/v1/customers`.

use super::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::services::customers::{self, Contact, Customer, CustomerInput, Outcome};
use kassa_core::services::records::rfc3339;
use kassa_domain::{CustomerId, CustomerNumber};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, ErrorJson, IdempotencyKey, Key, ListJson, PageParams, Query};

/// Someone else at the customer to reach.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactJson {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Free text: `accounts_payable`, `manager`, ...
    pub role: Option<String>,
}

impl From<Contact> for ContactJson {
    fn from(c: Contact) -> ContactJson {
        ContactJson { name: c.name, email: c.email, phone: c.phone, role: c.role }
    }
}

impl From<ContactJson> for Contact {
    fn from(c: ContactJson) -> Contact {
        Contact { name: c.name, email: c.email, phone: c.phone, role: c.role }
    }
}

/// A customer as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CustomerJson {
    pub id: String,
    /// Always `customer`.
    pub object: String,
    /// The merchant's own number for the customer.
    pub number: String,
    pub name: String,
    /// Where invoices and reminders go; `null` when you gave none (no email is sent then).
    pub email: Option<String>,
    /// `en`, `nl` or `da`.
    pub language: String,
    pub segment: Option<String>,
    pub payment_terms_days: u32,
    pub contacts: Vec<ContactJson>,
    /// `test` or `live`: the mode of the key that created it.
    pub mode: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<Customer> for CustomerJson {
    fn from(c: Customer) -> CustomerJson {
        CustomerJson {
            id: c.id.to_string(),
            object: "customer".into(),
            number: c.number.to_string(),
            name: c.name,
            email: c.email,
            language: c.language.as_str().into(),
            segment: c.segment,
            payment_terms_days: c.payment_terms_days,
            contacts: c.contacts.into_iter().map(ContactJson::from).collect(),
            mode: c.mode.as_str().into(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A new customer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    /// Your number for the customer, 1-64 characters: the key.
    pub number: String,
    pub name: String,
    /// Where invoices and reminders go. Optional: a customer without one is tracked and
    /// collected all the same (pay links, letters), and no email is sent to it.
    pub email: Option<String>,
    /// `en`, `nl` or `da` (the portal's and the emails' language); `en` when left out.
    #[schema(pattern = "^\\s*([eE][nN]|[nN][lL]|[dD][aA])\\s*$")]
    pub language: Option<String>,
    pub segment: Option<String>,
    /// Days from issue to due, for invoices pushed without a due date; 30 when left out.
    #[serde(default, deserialize_with = "super::whole_number")]
    pub payment_terms_days: Option<i64>,
    /// Up to 20 more people to reach.
    #[serde(default)]
    pub contacts: Vec<ContactJson>,
}

/// Create a customer.
///
/// 201 with the new customer; 200 with the existing one when the same customer is pushed
/// again; 409 `customer_number_taken` when the number is taken by other details.
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CreateCustomer,
    params(IdempotencyKey),
    responses(
        (status = 201, description = "Created", body = CustomerJson),
        (status = 200, description = "The same customer existed already; nothing changed", body = CustomerJson),
        (status = 409, description = "The number is taken by other details", body = ErrorJson),
        (status = 422, description = "Fields to fix, all of them", body = ErrorJson),
    ))]
pub async fn create(key: Key, Body(body): Body<CreateCustomer>) -> ApiResult<Response> {
    let input = CustomerInput {
        number: body.number,
        name: body.name,
        email: body.email,
        language: body.language,
        segment: body.segment,
        payment_terms_days: body.payment_terms_days,
        contacts: body.contacts.into_iter().map(Contact::from).collect(),
    };
    let (customer, outcome) = customers::create(&key.ctx, &key.who, None, input).await?;
    let status = if outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CustomerJson::from(customer))).into_response())
}

/// One customer by Kassa's id.
#[utoipa::path(get, path = "/customers/{id}", tag = "customers",
    params(("id" = String, Path, description = "Kassa's id")),
    responses((status = 200, body = CustomerJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<CustomerJson>> {
    Ok(Json(customers::get(&key.ctx, &key.who, &CustomerId::from_raw(id)).await?.into()))
}

/// One customer by your number.
#[utoipa::path(get, path = "/customers/by-number/{number}", tag = "customers",
    params(("number" = String, Path, description = "Your number for the customer")),
    responses((status = 200, body = CustomerJson), (status = 404, body = ErrorJson)))]
pub async fn by_number(key: Key, Path(number): Path<String>) -> ApiResult<Json<CustomerJson>> {
    let number = CustomerNumber::parse(&number).map_err(|_| ApiError::not_found())?;
    Ok(Json(customers::by_number(&key.ctx, &key.who, &number).await?.into()))
}

/// List customers, oldest first.
#[utoipa::path(get, path = "/customers", tag = "customers", params(PageParams),
    responses((status = 200, body = ListJson<CustomerJson>), (status = 400, body = ErrorJson)))]
pub async fn list(key: Key, Query(page): Query<PageParams>) -> ApiResult<Json<ListJson<CustomerJson>>> {
    let found = customers::list(&key.ctx, &key.who, page.limit()?, page.cursor()?.as_ref()).await?;
    Ok(Json(ListJson::of(found, CustomerJson::from)))
}
