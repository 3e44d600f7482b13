//! Invoices as a merchant's systems push them (API, CSV and UBL imports) and read them back:
//! every record checked field by field in one round, the merchant's invoice number as the key
//! (pushing the same invoice again changes nothing; other details under a taken number are
//! refused), and each invoice read with where it stands today.

use std::str::FromStr;

use kassa_domain::{
    Currency, CustomerId, CustomerNumber, Invoice, InvoiceId, InvoiceLine, InvoiceNumber, InvoiceStatus, MerchantId,
    Money, Problem,
};
use rust_decimal::Decimal;
use serde::Serialize;
use time::{Date, Duration};

use crate::audit;
use crate::db::{self, Tx};
use crate::error::{Checks, Error, Result};
use crate::events::{self, EventType};
use crate::principal::{Mode, Principal};
use crate::services::records::{self, Cursor, InvoiceRow, Page, INVOICE_COLUMNS};
use crate::Ctx;
use sqlx::AnyConnection;

/// How amounts and quantities are written in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// `1234.50`: a point, no grouping (JSON APIs, UBL).
    #[default]
    Plain,
    /// As people and spreadsheets write them: `1.234,50`, `1 234.50`, `12,5` (CSV files).
    Local,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRef {
    Id(String),
    Number(String),
}

#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
}

/// An invoice as a caller describes it, not yet checked.
#[derive(Debug, Clone)]
pub struct InvoiceInput {
    pub customer: CustomerRef,
    pub number: String,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub issue_date: String,
    /// `YYYY-MM-DD`; without it, the issue date plus the customer's payment terms.
    pub due_date: Option<String>,
    pub lines: Vec<LineInput>,
    pub numbers: NumberStyle,
    /// The reference the debtor quotes when paying by bank transfer, as the merchant's
    /// invoice has it (UBL `PaymentID`).
    pub payment_reference: Option<String>,
    /// The merchant's account the debtor pays into (UBL `PayeeFinancialAccount`).
    pub payee_iban: Option<String>,
}

/// Invoice lines per `INSERT` (8 binds each: well within SQLite's 32,766 and PostgreSQL's 65,535).
const LINES_PER_INSERT: usize = 500;

/// A bank-transfer reference is at most what a SEPA credit transfer carries.
pub const MAX_PAYMENT_REFERENCE: usize = 140;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub position: u32,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Money,
    pub amount: Money,
}

/// An invoice and where it stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceRecord {
    pub id: InvoiceId,
    pub number: InvoiceNumber,
    pub customer: CustomerId,
    pub customer_number: CustomerNumber,
    pub currency: Currency,
    pub issue_date: Date,
    pub due_date: Date,
    pub total: Money,
    /// What is still to be paid.
    pub open: Money,
    pub paid: Money,
    pub credited: Money,
    pub written_off: Money,
    pub status: InvoiceStatus,
    pub payment_reference: Option<String>,
    /// In electronic form: capitals, no spaces.
    pub payee_iban: Option<String>,
    /// In single reads; lists leave them out.
    pub lines: Option<Vec<Line>>,
    pub mode: Mode,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Whether [`create`] made the invoice or found it as it was.
pub use crate::services::customers::Outcome;

/// A date as merchants send it (`2026-11-25`), within [`Invoice::EARLIEST_DATE`] and
/// [`Invoice::LATEST_DATE`].
pub fn parse_date(input: &str) -> Result<Date, Problem> {
    Invoice::date_in_range(parse_any_date(input)?)
}

/// Any calendar date written `2026-11-25` (a filter's bound, which needs no range).
pub fn parse_any_date(input: &str) -> Result<Date, Problem> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(input.trim(), fmt).map_err(|_| Problem::InvalidDate { input: input.trim().chars().take(30).collect() })
}

/// An amount written as JSON APIs and UBL write it (`1234.50`), exactly: more decimals than
/// the currency has is a problem, never rounded away.
pub fn parse_plain_amount(input: &str, currency: Currency) -> Result<Money, Problem> {
    parse_amount(input, currency, NumberStyle::Plain)
}

