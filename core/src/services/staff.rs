//! A merchant's AR staff: added by the system or an admin of that merchant, never with a
//! password on a command line. Adding someone answers a single-use link (24 hours) on which
//! they choose their own password; until then no password signs them in.
//!
//! Roles (docs/security.md): admins manage collectors and viewers; only the owner (one per
//! merchant, `merchants.owner_staff_id`) makes, changes and removes admins and hands the
//! ownership on. The owner cannot be removed or demoted, so a merchant always has someone
//! who can sign in and put things right.

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
    /// The role they got: the owner's when they are the merchant's first admin.
    pub role: StaffRole,
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

/// The system, or an admin or the owner of `merchant`: who may manage its staff and API keys.
pub(crate) fn authorise_admin(who: &Principal, merchant: &MerchantId) -> Result<()> {
    match who {
        Principal::System => Ok(()),
        Principal::Staff(s) if &s.merchant == merchant && s.role >= StaffRole::Admin => Ok(()),
        Principal::Staff(s) if &s.merchant == merchant => Err(Error::Forbidden),
        _ => Err(Error::NotFound),
    }
}

/// Making, changing or removing an admin (or the owner) takes the owner or the system.
fn authorise_for_role(who: &Principal, role: StaffRole) -> Result<()> {
    match who {
        Principal::Staff(s) if role >= StaffRole::Admin && s.role < StaffRole::Owner => Err(Error::Forbidden),
        _ => Ok(()),
    }
}

/// A staff member as admins list them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub id: StaffId,
    pub email: String,
    pub role: StaffRole,
    /// False until they have chosen a password on their link.
    pub can_sign_in: bool,
    pub created_at: i64,
}

const MEMBER_COLUMNS: &str = "s.id, s.email, s.role, m.owner_staff_id, s.password_hash, s.created_at \
     FROM staff_users s JOIN merchants m ON m.id = s.merchant_id";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: String,
    email: String,
    role: String,
    owner_staff_id: Option<String>,
    password_hash: String,
    created_at: i64,
}

impl MemberRow {
    fn member(self) -> Result<Member> {
        let is_owner = self.owner_staff_id.as_deref() == Some(self.id.as_str());
        let role = StaffRole::effective(&self.role, is_owner)
            .ok_or_else(|| Error::internal(format!("staff {}: unknown role {:?}", self.id, self.role)))?;
        Ok(Member {
            id: StaffId::from_raw(self.id),
            email: self.email,
            role,
            can_sign_in: self.password_hash != NO_PASSWORD,
            created_at: self.created_at,
        })
    }
}

/// The merchant's staff, oldest first.
pub async fn list(ctx: &Ctx, who: &Principal, merchant: &MerchantId) -> Result<Vec<Member>> {
    authorise_admin(who, merchant)?;
    let rows: Vec<MemberRow> =
        sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} WHERE s.merchant_id = $1 ORDER BY s.created_at, s.id"))
            .bind(merchant.as_str())
            .fetch_all(&ctx.pool)
            .await?;
    rows.into_iter().map(MemberRow::member).collect()
}

