//! Disputes: a debtor contests a whole invoice or chosen lines of it, with a reason, the
//! amount they dispute (the chosen lines' amounts by default, less if they say so; never more
//! than is open and not already disputed) and a message that starts the thread with staff.
//! While a dispute is not resolved its amount is out of collection
//! (`invoices.disputed_minor`, read into `StatusFacts::disputed`); the rest of the invoice
//! stays payable. Opening one writes the audit log and emits `dispute.opened`.
//!
//! Staff answer in the thread (their first answer moves an open dispute to under review) or
//! write internal notes the debtor never sees; the debtor answers back. Staff resolve it:
//! credited in full or in part (a credit note against the invoice, in the same transaction,
//! so the invoice, the portal and the statement change at once), rejected or adjusted, always
//! with an answer to the debtor; the amount it held returns to collection less what was
//! credited. Each step writes the audit log, emits `dispute.message` or `dispute.resolved`
//! and mails the debtor what staff wrote (job `mail.dispute`).

use kassa_domain::dispute::{self, DisputeError, DisputeReason, DisputeStatus, Outcome};
use kassa_domain::{CustomerId, InvoiceNumber, MerchantId, Money, Problem};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::events::{self, EventType};
use crate::principal::Principal;
use crate::services::{ledger, logos, notices, portal, records};
use crate::Ctx;
use sqlx::AnyConnection;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: u32 = 4_000;

/// What a debtor sends.
#[derive(Debug, Clone)]
pub struct OpenDispute {
    pub invoice: InvoiceNumber,
    /// A [`DisputeReason`] code (`not_received`, `damaged`, ...).
    pub reason: String,
    /// The disputed lines by their position (1 is the first); none: the whole invoice.
    pub lines: Vec<u32>,
    /// As typed, in the notation of the debtor's language; empty or `None`: the lines' amounts.
    pub amount: Option<String>,
    /// The decimal mark of the debtor's language.
    pub decimal: char,
    pub message: String,
    /// Photos or documents: PDF, JPEG or PNG by content, at most [`MAX_FILES`] of
    /// [`MAX_FILE_BYTES`] each.
    pub files: Vec<Upload>,
    /// The same key (one per form) answers the same dispute.
    pub key: String,
}

/// The most files a dispute is opened with.
pub const MAX_FILES: usize = 3;
/// The largest file, in bytes (5 MB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// A file as the debtor sent it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name their device gave it: shown, never trusted.
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A file attached to a dispute, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    pub id: String,
    pub filename: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, read from the content.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// A file to download: its name, its type and its bytes.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl StoredFile {
    /// A `Content-Disposition` that always downloads, with a name any browser reads: the
    /// file's name with anything but ASCII letters, digits, `.`, `-` and `_` made `_`.
    pub fn disposition(&self) -> String {
        let name: String = self
            .filename
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
            .collect();
        format!("attachment; filename=\"{name}\"")
    }
}

/// What `upload`'s content is (its name says nothing): a PDF (it starts as one and ends with
/// its end-of-file marker), or a PNG or JPEG that decodes (the logo's checks); its cleaned
/// name with the type's own extension.
fn checked_file(upload: &Upload) -> std::result::Result<(String, &'static str), Problem> {
    let shown = clean_name(&upload.filename);
    if upload.bytes.len() > MAX_FILE_BYTES {
        return Err(Problem::DisputeFileTooLarge { name: shown, max_mb: (MAX_FILE_BYTES / (1024 * 1024)) as u32 });
    }
    let bytes = &upload.bytes;
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let (content_type, extension) = if bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF") {
        ("application/pdf", "pdf")
    } else {
        match logos::Format::sniff(bytes) {
            Some(format) if logos::decode(format, bytes).is_some() => (format.content_type(), format.extension()),
            _ => return Err(Problem::DisputeFileNotAccepted { name: shown }),
        }
    };
    let stem = shown.rsplit_once('.').map(|(stem, _)| stem).filter(|s| !s.is_empty()).unwrap_or(&shown);
    Ok((format!("{stem}.{extension}"), content_type))
}

/// A file's name as sent, for showing: the last part of a path, without control characters,
/// at most 100 characters; `file` when nothing is left.
fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(100).collect();
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        "file".into()
    } else {
        cleaned
    }
}

/// Job `mail.dispute`: what staff wrote in a dispute (an answer or the resolution), to the
/// debtor.
pub const DISPUTE_MAIL: &str = "mail.dispute";

/// One message of a dispute's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: String,
    /// `debtor` or `staff`.
    pub author: String,
    pub body: String,
    /// A note between staff, never shown to the debtor.
    pub internal: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// A line a dispute is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisputedLine {
    /// 1 for the invoice's first line.
    pub position: u32,
    pub description: String,
}

