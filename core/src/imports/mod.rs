//! Imports: a merchant's file of invoices (CSV now, UBL next) read into documents and pushed
//! through the same services the API calls (`customers::create_in`, `invoices::create_in`),
//! so an imported invoice is checked exactly like a pushed one and re-importing a file
//! changes nothing (the merchant's numbers are the keys).
//!
//! The merchant chooses what a file with errors does ([`OnError`]): rejected whole (nothing is
//! written, every problem is reported; the default), or its valid invoices imported and the
//! rest reported. Problems carry the file's line numbers. Documents are written in chunks of
//! [`CHUNK`], one transaction each with a savepoint per document, so a large file neither
//! holds the database's write lock for long nor loses a chunk to one bad invoice. A whole-file
//! rejection is decided by a dry run first: the same chunks, rolled back.

pub mod csv;
#[cfg(test)]
mod fuzz;
pub mod queue;
pub mod ubl;

use std::collections::{HashMap, HashSet};
use std::io::Read as _;

use kassa_domain::{Currency, CustomerId, InvoiceNumber, MerchantId, Problem};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::{Error, FieldProblem, Result};
use crate::principal::Principal;
use crate::services::customers::{self, CustomerInput};
use crate::services::invoices::{self, InvoiceInput, Outcome};
use crate::services::ledger::{self, IssueCreditNote};
use crate::services::records;
use crate::Ctx;

/// Documents per transaction.
pub const CHUNK: usize = 200;
/// What a zip archive may unpack to.
pub const MAX_ARCHIVE_FILES: usize = 100_000;
pub const MAX_UNPACKED_BYTES: u64 = 512 * 1024 * 1024;

/// A file to import, by its name.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A credit note as a file describes it, not yet checked.
#[derive(Debug, Clone)]
pub struct CreditNoteInput {
    /// The customer's number.
    pub customer: String,
    pub number: String,
    pub currency: String,
    /// Plain decimal (`17.22`).
    pub amount: String,
    /// The number of the invoice it credits.
    pub against: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub enum Entry {
    Invoice(InvoiceInput),
    CreditNote(CreditNoteInput),
}

/// Where a document's fields are in its file.
#[derive(Debug, Clone)]
pub enum Place {
    /// A CSV file: the line of each of its invoice lines.
    Rows(Vec<u64>),
    /// An XML document: its root's path, and for each field (`number`, `lines[0].quantity`)
    /// the line and path of the element it came from.
    Xml { root: String, fields: HashMap<String, (u64, String)> },
}

/// One invoice or credit note of a file, with where its parts are.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: Option<String>,
    /// The line it starts at.
    pub line: u64,
    /// The customer as the file describes it, if it does.
    pub customer: Option<CustomerInput>,
    /// Whether that description only creates a customer Kassa does not know yet (UBL: the
    /// merchant keeps a known customer's language and terms in Kassa), instead of having to
    /// match it (CSV: the file is the merchant's record of the customer).
    pub customer_if_new: bool,
    pub entry: Entry,
    pub place: Place,
}

/// Something to fix, where: a file, a line of it, and a column or an XML path (or `file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: u64,
    pub field: String,
    pub problem: Problem,
}

impl RowProblem {
    pub fn at(line: u64, field: &str, problem: Problem) -> RowProblem {
        RowProblem { file: None, line, field: field.to_string(), problem }
    }

    pub fn in_file(mut self, file: &str) -> RowProblem {
        self.file = Some(file.to_string());
        self
    }
}

/// A problem found while reading, with the document it makes invalid (if any).
#[derive(Debug, Clone)]
pub struct Found {
    pub document: Option<usize>,
    pub problem: RowProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// A file with any problem imports nothing.
    #[default]
    RejectFile,
    /// Valid invoices are imported; the others are reported.
    SkipInvalid,
}

