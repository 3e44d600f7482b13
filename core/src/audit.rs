//! The audit log: every change, who made it (staff, API key, debtor, system), what it was,
//! the state before and after, when, and from where. Entries are append-only (database
//! triggers refuse updates and deletes) and hash-chained per merchant: each entry's hash
//! covers its content and the previous entry's hash, so an edited, inserted or deleted entry
//! breaks the chain, and [`verify`] finds where.
//!
//! A chain checked only against itself cannot show entries cut off its end (the rest still
//! fits). So each chain's newest entry is also kept outside the database as an [`Anchor`]:
//! `kassa audit head` prints them for safekeeping and the hourly sweep logs them; `kassa
//! audit verify --anchors FILE` then also requires every anchored entry to be there, unchanged.

use std::fmt;

use base64::Engine;
use kassa_domain::MerchantId;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{self, Pool, Tx};
use crate::error::Result;
use crate::principal::Principal;

/// The first entry's `prev_hash`.
const GENESIS: &str = "genesis";

/// The address of whoever sent a request: the server's edge works it out (trusted proxies
/// included) and puts it on the request, for the services' [`Origin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub std::net::IpAddr);

/// Where a request came from: the surface and, when known, the client's address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub surface: &'static str,
    pub ip: Option<String>,
}

impl Origin {
    pub fn of(surface: &'static str) -> Self {
        Origin { surface, ip: None }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let surface = if self.surface.is_empty() { "unknown" } else { self.surface };
        match &self.ip {
            Some(ip) => write!(f, "{surface} {ip}"),
            None => f.write_str(surface),
        }
    }
}

/// Who, as the audit log names them.
pub fn actor(who: &Principal) -> String {
    match who {
        Principal::Debtor(d) => format!("debtor:{}", d.customer),
        Principal::Staff(s) => format!("staff:{} {}", s.staff, s.email),
        Principal::ApiKey(k) => format!("api_key:{}", k.key_id),
        Principal::System => "system".into(),
    }
}

/// One change.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub merchant: Option<&'a MerchantId>,
    /// `payment.recorded`, `credit_note.issued`, `staff.added`...
    pub action: &'static str,
    pub subject_type: &'static str,
    pub subject_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn chain_of(merchant: Option<&MerchantId>) -> String {
    merchant.map(|m| format!("merchant:{m}")).unwrap_or_else(|| "system".into())
}

/// The hash of an entry: SHA-256 over the previous hash and every field, each length-prefixed
/// so that no two different entries can produce the same input.
#[allow(clippy::too_many_arguments)]
fn hash(
    prev: &str,
    chain: &str,
    seq: i64,
    actor: &str,
    action: &str,
    subject: (&str, &str),
    states: (Option<&str>, Option<&str>),
    origin: &str,
    at: i64,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    let at = at.to_string();
    for field in [
        Some(prev),
        Some(chain),
        Some(seq.as_str()),
        Some(actor),
        Some(action),
        Some(subject.0),
        Some(subject.1),
        states.0,
        states.1,
        Some(origin),
        Some(at.as_str()),
    ] {
        match field {
            Some(text) => {
                h.update((text.len() as u64).to_be_bytes());
                h.update(text.as_bytes());
            }
            None => h.update(u64::MAX.to_be_bytes()),
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.finalize())
}

/// Appends an entry in the caller's transaction, after the chain's last one.
pub async fn record(tx: &mut Tx, who: &Principal, origin: &Origin, entry: Entry<'_>) -> Result<()> {
    let chain = chain_of(entry.merchant);
    // One writer per chain at a time, so sequence numbers and hashes stay a line: the chain's
    // newest entry is read once its lock is held (on PostgreSQL by one function that takes
    // the lock and reads, migration 0036; SQLite's write lock is already held).
    let head = match db::Backend::of_connection(tx) {
        db::Backend::Postgres => "SELECT seq, hash FROM audit_chain_head($1)",
        db::Backend::Sqlite => "SELECT seq, hash FROM audit_log WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
    };
    let last: Option<(i64, String)> = sqlx::query_as(head).bind(&chain).fetch_optional(&mut **tx).await?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let actor = actor(who);
    let origin = origin.to_string();
    let at = db::now();
    let before = entry.before.map(|v| v.to_string());
    let after = entry.after.map(|v| v.to_string());
    let hash = hash(
        &prev,
        &chain,
        seq,
        &actor,
        entry.action,
        (entry.subject_type, entry.subject_id),
        (before.as_deref(), after.as_deref()),
        &origin,
        at,
    );
    sqlx::query(
        "INSERT INTO audit_log (id, chain, seq, merchant_id, actor, action, subject_type, subject_id, before_state, \
         after_state, origin, at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(db::new_id())
    .bind(&chain)
    .bind(seq)
    .bind(entry.merchant.map(MerchantId::as_str))
    .bind(&actor)
    .bind(entry.action)
    .bind(entry.subject_type)
    .bind(entry.subject_id)
    .bind(&before)
    .bind(&after)
    .bind(&origin)
    .bind(at)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A chain's entry as kept outside the database: `merchant:<id> 42 <hash>` on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub chain: String,
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.chain, self.seq, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(line: &str) -> std::result::Result<Anchor, String> {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [chain, seq, hash] => match seq.parse::<i64>() {
                Ok(seq) if seq >= 1 => Ok(Anchor { chain: chain.to_string(), seq, hash: hash.to_string() }),
                _ => Err(format!("'{seq}' is not an entry number")),
            },
            _ => Err("expected three fields: chain, entry number, hash".into()),
        }
    }
}

/// Reads anchors, one per line as [`heads`] prints them; blank lines and `#` comments are
/// skipped. An error names the line.
pub fn parse_anchors(text: &str) -> std::result::Result<Vec<Anchor>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| l.parse().map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// The newest entry of every chain.
pub async fn heads(pool: &Pool) -> Result<Vec<Anchor>> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT a.chain, a.seq, a.hash FROM audit_log a \
         WHERE a.seq = (SELECT MAX(b.seq) FROM audit_log b WHERE b.chain = a.chain) ORDER BY a.chain",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(chain, seq, hash)| Anchor { chain, seq, hash }).collect())
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub chains: u64,
    pub entries: u64,
    /// The first entry that does not fit its chain, and why.
    pub broken: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    chain: String,
    seq: i64,
    actor: String,
    action: String,
    subject_type: String,
    subject_id: String,
    before_state: Option<String>,
    after_state: Option<String>,
    origin: String,
    at: i64,
    prev_hash: String,
    hash: String,
}