fn parse_amount(input: &str, currency: Currency, style: NumberStyle) -> Result<Money, Problem> {
    match style {
        NumberStyle::Local => Ok(Money::parse(input, currency)?),
        NumberStyle::Plain => {
            let text = input.trim();
            let plain = !text.is_empty()
                && text.strip_prefix('-').unwrap_or(text).chars().all(|c| c.is_ascii_digit() || c == '.')
                && text.matches('.').count() <= 1;
            let value = plain
                .then(|| Decimal::from_str(text).ok())
                .flatten()
                .ok_or_else(|| Problem::AmountNotANumber { input: text.chars().take(30).collect() })?;
            Ok(Money::from_exact_decimal(value, currency)?)
        }
    }
}

fn parse_quantity(input: &str, line: u32, style: NumberStyle) -> Result<Decimal, Problem> {
    let text = input.trim();
    let text = match style {
        NumberStyle::Local => text.replace(',', "."),
        NumberStyle::Plain => text.to_string(),
    };
    Decimal::from_str(&text)
        .ok()
        .filter(|q| !q.is_sign_negative() && q.scale() <= 6)
        .ok_or_else(|| Problem::QuantityInvalid { line, input: input.trim().chars().take(30).collect() })
}

/// An invoice checked, with how it is paid by bank transfer.
struct Checked {
    invoice: Invoice,
    payment_reference: Option<String>,
    payee_iban: Option<String>,
}

/// An IBAN as people write it (`NL91 ABNA 0417 1643 00`, `nl91abna...`) in its electronic
/// form, checked.
pub fn parse_iban(input: &str) -> Result<String, Problem> {
    use iban::IbanLike;
    input
        .trim()
        .to_ascii_uppercase()
        .parse::<iban::Iban>()
        .map(|i| i.electronic_str().to_string())
        .map_err(|_| Problem::IbanInvalid { input: input.trim().chars().take(40).collect() })
}

/// Checks every field, then lets the domain check the invoice as a whole.
fn check(input: &InvoiceInput, terms_days: Option<u32>) -> Result<Checked> {
    let mut checks = Checks::default();
    let optional = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let payment_reference = optional(&input.payment_reference);
    if payment_reference
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_PAYMENT_REFERENCE || r.chars().any(char::is_control))
    {
        checks.push("payment_reference", Problem::PaymentReferenceInvalid { max_chars: MAX_PAYMENT_REFERENCE as u32 });
    }
    let payee_iban = match optional(&input.payee_iban) {
        Some(i) => checks.check("payee_iban", parse_iban(&i)),
        None => None,
    };
    let number = checks.check("number", InvoiceNumber::parse(&input.number));
    let currency = checks.check("currency", Currency::parse(input.currency.trim()).map_err(Problem::from));
    let issue_date = checks.check("issue_date", parse_date(&input.issue_date));
    let due_date = match &input.due_date {
        Some(d) => checks.check("due_date", parse_date(d)),
        // The customer's terms from the issue date; past the last date Kassa takes, the due
        // date is the problem (the caller can send one).
        None => issue_date.and_then(|d| {
            let due = d.saturating_add(Duration::days(i64::from(terms_days.unwrap_or(0))));
            checks.check("due_date", Invoice::date_in_range(due))
        }),
    };
    if input.lines.is_empty() {
        checks.push("lines", Problem::InvoiceHasNoLines);
    }
    let mut lines = Vec::with_capacity(input.lines.len());
    for (i, l) in input.lines.iter().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let description = l.description.trim();
        if description.is_empty() || description.chars().count() > 500 {
            checks.push(format!("lines[{i}].description"), Problem::DescriptionRequired { line: line_no });
        }
        let quantity =
            checks.check(format!("lines[{i}].quantity"), parse_quantity(&l.quantity, line_no, input.numbers));
        let unit_price = currency.and_then(|c| {
            checks.check(format!("lines[{i}].unit_price"), parse_amount(&l.unit_price, c, input.numbers))
        });
        if let (Some(quantity), Some(unit_price)) = (quantity, unit_price) {
            lines.push(InvoiceLine { description: description.to_string(), quantity, unit_price });
        }
    }
    checks.finish()?;
    let (Some(number), Some(currency), Some(issue_date), Some(due_date)) = (number, currency, issue_date, due_date)
    else {
        return Err(Error::internal("invoice checks passed with a field missing"));
    };
    let invoice = Invoice::new(number.as_str(), currency, issue_date, due_date, lines).map_err(|e| {
        let problem = Problem::from(e);
        let field = match &problem {
            Problem::DueBeforeIssue { .. } => "due_date".to_string(),
            Problem::LineAmountInvalid { line } => format!("lines[{}]", line.saturating_sub(1)),
            Problem::InvoiceHasNoLines => "lines".into(),
            _ => "total".into(),
        };
        Error::Invalid(vec![crate::error::FieldProblem { field, problem }])
    })?;
    Ok(Checked { invoice, payment_reference, payee_iban })
}

