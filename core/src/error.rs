//! The services' error: what went wrong as a code, never as a sentence. A [`Problem`] is
//! something the caller can fix (with its fields: the balance, the line, the wait); the other
//! variants say who may not see what. Database and internal causes are kept for the log and
//! never shown: edges answer them with a generic 500.

use kassa_domain::{InvoiceError, LedgerError, MoneyError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Absent, or not visible to this principal: the two are not told apart.
    #[error("not found")]
    NotFound,
    /// No principal, or one for another merchant or surface: sign in first.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Signed in, but this principal's role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// An API key without the scope this needs.
    #[error("the API key lacks the {} scope", .0.as_str())]
    ScopeMissing(crate::principal::Scope),
    #[error("problem: {0}")]
    Problem(#[from] Problem),
    /// A record with several things to fix, each at its field (`lines[2].quantity`): all of
    /// them at once, so that a merchant's import or API call is corrected in one round.
    #[error("invalid: {} problems", .0.len())]
    Invalid(Vec<FieldProblem>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One thing to fix in a record, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldProblem {
    /// The field's path in the caller's terms: `number`, `lines[0].unit_price`.
    pub field: String,
    pub problem: Problem,
}

/// Collects what is wrong with a record field by field.
#[derive(Debug, Default)]
pub struct Checks(Vec<FieldProblem>);

impl Checks {
    /// Keeps `result`'s value, or records its problem at `field`.
    pub fn check<T>(&mut self, field: impl Into<String>, result: std::result::Result<T, Problem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(FieldProblem { field: field.into(), problem });
                None
            }
        }
    }

    pub fn push(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldProblem { field: field.into(), problem });
    }

    /// `Ok` when nothing was wrong.
    pub fn finish(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}

impl From<MoneyError> for Error {
    fn from(e: MoneyError) -> Error {
        Error::Problem(e.into())
    }
}

impl From<LedgerError> for Error {
    fn from(e: LedgerError) -> Error {
        Error::Problem(e.into())
    }
}

impl From<InvoiceError> for Error {
    fn from(e: InvoiceError) -> Error {
        Error::Problem(e.into())
    }
}

impl Error {
    /// An internal error with a message for the log.
    pub fn internal(message: impl std::fmt::Display) -> Error {
        Error::Internal(anyhow::anyhow!("{message}"))
    }

    /// Whether the cause is ours (database, bug), not the caller's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Database(_) | Error::Internal(_))
    }
}
