//! The one error type the UI shows. It crosses the wire from server functions to the browser,
//! so it carries only what a debtor or staff member may see: never SQL, paths or stack traces.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("We could not find that page.")]
    NotFound,
    #[error("This page needs a sign-in link.")]
    Unauthorized,
    #[error("{0}")]
    Invalid(String),
    #[error("The payment was declined: {0}")]
    Declined(String),
    #[error("Too many attempts. Wait {minutes} minutes, then try again.")]
    TooManyAttempts { minutes: u32 },
    #[error("Something went wrong on our side. Nothing was charged twice; please try again.")]
    Internal,
    #[error("The request did not reach Kassa ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Invalid(_) => 422,
            AppError::Declined(_) => 402,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