/// A dispute as the debtor, staff and the API see it. The debtor's thread never holds staff's
/// internal notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    pub id: String,
    pub customer: CustomerId,
    pub customer_name: String,
    pub customer_number: String,
    pub invoice: InvoiceNumber,
    pub reason: DisputeReason,
    pub status: DisputeStatus,
    pub amount: Money,
    /// The disputed lines; empty: the whole invoice.
    pub lines: Vec<DisputedLine>,
    pub messages: Vec<Message>,
    /// Photos or documents the debtor attached.
    pub files: Vec<FileInfo>,
    pub outcome: Option<Outcome>,
    /// The credit note its resolution issued: number and amount.
    pub credit_note: Option<(InvoiceNumber, Money)>,
    /// Unix seconds.
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_id: String,
    customer_name: String,
    customer_number: String,
    invoice_number: String,
    reason: String,
    status: String,
    currency: String,
    amount_minor: i64,
    created_at: i64,
    resolved_at: Option<i64>,
    outcome: Option<String>,
    credit_note_number: Option<String>,
    credit_note_minor: Option<i64>,
}

const COLUMNS: &str = "d.id, d.customer_id, c.name AS customer_name, c.number AS customer_number, \
                       i.number AS invoice_number, d.reason, d.status, d.currency, d.amount_minor, d.created_at, \
                       d.resolved_at, d.outcome, n.number AS credit_note_number, n.amount_minor AS credit_note_minor";
const FROM: &str = "disputes d JOIN customers c ON c.merchant_id = d.merchant_id AND c.id = d.customer_id \
                    JOIN invoices i ON i.merchant_id = d.merchant_id AND i.id = d.invoice_id \
                    LEFT JOIN credit_notes n ON n.merchant_id = d.merchant_id AND n.id = d.credit_note_id";

/// Whose eyes a dispute is read for: staff (and the API) see internal notes, debtors never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Debtor,
    Staff,
}

/// The disputes of `rows` with their lines, threads and files: four queries however many.
async fn hydrate(pool: &Pool, merchant: &MerchantId, rows: Vec<Row>, reader: Reader) -> Result<Vec<Dispute>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = db::placeholders(2, rows.len());
    let lines_sql = format!(
        "SELECT l.dispute_id, l.position, il.description FROM dispute_lines l \
         JOIN disputes d ON d.merchant_id = l.merchant_id AND d.id = l.dispute_id \
         JOIN invoice_lines il ON il.merchant_id = d.merchant_id AND il.invoice_id = d.invoice_id \
         AND il.position = l.position \
         WHERE l.merchant_id = $1 AND l.dispute_id IN ({ids}) ORDER BY l.position"
    );
    let mut lines = sqlx::query_as::<_, (String, i64, String)>(&lines_sql).bind(merchant.as_str());
    let messages_sql = format!(
        "SELECT dispute_id, id, author, body, internal, created_at FROM dispute_messages \
         WHERE merchant_id = $1 AND dispute_id IN ({ids}) ORDER BY seq, created_at, id"
    );
    let mut messages =
        sqlx::query_as::<_, (String, String, String, String, i64, i64)>(&messages_sql).bind(merchant.as_str());
    let files_sql = format!(
        "SELECT dispute_id, id, filename, content_type, size_bytes, sha256 FROM dispute_files \
         WHERE merchant_id = $1 AND dispute_id IN ({ids}) ORDER BY created_at, position"
    );
    let mut files =
        sqlx::query_as::<_, (String, String, String, String, i64, String)>(&files_sql).bind(merchant.as_str());
    for row in &rows {
        lines = lines.bind(&row.id);
        messages = messages.bind(&row.id);
        files = files.bind(&row.id);
    }
    let lines = lines.fetch_all(pool).await?;
    let messages = messages.fetch_all(pool).await?;
    let files = files.fetch_all(pool).await?;
    rows.into_iter()
        .map(|row| {
            let credit_note = match (row.credit_note_number, row.credit_note_minor) {
                (Some(number), Some(minor)) => Some((
                    InvoiceNumber::parse(&number)
                        .map_err(|_| Error::internal(format!("bad credit note number {number:?}")))?,
                    Money::from_minor(minor, records::currency(&row.currency)?),
                )),
                _ => None,
            };
            Ok(Dispute {
                customer: CustomerId::from_raw(row.customer_id),
                customer_name: row.customer_name,
                customer_number: row.customer_number,
                invoice: InvoiceNumber::parse(&row.invoice_number)
                    .map_err(|_| Error::internal(format!("bad invoice number {:?}", row.invoice_number)))?,
                reason: DisputeReason::parse(&row.reason)
                    .ok_or_else(|| Error::internal(format!("dispute reason {:?}", row.reason)))?,
                status: DisputeStatus::parse(&row.status)
                    .ok_or_else(|| Error::internal(format!("dispute status {:?}", row.status)))?,
                amount: Money::from_minor(row.amount_minor, records::currency(&row.currency)?),
                lines: lines
                    .iter()
                    .filter(|(id, _, _)| *id == row.id)
                    .map(|(_, p, description)| DisputedLine {
                        position: u32::try_from(*p).unwrap_or(0),
                        description: description.clone(),
                    })
                    .collect(),
                messages: messages
                    .iter()
                    .filter(|m| m.0 == row.id && (reader == Reader::Staff || m.4 == 0))
                    .map(|(_, id, author, body, internal, created_at)| Message {
                        id: id.clone(),
                        author: author.clone(),
                        body: body.clone(),
                        internal: *internal != 0,
                        created_at: *created_at,
                    })
                    .collect(),
                files: files
                    .iter()
                    .filter(|f| f.0 == row.id)
                    .map(|(_, id, filename, content_type, size_bytes, sha256)| FileInfo {
                        id: id.clone(),
                        filename: filename.clone(),
                        content_type: content_type.clone(),
                        size_bytes: *size_bytes,
                        sha256: sha256.clone(),
                    })
                    .collect(),
                outcome: match row.outcome.as_deref() {
                    None => None,
                    Some(o) => {
                        Some(Outcome::parse(o).ok_or_else(|| Error::internal(format!("dispute outcome {o:?}")))?)
                    }
                },
                credit_note,
                created_at: row.created_at,
                resolved_at: row.resolved_at,
                id: row.id,
            })
        })
        .collect()
}

