//! tower-sessions' store on Kassa's own pool, for SQLite and PostgreSQL alike. The cookie
//! carries a random 128-bit session id; the database keeps only its SHA-256, so someone who
//! reads the database (a backup, a leaked dump) cannot present a session. Expired sessions are
//! never loaded; the hourly `maintenance.sweep` job deletes them.
//!
//! Beside a session's JSON the store keeps the merchant and customer of the debtor signed in
//! with it (if one is), so the portal's kept first page can read the session and the
//! versions of that debtor's pages in one query ([`DbSessionStore::debtor_page`]).

use std::sync::LazyLock;

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use kassa_app::backend::{kept_debtor, language_in, KeptDebtor};
use kassa_app::i18n::Lang;
use kassa_core::services::portal::{page_stamp_columns, PageStamp};

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

    /// Session `id`'s record from its row's JSON and end (unix seconds).
    fn record(id: &Id, data: &str, expires_at: i64) -> session_store::Result<Record> {
        let stored: Stored = serde_json::from_str(data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?;
        Ok(Record { id: *id, data: stored.data, expiry_date })
    }

    /// The merchant and customer of the debtor signed in with `record`, kept beside its JSON.
    fn debtor_of(record: &Record) -> (Option<String>, Option<String>) {
        match kept_debtor(record) {
            Some(kept) => (Some(kept.debtor.merchant.to_string()), Some(kept.debtor.customer.to_string())),
            None => (None, None),
        }
    }

    /// The debtor signed in with session `id`, the language kept with them, and the
    /// [`PageStamp`] of their pages, in one read (the portal's kept first page,
    /// `http::page_cache`). `None`: no such session (or expired), or no debtor in it.
    pub async fn debtor_page(&self, id: &Id) -> session_store::Result<Option<DebtorPage>> {
        static QUERY: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT s.data, s.expires_at, s.merchant_id, s.customer_id, {} FROM sessions s \
                 WHERE s.id_hash = $1 AND s.expires_at > $2",
                page_stamp_columns("s.merchant_id", "s.customer_id")
            )
        });
        type Row = (String, i64, Option<String>, Option<String>, Option<i64>, Option<i64>, Option<String>);
        let row: Option<Row> = sqlx::query_as(QUERY.as_str())
            .bind(id_hash(id))
            .bind(db::now())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        let Some((data, expires_at, merchant_id, customer_id, merchant, customer, time_zone)) = row else {
            return Ok(None);
        };
        let record = Self::record(id, &data, expires_at)?;
        let Some(debtor) = kept_debtor(&record) else {
            return Ok(None);
        };
        // The versions read are the debtor's only if the columns are theirs (a session last
        // saved before the store kept them has none).
        let theirs = merchant_id.as_deref() == Some(debtor.debtor.merchant.as_str())
            && customer_id.as_deref() == Some(debtor.debtor.customer.as_str());
        let stamp = time_zone.filter(|_| theirs).map(|time_zone| PageStamp { merchant, customer, time_zone });
        Ok(Some(DebtorPage { language: language_in(&record), debtor, stamp }))
    }
}

/// What [`DbSessionStore::debtor_page`] read.
pub struct DebtorPage {
    pub debtor: KeptDebtor,
    /// The debtor's language, kept in the session at sign-in.
    pub language: Option<Lang>,
    /// `None`: not read (a session saved before the store kept its debtor beside it).
    pub stamp: Option<PageStamp>,
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// Inserts under a fresh id; on the (astronomically unlikely) collision, draws another.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = Self::encode(record)?;
        let (merchant, customer) = Self::debtor_of(record);
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id_hash, data, expires_at, merchant_id, customer_id) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (id_hash) DO NOTHING",
            )
            .bind(id_hash(&record.id))
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .bind(&merchant)
            .bind(&customer)
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
        let (merchant, customer) = Self::debtor_of(record);
        sqlx::query(
            "INSERT INTO sessions (id_hash, data, expires_at, merchant_id, customer_id) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id_hash) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, \
             merchant_id = excluded.merchant_id, customer_id = excluded.customer_id",
        )
        .bind(id_hash(&record.id))
        .bind(Self::encode(record)?)
        .bind(record.expiry_date.unix_timestamp())
        .bind(merchant)
        .bind(customer)
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
        Self::record(id, &data, expires_at).map(Some)
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
