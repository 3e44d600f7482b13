//! Rows as the database returns them, and their conversion into domain values. A row that
//! does not convert (an unknown currency, a malformed date) is a corrupt database: an internal
//! error, never shown to a visitor.

use kassa_domain::{
    Currency, CustomerId, InvoiceId, InvoiceNumber, InvoiceStatus, MerchantId, MerchantSlug, Money, ReferenceScheme,
    StatusFacts,
};
use serde::Serialize;
use time::Date;

use crate::db::Pool;
use crate::error::{Error, Result};
use crate::principal::{Mode, Principal};

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub fn parse_date(text: &str) -> Result<Date> {
    Date::parse(text, DATE).map_err(|e| Error::internal(format!("bad date in database: {text}: {e}")))
}

pub fn format_date(date: Date) -> String {
    date.format(DATE).expect("dates always format")
}

pub fn currency(code: &str) -> Result<Currency> {
    Currency::parse(code).map_err(|e| Error::internal(format!("bad currency in database: {e}")))
}

/// The time zone Kassa assumes for a merchant that has not chosen one.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Amsterdam";

/// An IANA time zone by its name (`Europe/Copenhagen`), from the database inside the binary.
pub fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::db().get(name).ok()
}

/// Every time zone name Kassa knows, sorted: what the settings page offers.
pub fn time_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
    names.sort();
    names
}

/// The calendar day it is now in `zone`.
pub fn today_in(zone: &jiff::tz::TimeZone) -> Date {
    from_civil(zone.to_datetime(jiff::Timestamp::now()).date())
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// The calendar day in `zone` at `unix` seconds (a payment's date on a statement).
pub fn day_in(zone: &jiff::tz::TimeZone, unix: i64) -> Result<Date> {
    let at = jiff::Timestamp::from_second(unix).map_err(|e| Error::internal(format!("bad moment {unix}: {e}")))?;
    from_civil(zone.to_datetime(at).date()).ok_or_else(|| Error::internal(format!("no calendar day for {unix}")))
}

/// The moment (unix seconds) `day` begins in `zone`: where a period of days starts.
pub fn start_of_day(zone: &jiff::tz::TimeZone, day: Date) -> Result<i64> {
    let civil = jiff::civil::Date::new(day.year() as i16, u8::from(day.month()) as i8, day.day() as i8)
        .map_err(|e| Error::internal(format!("no civil date for {day}: {e}")))?;
    let at = zone
        .to_timestamp(civil.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| Error::internal(format!("{day} in {zone:?}: {e}")))?;
    Ok(at.as_second())
}

fn from_civil(day: jiff::civil::Date) -> Option<Date> {
    let month = time::Month::try_from(day.month() as u8).ok()?;
    Date::from_calendar_date(i32::from(day.year()), month, day.day() as u8).ok()
}

/// A merchant as the portal and the admin need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merchant {
    pub id: MerchantId,
    pub slug: MerchantSlug,
    pub name: String,
    pub brand_color: String,
    /// Where Kassa serves its logo (`/p/{slug}/logo/{digest}.png`; crate::services::logos).
    pub logo_url: Option<String>,
    /// The logo's width and height in pixels.
    pub logo_size: Option<(u32, u32)>,
    /// Test mode: the sandbox gateway and a visible banner; live mode: real money only.
    pub mode: Mode,
    /// Its IANA time zone: whose "today" decides due and overdue, and its local times.
    pub time_zone: String,
    /// Where debtors send a bank transfer, once the merchant has said.
    pub bank: Option<BankAccount>,
    /// The structured reference its invoices carry.
    pub reference_scheme: ReferenceScheme,
}

/// A merchant's bank account for transfers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankAccount {
    /// The beneficiary's name as the bank knows it.
    pub name: String,
    /// Electronic form, checked when it was set.
    pub iban: String,
    pub bic: Option<String>,
    /// The Danish FI creditor number (8 digits), for +71 code lines.
    pub fik_creditor: Option<String>,
}

impl Merchant {
    /// The merchant's time zone (a name the database no longer knows: an internal error).
    pub fn zone(&self) -> Result<jiff::tz::TimeZone> {
        time_zone(&self.time_zone)
            .ok_or_else(|| Error::internal(format!("merchant {}: unknown time zone {:?}", self.id, self.time_zone)))
    }

