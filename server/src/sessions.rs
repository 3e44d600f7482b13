//! tower-sessions' store on Kassa's own pool, for SQLite and PostgreSQL alike. The cookie
//! carries a random 128-bit session id; the database keeps only its SHA-256, so someone who
//! reads the database (a backup, a leaked dump) cannot present a session. Expired sessions are
//! never loaded; the hourly `maintenance.sweep` job deletes them.

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::{self, Pool};

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

/// What is stored: the record without its id.
#[derive(Serialize, Deserialize)]
struct Stored {
    data: std::collections::HashMap<String, serde_json::Value>,
}

fn id_hash(id: &Id) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(id.0.to_le_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl DbSessionStore {
    pub fn new(pool: Pool) -> Self {
        DbSessionStore { pool }
    }

    fn encode(record: &Record) -> session_store::Result<String> {
        serde_json::to_string(&Stored { data: record.data.clone() })
            .map_err(|e| session_store::Error::Encode(e.to_string()))
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// Inserts under a fresh id; on the (astronomically unlikely) collision, draws another.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = Self::encode(record)?;
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id_hash) DO NOTHING",
            )
            .bind(id_hash(&record.id))
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?
            .rows_affected();
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(id_hash(&record.id))
        .bind(Self::encode(record)?)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash(id))
                .bind(db::now())
                .fetch_optional(&self.pool)
                .await
                .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let stored: Stored = serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?;
        Ok(Some(Record { id: *id, data: stored.data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash(id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
