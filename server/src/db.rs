//! The database pool and migrations. SQLite (WAL) is the embedded default; the schema is
//! written in plain SQL that PostgreSQL also accepts, so a second backend stays a small step.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub type Pool = SqlitePool;

pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    use anyhow::Context;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("KASSA_DATABASE_URL '{url}' is not a SQLite URL (sqlite://path/to/kassa.db)"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database at {url}"))?;
    Ok(pool)
}

pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations").run(pool).await?;
    tower_sessions_sqlx_store::SqliteStore::new(pool.clone()).migrate().await?;
    Ok(())
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