/// The merchant's next structured payment reference, in its scheme (domain/src/reference.rs),
/// numbered per merchant inside the caller's transaction.
async fn next_reference(tx: &mut Tx, merchant: &MerchantId) -> Result<String> {
    let (number, scheme): (i64, String) = sqlx::query_as(
        "UPDATE merchants SET next_reference = next_reference + 1 WHERE id = $1 \
         RETURNING next_reference - 1, reference_scheme",
    )
    .bind(merchant.as_str())
    .fetch_one(&mut **tx)
    .await?;
    let scheme = kassa_domain::ReferenceScheme::parse(&scheme)
        .ok_or_else(|| Error::internal(format!("unknown reference scheme {scheme:?}")))?;
    let reference = kassa_domain::PaymentReference::generate(scheme, u64::try_from(number).unwrap_or(0))
        .map_err(|e| Error::internal(format!("merchant {merchant}: reference {number}: {e}")))?;
    Ok(reference.as_str().to_string())
}

/// Finds the customer an input names, within the merchant and mode; `None` if there is none.
async fn customer_of(
    tx: &mut Tx,
    merchant: &MerchantId,
    mode: Mode,
    r: &CustomerRef,
) -> Result<Option<(CustomerId, u32)>> {
    let (column, value) = match r {
        CustomerRef::Id(id) => ("id", id.trim()),
        CustomerRef::Number(number) => ("number", number.trim()),
    };
    let found: Option<(String, i64)> = sqlx::query_as(&format!(
        "SELECT id, payment_terms_days FROM customers WHERE merchant_id = $1 AND mode = $2 AND {column} = $3"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(value)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(|(id, terms)| (CustomerId::from_raw(id), u32::try_from(terms).unwrap_or(0))))
}

/// Creates an invoice for `who`'s merchant (the system names it in `merchant`).
pub async fn create(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    input: InvoiceInput,
) -> Result<(InvoiceRecord, Outcome)> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let (id, outcome) = create_in(&mut tx, ctx, who, &merchant, mode, &input).await?;
    tx.commit().await?;
    let record = load(&mut *ctx.pool.acquire().await?, &merchant, Some(mode), "i.id", id.as_str(), true).await?;
    Ok((record, outcome))
}