impl OnError {
    pub fn as_str(self) -> &'static str {
        match self {
            OnError::RejectFile => "reject_file",
            OnError::SkipInvalid => "skip_invalid",
        }
    }

    pub fn parse(text: &str) -> Option<OnError> {
        [OnError::RejectFile, OnError::SkipInvalid].into_iter().find(|o| o.as_str() == text)
    }
}

/// What a file is, told by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    /// UBL 2.1 XML (Peppol BIS Billing 3.0).
    Ubl,
    /// A zip archive of CSV and XML files.
    Zip,
}

impl Format {
    pub fn of(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Format::Zip
        } else if ubl::looks_like_xml(bytes) || (bytes.starts_with(b"\xff\xfe<") || bytes.starts_with(b"\xfe\xff\0<")) {
            Format::Ubl
        } else {
            Format::Csv
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ubl => "ubl",
            Format::Zip => "zip",
        }
    }
}

/// A file's bytes as UTF-8 text, without a byte-order mark; `ImportNotUtf8` at the first
/// line that is not UTF-8 (line 1 for a UTF-16 file, whose ASCII would otherwise pass).
pub fn utf8_text(bytes: &[u8]) -> std::result::Result<&str, RowProblem> {
    if bytes.starts_with(b"\xff\xfe") || bytes.starts_with(b"\xfe\xff") {
        return Err(RowProblem::at(1, "file", Problem::ImportNotUtf8 { line: 1 }));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        RowProblem::at(line, "file", Problem::ImportNotUtf8 { line })
    })
}

/// What archives may unpack to, all of one import's together.
pub struct Budget {
    files: usize,
    bytes: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { files: MAX_ARCHIVE_FILES, bytes: MAX_UNPACKED_BYTES }
    }
}

/// The files a zip archive holds, named `archive.zip/inner.xml`: entries named `.xml`, `.csv`,
/// `.ubl` or without an extension (told apart by their content like any file); folders, dot
/// files, macOS resource forks and other files (a PDF, a readme) left out. Within `budget`,
/// whatever the archive claims; an archive inside the archive is refused.
pub fn unpack(archive: &Upload, budget: &mut Budget) -> std::result::Result<Vec<Upload>, RowProblem> {
    let at = |problem: Problem| RowProblem::at(1, "file", problem).in_file(&archive.name);
    let invalid = |e: zip::result::ZipError| at(Problem::ImportArchiveInvalid { reason: e.to_string() });
    let too_large = || {
        at(Problem::ImportArchiveTooLarge {
            max_mib: (MAX_UNPACKED_BYTES / 1024 / 1024) as u32,
            max_files: MAX_ARCHIVE_FILES as u32,
        })
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&archive.bytes)).map_err(invalid)?;
    if zip.index_for_name("[Content_Types].xml").is_some() {
        return Err(at(Problem::ImportFileUnknown { name: archive.name.chars().take(100).collect() }));
    }
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(invalid)?;
        let name = entry.name().map_err(invalid)?.to_string();
        let base = name.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        if entry.is_dir() || base.starts_with('.') || name.starts_with("__MACOSX/") {
            continue;
        }
        let extension = base.rsplit_once('.').map(|(_, e)| e);
        if !matches!(extension, None | Some("xml" | "csv" | "ubl")) {
            continue;
        }
        budget.files = budget.files.checked_sub(1).ok_or_else(too_large)?;
        let mut bytes = Vec::new();
        (&mut entry).take(budget.bytes + 1).read_to_end(&mut bytes).map_err(|e| invalid(e.into()))?;
        budget.bytes = budget.bytes.checked_sub(bytes.len() as u64).ok_or_else(too_large)?;
        if Format::of(&bytes) == Format::Zip {
            let reason = format!("{name} is an archive inside the archive; put its files in the outer one");
            return Err(at(Problem::ImportArchiveInvalid { reason }));
        }
        files.push(Upload { name: format!("{}/{name}", archive.name), bytes });
    }
    Ok(files)
}

