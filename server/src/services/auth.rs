//! Who is looking: debtors signed in by a single-use magic link (or an invoice pay link),
//! staff by email and password (argon2id). Both live in the server-side session; the cookie
//! holds only the session id, and the id is replaced on every sign-in.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::services::records::MerchantRow;
use crate::services::throttle;

/// How long a magic link can be opened after it is issued.
pub const MAGIC_LINK_TTL_SECS: i64 = 15 * 60;

const DEBTOR_KEY: &str = "kassa.debtor";
const STAFF_KEY: &str = "kassa.staff";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebtorSession {
    pub merchant_id: String,
    pub customer_id: String,
    /// Set when the visitor came through one invoice's pay link: they see that invoice only.
    pub invoice_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    pub staff_id: String,
    pub merchant_id: String,
    pub email: String,
}

/// The debtor signed in for `merchant`, or `Unauthorized`.
pub async fn debtor(session: &Session, merchant: &MerchantRow) -> Result<DebtorSession> {
    match session.get::<DebtorSession>(DEBTOR_KEY).await? {
        Some(d) if d.merchant_id == merchant.id => Ok(d),
        _ => Err(Error::Unauthorized),
    }
}

pub async fn staff(session: &Session) -> Result<StaffSession> {
    session.get::<StaffSession>(STAFF_KEY).await?.ok_or(Error::Unauthorized)
}

pub async fn sign_in_debtor(session: &Session, debtor: DebtorSession) -> Result<()> {
    session.cycle_id().await?;
    session.insert(DEBTOR_KEY, debtor).await?;
    Ok(())
}

fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Issues a fresh magic link token for a customer; only its hash is stored.
pub async fn issue_magic_link(pool: &Pool, merchant_id: &str, customer_id: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = db::now();
    sqlx::query(
        "INSERT INTO magic_links (token_hash, merchant_id, customer_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(merchant_id)
    .bind(customer_id)
    .bind(now + MAGIC_LINK_TTL_SECS)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Marks the link used and returns whom it signs in. A used or expired link is
/// `Unauthorized` (the visitor needs a new one); a link this merchant never issued is
/// `NotFound`. Two tabs racing on one link get one session between them.
pub async fn redeem_magic_link(pool: &Pool, merchant: &MerchantRow, token: &str) -> Result<DebtorSession> {
    let now = db::now();
    let customer_id: Option<String> = sqlx::query_scalar(
        "UPDATE magic_links SET used_at = $1 \
         WHERE token_hash = $2 AND merchant_id = $3 AND used_at IS NULL AND expires_at > $4 \
         RETURNING customer_id",
    )
    .bind(now)
    .bind(hash_token(token))
    .bind(&merchant.id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    if let Some(customer_id) = customer_id {
        return Ok(DebtorSession { merchant_id: merchant.id.clone(), customer_id, invoice_id: None });
    }
    // Tokens are 256 random bits, so telling "never issued" from "used" reveals nothing.
    let issued: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM magic_links WHERE token_hash = $1 AND merchant_id = $2")
            .bind(hash_token(token))
            .bind(&merchant.id)
            .fetch_optional(pool)
            .await?;
    Err(if issued.is_some() { Error::Unauthorized } else { Error::NotFound })
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Other(anyhow::anyhow!("hashing a password: {e}")))
}

/// Checks the password with argon2id and signs the staff member in. Unknown emails cost the
/// same time as wrong passwords, so the answer does not tell which emails exist. The attempt
/// is counted before the check (see `throttle`), and argon2 runs on a blocking thread so a
/// burst of sign-ins cannot stall the async workers.
pub async fn staff_login(pool: &Pool, session: &Session, email: &str, password: &str) -> Result<()> {
    let email = email.trim().to_lowercase();
    let attempt = throttle::reserve(pool, throttle::STAFF_LOGIN, &email).await?;
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, merchant_id, password_hash FROM staff_users WHERE email = $1")
            .bind(&email)
            .fetch_optional(pool)
            .await?;
    let stored = row.as_ref().map(|(_, _, hash)| hash.clone());
    let password = password.to_string();
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
        .await
        .map_err(|e| Error::Other(anyhow::anyhow!("password check: {e}")))??;
    let (Some((staff_id, merchant_id, _)), true) = (row, verified) else {
        // The reserved attempt stays: it was a failure.
        return Err(Error::Invalid("The email or password is wrong.".into()));
    };
    attempt.succeeded(pool).await?;
    session.cycle_id().await?;
    session.insert(STAFF_KEY, StaffSession { staff_id, merchant_id, email }).await?;
    Ok(())
}

/// Blocking: argon2id on `password` against the stored hash, or against a fresh hash when
/// there is none (so an unknown email costs the same).
fn verify_password(password: &str, stored: Option<&str>) -> Result<bool> {
    let Some(stored) = stored else {
        hash_password(password)?;
        return Ok(false);
    };
    let parsed = PasswordHash::new(stored).map_err(|e| Error::Other(anyhow::anyhow!("stored hash: {e}")))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Ends the session: its data is deleted from the store and the cookie cleared.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.flush().await?;
    Ok(())
}
