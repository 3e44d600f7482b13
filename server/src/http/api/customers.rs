//! `/api/v1/customers`.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::services::customers::{self, Contact, Customer, CustomerInput, Outcome};
use kassa_core::services::records::rfc3339;
use kassa_domain::{CustomerId, CustomerNumber};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};
use super::{Body, Key, ListJson, PageParams, Query};

/// A customer as the API shows it.
#[derive(Debug, Serialize)]
pub struct CustomerJson {
    pub id: String,
    pub object: &'static str,
    /// The merchant's own number for the customer.
    pub number: String,
    pub name: String,
    pub email: String,
    pub language: &'static str,
    pub segment: Option<String>,
    pub payment_terms_days: u32,
    pub contacts: Vec<Contact>,
    pub mode: &'static str,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Customer> for CustomerJson {
    fn from(c: Customer) -> CustomerJson {
        CustomerJson {
            id: c.id.to_string(),
            object: "customer",
            number: c.number.to_string(),
            name: c.name,
            email: c.email,
            language: c.language.as_str(),
            segment: c.segment,
            payment_terms_days: c.payment_terms_days,
            contacts: c.contacts,
            mode: c.mode.as_str(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A new customer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    pub number: String,
    pub name: String,
    pub email: String,
    /// `en`, `nl` or `da` (the portal's and the emails' language); `en` when left out.
    pub language: Option<String>,
    pub segment: Option<String>,
    /// Days from issue to due, for invoices pushed without a due date; 30 when left out.
    pub payment_terms_days: Option<i64>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// 201 with the new customer; 200 with the existing one when the same customer is pushed
/// again; 409 `customer_number_taken` when the number is taken by other details.
pub async fn create(key: Key, Body(body): Body<CreateCustomer>) -> ApiResult<Response> {
    let input = CustomerInput {
        number: body.number,
        name: body.name,
        email: body.email,
        language: body.language,
        segment: body.segment,
        payment_terms_days: body.payment_terms_days,
        contacts: body.contacts,
    };
    let (customer, outcome) = customers::create(&key.ctx, &key.who, None, input).await?;
    let status = if outcome == Outcome::Created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(CustomerJson::from(customer))).into_response())
}

pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<CustomerJson>> {
    Ok(Json(customers::get(&key.ctx, &key.who, &CustomerId::from_raw(id)).await?.into()))
}

pub async fn by_number(key: Key, Path(number): Path<String>) -> ApiResult<Json<CustomerJson>> {
    let number = CustomerNumber::parse(&number).map_err(|_| ApiError::not_found())?;
    Ok(Json(customers::by_number(&key.ctx, &key.who, &number).await?.into()))
}

pub async fn list(key: Key, Query(page): Query<PageParams>) -> ApiResult<Json<ListJson<CustomerJson>>> {
    let found = customers::list(&key.ctx, &key.who, page.limit()?, page.cursor()?.as_ref()).await?;
    Ok(Json(ListJson::of(found, CustomerJson::from)))
}
