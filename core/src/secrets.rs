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

/// Seals secrets Kassa must read back (webhook signing secrets) before they are stored:
/// XChaCha20-Poly1305 under a key derived from the instance key, which is not in the
/// database. A leaked database then holds no usable secret; a changed `KASSA_SECRET` makes the
/// sealed ones unreadable (and says so), never silently wrong.
#[derive(Clone)]
pub struct Sealer {
    cipher: chacha20poly1305::XChaCha20Poly1305,
}

const SEALED_PREFIX: &str = "sealed1:";

impl Sealer {
    /// Whether `text` is something [`Sealer::seal`] made (of any purpose).
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(SEALED_PREFIX)
    }

    /// A sealer for one purpose: each purpose gets its own key.
    pub fn new(instance_key: &[u8], purpose: &str) -> Sealer {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(instance_key).expect("HMAC takes any key length");
        mac.update(b"kassa sealing key: ");
        mac.update(purpose.as_bytes());
        let key = mac.finalize().into_bytes();
        Sealer { cipher: <chacha20poly1305::XChaCha20Poly1305 as chacha20poly1305::KeyInit>::new(&key) }
    }

    pub fn seal(&self, plaintext: &str) -> String {
        use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, plaintext.as_bytes()).expect("sealing cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED_PREFIX}{}", B64.encode(bytes))
    }

    /// The plaintext, or `None` when the text was not sealed by this key (tampered with, or
    /// sealed under another instance key).
    pub fn open(&self, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::Aead;
        let bytes = B64.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self.cipher.decrypt(chacha20poly1305::XNonce::from_slice(nonce), ciphertext).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let sealer = Sealer::new(b"instance key instance key 0123456", "webhook-secrets");
        let sealed = sealer.seal("whsec_abc");
        assert!(!sealed.contains("whsec_abc"));
        assert_ne!(sealed, sealer.seal("whsec_abc"), "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed).as_deref(), Some("whsec_abc"));
        assert_eq!(Sealer::new(b"another key another key 012345678", "webhook-secrets").open(&sealed), None);
        assert_eq!(Sealer::new(b"instance key instance key 0123456", "other purpose").open(&sealed), None);
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(sealer.open(&tampered), None);
        assert_eq!(sealer.open("whsec_abc"), None);
    }
}