    /// The calendar day it is now where the merchant is.
    pub fn today(&self) -> Result<Date> {
        Ok(today_in(&self.zone()?))
    }
}

#[derive(sqlx::FromRow)]
struct MerchantRow {
    id: String,
    slug: String,
    name: String,
    brand_color: String,
    logo_url: Option<String>,
    logo_width: Option<i64>,
    logo_height: Option<i64>,
    mode: String,
    time_zone: String,
    bank_account_name: Option<String>,
    bank_iban: Option<String>,
    bank_bic: Option<String>,
    fik_creditor: Option<String>,
    reference_scheme: String,
}

impl TryFrom<MerchantRow> for Merchant {
    type Error = Error;
    fn try_from(r: MerchantRow) -> Result<Merchant> {
        Ok(Merchant {
            id: MerchantId::from_raw(r.id),
            slug: MerchantSlug::parse(&r.slug)
                .map_err(|_| Error::internal(format!("bad slug in database: {}", r.slug)))?,
            name: r.name,
            brand_color: r.brand_color,
            logo_size: match (r.logo_width, r.logo_height) {
                (Some(w), Some(h)) => Some((u32::try_from(w).unwrap_or(0), u32::try_from(h).unwrap_or(0))),
                _ => None,
            },
            logo_url: r.logo_url,
            mode: match r.mode.as_str() {
                "live" => Mode::Live,
                "test" => Mode::Test,
                other => return Err(Error::internal(format!("unknown merchant mode {other:?}"))),
            },
            time_zone: r.time_zone,
            bank: match (r.bank_account_name, r.bank_iban) {
                (Some(name), Some(iban)) => {
                    Some(BankAccount { name, iban, bic: r.bank_bic, fik_creditor: r.fik_creditor })
                }
                _ => None,
            },
            reference_scheme: ReferenceScheme::parse(&r.reference_scheme)
                .ok_or_else(|| Error::internal(format!("unknown reference scheme {:?}", r.reference_scheme)))?,
        })
    }
}

/// A merchant's columns, with its logo's size.
const MERCHANT_COLUMNS: &str = "m.id, m.slug, m.name, m.brand_color, m.logo_url, l.width AS logo_width, \
     l.height AS logo_height, m.mode, m.time_zone, m.bank_account_name, m.bank_iban, m.bank_bic, m.fik_creditor, \
     m.reference_scheme FROM merchants m LEFT JOIN merchant_logos l ON l.merchant_id = m.id";

pub async fn merchant_by_slug(pool: &Pool, slug: &MerchantSlug) -> Result<Merchant> {
    sqlx::query_as::<_, MerchantRow>(&format!("SELECT {MERCHANT_COLUMNS} WHERE m.slug = $1"))
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)?
        .try_into()
}

/// Merchant `id`, on the pool or inside a transaction (a writer reads on its own connection:
/// [`crate::db::begin_write`]).
pub async fn merchant_by_id<'e, E>(db: E, id: &MerchantId) -> Result<Merchant>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as::<_, MerchantRow>(&format!("SELECT {MERCHANT_COLUMNS} WHERE m.id = $1"))
        .bind(id.as_str())
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?
        .try_into()
}

/// The calendar day it is now where merchant `id` is.
pub async fn today_of<'e, E>(db: E, id: &MerchantId) -> Result<Date>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    merchant_by_id(db, id).await?.today()
}

/// An invoice and where it stands today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceState {
    pub id: InvoiceId,
    pub customer: CustomerId,
    pub number: InvoiceNumber,
    pub issue_date: Date,
    pub due_date: Date,
    pub total: Money,
    /// Applied from payments.
    pub paid: Money,
    /// Applied from credit notes.
    pub credited: Money,
    pub written_off: Money,
    pub balance: Money,
    pub status: InvoiceStatus,
    /// The last day an open promise to pay holds it out of collection.
    pub promised_until: Option<Date>,
    /// What disputes not yet resolved hold out of collection.
    pub disputed: Money,
    /// What may be asked for and paid now: the balance less what disputes hold.
    pub collectable: Money,
    /// The active payment plan it is in.
    pub plan: Option<String>,
}