/// Reads every file (archives unpacked) into documents and the problems found in them; also
/// says how many documents could not be read at all (each UBL file is one).
fn read_all(files: &[Upload]) -> (Vec<Document>, Vec<Found>, usize) {
    let (mut documents, mut found, mut unreadable) = (Vec::new(), Vec::new(), 0);
    let mut budget = Budget::default();
    let mut queue: Vec<std::borrow::Cow<'_, Upload>> = files.iter().map(std::borrow::Cow::Borrowed).collect();
    queue.reverse();
    while let Some(file) = queue.pop() {
        match Format::of(&file.bytes) {
            Format::Zip => match unpack(&file, &mut budget) {
                Ok(inner) => queue.extend(inner.into_iter().rev().map(std::borrow::Cow::Owned)),
                Err(p) => found.push(Found { document: None, problem: p }),
            },
            Format::Ubl => match ubl::read(&file.name, &file.bytes) {
                Ok((doc, problems)) => {
                    let at = documents.len();
                    documents.push(doc);
                    found.extend(problems.into_iter().map(|problem| Found { document: Some(at), problem }));
                }
                Err(p) => {
                    unreadable += 1;
                    found.push(Found { document: None, problem: p });
                }
            },
            Format::Csv => match csv::read(&file.name, &file.bytes) {
                Ok((docs, problems)) => {
                    let offset = documents.len();
                    documents.extend(docs);
                    found.extend(problems.into_iter().map(|f| Found { document: f.document.map(|d| d + offset), ..f }));
                }
                Err(p) => found.push(Found { document: None, problem: p }),
            },
        }
    }
    found.extend(repeated(&documents));
    (documents, found, unreadable)
}

/// A number twice in one import (two files with the same invoice, a file sent twice): each
/// later one is a problem, found before anything is written, so that no chunk commits the
/// first while another chunk's dry run could not see it.
fn repeated(documents: &[Document]) -> Vec<Found> {
    let mut first: HashMap<(bool, &str), usize> = HashMap::new();
    let mut found = Vec::new();
    for (i, d) in documents.iter().enumerate() {
        let (credit_note, number) = match &d.entry {
            Entry::Invoice(inv) => (false, inv.number.trim()),
            Entry::CreditNote(c) => (true, c.number.trim()),
        };
        if number.is_empty() {
            continue;
        }
        match first.get(&(credit_note, number)) {
            None => {
                first.insert((credit_note, number), i);
            }
            Some(&f) => {
                let earlier = &documents[f];
                let place = format!("{} line {}", earlier.file.as_deref().unwrap_or("the file"), earlier.line);
                let problem = Problem::ImportNumberRepeated { number: number.chars().take(60).collect(), first: place };
                let at_number = locate(d, Error::Invalid(vec![FieldProblem { field: "number".into(), problem }]));
                found.extend(at_number.into_iter().map(|problem| Found { document: Some(i), problem }));
            }
        }
    }
    found
}

/// What an import came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Documents read: invoices and credit notes (a UBL file that cannot be read counts as one).
    pub invoices: usize,
    pub created: usize,
    /// Already there with the same details.
    pub unchanged: usize,
    /// Not imported for their problems (or for the file's, when it is rejected whole).
    pub rejected: usize,
    pub problems: Vec<RowProblem>,
    /// Imported, but not quite as the document asked (a credit note for an invoice Kassa does
    /// not hold, held as credit instead).
    #[serde(default)]
    pub warnings: Vec<RowProblem>,
}