async fn by_id(pool: &Pool, merchant: &MerchantId, id: &str, reader: Reader) -> Result<Dispute> {
    let row: Row = sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND d.id = $2"))
        .bind(merchant.as_str())
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)?;
    hydrate(pool, merchant, vec![row], reader).await?.pop().ok_or(Error::NotFound)
}

/// The debtor disputes (part of) an invoice (see the module's documentation). A repeat with
/// the same key answers the same dispute.
pub async fn open(ctx: &Ctx, who: &Principal, cmd: OpenDispute) -> Result<Dispute> {
    let debtor = who.debtor()?;
    let merchant = &debtor.merchant;
    let key = records::form_key(&cmd.key)?;
    if let Some(id) = records::debtor_keyed(&ctx.pool, "disputes", debtor, key).await? {
        return by_id(&ctx.pool, merchant, &id, Reader::Debtor).await;
    }
    let reason = DisputeReason::parse(cmd.reason.trim())
        .ok_or_else(|| Error::from(Problem::DisputeReasonUnknown { input: cmd.reason.trim().to_string() }))?;
    let message = cmd.message.trim().to_string();
    if message.is_empty() || message.chars().count() > MAX_MESSAGE_CHARS as usize {
        return Err(Problem::DisputeMessageInvalid { max_chars: MAX_MESSAGE_CHARS }.into());
    }
    let mut positions = cmd.lines.clone();
    positions.sort_unstable();
    positions.dedup();
    if cmd.files.len() > MAX_FILES {
        return Err(Problem::DisputeTooManyFiles { max: MAX_FILES as u32 }.into());
    }
    let files =
        cmd.files.iter().map(|f| Ok((checked_file(f)?, f))).collect::<std::result::Result<Vec<_>, Problem>>()?;

    let mut tx = db::begin_write(&ctx.pool).await?;
    db::lock_customer(&mut tx, merchant.as_str(), debtor.customer.as_str()).await?;
    // The same form sent twice at once: the second waited for the first's lock.
    if let Some(id) = records::debtor_keyed(&mut *tx, "disputes", debtor, key).await? {
        tx.rollback().await?;
        return by_id(&ctx.pool, merchant, &id, Reader::Debtor).await;
    }
    let row = portal::debtor_invoice(&mut *tx, debtor, &cmd.invoice).await?;
    let currency = row.currency()?;
    let disputed: i64 = sqlx::query_scalar("SELECT disputed_minor FROM invoices WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(&row.id)
        .fetch_one(&mut *tx)
        .await?;
    // What is open and not already held by another dispute.
    let available = Money::from_minor((row.balance()?.minor() - disputed).max(0), currency);
    let mut line_amounts = Vec::with_capacity(positions.len());
    for position in &positions {
        let amount: Option<i64> = sqlx::query_scalar(
            "SELECT amount_minor FROM invoice_lines WHERE merchant_id = $1 AND invoice_id = $2 AND position = $3",
        )
        .bind(merchant.as_str())
        .bind(&row.id)
        .bind(i64::from(*position))
        .fetch_optional(&mut *tx)
        .await?;
        let amount = amount.ok_or(Problem::DisputeLineUnknown { line: *position })?;
        line_amounts.push(Money::from_minor(amount, currency));
    }
    let asked = match cmd.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(typed) => Some(Money::parse_typed(typed, currency, cmd.decimal).map_err(Problem::from)?),
        None => None,
    };
    let amount = dispute::disputed_amount(available, &line_amounts, asked).map_err(|e| match e {
        DisputeError::NothingOpen => Problem::NothingOpen,
        DisputeError::BadAmount { most } => Problem::DisputeAmountInvalid { most },
        DisputeError::Money(m) => m.into(),
        DisputeError::BadMove { .. } => Problem::NothingOpen,
    })?;

    let id = db::new_id();
    let now = db::now();
    sqlx::query(
        "INSERT INTO disputes (id, merchant_id, customer_id, invoice_id, reason, status, currency, amount_minor, \
         idempotency_key, opened_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $10)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(debtor.customer.as_str())
    .bind(&row.id)
    .bind(reason.as_str())
    .bind(currency.code())
    .bind(amount.minor())
    .bind(key)
    .bind(audit::actor(who))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for position in &positions {
        sqlx::query("INSERT INTO dispute_lines (merchant_id, dispute_id, position) VALUES ($1, $2, $3)")
            .bind(merchant.as_str())
            .bind(&id)
            .bind(i64::from(*position))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO dispute_messages (id, merchant_id, dispute_id, author, written_by, body, internal, created_at) \
         VALUES ($1, $2, $3, 'debtor', $4, $5, 0, $6)",
    )
    .bind(db::new_id())
    .bind(merchant.as_str())
    .bind(&id)
    .bind(audit::actor(who))
    .bind(&message)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (position, ((filename, content_type), upload)) in files.iter().enumerate() {
        let sha256: String = Sha256::digest(&upload.bytes).iter().map(|b| format!("{b:02x}")).collect();
        sqlx::query(
            "INSERT INTO dispute_files (id, merchant_id, dispute_id, position, filename, content_type, size_bytes, \
             sha256, content, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(db::new_id())
        .bind(merchant.as_str())
        .bind(&id)
        .bind(position as i64)
        .bind(filename)
        .bind(*content_type)
        .bind(upload.bytes.len() as i64)
        .bind(sha256)
        .bind(upload.bytes.as_slice())
        .bind(audit::actor(who))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE invoices SET disputed_minor = disputed_minor + $1 WHERE merchant_id = $2 AND id = $3")
        .bind(amount.minor())
        .bind(merchant.as_str())
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    let data = json!({ "dispute": id, "customer": debtor.customer, "invoice": row.id, "number": row.number,
        "reason": reason.as_str(), "lines": positions, "amount": amount.amount_string(), "currency": currency.code(),
        "files": files.len() });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "dispute.opened",
        subject_type: "dispute",
        subject_id: &id,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    let mode = records::customer_mode(&mut tx, merchant, &debtor.customer).await?;
    events::emit(&mut tx, merchant, mode, EventType::DisputeOpened, &id, data).await?;
    tx.commit().await?;
    by_id(&ctx.pool, merchant, &id, Reader::Debtor).await
}

/// The disputes on one of the debtor's invoices (by its id), newest first.
pub async fn of_invoice(pool: &Pool, merchant: &MerchantId, invoice: &str) -> Result<Vec<Dispute>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND d.invoice_id = $2 ORDER BY d.created_at DESC, d.id"
    ))
    .bind(merchant.as_str())
    .bind(invoice)
    .fetch_all(pool)
    .await?;
    hydrate(pool, merchant, rows, Reader::Debtor).await
}

