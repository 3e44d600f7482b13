//! A debtor's dispute as a plain multipart form post (it carries photos or documents, and
//! works without JavaScript), and the dispute's files served to its debtor and to the
//! merchant's staff, always as downloads. The rules are `kassa_core::services::disputes`'.
//! After a refused form the invoice's page shows the form again as it was sent (the files
//! aside: a browser never refills a file field) with what was wrong (`DisputeDraft`).

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use http::{header, HeaderValue};
use kassa_app::i18n::Lang;
use kassa_app::model::DisputeDraft;
use kassa_core::services::disputes::{self, OpenDispute, StoredFile, Upload, MAX_FILES, MAX_FILE_BYTES};
use kassa_core::{Ctx, Error, Principal};
use kassa_domain::{InvoiceNumber, Problem};
use tower_sessions::Session;

use crate::http::documents;
use crate::http::pages;
use crate::http::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/p/{merchant}/invoices/{number}/dispute",
            // The most files at their largest, and the form's own fields.
            post(open).layer(DefaultBodyLimit::max(MAX_FILES * MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/p/{merchant}/disputes/{dispute}/files/{file}", get(debtor_file))
        .route("/admin/disputes/{dispute}/files/{file}", get(staff_file))
}

/// The dispute form's fields as sent.
#[derive(Default)]
struct Form {
    draft: DisputeDraft,
    key: String,
    files: Vec<Upload>,
}

/// Reads the form; a body cut off at the size limit is said to be too large, naming the file
/// it was reading.
async fn read_form(mut multipart: Multipart) -> Result<Form, (Form, Problem)> {
    let mut form = Form::default();
    let max_mb = (MAX_FILE_BYTES / (1024 * 1024)) as u32;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(form),
            Err(_) => return Err((form, Problem::DisputeFileTooLarge { name: String::new(), max_mb })),
        };
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(_) => {
                let name = filename.unwrap_or_default();
                return Err((form, Problem::DisputeFileTooLarge { name, max_mb }));
            }
        };
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            // A file field left empty still sends a part, with no name and no bytes.
            "files" if !bytes.is_empty() => {
                form.files.push(Upload { filename: filename.unwrap_or_default(), bytes: bytes.to_vec() })
            }
            "reason" => form.draft.reason = text(),
            "amount" => form.draft.amount = text(),
            "message" => form.draft.message = text(),
            "dispute_key" => form.key = text(),
            n if n == "lines" || n.starts_with("lines[") => {
                if let Ok(position) = text().trim().parse() {
                    form.draft.lines.push(position);
                }
            }
            _ => {}
        }
    }
}

/// `POST /p/{merchant}/invoices/{number}/dispute`: opens the dispute and goes back to the
/// invoice, which shows it; refused, back to the form as it was, with what was wrong.
async fn open(
    State(ctx): State<Ctx>,
    lang: axum::Extension<Lang>,
    session: Session,
    Path((merchant, number)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let lang = lang.0;
    let here = format!("/p/{merchant}/invoices/{number}");
    let who = match documents::debtor(&ctx, lang, &session, &merchant, &here).await {
        Ok((who, _)) => who,
        Err(page) => return page,
    };
    let Ok(invoice) = InvoiceNumber::parse(&number) else { return pages::not_found(lang) };
    let outcome = match read_form(multipart).await {
        Ok(form) => {
            let cmd = OpenDispute {
                invoice,
                reason: form.draft.reason.clone(),
                lines: form.draft.lines.clone(),
                amount: Some(form.draft.amount.clone()),
                decimal: kassa_app::money::decimal_separator(lang),
                message: form.draft.message.clone(),
                files: form.files,
                key: form.key,
            };
            disputes::open(&ctx, &who, cmd).await.map(|_| ()).map_err(|e| (form.draft, e))
        }
        Err((form, problem)) => Err((form.draft, problem.into())),
    };
    match outcome {
        Ok(()) => Redirect::to(&here).into_response(),
        Err((_, Error::NotFound)) => pages::not_found(lang),
        Err((mut draft, e)) => {
            draft.error = kassa_app::words::error_in(lang, &e.into());
            match session.insert(kassa_app::portal::DISPUTE_DRAFT_KEY, draft).await {
                Ok(()) => Redirect::to(&format!("{here}#dispute")).into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "the session could not keep a dispute's draft");
                    pages::went_wrong(lang)
                }
            }
        }
    }
}

async fn debtor_file(
    State(ctx): State<Ctx>,
    lang: axum::Extension<Lang>,
    session: Session,
    Path((merchant, dispute, file)): Path<(String, String, String)>,
) -> Response {
    let here = format!("/p/{merchant}/disputes/{dispute}/files/{file}");
    match documents::debtor(&ctx, lang.0, &session, &merchant, &here).await {
        Ok((who, _)) => served(&ctx, lang.0, &who, &dispute, &file).await,
        Err(page) => page,
    }
}

async fn staff_file(
    State(ctx): State<Ctx>,
    lang: axum::Extension<Lang>,
    session: Session,
    Path((dispute, file)): Path<(String, String)>,
) -> Response {
    match crate::http::logos::staff(&ctx, &session).await {
        Some(who) => served(&ctx, lang.0, &who, &dispute, &file).await,
        None => Redirect::to("/admin/login").into_response(),
    }
}

async fn served(ctx: &Ctx, lang: Lang, who: &Principal, dispute: &str, file: &str) -> Response {
    match disputes::file(ctx, who, dispute, file).await {
        Ok(file) => download(file),
        Err(Error::NotFound) => pages::not_found(lang),
        Err(e) => {
            tracing::error!(error = ?e, "a dispute's file could not be read");
            pages::went_wrong(lang)
        }
    }
}

/// The file as a download that nothing renders in Kassa's origin.
pub(crate) fn download(file: StoredFile) -> Response {
    let disposition = HeaderValue::from_str(&file.disposition()).unwrap_or(HeaderValue::from_static("attachment"));
    let content_type =
        HeaderValue::from_str(&file.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut res = file.bytes.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    res
}
