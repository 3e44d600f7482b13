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
pub mod queue;

use std::collections::HashMap;

use kassa_domain::{MerchantId, Problem};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::services::customers::{self, CustomerInput};
use crate::services::invoices::{self, InvoiceInput, Outcome};
use crate::services::records::{self, authorise_writing};
use crate::Ctx;

/// Documents per transaction.
pub const CHUNK: usize = 200;

/// One invoice of a file, with where its parts are.
#[derive(Debug, Clone)]
pub struct Document {
    /// The line it starts at.
    pub line: u64,
    /// The customer as the file describes it, if it does (created when new).
    pub customer: Option<CustomerInput>,
    pub invoice: InvoiceInput,
    /// The line of each of its invoice lines.
    pub line_numbers: Vec<u64>,
}

/// Something to fix, where: a line of the file and a column (or `file`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: u64,
    pub field: String,
    pub problem: Problem,
}

impl RowProblem {
    pub fn at(line: u64, field: &str, problem: Problem) -> RowProblem {
        RowProblem { line, field: field.to_string(), problem }
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
}

/// What an import came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Invoices in the file.
    pub invoices: usize,
    pub created: usize,
    /// Already there with the same details.
    pub unchanged: usize,
    /// Not imported for their problems (or for the file's, when it is rejected whole).
    pub rejected: usize,
    pub problems: Vec<RowProblem>,
}

/// Imports a file for `who`'s merchant (the system names it); `progress(done, total)` after
/// each invoice. `Err` only for what is not about the file (permissions, the database).
pub async fn run(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    format: Format,
    bytes: &[u8],
    on_error: OnError,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Report> {
    authorise_writing(who)?;
    let (merchant, mode) = records::scope(&ctx.pool, who, merchant).await?;
    let (documents, mut problems) = match format {
        Format::Csv => match csv::read(bytes) {
            Ok(read) => read,
            Err(file) => return Ok(Report { problems: vec![file], ..Report::default() }),
        },
    };
    let total = documents.len();
    let mut report = Report { invoices: total, ..Report::default() };
    // Customers the file describes, by number: every invoice of theirs can make them.
    let mut described: HashMap<String, CustomerInput> = HashMap::new();
    for d in &documents {
        if let Some(c) = &d.customer {
            described.entry(c.number.trim().to_string()).or_insert_with(|| c.clone());
        }
    }
    let scope = Scope { ctx, who, merchant: &merchant, mode, described: &described };
    if on_error == OnError::RejectFile {
        if problems.is_empty() {
            let dry = scope.write(&documents, false, &|_, _| {}).await?;
            problems.extend(dry.problems);
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| p.line);
            report.rejected = total;
            report.problems = problems;
            return Ok(report);
        }
    }
    // Invoices with a problem found while reading the file are not written.
    let bad_lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    let (bad, good): (Vec<Document>, Vec<Document>) = documents
        .into_iter()
        .partition(|d| d.line_numbers.iter().any(|l| bad_lines.contains(l)) || bad_lines.contains(&d.line));
    let written = scope.write(&good, true, &|done, _| progress(done + bad.len(), total)).await?;
    problems.extend(written.problems);
    problems.sort_by_key(|p| p.line);
    report.created = written.created;
    report.unchanged = written.unchanged;
    report.rejected = bad.len() + written.rejected;
    report.problems = problems;
    progress(total, total);
    Ok(report)
}

struct Scope<'a> {
    ctx: &'a Ctx,
    who: &'a Principal,
    merchant: &'a MerchantId,
    mode: crate::principal::Mode,
    described: &'a HashMap<String, CustomerInput>,
}

impl Scope<'_> {
    /// Writes the documents chunk by chunk (each in a savepoint, so one that fails leaves the
    /// others), committing each chunk, or rolling it back for a dry run.
    async fn write(
        &self,
        documents: &[Document],
        commit: bool,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<Report> {
        let mut report = Report::default();
        let mut done = 0;
        for chunk in documents.chunks(CHUNK) {
            let mut tx = db::begin_write(&self.ctx.pool).await?;
            for doc in chunk {
                sqlx::query("SAVEPOINT import_document").execute(&mut *tx).await?;
                match self.write_one(&mut tx, doc).await {
                    Ok(outcome) => {
                        sqlx::query("RELEASE SAVEPOINT import_document").execute(&mut *tx).await?;
                        match outcome {
                            Outcome::Created => report.created += 1,
                            Outcome::Unchanged => report.unchanged += 1,
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

    async fn write_one(&self, tx: &mut db::Tx, doc: &Document) -> Result<Outcome> {
        let number = match &doc.invoice.customer {
            invoices::CustomerRef::Number(n) => n.trim().to_string(),
            invoices::CustomerRef::Id(_) => String::new(),
        };
        if let Some(customer) = self.described.get(&number) {
            customers::create_in(tx, self.ctx, self.who, self.merchant, self.mode, customer)
                .await
                .map_err(|e| prefix_fields(e, "customer_"))?;
        }
        let (_, outcome) = invoices::create_in(tx, self.ctx, self.who, self.merchant, self.mode, &doc.invoice).await?;
        Ok(outcome)
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

/// A document's problems at the file's lines and columns: a line's own fields at that line,
/// the invoice's at its first line.
fn locate(doc: &Document, e: Error) -> Vec<RowProblem> {
    let problems = match e {
        Error::Invalid(problems) => problems,
        Error::Problem(problem) => vec![crate::error::FieldProblem { field: "invoice_number".into(), problem }],
        other => vec![crate::error::FieldProblem {
            field: "invoice_number".into(),
            problem: Problem::ImportRejected { reason: other.to_string() },
        }],
    };
    problems
        .into_iter()
        .map(|p| {
            if let Some(rest) = p.field.strip_prefix("lines[") {
                let (i, column) = rest.split_once("].").unwrap_or((rest.trim_end_matches(']'), "description"));
                let at = i.parse::<usize>().ok().and_then(|i| doc.line_numbers.get(i)).copied().unwrap_or(doc.line);
                return RowProblem { line: at, field: column.to_string(), problem: p.problem };
            }
            let field = match p.field.as_str() {
                "number" => "invoice_number".to_string(),
                "customer" => "customer_number".to_string(),
                "lines" | "total" => "unit_price".to_string(),
                other => other.to_string(),
            };
            RowProblem { line: doc.line, field, problem: p.problem }
        })
        .collect()
}
