//! The database: one pool type for SQLite (embedded, WAL; the default and the demo) and
//! PostgreSQL (production and scale-out), through sqlx's `Any` driver. Repository code is
//! written once: `$N` placeholders (SQLite binds them by number too), BIGINT money and
//! timestamps, ISO date text. Where the two must differ — how a writer takes its lock — the
//! difference lives here and nowhere else.

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, Connection, Executor, Transaction};

pub type Pool = sqlx::AnyPool;
pub type Tx = Transaction<'static, Any>;
/// A statement with its binds, on either backend.
pub type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// A PostgreSQL connection idle this long is pinged before use (see [`connect`]).
const PING_WHEN_IDLE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `KASSA_DATABASE_URL` names, or an error that says which URLs work.
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" if url.contains("://") => Ok(Backend::Postgres),
            _ => anyhow::bail!(
                "--database-url / KASSA_DATABASE_URL '{}' is not a database Kassa can use: \
                 write sqlite://path/to/kassa.db or postgres://user@host:port/database",
                redact_password(url)
            ),
        }
    }

    fn of_pool(pool: &Pool) -> Backend {
        Backend::of_url(pool.connect_options().database_url.as_ref()).unwrap_or(Backend::Sqlite)
    }

    pub(crate) fn of_connection(conn: &AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// A URL fit for an error message or a log line: any password replaced by `***`.
pub fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of_url(url)?;
    let shown = redact_password(url);
    let url = match backend {
        Backend::Sqlite => prepare_sqlite(url).await?,
        Backend::Postgres => url.to_string(),
    };
    let options: AnyConnectOptions =
        url.parse().with_context(|| format!("KASSA_DATABASE_URL '{shown}' is not a valid database URL"))?;
    let pool = AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .acquire_timeout(Duration::from_secs(15))
        // A SQLite connection is a file this process holds open: it cannot go stale, so it is
        // never pinged (a round trip to its thread). A PostgreSQL one can (a restarted
        // server, a dropped link). sqlx pings each connection as it goes back to the pool and
        // drops a broken one; one that then sat idle for a while is pinged again before it
        // is handed out, one in steady use is not (a second ping per use was one more round
        // trip for every statement outside a transaction: docs/measurements.md, "Webhook
        // ingest").
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                if backend == Backend::Postgres && meta.idle_for >= PING_WHEN_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // Per connection: wait for a busy writer instead of failing, keep the
                    // foreign keys honest, and sync at checkpoints only (safe under WAL).
                    conn.execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
                        .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open the database at {shown}"))?;
    Ok(pool)
}

/// Creates the SQLite file (and its folder) on first use and switches it to WAL, which the
/// file remembers; returns the URL the pool opens.
async fn prepare_sqlite(url: &str) -> anyhow::Result<String> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
    use std::str::FromStr;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("KASSA_DATABASE_URL '{url}' is not a SQLite URL (sqlite://path/to/kassa.db)"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    if let Some(dir) = options.get_filename().parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the database folder {}", dir.display()))?;
        }
    }
    let conn =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("cannot open the database at {url}"))?;
    conn.close().await?;
    Ok(url.to_string())
}

/// The backend of an open pool.
pub fn backend(pool: &Pool) -> Backend {
    Backend::of_pool(pool)
}

/// The file of a `sqlite://` URL (none for an in-memory database or another backend).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    if Backend::of_url(url).ok()? != Backend::Sqlite || url.contains(":memory:") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    Some(options.get_filename().to_path_buf())
}

pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(pool).await?,
    }
    Ok(())
}

/// A transaction for a writer that reads, decides and writes: on SQLite it holds the
/// database's write lock from the first statement (`BEGIN IMMEDIATE`), so what it reads
/// cannot go stale; on PostgreSQL the writer locks the rows it decides on
/// ([`lock_customer`]).
pub async fn begin_write(pool: &Pool) -> sqlx::Result<Tx> {
    begin_write_on(pool.acquire().await?).await
}

/// [`begin_write`] on a connection already taken from the pool, for a request that reads on
/// it first: sqlx checks a connection each time it goes back to the pool (on PostgreSQL a
/// round trip), so a connection taken once for the read and the write is checked once.
pub async fn begin_write_on(conn: sqlx::pool::PoolConnection<Any>) -> sqlx::Result<Tx> {
    let begin = match Backend::of_connection(&conn) {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    // What `Pool::begin_with` does with the connection it takes.
    sqlx::Transaction::begin(sqlx::pool::MaybePoolConnection::PoolConnection(conn), Some(begin.into())).await
}

/// Serialises every change to one customer's ledger: the customer row is locked until the
/// transaction ends (PostgreSQL); SQLite's write lock from [`begin_write`] already covers it.
pub async fn lock_customer(tx: &mut Tx, merchant_id: &str, customer_id: &str) -> sqlx::Result<()> {
    if Backend::of_connection(tx) == Backend::Postgres {
        sqlx::query("SELECT id FROM customers WHERE merchant_id = $1 AND id = $2 FOR UPDATE")
            .bind(merchant_id)
            .bind(customer_id)
            .fetch_optional(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Serialises writers on one key that may have no row yet (a rate-limit subject): a
/// transaction-scoped advisory lock on PostgreSQL; SQLite's write lock covers it.
pub async fn lock_key(tx: &mut Tx, key: &str) -> sqlx::Result<()> {
    if Backend::of_connection(tx) == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(&mut **tx).await?;
    }
    Ok(())
}

/// ` FOR UPDATE OF <alias>` where the database has it: a read that finds a customer's row
/// (aliased `alias`) locks it as [`lock_customer`] does, in the same round trip. SQLite's
/// write lock from [`begin_write`] already covers it.
pub fn locking_customer(conn: &AnyConnection, alias: &str) -> String {
    match Backend::of_connection(conn) {
        Backend::Postgres => format!(" FOR UPDATE OF {alias}"),
        Backend::Sqlite => String::new(),
    }
}

/// `FOR UPDATE SKIP LOCKED` where the database has it (PostgreSQL: concurrent workers pass
/// each other's rows by); nothing on SQLite, whose write lock serialises claims anyway.
pub fn skip_locked(conn: &AnyConnection) -> &'static str {
    match Backend::of_connection(conn) {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `$first, $first+1, ...`: one placeholder per value (an `IN (...)` list).
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_kassa_cannot_serve_are_named() {
        assert_eq!(Backend::of_url("sqlite://data/kassa.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::of_url("postgres://kassa@db:5432/kassa").unwrap(), Backend::Postgres);
        assert_eq!(Backend::of_url("postgresql://kassa@db/kassa").unwrap(), Backend::Postgres);
        for bad in ["postgres:", "mysql://x@y/z", "data/kassa.db", ""] {
            let err = Backend::of_url(bad).unwrap_err().to_string();
            assert!(err.contains("KASSA_DATABASE_URL") && err.contains("sqlite://"), "{bad}: {err}");
        }
        let err = Backend::of_url("mysql://kassa:hunter2@db/kassa").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