/// The disputes of `who`'s merchant and mode, oldest first (the queue's order): with `status`
/// and of `customer` if given, at most `limit`.
pub async fn list(
    ctx: &Ctx,
    who: &Principal,
    status: Option<DisputeStatus>,
    customer: Option<&CustomerId>,
    limit: u32,
) -> Result<Vec<Dispute>> {
    Ok(page(ctx, who, status, customer, limit, None).await?.items)
}

/// [`list`] a page at a time: the disputes after `after` (the cursor of the page before).
pub async fn page(
    ctx: &Ctx,
    who: &Principal,
    status: Option<DisputeStatus>,
    customer: Option<&CustomerId>,
    limit: u32,
    after: Option<&records::Cursor>,
) -> Result<records::Page<Dispute>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let limit = limit.clamp(1, 500);
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MIN, ""));
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND c.mode = $2 AND ($3 = '' OR d.status = $3) \
         AND ($4 = '' OR d.customer_id = $4) AND (d.created_at > $5 OR (d.created_at = $5 AND d.id > $6)) \
         ORDER BY d.created_at, d.id LIMIT $7"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(status.map(|s| s.as_str()).unwrap_or(""))
    .bind(customer.map(CustomerId::as_str).unwrap_or(""))
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&ctx.pool)
    .await?;
    let disputes = hydrate(&ctx.pool, &merchant, rows, Reader::Staff).await?;
    Ok(records::Page::of(disputes, limit, |d| records::Cursor { created_at: d.created_at, id: d.id.clone() }))
}