/// Imports files (CSV, UBL, zip archives of them) for `who`'s merchant (the system names it);
/// `progress(done, total)` after each document. `Err` only for what is not about the files
/// (permissions, the database).
pub async fn run(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    files: &[Upload],
    on_error: OnError,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Report> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, merchant).await?;
    let (documents, found, unreadable) = read_all(files);
    let total = documents.len() + unreadable;
    let mut report = Report { invoices: total, ..Report::default() };
    if total == 0 && found.is_empty() {
        report.problems = vec![RowProblem::at(1, "file", Problem::ImportEmpty)];
        return Ok(report);
    }
    // Customers the files describe, by number: every document of theirs can make them.
    let mut described: HashMap<String, (CustomerInput, bool)> = HashMap::new();
    for d in &documents {
        if let Some(c) = &d.customer {
            let slot = described.entry(c.number.trim().to_string()).or_insert_with(|| (c.clone(), d.customer_if_new));
            // A full description (CSV) is checked against the customer, whichever file came first.
            if slot.1 && !d.customer_if_new {
                *slot = (c.clone(), false);
            }
        }
    }
    let invoices_here: HashSet<String> = documents
        .iter()
        .filter_map(|d| match &d.entry {
            Entry::Invoice(i) => Some(i.number.trim().to_string()),
            Entry::CreditNote(_) => None,
        })
        .collect();
    let scope = Scope { ctx, who, merchant: &merchant, mode, described: &described, invoices_here: &invoices_here };
    let bad: HashSet<usize> = found.iter().filter_map(|f| f.document).collect();
    let mut problems: Vec<RowProblem> = found.into_iter().map(|f| f.problem).collect();
    let good: Vec<Document> =
        documents.into_iter().enumerate().filter(|(i, _)| !bad.contains(i)).map(|(_, d)| d).collect();
    let bad_count = total - good.len();
    let (good, chunks) = plan(good);
    if on_error == OnError::RejectFile {
        if problems.is_empty() {
            let dry = scope.write(&good, &chunks, false, &|_, _| {}).await?;
            problems.extend(dry.problems);
        }
        if !problems.is_empty() {
            sort(&mut problems);
            report.rejected = total;
            report.problems = problems;
            return Ok(report);
        }
    }
    let written = scope.write(&good, &chunks, true, &|done, _| progress(done + bad_count, total)).await?;
    problems.extend(written.problems);
    sort(&mut problems);
    report.created = written.created;
    report.unchanged = written.unchanged;
    report.rejected = bad_count + written.rejected;
    report.problems = problems;
    report.warnings = written.warnings;
    sort(&mut report.warnings);
    progress(total, total);
    Ok(report)
}

/// The order documents are written in, and its chunks: each credit note right after the
/// invoice of the import it credits, in the same chunk (so that a dry run, which rolls each
/// chunk back, sees the invoice), the other credit notes last.
fn plan(documents: Vec<Document>) -> (Vec<Document>, Vec<std::ops::Range<usize>>) {
    let mut groups: Vec<Vec<Document>> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    let mut credit_notes = Vec::new();
    for d in documents {
        match &d.entry {
            Entry::Invoice(i) => {
                by_number.entry(i.number.trim().to_string()).or_insert(groups.len());
                groups.push(vec![d]);
            }
            Entry::CreditNote(_) => credit_notes.push(d),
        }
    }
    for c in credit_notes {
        let against = match &c.entry {
            Entry::CreditNote(c) => c.against.as_deref().map(str::trim).and_then(|n| by_number.get(n)).copied(),
            Entry::Invoice(_) => None,
        };
        match against {
            Some(g) => groups[g].push(c),
            None => groups.push(vec![c]),
        }
    }
    let (mut order, mut chunks, mut start) = (Vec::new(), Vec::new(), 0);
    for g in groups {
        order.extend(g);
        if order.len() - start >= CHUNK {
            chunks.push(start..order.len());
            start = order.len();
        }
    }
    if start < order.len() {
        chunks.push(start..order.len());
    }
    (order, chunks)
}

fn sort(problems: &mut [RowProblem]) {
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}

struct Scope<'a> {
    ctx: &'a Ctx,
    who: &'a Principal,
    merchant: &'a MerchantId,
    mode: crate::principal::Mode,
    /// By number: the customer, and whether only to create it when new.
    described: &'a HashMap<String, (CustomerInput, bool)>,
    /// The numbers of the invoices in this import, written or not.
    invoices_here: &'a HashSet<String>,
}

