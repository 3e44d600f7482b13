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
    // How the debug builds' check of writers (`writers`) knows this pool's database.
    let on_acquire = options.database_url.to_string();
    let on_connect = on_acquire.clone();
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
            writers::check_url(&on_acquire);
            Box::pin(async move {
                if backend == Backend::Postgres && meta.idle_for >= PING_WHEN_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _| {
            writers::check_url(&on_connect);
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
///
/// A writer does everything on its own connection (`&mut *tx`), never on the pool: while it
/// holds its lock, the others that wait for it hold their connections, and with the pool
/// taken up that way a second connection does not come until a wait times out (CI met it: a
/// plan rejected through the API answered after ten seconds). Debug builds check it: taking
/// a pool's connection in a task that holds a write transaction on that pool panics, naming
/// the rule. On SQLite, writers of this process also take turns before they
/// take a connection (one writer at a time is all SQLite allows): a writer waiting its turn
/// holds no connection, and is woken as the one before it ends instead of polling the
/// database's busy handler.
pub async fn begin_write(pool: &Pool) -> sqlx::Result<Tx> {
    let turn = turn(pool).await?;
    let conn = pool.acquire().await?;
    start(pool, conn, turn).await
}

/// [`begin_write`] on a connection already taken from `pool`, for a request that reads on
/// it first: sqlx checks a connection each time it goes back to the pool (on PostgreSQL a
/// round trip), so a connection taken once for the read and the write is checked once.
pub async fn begin_write_on(pool: &Pool, conn: sqlx::pool::PoolConnection<Any>) -> sqlx::Result<Tx> {
    let turn = turn(pool).await?;
    start(pool, conn, turn).await
}

async fn start(
    pool: &Pool,
    conn: sqlx::pool::PoolConnection<Any>,
    turn: Option<tokio::sync::OwnedMutexGuard<()>>,
) -> sqlx::Result<Tx> {
    let begin = match Backend::of_connection(&conn) {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    // What `Pool::begin_with` does with the connection it takes.
    let inner =
        sqlx::Transaction::begin(sqlx::pool::MaybePoolConnection::PoolConnection(conn), Some(begin.into())).await?;
    Ok(Tx { inner, _turn: turn, _held: writers::hold(pool) })
}

/// How long a SQLite writer waits for its turn before it gives up, as long as it would wait
/// for a connection.
const TURN_WAIT: Duration = Duration::from_secs(15);

/// This process's turn to write to `pool`'s SQLite database (none to take on PostgreSQL,
/// whose writers lock rows).
async fn turn(pool: &Pool) -> sqlx::Result<Option<tokio::sync::OwnedMutexGuard<()>>> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, Mutex};
    static TURNS: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = LazyLock::new(Default::default);
    if Backend::of_pool(pool) != Backend::Sqlite {
        return Ok(None);
    }
    writers::check(pool);
    let database = pool.connect_options().database_url.to_string();
    let turns = TURNS.lock().unwrap_or_else(|e| e.into_inner()).entry(database).or_default().clone();
    match tokio::time::timeout(TURN_WAIT, turns.lock_owned()).await {
        Ok(turn) => Ok(Some(turn)),
        Err(_) => Err(sqlx::Error::PoolTimedOut),
    }
}

/// A write transaction from [`begin_write`]: use it as the connection it runs on
/// (`&mut *tx`), then `commit` it; dropped, it rolls back.
pub struct Tx {
    inner: Transaction<'static, Any>,
    /// SQLite: this process's turn to write, given back when the transaction ends.
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Debug builds: marks the task as holding a write transaction (see [`writers`]).
    _held: Option<writers::Held>,
}

impl Tx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Debug builds only: which tasks hold a write transaction on which database, so that one of
/// them taking a second connection of that database's pool fails loudly in the tests (see
/// [`begin_write`]) rather than waiting, one day, for a connection that never comes.
mod writers {
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex};

    use super::Pool;

    /// A database's URL, and who holds a writer there: a task, or a thread outside any task
    /// (a `block_on`, as a test's own body runs).
    type Holder = (String, Who);

    #[derive(Clone, PartialEq, Eq, Hash)]
    enum Who {
        Task(tokio::task::Id),
        Thread(std::thread::ThreadId),
    }

    fn who() -> Who {
        tokio::task::try_id().map_or_else(|| Who::Thread(std::thread::current().id()), Who::Task)
    }

    static HOLDING: LazyLock<Mutex<HashSet<Holder>>> = LazyLock::new(Default::default);

    pub struct Held(Holder);

    impl Drop for Held {
        fn drop(&mut self) {
            HOLDING.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.0);
        }
    }

    /// Marks the current task as holding a write transaction on `pool`.
    pub fn hold(pool: &Pool) -> Option<Held> {
        let holder = (database(pool)?, who());
        HOLDING.lock().unwrap_or_else(|e| e.into_inner()).insert(holder.clone());
        Some(Held(holder))
    }

    /// Panics if the current task holds a write transaction on `pool` (debug builds).
    pub fn check(pool: &Pool) {
        if let Some(database) = database(pool) {
            check_url(&database);
        }
    }

    /// [`check`] by the database's URL, for the pool's own hooks.
    pub fn check_url(database: &str) {
        if !cfg!(debug_assertions) {
            return;
        }
        let holding = HOLDING.lock().unwrap_or_else(|e| e.into_inner()).contains(&(database.to_string(), who()));
        assert!(
            !holding,
            "a task holding a write transaction asked the pool for another connection: read and \
             write on the transaction's own (`&mut *tx`), see kassa_core::db::begin_write"
        );
    }

    fn database(pool: &Pool) -> Option<String> {
        cfg!(debug_assertions).then(|| pool.connect_options().database_url.to_string())
    }
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
