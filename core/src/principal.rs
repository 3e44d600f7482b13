//! Who is asking. Each edge resolves its principal once (the portal from the session, the API
//! from a key, the CLI and jobs as the system) and hands it to every service, which decides
//! what this principal may see and do. Every query a service runs is scoped by it.

use kassa_domain::{CustomerId, InvoiceId, MerchantId, StaffId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    /// A merchant's customer, signed in by a magic link; a pay link narrows it to one invoice.
    Debtor(Debtor),
    /// A member of a merchant's AR staff.
    Staff(Staff),
    /// A merchant's system calling the API with a key.
    ApiKey(ApiKey),
    /// Kassa itself: the CLI, the demo seeder, jobs.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debtor {
    pub merchant: MerchantId,
    pub customer: CustomerId,
    /// Set for pay-link sessions: this debtor sees this one invoice only.
    pub invoice: Option<InvoiceId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub merchant: MerchantId,
    pub staff: StaffId,
    pub role: StaffRole,
    pub email: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Everything, including settings and staff.
    Admin,
    /// Works the ledger: records, allocates, writes off.
    Collector,
    /// Reads only.
    Viewer,
}

impl StaffRole {
    pub fn parse(text: &str) -> Option<StaffRole> {
        match text {
            "admin" => Some(StaffRole::Admin),
            "collector" => Some(StaffRole::Collector),
            "viewer" => Some(StaffRole::Viewer),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Collector => "collector",
            StaffRole::Viewer => "viewer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub merchant: MerchantId,
    pub key_id: String,
    pub mode: Mode,
}

/// Test-mode data and keys never mix with live ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Test => "test",
            Mode::Live => "live",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "test" => Some(Mode::Test),
            "live" => Some(Mode::Live),
            _ => None,
        }
    }
}

impl Principal {
    /// The merchant this principal acts for (none for the system).
    pub fn merchant(&self) -> Option<&MerchantId> {
        match self {
            Principal::Debtor(d) => Some(&d.merchant),
            Principal::Staff(s) => Some(&s.merchant),
            Principal::ApiKey(k) => Some(&k.merchant),
            Principal::System => None,
        }
    }

    /// The debtor, or `Unauthenticated` for anyone else.
    pub fn debtor(&self) -> Result<&Debtor> {
        match self {
            Principal::Debtor(d) => Ok(d),
            _ => Err(Error::Unauthenticated),
        }
    }

    /// The staff member, or `Unauthenticated` for anyone else.
    pub fn staff(&self) -> Result<&Staff> {
        match self {
            Principal::Staff(s) => Ok(s),
            _ => Err(Error::Unauthenticated),
        }
    }
}
