//! The seam between the UI and the server (SSR only). Server functions are thin: they find the
//! [`Backend`] the server put into Leptos' context, pass it the visitor's session and the
//! request, and return what it answers. Authorisation and every business rule live behind
//! this trait, in the server crate; the UI never sees a database.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::Session;

use crate::error::AppError;
use crate::model::*;

#[async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn portal_overview(&self, session: &Session, merchant: &str) -> Result<PortalOverview, AppError>;
    async fn invoice_detail(&self, session: &Session, merchant: &str, number: &str) -> Result<InvoiceDetail, AppError>;
    /// Returns the receipt's path.
    async fn pay_invoice(&self, session: &Session, merchant: &str, request: PayRequest) -> Result<String, AppError>;
    async fn receipt(&self, session: &Session, merchant: &str, payment_id: &str) -> Result<Receipt, AppError>;
    async fn staff_login(&self, session: &Session, email: &str, password: &str) -> Result<(), AppError>;
    /// Ends the visitor's session, debtor or staff.
    async fn sign_out(&self, session: &Session) -> Result<(), AppError>;
    async fn admin_overview(&self, session: &Session) -> Result<AdminOverview, AppError>;
}

pub type SharedBackend = Arc<dyn Backend>;

/// The backend and the visitor's session, for a server function.
pub async fn context() -> Result<(SharedBackend, Session), AppError> {
    let backend = leptos::prelude::use_context::<SharedBackend>().ok_or(AppError::Internal)?;
    let session = leptos_axum::extract::<Session>().await.map_err(|_| AppError::Internal)?;
    Ok((backend, session))
}

/// Redirects a plain form post to a path on this site. Anything that is not a clean local
/// path (a control character from a crafted form field, `//other.host`) is refused as
/// `NotFound` instead of reaching the response headers, where it would panic.
pub fn redirect(path: &str) -> Result<(), AppError> {
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if !local || http::HeaderValue::from_str(path).is_err() || path.chars().any(char::is_control) {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect(path);
    Ok(())
}

/// Sets the HTTP status of the page being rendered on the server.
pub fn set_status(code: u16) {
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            options.set_status(status);
        }
    }
}

/// Gives a failed server-function call its real status code (422, 402, 401, ...) instead of
/// a blanket 500. Plain form posts (no wasm) are left alone: leptos_axum answers those with a
/// redirect back to the form, carrying the error, and a status here would undo that redirect.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        let plain_form_post = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !plain_form_post {
            set_status(e.status());
        }
    }
    result
}

/// The page's Content Security Policy: scripts only from Kassa itself or inline with this
/// response's nonce (Leptos' hydration and resource scripts carry it), wasm allowed to
/// compile, no framing, no plugins, forms and fetches only to Kassa.
pub fn set_content_security_policy() {
    let (Some(nonce), Some(options)) =
        (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'; object-src 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
