//! `/api/v1/imports`: files of invoices and credit notes (CSV, UBL XML, zip archives) sent as
//! `multipart/form-data`, imported in the background by the job queue; its progress and
//! report read back by id.

use axum::extract::Multipart;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use kassa_core::imports::queue::{self, ImportRecord, Submit};
use kassa_core::imports::{OnError, Upload};
use kassa_core::services::records;
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::{ErrorJson, IdempotencyKey, Key, Path};

/// The largest form `POST /imports` reads: the files and room for the form around them (each
/// part's headers, a kilobyte is plenty).
pub const MAX_FORM_BYTES: usize = queue::MAX_BYTES + (queue::MAX_FILES + 2) * 1024;

/// The form `POST /imports` takes.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// The files, each in a field named `file` (repeat it for more, up to 10,000): CSV with a
    /// header row, UBL 2.1 Invoice or CreditNote XML (Peppol BIS Billing 3.0), or zip
    /// archives of those (docs/imports.md); 50 MiB together.
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1)]
    file: Vec<Vec<u8>>,
    /// `reject_file` (the default: a file with any problem imports nothing) or `skip_invalid`
    /// (the valid invoices are imported, the others reported).
    #[schema(value_type = String, pattern = "^\\s*(reject_file|skip_invalid)\\s*$")]
    on_error: Option<String>,
}

/// An import and where it stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportJson {
    pub id: String,
    /// Always `import`.
    pub object: String,
    /// The first file's name.
    pub filename: String,
    /// How many files were sent (an archive counts as one).
    pub files: u64,
    /// `reject_file` or `skip_invalid`.
    pub on_error: String,
    /// `queued`, `running`, `succeeded` (it ran: see `report`) or `failed` (it could not run).
    pub status: String,
    /// Documents (invoices and credit notes) handled so far, of `total` (updated every second
    /// while it runs).
    pub done: u64,
    pub total: u64,
    /// When it has run: `invoices` (documents: invoices and credit notes), `created`,
    /// `unchanged`, `rejected`, `problems` (each with its `file`, the `line`, the `field` (a
    /// CSV column or an XML path), a `code` and a `message`) and `warnings` (the same shape:
    /// imported, but not quite as asked, like a credit note held as credit because Kassa does
    /// not hold the invoice it names).
    #[schema(value_type = Option<Object>)]
    pub report: Option<Value>,
    /// RFC 3339.
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<ImportRecord> for ImportJson {
    fn from(i: ImportRecord) -> ImportJson {
        let listed = |found: &[kassa_core::imports::RowProblem]| -> Vec<Value> {
            found
                .iter()
                .map(|p| {
                    let mut v = serde_json::to_value(&p.problem).unwrap_or(Value::Null);
                    if let Some(file) = &p.file {
                        v["file"] = file.clone().into();
                    }
                    v["line"] = p.line.into();
                    v["field"] = p.field.clone().into();
                    v["message"] = kassa_app::words::problem(&p.problem).into();
                    v
                })
                .collect()
        };
        let report = i.report.map(|r| {
            serde_json::json!({ "invoices": r.invoices, "created": r.created, "unchanged": r.unchanged,
                "rejected": r.rejected, "problems": listed(&r.problems), "warnings": listed(&r.warnings) })
        });
        ImportJson {
            id: i.id,
            object: "import".into(),
            filename: i.filename,
            files: i.files,
            on_error: i.on_error.as_str().into(),
            status: i.status.as_str().into(),
            done: i.done,
            total: i.total,
            report,
            created_at: records::rfc3339(i.created_at),
            finished_at: i.finished_at.map(records::rfc3339),
        }
    }
}

fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", code, message)
}

/// Import files of invoices and credit notes.
///
/// 202 with the import, queued; read `GET /imports/{id}` for its progress and report.
#[utoipa::path(post, path = "/imports", tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    params(IdempotencyKey),
    responses(
        (status = 202, description = "Queued", body = ImportJson),
        (status = 413, description = "Over 50 MiB or 10,000 files", body = ErrorJson),
        (status = 422, description = "No file, or an unknown `on_error`", body = ErrorJson),
    ))]
pub async fn create(key: Key, mut form: Multipart) -> ApiResult<Response> {
    let bad_form = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            e.status(),
            "invalid_request",
            "invalid_form",
            format!("The form cannot be read: {}", e.body_text()),
        )
    };
    let mut files: Vec<Upload> = Vec::new();
    let mut on_error = OnError::RejectFile;
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().map(str::to_string).unwrap_or_else(|| format!("file {}", files.len() + 1));
                files.push(Upload { name, bytes: field.bytes().await.map_err(bad_form)?.to_vec() });
            }
            "on_error" => {
                let text = field.text().await.map_err(bad_form)?;
                on_error = match text.trim() {
                    "" => OnError::RejectFile,
                    other => OnError::parse(other).ok_or_else(|| {
                        unprocessable("invalid_on_error", "`on_error` is `reject_file` or `skip_invalid`.")
                    })?,
                }
            }
            other => {
                return Err(unprocessable(
                    "unknown_field",
                    format!(
                        "The form has a field `{}` the endpoint does not take (it takes `file` and `on_error`).",
                        other.chars().take(40).collect::<String>()
                    ),
                ))
            }
        }
    }
    if files.is_empty() {
        return Err(unprocessable("file_required", "Send the file in a form field named `file` (one per file)."));
    }
    let cmd = Submit { on_error, files };
    let record = queue::submit(&key.ctx, &key.who, cmd).await?;
    Ok((StatusCode::ACCEPTED, Json(ImportJson::from(record))).into_response())
}

/// An import: its progress and, once it has run, its report.
#[utoipa::path(get, path = "/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "The import's id")),
    responses((status = 200, body = ImportJson), (status = 404, body = ErrorJson)))]
pub async fn get(key: Key, Path(id): Path<String>) -> ApiResult<Json<ImportJson>> {
    Ok(Json(queue::get(&key.ctx, &key.who, &id).await?.into()))
}