impl Scope<'_> {
    /// Writes the documents chunk by chunk (each in a savepoint, so one that fails leaves the
    /// others), committing each chunk, or rolling it back for a dry run.
    async fn write(
        &self,
        documents: &[Document],
        chunks: &[std::ops::Range<usize>],
        commit: bool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<Report> {
        let mut report = Report::default();
        let mut done = 0;
        for chunk in chunks {
            let mut tx = db::begin_write(&self.ctx.pool).await?;
            for doc in &documents[chunk.clone()] {
                sqlx::query("SAVEPOINT import_document").execute(&mut *tx).await?;
                match self.write_one(&mut tx, doc).await {
                    Ok((outcome, warnings)) => {
                        sqlx::query("RELEASE SAVEPOINT import_document").execute(&mut *tx).await?;
                        match outcome {
                            Outcome::Created => report.created += 1,
                            Outcome::Unchanged => report.unchanged += 1,
                        }
                        if !warnings.is_empty() {
                            report.warnings.extend(locate(doc, Error::Invalid(warnings)));
                        }
                    }
                    Err(e) if !e.is_internal() => {
                        sqlx::query("ROLLBACK TO SAVEPOINT import_document").execute(&mut *tx).await?;
                        sqlx::query("RELEASE SAVEPOINT import_document").execute(&mut *tx).await?;
                        report.rejected += 1;
                        report.problems.extend(locate(doc, e));
                    }
                    Err(e) => return Err(e),
                }
                done += 1;
                progress(done, documents.len());
            }
            if commit {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
        }
        Ok(report)
    }

    /// Writes one document; answers how it went and what to warn of.
    async fn write_one(&self, tx: &mut db::Tx, doc: &Document) -> Result<(Outcome, Vec<FieldProblem>)> {
        let number = match &doc.entry {
            Entry::Invoice(i) => match &i.customer {
                invoices::CustomerRef::Number(n) => n.trim().to_string(),
                invoices::CustomerRef::Id(_) => String::new(),
            },
            Entry::CreditNote(c) => c.customer.trim().to_string(),
        };
        if let Some((customer, if_new)) = self.described.get(&number) {
            if !*if_new || self.customer_id(tx, &number).await?.is_none() {
                customers::create_in(tx, self.ctx, self.who, self.merchant, self.mode, customer)
                    .await
                    .map_err(|e| prefix_fields(e, "customer_"))?;
            }
        }
        match &doc.entry {
            Entry::Invoice(invoice) => {
                let (_, outcome) =
                    invoices::create_in(tx, self.ctx, self.who, self.merchant, self.mode, invoice).await?;
                Ok((outcome, Vec::new()))
            }
            Entry::CreditNote(c) => {
                ledger::authorise_posting(self.who, self.merchant)?;
                let customer = self.customer_id(tx, &number).await?;
                let currency = Currency::parse(c.currency.trim()).map_err(Problem::from);
                let amount = currency.clone().and_then(|cur| invoices::parse_plain_amount(&c.amount, cur));
                let against = c.against.as_deref().map(InvoiceNumber::parse).transpose();
                let mut problems = Vec::new();
                if customer.is_none() {
                    problems.push(FieldProblem { field: "customer".into(), problem: Problem::UnknownCustomer });
                }
                for (field, result) in
                    [("currency", currency.err()), ("amount", amount.clone().err()), ("against", against.clone().err())]
                {
                    if let Some(problem) = result {
                        problems.push(FieldProblem { field: field.into(), problem });
                    }
                }
                let (Some(customer), Ok(amount), Ok(mut against)) = (customer, amount, against) else {
                    return Err(Error::Invalid(problems));
                };
                // A credit note for an invoice Kassa does not hold (issued before Kassa, or in
                // another system) still credits the customer: held as credit, with a warning.
                // One for an invoice of this very import that was not written goes with it.
                let mut warnings = Vec::new();
                if let Some(number) = against.clone() {
                    let held = self.invoice_exists(tx, &number).await?;
                    if !held && self.invoices_here.contains(number.as_str()) {
                        return Err(Problem::UnknownInvoice { number: number.to_string() }.into());
                    }
                    if !held {
                        let problem = Problem::CreditHeldForUnknownInvoice { number: number.to_string() };
                        warnings.push(FieldProblem { field: "against".into(), problem });
                        against = None;
                    }
                }
                let cmd = IssueCreditNote {
                    merchant: self.merchant.clone(),
                    customer,
                    number: c.number.clone(),
                    amount,
                    against,
                    reason: c.reason.clone(),
                };
                let (_, outcome) = ledger::issue_credit_note_in(tx, self.ctx, self.who, &cmd).await?;
                Ok((outcome, warnings))
            }
        }
    }

    /// Whether the merchant holds an invoice with this number in this mode.
    async fn invoice_exists(&self, tx: &mut db::Tx, number: &InvoiceNumber) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM invoices WHERE merchant_id = $1 AND mode = $2 AND number = $3")
                .bind(self.merchant.as_str())
                .bind(self.mode.as_str())
                .bind(number.as_str())
                .fetch_optional(&mut **tx)
                .await?;
        Ok(found.is_some())
    }

    /// The merchant's customer of this mode with the number, if there is one.
    async fn customer_id(&self, tx: &mut db::Tx, number: &str) -> Result<Option<CustomerId>> {
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM customers WHERE merchant_id = $1 AND mode = $2 AND number = $3")
                .bind(self.merchant.as_str())
                .bind(self.mode.as_str())
                .bind(number)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(id.map(CustomerId::from_raw))
    }
}