/// Recomputes every chain from its start, and requires each of `anchors` (kept outside the
/// database) to be in its chain with the hash it had.
pub async fn verify(pool: &Pool, anchors: &[Anchor]) -> Result<Verification> {
    let mut anchored: std::collections::HashMap<(String, i64), &str> =
        anchors.iter().map(|a| ((a.chain.clone(), a.seq), a.hash.as_str())).collect();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT chain, seq, actor, action, subject_type, subject_id, before_state, after_state, origin, at, prev_hash, \
         hash FROM audit_log ORDER BY chain, seq",
    )
    .fetch_all(pool)
    .await?;
    let mut found = Verification { chains: 0, entries: 0, broken: None };
    let mut current: Option<(String, i64, String)> = None; // chain, last seq, last hash
    for r in rows {
        found.entries += 1;
        let (expected_seq, expected_prev) = match &current {
            Some((chain, seq, hash)) if *chain == r.chain => (seq + 1, hash.clone()),
            _ => {
                found.chains += 1;
                (1, GENESIS.to_string())
            }
        };
        let recomputed = hash(
            &r.prev_hash,
            &r.chain,
            r.seq,
            &r.actor,
            &r.action,
            (&r.subject_type, &r.subject_id),
            (r.before_state.as_deref(), r.after_state.as_deref()),
            &r.origin,
            r.at,
        );
        let problem = if r.seq != expected_seq {
            Some(format!("entry {} of {} follows entry {} (one is missing)", r.seq, r.chain, expected_seq - 1))
        } else if r.prev_hash != expected_prev {
            Some(format!("entry {} of {} does not follow the entry before it", r.seq, r.chain))
        } else if recomputed != r.hash {
            Some(format!("entry {} of {} was changed after it was written", r.seq, r.chain))
        } else if anchored.remove(&(r.chain.clone(), r.seq)).is_some_and(|hash| hash != r.hash) {
            Some(format!("entry {} of {} differs from its anchor (the chain was rewritten)", r.seq, r.chain))
        } else {
            None
        };
        if problem.is_some() {
            found.broken = problem;
            return Ok(found);
        }
        current = Some((r.chain, r.seq, r.hash));
    }
    let mut missing: Vec<_> = anchored.into_keys().collect();
    missing.sort();
    if let Some((chain, seq)) = missing.first() {
        found.broken = Some(format!("entry {seq} of {chain} is anchored but missing (entries were cut off the chain)"));
    }
    Ok(found)
}
