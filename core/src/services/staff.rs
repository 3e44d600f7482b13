//! A merchant's AR staff: added by the system or an admin of that merchant, never with a
//! password on a command line. Adding someone answers a single-use link (24 hours) on which
//! they choose their own password; until then no password signs them in.

use base64::Engine;
use kassa_domain::{MerchantId, Problem, StaffId};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::db;
use crate::error::{Error, Result};
use crate::principal::{Principal, Staff, StaffRole};
use crate::services::auth::hash_password;
use crate::Ctx;

/// How long a set-password link works.
pub const PASSWORD_LINK_TTL_SECS: i64 = 24 * 3600;
pub const MIN_PASSWORD_CHARS: u32 = 12;
/// The stored hash of someone who has not chosen a password yet: no password matches it.
pub const NO_PASSWORD: &str = "!";

#[derive(Debug, Clone)]
pub struct AddStaff {
    pub merchant: MerchantId,
    pub email: String,
    pub role: StaffRole,
}

#[derive(Debug, Clone)]
pub struct Added {
    pub staff: StaffId,
    /// The set-password link's token (its path is `/admin/set-password/{token}`).
    pub password_token: String,
}

/// Lowercased, trimmed, and plausibly an address (one `@`, something on both sides, a dot in
/// the domain, no spaces): typos are caught here, deliverability by the mail that follows.
pub fn parse_email(input: &str) -> Result<String> {
    let email = input.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@'));
    if ok {
        Ok(email)
    } else {
        Err(Problem::InvalidEmail { input: input.trim().chars().take(60).collect() }.into())
    }
}

/// The system, or an admin of `merchant`: who may manage its staff and API keys.
pub(crate) fn authorise_admin(who: &Principal, merchant: &MerchantId) -> Result<()> {
    match who {
        Principal::System => Ok(()),
        Principal::Staff(Staff { merchant: m, role: StaffRole::Admin, .. }) if m == merchant => Ok(()),
        Principal::Staff(Staff { merchant: m, .. }) if m == merchant => Err(Error::Forbidden),
        _ => Err(Error::NotFound),
    }
}

fn token_hash(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

pub async fn add(ctx: &Ctx, who: &Principal, cmd: AddStaff) -> Result<Added> {
    authorise_admin(who, &cmd.merchant)?;
    let email = parse_email(&cmd.email)?;
    let mut tx = ctx.pool.begin().await?;
    let merchant: Option<String> = sqlx::query_scalar("SELECT id FROM merchants WHERE id = $1")
        .bind(cmd.merchant.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    merchant.ok_or(Error::NotFound)?;
    let staff = StaffId::from_raw(db::new_id());
    let now = db::now();
    let inserted = sqlx::query(
        "INSERT INTO staff_users (id, merchant_id, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(staff.as_str())
    .bind(cmd.merchant.as_str())
    .bind(&email)
    .bind(NO_PASSWORD)
    .bind(cmd.role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(Problem::EmailTaken.into());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    sqlx::query(
        "INSERT INTO staff_password_links (token_hash, merchant_id, staff_id, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(cmd.merchant.as_str())
    .bind(staff.as_str())
    .bind(now + PASSWORD_LINK_TTL_SECS)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry {
        merchant: Some(&cmd.merchant),
        action: "staff.added",
        subject_type: "staff",
        subject_id: staff.as_str(),
        before: None,
        after: Some(serde_json::json!({ "email": email, "role": cmd.role })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(Added { staff, password_token: token })
}

/// The staff member as they stand now: their role read again, so that a demotion or removal
/// takes effect on their next request rather than when their session ends. `Unauthenticated`
/// for someone no longer on the staff.
pub async fn current(ctx: &Ctx, who: &Principal) -> Result<Principal> {
    let signed_in = who.staff()?;
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT role, email FROM staff_users WHERE id = $1 AND merchant_id = $2")
            .bind(signed_in.staff.as_str())
            .bind(signed_in.merchant.as_str())
            .fetch_optional(&ctx.pool)
            .await?;
    let (role, email) = row.ok_or(Error::Unauthenticated)?;
    let role = StaffRole::parse(&role).ok_or_else(|| Error::internal(format!("unknown staff role {role:?}")))?;
    Ok(Principal::Staff(Staff { role, email, ..signed_in.clone() }))
}

/// Sets the password through a set-password link (once, within its lifetime) and answers the
/// staff member, signed in.
pub async fn set_password(ctx: &Ctx, token: &str, password: &str, confirm: &str) -> Result<Principal> {
    if (password.chars().count() as u32) < MIN_PASSWORD_CHARS {
        return Err(Problem::PasswordTooShort { min_chars: MIN_PASSWORD_CHARS }.into());
    }
    if password.len() > 1024 {
        return Err(Problem::PasswordTooShort { min_chars: MIN_PASSWORD_CHARS }.into());
    }
    if password != confirm {
        return Err(Problem::PasswordsDiffer.into());
    }
    // The link first: a post without a live one costs a lookup, never a hash.
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM staff_password_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(db::now())
    .fetch_optional(&ctx.pool)
    .await?;
    if live.is_none() {
        return Err(Problem::PasswordLinkExpired.into());
    }
    let owned = password.to_string();
    let hash = crate::services::auth::with_hashing(move || hash_password(&owned)).await?;
    let now = db::now();
    let mut tx = ctx.pool.begin().await?;
    let staff_id: Option<String> = sqlx::query_scalar(
        "UPDATE staff_password_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING staff_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let staff_id = staff_id.ok_or(Problem::PasswordLinkExpired)?;
    let (merchant, email, role): (String, String, String) =
        sqlx::query_as("UPDATE staff_users SET password_hash = $1 WHERE id = $2 RETURNING merchant_id, email, role")
            .bind(&hash)
            .bind(&staff_id)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(Principal::Staff(Staff {
        merchant: MerchantId::from_raw(merchant),
        staff: StaffId::from_raw(staff_id),
        role: StaffRole::parse(&role).ok_or_else(|| Error::internal(format!("unknown role {role:?}")))?,
        email,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(parse_email("  Anna@Example.NL ").unwrap(), "anna@example.nl");
        for bad in ["", "anna", "anna@", "@example.nl", "anna@example", "an na@example.nl", "a@b@c.nl", "a@.nl"] {
            assert!(matches!(parse_email(bad), Err(Error::Problem(Problem::InvalidEmail { .. }))), "{bad:?}");
        }
    }
}