/// One dispute of `who`'s merchant and mode, with staff's internal notes.
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<Dispute> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Row =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.merchant_id = $1 AND d.id = $2 AND c.mode = $3"))
            .bind(merchant.as_str())
            .bind(id)
            .bind(mode.as_str())
            .fetch_optional(&ctx.pool)
            .await?
            .ok_or(Error::NotFound)?;
    hydrate(&ctx.pool, &merchant, vec![row], Reader::Staff).await?.pop().ok_or(Error::NotFound)
}

/// A message for a dispute's thread.
#[derive(Debug, Clone)]
pub struct Reply {
    pub dispute: String,
    pub body: String,
    /// Staff only: a note between staff, never shown to the debtor (nor mailed).
    pub internal: bool,
    /// The same key (one per form or API request) writes the message once.
    pub key: String,
}

/// The dispute a reply or resolution is about, locked for the change: its merchant, customer,
/// invoice, amount and status, scoped to `who` (a debtor: only their own).
struct Locked {
    merchant: MerchantId,
    customer: CustomerId,
    invoice: String,
    invoice_number: String,
    amount: Money,
    status: DisputeStatus,
    outcome: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LockedRow {
    invoice_id: String,
    invoice_number: String,
    currency: String,
    amount_minor: i64,
    status: String,
    outcome: Option<String>,
}

/// The dispute `id` if `who` may reach it (a debtor: their own, on a pay link only that
/// invoice's; staff and keys: their merchant's, in their mode): its merchant, customer and
/// invoice. Anything else is not found.
async fn reach(db: &mut AnyConnection, who: &Principal, id: &str) -> Result<(MerchantId, String, String)> {
    let (merchant, debtor, mode) = match who {
        Principal::Debtor(d) => (d.merchant.clone(), Some(d), None),
        _ => {
            let (merchant, mode) = records::scope(&mut *db, who, None).await?;
            (merchant, None, Some(mode))
        }
    };
    let found: Option<(String, String, String)> = sqlx::query_as(
        "SELECT d.customer_id, d.invoice_id, c.mode FROM disputes d \
         JOIN customers c ON c.merchant_id = d.merchant_id AND c.id = d.customer_id \
         WHERE d.merchant_id = $1 AND d.id = $2",
    )
    .bind(merchant.as_str())
    .bind(id)
    .fetch_optional(db)
    .await?;
    let (customer, invoice, customer_mode) = found.ok_or(Error::NotFound)?;
    let theirs = debtor
        .is_none_or(|d| d.customer.as_str() == customer && d.invoice.as_ref().is_none_or(|i| i.as_str() == invoice))
        && mode.is_none_or(|m| m.as_str() == customer_mode);
    if theirs {
        Ok((merchant, customer, invoice))
    } else {
        Err(Error::NotFound)
    }
}

async fn lock(tx: &mut db::Tx, who: &Principal, id: &str) -> Result<Locked> {
    let (merchant, customer, _) = reach(tx, who, id).await?;
    db::lock_customer(tx, merchant.as_str(), &customer).await?;
    // Read under the lock: another writer may have answered or resolved it meanwhile.
    let row: LockedRow = sqlx::query_as(
        "SELECT d.invoice_id, i.number AS invoice_number, d.currency, d.amount_minor, d.status, d.outcome \
         FROM disputes d JOIN invoices i ON i.merchant_id = d.merchant_id AND i.id = d.invoice_id \
         WHERE d.merchant_id = $1 AND d.id = $2",
    )
    .bind(merchant.as_str())
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Locked {
        amount: Money::from_minor(row.amount_minor, records::currency(&row.currency)?),
        status: DisputeStatus::parse(&row.status)
            .ok_or_else(|| Error::internal(format!("dispute status {:?}", row.status)))?,
        customer: CustomerId::from_raw(customer),
        merchant,
        invoice: row.invoice_id,
        invoice_number: row.invoice_number,
        outcome: row.outcome,
    })
}