/// A customer's field problems named as the file's columns (`name` is `customer_name`).
fn prefix_fields(e: Error, prefix: &str) -> Error {
    match e {
        Error::Invalid(problems) => Error::Invalid(
            problems
                .into_iter()
                .map(|mut p| {
                    p.field = format!("{prefix}{}", p.field);
                    p
                })
                .collect(),
        ),
        Error::Problem(p) => {
            Error::Invalid(vec![crate::error::FieldProblem { field: "customer_number".into(), problem: p }])
        }
        other => other,
    }
}

/// A document's problems where they are in its file: for CSV a line's own fields at that
/// line and the invoice's at its first line, each named as its column; for XML at the element
/// each field came from, named by its path.
fn locate(doc: &Document, e: Error) -> Vec<RowProblem> {
    let problems = match e {
        Error::Invalid(problems) => problems,
        Error::Problem(problem) => {
            let field = match &problem {
                Problem::UnknownInvoice { .. } => "against",
                Problem::ReasonRequired => "reason",
                Problem::UnknownCustomer => "customer",
                _ => "number",
            };
            vec![FieldProblem { field: field.into(), problem }]
        }
        other => vec![FieldProblem {
            field: "number".into(),
            problem: Problem::ImportRejected { reason: other.to_string() },
        }],
    };
    problems
        .into_iter()
        .map(|p| {
            let (line, field) = match &doc.place {
                Place::Rows(line_numbers) => csv_place(doc.line, line_numbers, &p.field),
                Place::Xml { root, fields } => {
                    fields.get(&p.field).cloned().unwrap_or_else(|| (doc.line, root.clone()))
                }
            };
            RowProblem { file: doc.file.clone(), line, field, problem: p.problem }
        })
        .collect()
}

/// A field of an invoice as the CSV file's line and column.
fn csv_place(first: u64, line_numbers: &[u64], field: &str) -> (u64, String) {
    if let Some(rest) = field.strip_prefix("lines[") {
        let (i, column) = rest.split_once("].").unwrap_or((rest.trim_end_matches(']'), "description"));
        let at = i.parse::<usize>().ok().and_then(|i| line_numbers.get(i)).copied().unwrap_or(first);
        return (at, column.to_string());
    }
    let column = match field {
        "number" => "invoice_number",
        "customer" => "customer_number",
        "lines" | "total" => "unit_price",
        other => other,
    };
    (first, column.to_string())
}
