//! Instance secrets: taken from the config when set, otherwise generated once and kept in
//! the database so that restarts and other processes agree.

use base64::Engine;
use rand::RngCore;

use crate::db::Pool;

pub async fn widget_key(pool: &Pool, configured: Option<&str>) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.as_bytes().to_vec());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let fresh = base64::engine::general_purpose::STANDARD.encode(bytes);
    sqlx::query("INSERT INTO instance_secrets (name, value) VALUES ('widget_key', $1) ON CONFLICT (name) DO NOTHING")
        .bind(&fresh)
        .execute(pool)
        .await?;
    let stored: String =
        sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = 'widget_key'").fetch_one(pool).await?;
    Ok(base64::engine::general_purpose::STANDARD.decode(stored)?)
}
