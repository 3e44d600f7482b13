//! A merchant's API keys: made by the system (`kassa api-key create`) or an admin, shown once,
//! kept only as a SHA-256 of the whole key (32 random bytes, so a fast hash suffices and a
//! leaked database signs no one in), named, test or live, revocable. Their prefixes
//! (`kassa_test_`, `kassa_live_`) make a leaked key recognisable to secret scanners. A key has
//! scopes: every key reads its mode's records; `write` and `settings` are given when it is made
//! (docs/security.md).

use base64::Engine;
use kassa_domain::{MerchantId, Problem};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit;
use crate::db;
use crate::error::{Error, Result};
use crate::principal::{ApiKey, Mode, Principal, Scopes};
use crate::services::staff::authorise_admin;
use crate::Ctx;

/// Characters of the random part kept beside the hash, to tell keys apart in lists.
const SHOWN_CHARS: usize = 4;
/// `last_used_at` is written at most this often per key (not a write per request).
const LAST_USED_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct CreateKey {
    pub merchant: MerchantId,
    pub name: String,
    pub mode: Mode,
    pub scopes: Scopes,
}

/// A key as lists show it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeySummary {
    pub id: String,
    pub name: String,
    pub mode: Mode,
    pub scopes: Scopes,
    /// `kassa_test_Ab12`: the key's start.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new key: `secret` is shown this once.
#[derive(Debug)]
pub struct CreatedKey {
    pub key: KeySummary,
    pub secret: SecretString,
}

fn hash(secret: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

pub async fn create(ctx: &Ctx, who: &Principal, cmd: CreateKey) -> Result<CreatedKey> {
    authorise_admin(who, &cmd.merchant)?;
    let name = cmd.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Problem::NameRequired.into());
    }
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let secret =
        format!("kassa_{}_{}", cmd.mode.as_str(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random));
    let prefix_len = "kassa_".len() + cmd.mode.as_str().len() + 1 + SHOWN_CHARS;
    let key = KeySummary {
        id: db::new_id(),
        name,
        mode: cmd.mode,
        scopes: cmd.scopes,
        prefix: secret[..prefix_len].to_string(),
        created_at: db::now(),
        last_used_at: None,
        revoked_at: None,
    };
    let mut tx = db::begin_write(&ctx.pool).await?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM merchants WHERE id = $1")
        .bind(cmd.merchant.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    exists.ok_or(Error::NotFound)?;
    sqlx::query(
        "INSERT INTO api_keys (id, merchant_id, name, mode, scopes, prefix, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&key.id)
    .bind(cmd.merchant.as_str())
    .bind(&key.name)
    .bind(key.mode.as_str())
    .bind(key.scopes.as_text())
    .bind(&key.prefix)
    .bind(hash(&secret))
    .bind(key.created_at)
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({ "name": key.name, "mode": key.mode, "scopes": key.scopes, "prefix": key.prefix });
    let entry = audit::Entry {
        merchant: Some(&cmd.merchant),
        action: "api_key.created",
        subject_type: "api_key",
        subject_id: &key.id,
        before: None,
        after: Some(after),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(CreatedKey { key, secret: SecretString::from(secret) })
}

/// The principal a presented key stands for; `Unauthenticated` for a key that is unknown,
/// malformed or revoked (without saying which).
pub async fn authenticate(ctx: &Ctx, presented: &SecretString) -> Result<Principal> {
    let presented = presented.expose_secret().trim();
    if !(presented.starts_with("kassa_test_") || presented.starts_with("kassa_live_")) || presented.len() > 200 {
        return Err(Error::Unauthenticated);
    }
    let found: Option<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, merchant_id, mode, scopes, last_used_at FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash(presented))
    .fetch_optional(&ctx.pool)
    .await?;
    let (id, merchant, mode, scopes, last_used) = found.ok_or(Error::Unauthenticated)?;
    let mode = Mode::from_stored(&mode, format_args!("api key {id}"))?;
    let scopes =
        Scopes::parse(&scopes).map_err(|word| Error::internal(format!("api key {id}: unknown scope {word:?}")))?;
    let now = db::now();
    if last_used.is_none_or(|t| t <= now - LAST_USED_EVERY_SECS) {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&ctx.pool)
            .await?;
    }
    Ok(Principal::ApiKey(ApiKey { merchant: MerchantId::from_raw(merchant), key_id: id, mode, scopes }))
}

pub async fn list(ctx: &Ctx, who: &Principal, merchant: &MerchantId) -> Result<Vec<KeySummary>> {
    authorise_admin(who, merchant)?;
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, name, mode, scopes, prefix, created_at, last_used_at, revoked_at FROM api_keys \
         WHERE merchant_id = $1 ORDER BY created_at, id",
    )
    .bind(merchant.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let mode = Mode::from_stored(&r.mode, format_args!("api key {}", r.id))?;
            let scopes = Scopes::parse(&r.scopes)
                .map_err(|word| Error::internal(format!("api key {}: unknown scope {word:?}", r.id)))?;
            Ok(KeySummary {
                id: r.id,
                name: r.name,
                mode,
                scopes,
                prefix: r.prefix,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                revoked_at: r.revoked_at,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    name: String,
    mode: String,
    scopes: String,
    prefix: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// Revokes a key at once; revoking it again changes nothing.
pub async fn revoke(ctx: &Ctx, who: &Principal, merchant: &MerchantId, key_id: &str) -> Result<()> {
    authorise_admin(who, merchant)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let revoked =
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE merchant_id = $2 AND id = $3 AND revoked_at IS NULL")
            .bind(db::now())
            .bind(merchant.as_str())
            .bind(key_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if revoked == 0 {
        let exists: Option<String> = sqlx::query_scalar("SELECT id FROM api_keys WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.as_str())
            .bind(key_id)
            .fetch_optional(&mut *tx)
            .await?;
        exists.ok_or(Error::NotFound)?;
        return Ok(());
    }
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "api_key.revoked",
        subject_type: "api_key",
        subject_id: key_id,
        before: None,
        after: None,
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(())
}
