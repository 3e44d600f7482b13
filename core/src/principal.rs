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

/// What a staff member may do; each role may do everything of the roles before it
/// (docs/security.md has the whole matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Reads only.
    Viewer,
    /// Works the ledger: records, allocates, writes off.
    Collector,
    /// Settings (webhook endpoints, API keys, jobs) and the collectors and viewers.
    Admin,
    /// The one person who owns the merchant's account: also makes and unmakes admins and hands
    /// the ownership on. Stored as the merchant's `owner_staff_id`, not as a role of its own,
    /// so that handing it on leaves the former owner an admin.
    Owner,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [StaffRole::Viewer, StaffRole::Collector, StaffRole::Admin, StaffRole::Owner];

    pub fn parse(text: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            StaffRole::Viewer => "viewer",
            StaffRole::Collector => "collector",
            StaffRole::Admin => "admin",
            StaffRole::Owner => "owner",
        }
    }

    /// The role of a staff member whose stored role is `stored`, given whether they are
    /// their merchant's owner.
    pub fn effective(stored: &str, is_owner: bool) -> Option<StaffRole> {
        let role = StaffRole::parse(stored)?;
        Some(if is_owner { StaffRole::Owner } else { role })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub merchant: MerchantId,
    pub key_id: String,
    pub mode: Mode,
    pub scopes: Scopes,
}

/// What an API key may do; every key has `read` (its mode's records), `write` and `settings`
/// are given when it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read customers, invoices, payments, credit notes, imports, reports.
    Read,
    /// Push customers and invoices, import, record payments and credit notes, allocate,
    /// write off, reverse.
    Write,
    /// Webhook endpoints and jobs.
    Settings,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Settings];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Settings => "settings",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A key's scopes: always `read`, and `write` and `settings` as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "Vec<Scope>", from = "Vec<Scope>")]
pub struct Scopes {
    write: bool,
    settings: bool,
}

impl Scopes {
    pub const ALL: Scopes = Scopes { write: true, settings: true };
    pub const READ: Scopes = Scopes { write: false, settings: false };
    pub const READ_WRITE: Scopes = Scopes { write: true, settings: false };

    pub fn has(&self, scope: Scope) -> bool {
        match scope {
            Scope::Read => true,
            Scope::Write => self.write,
            Scope::Settings => self.settings,
        }
    }

    pub fn list(&self) -> Vec<Scope> {
        Scope::ALL.into_iter().filter(|s| self.has(*s)).collect()
    }

    /// As stored: `read write`.
    pub fn as_text(&self) -> String {
        self.list().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// Parses words separated by spaces or commas; the error is the first unknown word.
    pub fn parse(text: &str) -> Result<Scopes, String> {
        let mut scopes = Scopes::READ;
        for word in text.split([' ', ',']).map(str::trim).filter(|w| !w.is_empty()) {
            match Scope::parse(word) {
                Some(s) => scopes = scopes.with(s),
                None => return Err(word.to_string()),
            }
        }
        Ok(scopes)
    }

    pub fn with(self, scope: Scope) -> Scopes {
        match scope {
            Scope::Read => self,
            Scope::Write => Scopes { write: true, ..self },
            Scope::Settings => Scopes { settings: true, ..self },
        }
    }
}

impl From<Vec<Scope>> for Scopes {
    fn from(list: Vec<Scope>) -> Scopes {
        list.into_iter().fold(Scopes::READ, Scopes::with)
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(scopes: Scopes) -> Vec<Scope> {
        scopes.list()
    }
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

    /// A mode as a row of `whose` (`customer cus_1`, `api key ak_1`) stored it: anything else
    /// is a fault of ours, an internal error that names the row.
    pub fn from_stored(text: &str, whose: impl std::fmt::Display) -> Result<Mode> {
        Mode::parse(text).ok_or_else(|| Error::internal(format!("{whose}: unknown mode {text:?}")))
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

    /// May this principal write records and post to the ledger (of the merchant it acts for)?
    /// Staff from collector up, API keys with the `write` scope, the system.
    pub fn may_write(&self) -> Result<()> {
        self.may(StaffRole::Collector, Scope::Write)
    }

    /// May this principal change settings (webhook endpoints, jobs)? Staff from admin up, API
    /// keys with the `settings` scope, the system.
    pub fn may_change_settings(&self) -> Result<()> {
        self.may(StaffRole::Admin, Scope::Settings)
    }

    /// The system; staff with at least `role`; an API key with `scope` (else `ScopeMissing`,
    /// naming it); nobody else.
    fn may(&self, role: StaffRole, scope: Scope) -> Result<()> {
        match self {
            Principal::System => Ok(()),
            Principal::Staff(s) if s.role >= role => Ok(()),
            Principal::ApiKey(k) if k.scopes.has(scope) => Ok(()),
            Principal::ApiKey(_) => Err(Error::ScopeMissing(scope)),
            _ => Err(Error::Forbidden),
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