async fn member(tx: &mut db::Tx, merchant: &MerchantId, id: &StaffId) -> Result<Member> {
    let row: Option<MemberRow> =
        sqlx::query_as(&format!("SELECT {MEMBER_COLUMNS} WHERE s.merchant_id = $1 AND s.id = $2"))
            .bind(merchant.as_str())
            .bind(id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    row.ok_or(Error::NotFound)?.member()
}

/// The staff member `id` as a principal, with their role as it stands now; `None` for someone
/// no longer on the staff.
pub(crate) async fn principal_of(pool: &db::Pool, id: &str) -> Result<Option<Staff>> {
    let row: Option<(String, MemberRow)> =
        sqlx::query_as::<_, MemberRowWithMerchant>(&format!("SELECT s.merchant_id, {MEMBER_COLUMNS} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .map(|r| (r.merchant_id, r.row));
    let Some((merchant, row)) = row else {
        return Ok(None);
    };
    let member = row.member()?;
    Ok(Some(Staff {
        merchant: MerchantId::from_raw(merchant),
        staff: member.id,
        role: member.role,
        email: member.email,
    }))
}

#[derive(sqlx::FromRow)]
struct MemberRowWithMerchant {
    merchant_id: String,
    #[sqlx(flatten)]
    row: MemberRow,
}

/// Gives a staff member another role (not the owner's: see [`hand_over`]).
pub async fn set_role(ctx: &Ctx, who: &Principal, merchant: &MerchantId, id: &StaffId, role: StaffRole) -> Result<()> {
    authorise_admin(who, merchant)?;
    if role == StaffRole::Owner {
        return hand_over(ctx, who, merchant, id).await;
    }
    authorise_for_role(who, role)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before = changeable(&mut tx, who, merchant, id).await?;
    if before.role == role {
        return Ok(());
    }
    sqlx::query("UPDATE staff_users SET role = $1 WHERE merchant_id = $2 AND id = $3")
        .bind(role.as_str())
        .bind(merchant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let (before, after) = (serde_json::json!({ "role": before.role }), serde_json::json!({ "role": role }));
    audited(ctx, tx, who, merchant, ("staff.role_changed", id), before, Some(after)).await
}

/// The staff member `id`, whom `who` may change or remove: not the owner, and an admin only
/// by the owner.
async fn changeable(tx: &mut db::Tx, who: &Principal, merchant: &MerchantId, id: &StaffId) -> Result<Member> {
    let member = member(tx, merchant, id).await?;
    if member.role == StaffRole::Owner {
        return Err(Problem::OwnerStays.into());
    }
    authorise_for_role(who, member.role)?;
    Ok(member)
}

/// Records a change to a staff member in the audit log and commits it.
async fn audited(
    ctx: &Ctx,
    mut tx: db::Tx,
    who: &Principal,
    merchant: &MerchantId,
    (action, id): (&'static str, &StaffId),
    before: serde_json::Value,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let entry = audit::Entry {
        merchant: Some(merchant),
        action,
        subject_type: "staff",
        subject_id: id.as_str(),
        before: Some(before),
        after,
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a staff member (not the owner): their sessions stop at their next request and
/// their set-password link stops working.
pub async fn remove(ctx: &Ctx, who: &Principal, merchant: &MerchantId, id: &StaffId) -> Result<()> {
    authorise_admin(who, merchant)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before = changeable(&mut tx, who, merchant, id).await?;
    sqlx::query("DELETE FROM staff_password_links WHERE merchant_id = $1 AND staff_id = $2")
        .bind(merchant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM staff_users WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await?;
    let before = serde_json::json!({ "email": before.email, "role": before.role });
    audited(ctx, tx, who, merchant, ("staff.removed", id), before, None).await
}

/// Makes `to` the merchant's owner, by the owner (or the system); the former owner stays an
/// admin. `to` must be able to sign in.
pub async fn hand_over(ctx: &Ctx, who: &Principal, merchant: &MerchantId, to: &StaffId) -> Result<()> {
    authorise_admin(who, merchant)?;
    authorise_for_role(who, StaffRole::Owner)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let target = member(&mut tx, merchant, to).await?;
    if target.role == StaffRole::Owner {
        return Ok(());
    }
    if !target.can_sign_in {
        return Err(Problem::OwnerNeedsPassword.into());
    }
    let former: Option<String> = sqlx::query_scalar("SELECT owner_staff_id FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&mut *tx)
        .await?;
    make_owner(&mut tx, merchant, to).await?;
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "staff.ownership_handed_over",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::json!({ "owner": former })),
        after: Some(serde_json::json!({ "owner": to.as_str() })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The owner is stored as an admin too, so that handing on leaves them one.
async fn make_owner(tx: &mut db::Tx, merchant: &MerchantId, to: &StaffId) -> Result<()> {
    sqlx::query("UPDATE staff_users SET role = 'admin' WHERE merchant_id = $1 AND id = $2")
        .bind(merchant.as_str())
        .bind(to.as_str())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE merchants SET owner_staff_id = $1 WHERE id = $2")
        .bind(to.as_str())
        .bind(merchant.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn token_hash(token: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// Adds a staff member. An admin adds collectors and viewers, the owner admins too; an owner
/// is added by the system only (`kassa staff add --role owner`: the former owner stays an
/// admin). A merchant's first admin becomes its owner.
pub async fn add(ctx: &Ctx, who: &Principal, cmd: AddStaff) -> Result<Added> {
    authorise_admin(who, &cmd.merchant)?;
    if cmd.role == StaffRole::Owner && who != &Principal::System {
        return Err(Error::Forbidden);
    }
    authorise_for_role(who, cmd.role)?;
    let email = parse_email(&cmd.email)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
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
    .bind(cmd.role.min(StaffRole::Admin).as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(Problem::EmailTaken.into());
    }
    let mut role = cmd.role;
    if cmd.role == StaffRole::Owner {
        make_owner(&mut tx, &cmd.merchant, &staff).await?;
    } else if cmd.role == StaffRole::Admin {
        let first = sqlx::query("UPDATE merchants SET owner_staff_id = $1 WHERE id = $2 AND owner_staff_id IS NULL")
            .bind(staff.as_str())
            .bind(cmd.merchant.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if first == 1 {
            role = StaffRole::Owner;
        }
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
        after: Some(serde_json::json!({ "email": email, "role": role })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(Added { staff, role, password_token: token })
}

/// The staff member as they stand now: their role read again, so that a demotion or removal
/// takes effect on their next request rather than when their session ends. `Unauthenticated`
/// for someone no longer on the staff.
pub async fn current(ctx: &Ctx, who: &Principal) -> Result<Principal> {
    let signed_in = who.staff()?;
    let now = principal_of(&ctx.pool, signed_in.staff.as_str()).await?;
    match now {
        Some(staff) if staff.merchant == signed_in.merchant => Ok(Principal::Staff(staff)),
        _ => Err(Error::Unauthenticated),
    }
}

/// Remembers the language a staff member signed in with (`nl`): the mail Kassa sends them is
/// written in it.
pub async fn remember_language(ctx: &Ctx, who: &Principal, language: &str) -> Result<()> {
    let staff = who.staff()?;
    sqlx::query("UPDATE staff_users SET language = $1 WHERE merchant_id = $2 AND id = $3 AND language <> $1")
        .bind(language)
        .bind(staff.merchant.as_str())
        .bind(staff.staff.as_str())
        .execute(&ctx.pool)
        .await?;
    Ok(())
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
    let mut tx = db::begin_write(&ctx.pool).await?;
    let staff_id: Option<String> = sqlx::query_scalar(
        "UPDATE staff_password_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 \
         RETURNING staff_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let staff_id = staff_id.ok_or(Problem::PasswordLinkExpired)?;
    sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
        .bind(&hash)
        .bind(&staff_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let staff = principal_of(&ctx.pool, &staff_id).await?;
    Ok(Principal::Staff(staff.ok_or(Problem::PasswordLinkExpired)?))
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