/// An invoice with what has been allocated to it so far.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct InvoiceRow {
    pub id: String,
    pub customer_id: String,
    pub number: String,
    pub currency: String,
    pub issue_date: String,
    pub due_date: String,
    pub total_minor: i64,
    pub paid_minor: i64,
    pub credited_minor: i64,
    pub written_off_minor: i64,
    /// The last day an open promise to pay holds it out of collection.
    pub promised_until: Option<String>,
    /// What its disputes not yet resolved hold out of collection.
    pub disputed_minor: i64,
    /// The active payment plan that holds it out of collection.
    pub plan_id: Option<String>,
}

/// Select list for [`InvoiceRow`] over `invoices i`: what payments, credit notes and
/// write-offs have settled, summed from the ledger.
pub const INVOICE_COLUMNS: &str =
    "i.id, i.customer_id, i.number, i.currency, i.issue_date, i.due_date, i.total_minor, i.promised_until, \
     i.disputed_minor, i.plan_id, \
     CAST(COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.merchant_id = i.merchant_id \
       AND a.invoice_id = i.id AND a.payment_id IS NOT NULL), 0) AS BIGINT) AS paid_minor, \
     CAST(COALESCE((SELECT SUM(a.amount_minor) FROM applications a WHERE a.merchant_id = i.merchant_id \
       AND a.invoice_id = i.id AND a.credit_note_id IS NOT NULL), 0) AS BIGINT) AS credited_minor, \
     CAST(COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w WHERE w.merchant_id = i.merchant_id \
       AND w.invoice_id = i.id), 0) AS BIGINT) AS written_off_minor";

/// The SQL condition (over `invoices i`) for an invoice whose status is overdue on `today` (a
/// placeholder such as `$4`), as `InvoiceStatus::derive` decides: something open, past its due
/// date, and not in a plan, disputed or promised.
pub fn overdue_condition(today: &str) -> String {
    format!(
        "(i.open_minor > 0 AND i.due_date < {today} AND i.plan_id IS NULL AND i.disputed_minor = 0 \
         AND (i.promised_until IS NULL OR i.promised_until < {today}))"
    )
}

impl InvoiceRow {
    pub fn currency(&self) -> Result<Currency> {
        currency(&self.currency)
    }

    /// What is still open. More allocated than the total is a broken ledger, reported as
    /// such instead of being shown as zero.
    pub fn balance(&self) -> Result<Money> {
        let open = self.total_minor - self.paid_minor - self.credited_minor - self.written_off_minor;
        if open < 0 {
            return Err(Error::internal(format!("invoice {} is settled beyond its total", self.id)));
        }
        Ok(Money::from_minor(open, self.currency()?))
    }

    pub fn state(&self, today: Date) -> Result<InvoiceState> {
        let currency = self.currency()?;
        let due_date = parse_date(&self.due_date)?;
        let total = Money::from_minor(self.total_minor, currency);
        let paid = Money::from_minor(self.paid_minor, currency);
        let credited = Money::from_minor(self.credited_minor, currency);
        let written_off = Money::from_minor(self.written_off_minor, currency);
        let promised_until = self.promised_until.as_deref().map(parse_date).transpose()?;
        let disputed = Money::from_minor(self.disputed_minor, currency);
        let facts = StatusFacts {
            total,
            paid,
            credited,
            written_off,
            due_date,
            today,
            disputed,
            in_plan: self.plan_id.is_some(),
            promised_until,
        };
        Ok(InvoiceState {
            id: InvoiceId::from_raw(self.id.clone()),
            customer: CustomerId::from_raw(self.customer_id.clone()),
            number: InvoiceNumber::parse(&self.number)
                .map_err(|_| Error::internal(format!("bad invoice number in database: {}", self.id)))?,
            issue_date: parse_date(&self.issue_date)?,
            due_date,
            total,
            paid,
            credited,
            written_off,
            balance: self.balance()?,
            status: InvoiceStatus::derive(&facts),
            promised_until,
            disputed,
            collectable: facts.collectable(),
            plan: self.plan_id.clone(),
        })
    }
}