fn checked_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > MAX_MESSAGE_CHARS as usize {
        return Err(Problem::DisputeReplyInvalid { max_chars: MAX_MESSAGE_CHARS }.into());
    }
    Ok(body.to_string())
}

/// Writes a message in a dispute's thread: staff (who may write) answer the debtor or note
/// something for each other; the debtor answers back on their own dispute. Staff's first
/// answer moves an open dispute to under review. A resolved dispute takes no more messages.
/// The same key writes once and answers the dispute as it is.
pub async fn reply(ctx: &Ctx, who: &Principal, cmd: Reply) -> Result<Dispute> {
    let (author, reader) = match who {
        Principal::Debtor(_) => ("debtor", Reader::Debtor),
        Principal::Staff(_) | Principal::ApiKey(_) => {
            who.may_write()?;
            ("staff", Reader::Staff)
        }
        Principal::System => return Err(Error::Forbidden),
    };
    let internal = cmd.internal && author == "staff";
    let key = records::form_key(&cmd.key)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    // Found (theirs) before anything about the message is said.
    let locked = lock(&mut tx, who, &cmd.dispute).await?;
    let merchant = &locked.merchant;
    let body = checked_body(&cmd.body)?;
    let earlier: Option<String> =
        sqlx::query_scalar("SELECT dispute_id FROM dispute_messages WHERE merchant_id = $1 AND idempotency_key = $2")
            .bind(merchant.as_str())
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(dispute) = earlier {
        tx.rollback().await?;
        if dispute != cmd.dispute {
            return Err(Problem::IdempotencyKeyReused.into());
        }
        return by_id(&ctx.pool, merchant, &cmd.dispute, reader).await;
    }
    if locked.status == DisputeStatus::Resolved {
        return Err(Problem::DisputeClosed.into());
    }
    let id = db::new_id();
    let now = db::now();
    sqlx::query(
        "INSERT INTO dispute_messages (id, merchant_id, dispute_id, author, written_by, body, internal, created_at, \
         idempotency_key, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM dispute_messages WHERE merchant_id = $2 AND dispute_id = $3))",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(&cmd.dispute)
    .bind(author)
    .bind(audit::actor(who))
    .bind(&body)
    .bind(i64::from(internal))
    .bind(now)
    .bind(key)
    .execute(&mut *tx)
    .await?;
    let mut status = locked.status;
    if author == "staff" && !internal && status == DisputeStatus::Open {
        status = status.move_to(DisputeStatus::UnderReview).map_err(|_| Problem::DisputeClosed)?;
    }
    sqlx::query("UPDATE disputes SET status = $1, updated_at = $2 WHERE merchant_id = $3 AND id = $4")
        .bind(status.as_str())
        .bind(now)
        .bind(merchant.as_str())
        .bind(&cmd.dispute)
        .execute(&mut *tx)
        .await?;
    let data = json!({ "dispute": cmd.dispute, "message": id, "customer": locked.customer, "author": author,
        "internal": internal, "status": status.as_str() });
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: if internal { "dispute.noted" } else { "dispute.message" },
        subject_type: "dispute",
        subject_id: &cmd.dispute,
        before: None,
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    // Internal notes stay inside: no event, no mail.
    if !internal {
        let mode = records::customer_mode(&mut tx, merchant, &locked.customer).await?;
        events::emit(&mut tx, merchant, mode, EventType::DisputeMessage, &cmd.dispute, data).await?;
        if author == "staff" {
            queue_mail(&mut tx, merchant, mode, &cmd.dispute, &id).await?;
        }
    }
    tx.commit().await?;
    by_id(&ctx.pool, merchant, &cmd.dispute, reader).await
}

/// How staff resolve a dispute.
#[derive(Debug, Clone)]
pub struct Resolve {
    pub dispute: String,
    /// An [`Outcome`] code (`credited_in_full`, `credited_in_part`, `rejected`, `adjusted`).
    pub outcome: String,
    /// The credit, as typed in `decimal`'s notation: for `credited_in_part`; for
    /// `credited_in_full` empty means the disputed amount.
    pub credit: Option<String>,
    pub decimal: char,
    /// The credit note's number; empty: the invoice's number with `-C` and a counter.
    pub credit_note_number: Option<String>,
    /// What the debtor reads: why, and what happens now.
    pub message: String,
}

/// Resolves a dispute (see the module's documentation). Resolving a resolved dispute the same
/// way again answers it as it is (safe to retry); another way is refused (`dispute_closed`).
pub async fn resolve(ctx: &Ctx, who: &Principal, cmd: Resolve) -> Result<Dispute> {
    if who.debtor().is_ok() {
        return Err(Error::Forbidden);
    }
    who.may_write()?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    // Found (theirs) before anything about the resolution is said.
    let locked = lock(&mut tx, who, &cmd.dispute).await?;
    let merchant = locked.merchant.clone();
    let outcome = Outcome::parse(cmd.outcome.trim())
        .ok_or_else(|| Error::from(Problem::DisputeOutcomeUnknown { input: cmd.outcome.trim().to_string() }))?;
    let message = checked_body(&cmd.message)?;
    if locked.status == DisputeStatus::Resolved {
        tx.rollback().await?;
        return if locked.outcome.as_deref() == Some(outcome.as_str()) {
            by_id(&ctx.pool, &merchant, &cmd.dispute, Reader::Staff).await
        } else {
            Err(Problem::DisputeClosed.into())
        };
    }
    let currency = locked.amount.currency();
    let credit = match cmd.credit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(typed) => Some(Money::parse_typed(typed, currency, cmd.decimal).map_err(Problem::from)?),
        None if outcome == Outcome::CreditedInFull => Some(locked.amount),
        None => None,
    };
    outcome
        .check_credit(locked.amount, credit)
        .map_err(|_| Problem::DisputeCreditInvalid { disputed: locked.amount })?;
    let status = locked.status.move_to(DisputeStatus::Resolved).map_err(|_| Problem::DisputeClosed)?;
    let invoice_number = locked.invoice_number.clone();
    // What it held returns to collection (the credit note then takes its part off the balance).
    sqlx::query(
        "UPDATE invoices SET disputed_minor = CASE WHEN disputed_minor > $1 THEN disputed_minor - $1 ELSE 0 END \
         WHERE merchant_id = $2 AND id = $3",
    )
    .bind(locked.amount.minor())
    .bind(merchant.as_str())
    .bind(&locked.invoice)
    .execute(&mut *tx)
    .await?;
    let invoice = InvoiceNumber::parse(&invoice_number)?;
    let credit_note = match credit.filter(|_| outcome.credits()) {
        Some(amount) => {
            let number = match cmd.credit_note_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(typed) => {
                    let number = InvoiceNumber::parse(typed)?;
                    let taken: Option<String> =
                        sqlx::query_scalar("SELECT id FROM credit_notes WHERE merchant_id = $1 AND number = $2")
                            .bind(merchant.as_str())
                            .bind(number.as_str())
                            .fetch_optional(&mut *tx)
                            .await?;
                    // Never an earlier credit note answered as this one's.
                    if taken.is_some() {
                        return Err(Problem::CreditNoteNumberTaken { number: number.to_string() }.into());
                    }
                    number.to_string()
                }
                None => next_credit_note_number(&mut *tx, &merchant, &invoice_number).await?,
            };
            let issue = ledger::IssueCreditNote {
                merchant: merchant.clone(),
                customer: locked.customer.clone(),
                number,
                amount,
                against: Some(invoice.clone()),
                reason: format!("Dispute {}: {}", cmd.dispute, outcome.as_str()),
            };
            let (id, _) = ledger::issue_credit_note_in(&mut tx, ctx, who, &issue).await?;
            Some(id)
        }
        None => None,
    };
    let now = db::now();
    sqlx::query(
        "UPDATE disputes SET status = $1, outcome = $2, credit_note_id = $3, resolved_by = $4, resolved_at = $5, \
         updated_at = $5 WHERE merchant_id = $6 AND id = $7",
    )
    .bind(status.as_str())
    .bind(outcome.as_str())
    .bind(credit_note.as_ref().map(|c| c.as_str()))
    .bind(audit::actor(who))
    .bind(now)
    .bind(merchant.as_str())
    .bind(&cmd.dispute)
    .execute(&mut *tx)
    .await?;
    let message_id = db::new_id();
    sqlx::query(
        "INSERT INTO dispute_messages (id, merchant_id, dispute_id, author, written_by, body, internal, created_at, \
         seq) VALUES ($1, $2, $3, 'staff', $4, $5, 0, $6, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM dispute_messages WHERE merchant_id = $2 AND dispute_id = $3))",
    )
    .bind(&message_id)
    .bind(merchant.as_str())
    .bind(&cmd.dispute)
    .bind(audit::actor(who))
    .bind(&message)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let data = json!({ "dispute": cmd.dispute, "customer": locked.customer, "invoice": locked.invoice,
        "number": invoice_number, "outcome": outcome.as_str(), "amount": locked.amount.amount_string(),
        "credited": credit.filter(|_| outcome.credits()).map(|c| c.amount_string()), "credit_note": credit_note,
        "currency": currency.code() });
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "dispute.resolved",
        subject_type: "dispute",
        subject_id: &cmd.dispute,
        before: Some(json!({ "status": locked.status.as_str() })),
        after: Some(data.clone()),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    let mode = records::customer_mode(&mut tx, &merchant, &locked.customer).await?;
    events::emit(&mut tx, &merchant, mode, EventType::DisputeResolved, &cmd.dispute, data).await?;
    queue_mail(&mut tx, &merchant, mode, &cmd.dispute, &message_id).await?;
    tx.commit().await?;
    by_id(&ctx.pool, &merchant, &cmd.dispute, Reader::Staff).await
}