/// [`create`] inside the caller's write transaction (imports run many in one), for a merchant
/// and mode already resolved and authorised. Nothing is committed here.
pub(crate) async fn create_in(
    tx: &mut Tx,
    ctx: &Ctx,
    who: &Principal,
    merchant: &MerchantId,
    mode: Mode,
    input: &InvoiceInput,
) -> Result<(InvoiceId, Outcome)> {
    let customer = customer_of(tx, merchant, mode, &input.customer).await?;
    let checked = match (check(input, customer.as_ref().map(|c| c.1)), &customer) {
        (Ok(checked), Some(_)) => checked,
        (result, customer) => {
            let mut problems = match result {
                Ok(_) => Vec::new(),
                Err(Error::Invalid(problems)) => problems,
                Err(e) => return Err(e),
            };
            if customer.is_none() {
                let field = crate::error::FieldProblem { field: "customer".into(), problem: Problem::UnknownCustomer };
                problems.insert(0, field);
            }
            return Err(Error::Invalid(problems));
        }
    };
    let customer = customer.map(|c| c.0).ok_or_else(|| Error::internal("customer checked above"))?;
    let invoice = &checked.invoice;
    let existing: Option<String> = sqlx::query_scalar("SELECT id FROM invoices WHERE merchant_id = $1 AND number = $2")
        .bind(merchant.as_str())
        .bind(invoice.number())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = existing {
        let taken = || Error::from(Problem::InvoiceNumberTaken { number: invoice.number().to_string() });
        // Read in the caller's transaction: a writer never waits for a second connection
        // (crate::db::begin_write). An import finds a number repeated in it before writing.
        let found = load(tx, merchant, None, "i.id", &id, true).await?;
        let same = found.mode == mode
            && found.customer == customer
            && found.currency == invoice.currency()
            && found.issue_date == invoice.issue_date()
            && found.due_date == invoice.due_date()
            && found.total == invoice.total()
            // A reference Kassa made for it is not the caller's to repeat.
            && (checked.payment_reference.is_none() || found.payment_reference == checked.payment_reference)
            && found.payee_iban == checked.payee_iban
            && found.lines.as_ref().is_some_and(|lines| {
                lines.len() == invoice.lines().len()
                    && lines.iter().zip(invoice.lines()).all(|(a, b)| {
                        a.description == b.description && a.quantity == b.quantity && a.unit_price == b.unit_price
                    })
            });
        return if same { Ok((found.id, Outcome::Unchanged)) } else { Err(taken()) };
    }
    let id = InvoiceId::from_raw(db::new_id());
    let now = db::now();
    let payment_reference = match &checked.payment_reference {
        // An invoice that came with a reference (an import, the API) keeps it.
        Some(given) => given.clone(),
        None => next_reference(tx, merchant).await?,
    };
    sqlx::query(
        "INSERT INTO invoices (id, merchant_id, customer_id, number, currency, issue_date, due_date, total_minor, \
         open_minor, mode, payment_reference, payee_iban, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $12)",
    )
    .bind(id.as_str())
    .bind(merchant.as_str())
    .bind(customer.as_str())
    .bind(invoice.number())
    .bind(invoice.currency().code())
    .bind(records::format_date(invoice.issue_date()))
    .bind(records::format_date(invoice.due_date()))
    .bind(invoice.total().minor())
    .bind(mode.as_str())
    .bind(&payment_reference)
    .bind(&checked.payee_iban)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // The lines in as few statements as the databases' bind limits allow (one round trip each).
    let numbered: Vec<(usize, &InvoiceLine)> = invoice.lines().iter().enumerate().collect();
    for batch in numbered.chunks(LINES_PER_INSERT) {
        let rows: Vec<String> = (0..batch.len())
            .map(|r| {
                let p = r * 8;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6,
                    p + 7,
                    p + 8
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO invoice_lines (id, merchant_id, invoice_id, position, description, quantity, unit_price_minor, \
             amount_minor) VALUES {}",
            rows.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for (position, line) in batch {
            insert = insert
                .bind(db::new_id())
                .bind(merchant.as_str())
                .bind(id.as_str())
                .bind(*position as i64 + 1)
                .bind(&line.description)
                .bind(line.quantity.normalize().to_string())
                .bind(line.unit_price.minor())
                .bind(line.amount()?.minor());
        }
        insert.execute(&mut **tx).await?;
    }
    let data = serde_json::json!({ "invoice": id, "number": invoice.number(), "customer": customer,
        "total": invoice.total().amount_string(), "currency": invoice.currency().code(),
        "due_date": records::format_date(invoice.due_date()), "mode": mode });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "invoice.created",
        subject_type: "invoice",
        subject_id: id.as_str(),
        before: None,
        after: Some(data.clone()),
    };
    audit::record(tx, who, &ctx.origin, entry).await?;
    events::emit(tx, merchant, mode, EventType::InvoiceCreated, id.as_str(), data).await?;
    Ok((id, Outcome::Created))
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    base: InvoiceRow,
    mode: String,
    payment_reference: Option<String>,
    payee_iban: Option<String>,
    created_at: i64,
    updated_at: i64,
    customer_number: String,
}

fn select(filter: &str) -> String {
    format!(
        "SELECT {INVOICE_COLUMNS}, i.mode, i.payment_reference, i.payee_iban, i.created_at, i.updated_at, c.number AS customer_number \
         FROM invoices i JOIN customers c ON c.merchant_id = i.merchant_id AND c.id = i.customer_id \
         WHERE i.merchant_id = $1 {filter}"
    )
}

impl Row {
    fn record(self, lines: Option<Vec<Line>>, today: Date) -> Result<InvoiceRecord> {
        let state = self.base.state(today)?;
        let bad = |what: &str| Error::internal(format!("invoice {}: bad {what} in database", self.base.id));
        Ok(InvoiceRecord {
            currency: state.total.currency(),
            id: state.id,
            number: state.number,
            customer: state.customer,
            customer_number: CustomerNumber::parse(&self.customer_number).map_err(|_| bad("customer number"))?,
            issue_date: state.issue_date,
            due_date: state.due_date,
            total: state.total,
            open: state.balance,
            paid: state.paid,
            credited: state.credited,
            written_off: state.written_off,
            status: state.status,
            payment_reference: self.payment_reference,
            payee_iban: self.payee_iban,
            lines,
            mode: Mode::from_stored(&self.mode, format_args!("invoice {}", self.base.id))?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

async fn lines_of(
    db: &mut AnyConnection,
    merchant: &MerchantId,
    invoice: &str,
    currency: Currency,
) -> Result<Vec<Line>> {
    let rows: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(
        "SELECT position, description, quantity, unit_price_minor, amount_minor FROM invoice_lines \
         WHERE merchant_id = $1 AND invoice_id = $2 ORDER BY position",
    )
    .bind(merchant.as_str())
    .bind(invoice)
    .fetch_all(&mut *db)
    .await?;
    rows.into_iter()
        .map(|(position, description, quantity, unit, amount)| {
            Ok(Line {
                position: u32::try_from(position).map_err(Error::internal)?,
                description,
                quantity: Decimal::from_str(&quantity).map_err(Error::internal)?,
                unit_price: Money::from_minor(unit, currency),
                amount: Money::from_minor(amount, currency),
            })
        })
        .collect()
}

/// One invoice by `column` (`i.id` or `i.number`), in `mode` when given, read on `db`: a
/// connection of the pool, or a writer's own inside its transaction.
async fn load(
    db: &mut AnyConnection,
    merchant: &MerchantId,
    mode: Option<Mode>,
    column: &str,
    value: &str,
    with_lines: bool,
) -> Result<InvoiceRecord> {
    let row: Option<Row> = sqlx::query_as(&select(&format!("AND {column} = $2 AND ($3 = '' OR i.mode = $3)")))
        .bind(merchant.as_str())
        .bind(value)
        .bind(mode.map(Mode::as_str).unwrap_or(""))
        .fetch_optional(&mut *db)
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    let lines = if with_lines {
        Some(lines_of(db, merchant, &row.base.id, records::currency(&row.base.currency)?).await?)
    } else {
        None
    };
    row.record(lines, records::today_of(&mut *db, merchant).await?)
}

/// One invoice of `who`'s merchant and mode, with its lines.
pub async fn get(ctx: &Ctx, who: &Principal, id: &InvoiceId) -> Result<InvoiceRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    load(&mut *ctx.pool.acquire().await?, &merchant, Some(mode), "i.id", id.as_str(), true).await
}

/// One invoice by the merchant's number, with its lines.
pub async fn by_number(ctx: &Ctx, who: &Principal, number: &InvoiceNumber) -> Result<InvoiceRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    load(&mut *ctx.pool.acquire().await?, &merchant, Some(mode), "i.number", number.as_str(), true).await
}

/// Which invoices a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Something left to pay (open, partly paid, overdue).
    Open,
    /// Something left to pay and past its due date.
    Overdue,
    /// Nothing left to pay (paid, credited, written off).
    Settled,
}

impl StatusFilter {
    pub fn parse(text: &str) -> Option<StatusFilter> {
        match text {
            "open" => Some(StatusFilter::Open),
            "overdue" => Some(StatusFilter::Overdue),
            "settled" => Some(StatusFilter::Settled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub status: Option<StatusFilter>,
    pub customer: Option<CustomerId>,
    /// Due on or before.
    pub due_before: Option<Date>,
    /// Due on or after.
    pub due_after: Option<Date>,
    /// Changed (created, paid, credited, ...) at or after this unix time.
    pub updated_since: Option<i64>,
}

enum Arg {
    Text(String),
    Int(i64),
}

/// A page of invoices, oldest first, after `cursor`; without their lines.
pub async fn list(
    ctx: &Ctx,
    who: &Principal,
    filter: &InvoiceFilter,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<InvoiceRecord>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let today = records::today_of(&ctx.pool, &merchant).await?;
    let mut sql = String::from("AND i.mode = $2");
    let mut args = vec![Arg::Text(mode.as_str().into())];
    let mut arg = |sql: &mut String, clause: &str, value: Arg| {
        args.push(value);
        sql.push_str(&clause.replace("$?", &format!("${}", args.len() + 1)));
    };
    match filter.status {
        Some(StatusFilter::Open) => sql.push_str(" AND i.open_minor > 0"),
        Some(StatusFilter::Overdue) => {
            let condition = format!(" AND {}", records::overdue_condition("$?"));
            arg(&mut sql, &condition, Arg::Text(records::format_date(today)))
        }
        Some(StatusFilter::Settled) => sql.push_str(" AND i.open_minor = 0"),
        None => {}
    }
    if let Some(c) = &filter.customer {
        arg(&mut sql, " AND i.customer_id = $?", Arg::Text(c.to_string()));
    }
    if let Some(d) = filter.due_before {
        arg(&mut sql, " AND i.due_date <= $?", Arg::Text(records::format_date(d)));
    }
    if let Some(d) = filter.due_after {
        arg(&mut sql, " AND i.due_date >= $?", Arg::Text(records::format_date(d)));
    }
    if let Some(t) = filter.updated_since {
        arg(&mut sql, " AND i.updated_at >= $?", Arg::Int(t));
    }
    if let Some(c) = after {
        let at = args.len() + 2;
        args.push(Arg::Int(c.created_at));
        args.push(Arg::Text(c.id.clone()));
        sql.push_str(&format!(" AND (i.created_at > ${at} OR (i.created_at = ${at} AND i.id > ${}))", at + 1));
    }
    sql.push_str(&format!(" ORDER BY i.created_at, i.id LIMIT {}", u64::from(limit) + 1));
    let text = select(&sql);
    let mut query = sqlx::query_as::<_, Row>(&text).bind(merchant.as_str());
    for a in args {
        query = match a {
            Arg::Text(t) => query.bind(t),
            Arg::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(&ctx.pool).await?;
    let items = rows.into_iter().map(|r| r.record(None, today)).collect::<Result<Vec<_>>>()?;
    Ok(Page::of(items, limit, |i| Cursor { created_at: i.created_at, id: i.id.to_string() }))
}