/// Whose data a request reads and writes, and in which mode: an API key its merchant's data
/// of its own mode; staff their merchant's data in the merchant's current mode; the system
/// (CLI, imports, the demo) the named merchant's, likewise. Debtors never reach here.
/// On the pool, or on a writer's own connection inside its transaction.
pub async fn scope<'e, E>(db: E, who: &Principal, merchant: Option<&MerchantId>) -> Result<(MerchantId, Mode)>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if let Principal::ApiKey(k) = who {
        scoped_id(who, merchant)?;
        return Ok((k.merchant.clone(), k.mode));
    }
    let m = merchant_by_id(db, scoped_id(who, merchant)?).await?;
    Ok((m.id, m.mode))
}

/// The merchant `who` acts for (as [`scope`] decides it), read once.
pub async fn scoped_merchant(pool: &Pool, who: &Principal, merchant: Option<&MerchantId>) -> Result<Merchant> {
    merchant_by_id(pool, scoped_id(who, merchant)?).await
}

/// Which merchant `who` acts for, asked about `merchant` (or their own when `None`).
fn scoped_id<'a>(who: &'a Principal, merchant: Option<&'a MerchantId>) -> Result<&'a MerchantId> {
    match who {
        Principal::ApiKey(k) if merchant.is_none_or(|m| m == &k.merchant) => Ok(&k.merchant),
        Principal::Staff(s) if merchant.is_none_or(|m| m == &s.merchant) => Ok(&s.merchant),
        Principal::System => merchant.ok_or_else(|| Error::internal("the system acts for a named merchant")),
        Principal::Debtor(_) => Err(Error::Forbidden),
        Principal::ApiKey(_) | Principal::Staff(_) => Err(Error::NotFound),
    }
}

/// A customer's mode (test or live), inside a transaction.
pub async fn customer_mode(tx: &mut crate::db::Tx, merchant: &MerchantId, customer: &CustomerId) -> Result<Mode> {
    let mode: String = sqlx::query_scalar("SELECT mode FROM customers WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(customer.as_str())
        .fetch_one(&mut **tx)
        .await?;
    Mode::from_stored(&mode, format_args!("customer {customer}"))
}

/// `2026-11-25T06:00:00Z`.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// Where a page of a list ended: opaque to callers (base64 of `created_at.id`), so the order
/// can change without breaking their code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    /// What [`Cursor::decode`] reads: the position's time and id, `1764547200.3f0c...`. Any
    /// text of this shape is a valid position (a page starts after it, wherever it falls), so
    /// the API's document can state the rule exactly.
    pub const PATTERN: &'static str = "^[0-9]{1,18}\\.[A-Za-z0-9_-]{1,64}$";

    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    pub fn decode(text: &str) -> Result<Cursor, kassa_domain::Problem> {
        let bad = kassa_domain::Problem::InvalidCursor;
        let (at, id) = text.split_once('.').ok_or(bad.clone())?;
        let digits = !at.is_empty() && at.len() <= 18 && at.bytes().all(|b| b.is_ascii_digit());
        let id_ok =
            (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !digits || !id_ok {
            return Err(bad);
        }
        Ok(Cursor { created_at: at.parse().map_err(|_| bad)?, id: id.to_string() })
    }
}

/// One page of a list, and the cursor of the next page if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// From up to `limit + 1` rows: the extra row only says that another page follows.
    pub fn of(mut rows: Vec<T>, limit: u32, cursor: impl Fn(&T) -> Cursor) -> Page<T> {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(cursor) } else { None };
        Page { items: rows, next }
    }
}

/// The id of the row of `table` (`promises`, `disputes`: one with `customer_id` and
/// `idempotency_key`) that the debtor made with idempotency `key`, if any.
pub(crate) async fn debtor_keyed<'e, E>(
    db: E,
    table: &'static str,
    debtor: &crate::principal::Debtor,
    key: &str,
) -> Result<Option<String>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE merchant_id = $1 AND customer_id = $2 AND idempotency_key = $3"
    ))
    .bind(debtor.merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(key)
    .fetch_optional(db)
    .await?)
}

/// A form's idempotency key, trimmed: 1 to 255 characters without control characters; any
/// other is a form that expired or was tampered with.
pub(crate) fn form_key(key: &str) -> Result<&str> {
    let key = key.trim();
    if key.is_empty() || key.len() > 255 || key.chars().any(char::is_control) {
        return Err(kassa_domain::Problem::FormExpired.into());
    }
    Ok(key)
}