/// `INV-1-C1`, `INV-1-C2`, ...: the invoice's number with `-C` and the first counter no credit
/// note of the merchant has. Under the customer's lock when it is used.
pub async fn next_credit_note_number<'e, E>(db: E, merchant: &MerchantId, invoice: &str) -> Result<String>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    // Leaves room for the suffix within the 64 characters a number may have.
    let stem: String = invoice.chars().take(InvoiceNumber::MAX_CHARS - 8).collect();
    let stem = format!("{stem}-C");
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT number FROM credit_notes WHERE merchant_id = $1 AND substr(number, 1, length($2)) = $2",
    )
    .bind(merchant.as_str())
    .bind(&stem)
    .fetch_all(db)
    .await?;
    let n = (1..).find(|n| !taken.iter().any(|t| *t == format!("{stem}{n}"))).unwrap_or(1);
    Ok(format!("{stem}{n}"))
}

/// Queues the mail that tells the debtor what staff wrote (`message`).
async fn queue_mail(
    tx: &mut db::Tx,
    merchant: &MerchantId,
    mode: crate::principal::Mode,
    dispute: &str,
    message: &str,
) -> Result<()> {
    let payload = json!({ "merchant": merchant, "dispute": dispute, "message": message });
    crate::jobs::enqueue(tx, crate::jobs::NewJob::mail(DISPUTE_MAIL, payload, merchant, mode)).await?;
    Ok(())
}

