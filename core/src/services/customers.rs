//! A merchant's customers as its own systems push them (API, imports) and staff keep them:
//! the merchant's number for each is the key, so pushing the same customer again changes
//! nothing, and pushing other details under a taken number is refused, never merged silently.

use kassa_domain::{CustomerId, CustomerNumber, MerchantId, Problem};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Checks, Error, Result};
use crate::events::{self, EventType};
use crate::principal::{Mode, Principal};
use crate::services::records;
use crate::services::staff::parse_email;
use crate::Ctx;

pub const MAX_PAYMENT_TERMS_DAYS: u32 = 365;
const DEFAULT_PAYMENT_TERMS_DAYS: u32 = 30;
const MAX_CONTACTS: usize = 20;

/// The languages the portal and the emails speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Nl,
    Da,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
            Language::Da => "da",
        }
    }

    pub fn parse(input: &str) -> Result<Language, Problem> {
        match input.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Language::En),
            "nl" => Ok(Language::Nl),
            "da" => Ok(Language::Da),
            _ => Err(Problem::InvalidLanguage { input: input.trim().chars().take(20).collect() }),
        }
    }
}

/// Someone else at the customer to reach (accounts payable, a manager).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `accounts_payable`, `manager`...: free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// A customer as a caller describes it, not yet checked.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub number: String,
    pub name: String,
    /// Where invoices and reminders go; none or blank when the merchant has no address (EN
    /// 16931 makes the buyer's optional): the customer is tracked and collected all the same,
    /// through pay links and letters, and emails to it are skipped.
    pub email: Option<String>,
    pub language: Option<String>,
    /// The dunning segment (`smb`, `enterprise`, ...): free text.
    pub segment: Option<String>,
    pub payment_terms_days: Option<i64>,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Customer {
    pub id: CustomerId,
    pub number: CustomerNumber,
    pub name: String,
    /// None when the merchant has no address for it.
    pub email: Option<String>,
    pub language: Language,
    pub segment: Option<String>,
    pub payment_terms_days: u32,
    pub contacts: Vec<Contact>,
    pub mode: Mode,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The checked fields of a new customer.
struct Checked {
    number: CustomerNumber,
    name: String,
    email: Option<String>,
    language: Language,
    segment: Option<String>,
    payment_terms_days: u32,
    contacts: Vec<Contact>,
}

fn short_text(text: &str, max: usize) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)).then(|| text.to_string())
}

