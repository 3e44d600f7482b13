//! The one error type the UI shows. It crosses the wire from server functions to the browser,
//! so it carries only what a debtor or staff member may see: never SQL, paths or stack traces.
//! A [`Problem`] arrives as its code and fields; the words are chosen here, in the UI
//! (`crate::words`), so each language can say it its own way.

use kassa_domain::Problem;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    NotFound,
    Unauthorized,
    Problem(Problem),
    Internal,
    Transport(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::words::error(self))
    }
}

impl std::error::Error for AppError {}

impl From<Problem> for AppError {
    fn from(p: Problem) -> AppError {
        AppError::Problem(p)
    }
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Problem(p) => p.http_status(),
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
