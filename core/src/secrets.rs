//! Instance secrets. The widget-token key signs pay links, so whoever holds it can open any
//! invoice's pay page: it is kept out of the database, so a leaked database (a backup, a
//! dump) cannot be used to forge links.
//!
//! - `KASSA_SECRET` set: the key is that secret.
//! - PostgreSQL without `KASSA_SECRET`: start-up stops and says so (several processes must
//!   share the key, and the database is not the place for it).
//! - SQLite without `KASSA_SECRET` (the demo, a one-machine install): a random key is made
//!   once and kept in `kassa.key` beside the database file, readable by its owner only. A key
//!   an older Kassa kept in the database is moved into that file and deleted from the table.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use rand::RngCore;

use crate::db::{Backend, Pool};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub async fn widget_key(
    pool: &Pool,
    backend: Backend,
    configured: Option<&str>,
    key_file: Option<&Path>,
) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.as_bytes().to_vec());
    }
    if backend == Backend::Postgres {
        anyhow::bail!(
            "--secret / KASSA_SECRET must be set when the database is PostgreSQL: every kassa process signs and \
             checks pay links with it (for example: openssl rand -hex 32)"
        );
    }
    let legacy: Option<String> =
        sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = 'widget_key'").fetch_optional(pool).await?;
    let Some(path) = key_file else {
        // An in-memory database lives as long as the process; so does its key.
        return Ok(match legacy {
            Some(k) => B64.decode(k)?,
            None => random_key().to_vec(),
        });
    };
    if !path.exists() {
        let key = match &legacy {
            Some(k) => B64.decode(k)?,
            None => random_key().to_vec(),
        };
        write_new(path, &B64.encode(&key))?;
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the key file {}", path.display()))?;
    let key = B64.decode(text.trim()).with_context(|| format!("the key file {} is damaged", path.display()))?;
    if legacy.is_some() {
        sqlx::query("DELETE FROM instance_secrets WHERE name = 'widget_key'").execute(pool).await?;
    }
    Ok(key)
}

fn random_key() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Creates the file readable by its owner only; if another process created it first, leaves
/// theirs.
fn write_new(path: &Path, content: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(content.as_bytes())?;
            file.sync_all()?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create the key file {}", path.display())),
    }
}
