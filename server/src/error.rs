//! The server's error type. Services return it; at the edge it becomes the UI's `AppError`
//! (for pages and server functions) or an HTTP response. Internal causes are logged here and
//! never shown.

use kassa_app::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("sign-in needed")]
    Unauthorized,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Declined(String),
    #[error("too many attempts")]
    TooManyAttempts { minutes: u32 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Session(#[from] tower_sessions::session::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for AppError {
    fn from(e: Error) -> AppError {
        match e {
            Error::NotFound => AppError::NotFound,
            Error::Unauthorized => AppError::Unauthorized,
            Error::Invalid(m) => AppError::Invalid(m),
            Error::Declined(m) => AppError::Declined(m),
            Error::TooManyAttempts { minutes } => AppError::TooManyAttempts { minutes },
            Error::Database(_) | Error::Session(_) | Error::Other(_) => {
                tracing::error!(error = ?e, "internal error");
                AppError::Internal
            }
        }
    }
}

impl axum::response::IntoResponse for Error {
    fn into_response(self) -> axum::response::Response {
        let app: AppError = self.into();
        let status = http::StatusCode::from_u16(app.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(serde_json::json!({ "error": app.to_string() }))).into_response()
    }
}