fn check(input: &CustomerInput) -> Result<Checked> {
    let mut checks = Checks::default();
    let number = checks.check("number", CustomerNumber::parse(&input.number));
    let name = checks.check("name", short_text(&input.name, 200).ok_or(Problem::NameRequired));
    let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => Some(None),
        Some(e) => checks
            .check("email", parse_email(e).map_err(|_| Problem::InvalidEmail { input: e.chars().take(60).collect() }))
            .map(Some),
    };
    let language = match &input.language {
        Some(l) => checks.check("language", Language::parse(l)),
        None => Some(Language::En),
    };
    let terms = input.payment_terms_days.unwrap_or(i64::from(DEFAULT_PAYMENT_TERMS_DAYS));
    let payment_terms_days = checks.check(
        "payment_terms_days",
        u32::try_from(terms)
            .ok()
            .filter(|d| *d <= MAX_PAYMENT_TERMS_DAYS)
            .ok_or(Problem::PaymentTermsInvalid { max_days: MAX_PAYMENT_TERMS_DAYS }),
    );
    let segment = input.segment.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if segment.as_ref().is_some_and(|s| s.chars().count() > 64 || s.chars().any(char::is_control)) {
        checks.push("segment", Problem::SegmentInvalid { max_chars: 64 });
    }
    if input.contacts.len() > MAX_CONTACTS {
        checks.push("contacts", Problem::TooManyContacts { max: MAX_CONTACTS as u32 });
    }
    let mut contacts = Vec::with_capacity(input.contacts.len());
    for (i, c) in input.contacts.iter().enumerate() {
        let email = match c.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => checks.check(
                format!("contacts[{i}].email"),
                parse_email(e).map_err(|_| Problem::InvalidEmail { input: e.chars().take(60).collect() }),
            ),
            None => None,
        };
        let field = |v: &Option<String>| v.as_deref().and_then(|t| short_text(t, 200));
        contacts.push(Contact { name: field(&c.name), email, phone: field(&c.phone), role: field(&c.role) });
    }
    checks.finish()?;
    match (number, name, email, language, payment_terms_days) {
        (Some(number), Some(name), Some(email), Some(language), Some(payment_terms_days)) => {
            Ok(Checked { number, name, email, language, segment, payment_terms_days, contacts })
        }
        _ => Err(Error::internal("customer checks passed with a field missing")),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    number: String,
    name: String,
    /// `''` when there is none: the column is `NOT NULL` since the first migration, and SQLite
    /// cannot drop that without rebuilding the table (docs/decisions.md).
    email: String,
    language: String,
    segment: Option<String>,
    payment_terms_days: i64,
    contacts: String,
    mode: String,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str =
    "id, number, name, email, language, segment, payment_terms_days, contacts, mode, created_at, updated_at";

impl TryFrom<Row> for Customer {
    type Error = Error;
    fn try_from(r: Row) -> Result<Customer> {
        let bad = |what: &str| Error::internal(format!("customer {}: bad {what} in database", r.id));
        Ok(Customer {
            number: CustomerNumber::parse(&r.number).map_err(|_| bad("number"))?,
            language: Language::parse(&r.language).map_err(|_| bad("language"))?,
            payment_terms_days: u32::try_from(r.payment_terms_days).map_err(|_| bad("payment terms"))?,
            contacts: serde_json::from_str(&r.contacts).map_err(|_| bad("contacts"))?,
            mode: Mode::from_stored(&r.mode, format_args!("customer {}", r.id))?,
            id: CustomerId::from_raw(r.id),
            name: r.name,
            email: Some(r.email).filter(|e| !e.is_empty()),
            segment: r.segment,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Whether [`create`] made the customer or found it as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Unchanged,
}

/// Creates a customer for `who`'s merchant (the system names it in `merchant`). The same
/// number with the same details answers the existing customer, unchanged; with other details
/// it is `customer_number_taken`.
pub async fn create(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    input: CustomerInput,
) -> Result<(Customer, Outcome)> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let created = create_in(&mut tx, ctx, who, &merchant, mode, &input).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create`] inside the caller's write transaction, for a merchant and mode already resolved
/// and authorised. Nothing is committed here.
pub(crate) async fn create_in(
    tx: &mut db::Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    mode: Mode,
    input: &CustomerInput,
) -> Result<(Customer, Outcome)> {
    let c = check(input)?;
    let existing: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM customers WHERE merchant_id = $1 AND number = $2"))
            .bind(merchant.as_str())
            .bind(c.number.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(row) = existing {
        let found = Customer::try_from(row)?;
        let same = found.mode == mode
            && found.name == c.name
            && found.email == c.email
            && found.language == c.language
            && found.segment == c.segment
            && found.payment_terms_days == c.payment_terms_days
            && found.contacts == c.contacts;
        return if same {
            Ok((found, Outcome::Unchanged))
        } else {
            Err(Problem::CustomerNumberTaken { number: c.number.to_string() }.into())
        };
    }
    let now = db::now();
    let customer = Customer {
        id: CustomerId::from_raw(db::new_id()),
        number: c.number,
        name: c.name,
        email: c.email,
        language: c.language,
        segment: c.segment,
        payment_terms_days: c.payment_terms_days,
        contacts: c.contacts,
        mode,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO customers (id, merchant_id, number, name, email, language, segment, payment_terms_days, contacts, \
         mode, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(customer.id.as_str())
    .bind(merchant.as_str())
    .bind(customer.number.as_str())
    .bind(&customer.name)
    .bind(customer.email.as_deref().unwrap_or(""))
    .bind(customer.language.as_str())
    .bind(&customer.segment)
    .bind(i64::from(customer.payment_terms_days))
    .bind(serde_json::to_string(&customer.contacts).map_err(Error::internal)?)
    .bind(mode.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let data = serde_json::json!({ "customer": customer.id, "number": customer.number, "name": customer.name,
        "mode": mode });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "customer.created",
        subject_type: "customer",
        subject_id: customer.id.as_str(),
        before: None,
        after: Some(serde_json::to_value(&customer).map_err(Error::internal)?),
    };
    audit::record(tx, who, &ctx.origin, entry).await?;
    events::emit(tx, merchant, mode, EventType::CustomerCreated, customer.id.as_str(), data).await?;
    Ok((customer, Outcome::Created))
}

/// One customer of `who`'s merchant and mode, by id.
pub async fn get(ctx: &Ctx, who: &Principal, id: &CustomerId) -> Result<Customer> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    find(&ctx.pool, &merchant, mode, "id", id.as_str()).await
}

/// One customer of `who`'s merchant and mode, by the merchant's number.
pub async fn by_number(ctx: &Ctx, who: &Principal, number: &CustomerNumber) -> Result<Customer> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    find(&ctx.pool, &merchant, mode, "number", number.as_str()).await
}

async fn find(pool: &Pool, merchant: &MerchantId, mode: Mode, column: &str, value: &str) -> Result<Customer> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customers WHERE merchant_id = $1 AND mode = $2 AND {column} = $3"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(value)
    .fetch_optional(pool)
    .await?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// A page of customers, oldest first, after `cursor` (see [`records::Cursor`]).
pub async fn list(
    ctx: &Ctx,
    who: &Principal,
    limit: u32,
    after: Option<&records::Cursor>,
) -> Result<records::Page<Customer>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MIN, ""));
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM customers WHERE merchant_id = $1 AND mode = $2 \
         AND (created_at > $3 OR (created_at = $3 AND id > $4)) ORDER BY created_at, id LIMIT $5"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&ctx.pool)
    .await?;
    let items = rows.into_iter().map(Customer::try_from).collect::<Result<Vec<_>>>()?;
    Ok(records::Page::of(items, limit, |c| records::Cursor { created_at: c.created_at, id: c.id.to_string() }))
}