/// What the mail about a staff message says, gathered when the job runs.
#[derive(Debug, Clone)]
pub struct DisputeMail {
    pub merchant: records::Merchant,
    pub to: notices::Addressee,
    pub dispute: Dispute,
    /// What staff wrote.
    pub body: String,
    /// The invoice's page in the portal (the debtor signs in).
    pub url: String,
}

/// The mail job `payload` asks for; `None` when the customer has no address.
pub async fn mail(ctx: &Ctx, payload: &serde_json::Value) -> Result<Option<DisputeMail>> {
    let field = |name: &str| {
        payload[name].as_str().map(str::to_string).ok_or_else(|| Error::internal(format!("a job without {name}")))
    };
    let merchant = records::merchant_by_id(&ctx.pool, &MerchantId::from_raw(field("merchant")?)).await?;
    let dispute = by_id(&ctx.pool, &merchant.id, &field("dispute")?, Reader::Debtor).await?;
    let message = field("message")?;
    let Some(body) = dispute.messages.iter().find(|m| m.id == message).map(|m| m.body.clone()) else {
        return Err(Error::internal(format!("dispute message {message} is gone")));
    };
    let Some(to) = notices::addressee(ctx, &merchant, &dispute.customer).await? else {
        return Ok(None);
    };
    let url = format!("{}/p/{}/invoices/{}", ctx.public_url, merchant.slug, dispute.invoice);
    Ok(Some(DisputeMail { merchant, to, dispute, body, url }))
}

/// One file of a dispute `who` may reach, to download.
pub async fn file(ctx: &Ctx, who: &Principal, dispute: &str, file: &str) -> Result<StoredFile> {
    let (merchant, _, _) = reach(&mut *ctx.pool.acquire().await?, who, dispute).await?;
    let (filename, content_type, bytes): (String, String, Vec<u8>) = sqlx::query_as(
        "SELECT filename, content_type, content FROM dispute_files WHERE merchant_id = $1 AND dispute_id = $2 \
         AND id = $3",
    )
    .bind(merchant.as_str())
    .bind(dispute)
    .bind(file)
    .fetch_optional(&ctx.pool)
    .await?
    .ok_or(Error::NotFound)?;
    Ok(StoredFile { filename, content_type, bytes })
}
