//! A durable job queue in the database, on SQLite and PostgreSQL alike. Jobs are written in
//! the same transaction as the change that causes them (see [`crate::events`]), claimed by
//! workers under a lease, retried with exponential backoff and, after `max_attempts`, kept as
//! `dead` for an operator. Several server processes can run workers against one PostgreSQL:
//! a claim takes due rows with `FOR UPDATE SKIP LOCKED`, so no two workers get the same job;
//! on SQLite the write lock does the same. Handlers must be idempotent: a worker that dies
//! mid-job leaves it to be claimed again when its lease runs out (at least once).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kassa_domain::MerchantId;
use serde_json::Value;

use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::Ctx;

/// How long a claimed job is a worker's before another may take it over.
pub const LEASE_SECS: i64 = 300;
/// The longest wait between two tries.
pub const MAX_BACKOFF_SECS: i64 = 6 * 3600;
/// Jobs whose id starts with this run again `every` seconds (from their payload) after each
/// success, instead of being done.
const RECURRING: &str = "recurring:";

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: Value,
    pub merchant: Option<MerchantId>,
    /// Unix seconds; now or later.
    pub run_at: i64,
    pub max_attempts: i64,
}

impl NewJob {
    /// A job to run as soon as a worker is free, tried up to 25 times (about four days with
    /// the backoff).
    pub fn now(kind: &'static str, payload: Value, merchant: Option<MerchantId>) -> Self {
        NewJob { kind, payload, merchant, run_at: db::now(), max_attempts: 25 }
    }
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub payload: Value,
    /// Including this one.
    pub attempts: i64,
    pub max_attempts: i64,
}

/// Adds a job inside the caller's transaction: it exists exactly when the change does.
pub async fn enqueue(tx: &mut Tx, job: NewJob) -> Result<String> {
    let id = db::new_id();
    insert(tx, &id, job).await?;
    Ok(id)
}

async fn insert(tx: &mut Tx, id: &str, job: NewJob) -> Result<u64> {
    let now = db::now();
    Ok(sqlx::query(
        "INSERT INTO jobs (id, merchant_id, kind, payload, state, run_at, attempts, max_attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $7) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(job.merchant.as_ref().map(MerchantId::as_str))
    .bind(job.kind)
    .bind(job.payload.to_string())
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Makes sure a recurring job exists (once per kind, whatever the number of processes).
pub async fn ensure_recurring(ctx: &Ctx, kind: &'static str, every_secs: i64) -> Result<()> {
    let mut tx = ctx.pool.begin().await?;
    let job = NewJob {
        kind,
        payload: serde_json::json!({ "every": every_secs }),
        merchant: None,
        run_at: db::now(),
        max_attempts: i64::MAX,
    };
    insert(&mut tx, &format!("{RECURRING}{kind}"), job).await?;
    tx.commit().await?;
    Ok(())
}

/// The wait before try `attempts + 1`: 10 s, 20 s, 40 s ... doubling, at most six hours.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 32) - 1;
    10i64.saturating_mul(1i64 << exponent.min(20)).min(MAX_BACKOFF_SECS)
}

/// Claims up to `limit` due jobs of the given kinds (and such jobs whose worker's lease ran
/// out) for `worker`. A worker claims only what it can run, so processes of two versions can
/// share a queue during an upgrade.
pub async fn claim(ctx: &Ctx, worker: &str, kinds: &[&str], limit: i64) -> Result<Vec<Job>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let now = db::now();
    let mut tx = db::begin_write(&ctx.pool).await?;
    let kind_params: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE jobs SET state = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 \
         WHERE id IN (SELECT id FROM jobs WHERE kind IN ({}) AND ((state = 'queued' AND run_at <= $3) \
           OR (state = 'running' AND locked_until < $3)) ORDER BY run_at LIMIT $4{}) \
         RETURNING id, kind, payload, attempts, max_attempts",
        kind_params.join(", "),
        db::skip_locked(&tx)
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql)
        .bind(worker)
        .bind(now + LEASE_SECS)
        .bind(now)
        .bind(limit);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let rows = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|(id, kind, payload, attempts, max_attempts)| {
            let payload = serde_json::from_str(&payload).map_err(|e| Error::internal(format!("job {id}: {e}")))?;
            Ok(Job { id, kind, payload, attempts, max_attempts })
        })
        .collect()
}

/// The job is done (a recurring one is queued for its next run). Only the worker holding
/// the lease can finish it.
pub async fn succeed(ctx: &Ctx, worker: &str, job: &Job) -> Result<()> {
    let now = db::now();
    if job.id.starts_with(RECURRING) {
        let every = job.payload.get("every").and_then(Value::as_i64).unwrap_or(3600).max(1);
        sqlx::query(
            "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, locked_by = NULL, locked_until = NULL, \
             last_error = NULL, updated_at = $2 WHERE id = $3 AND locked_by = $4",
        )
        .bind(now + every)
        .bind(now)
        .bind(&job.id)
        .bind(worker)
        .execute(&ctx.pool)
        .await?;
    } else {
        sqlx::query(
            "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = $1 \
             WHERE id = $2 AND locked_by = $3",
        )
        .bind(now)
        .bind(&job.id)
        .bind(worker)
        .execute(&ctx.pool)
        .await?;
    }
    Ok(())
}

/// The job failed: it is tried again after [`backoff_secs`], or is `dead` once it has used
/// its attempts. Returns whether it will be tried again.
pub async fn fail(ctx: &Ctx, worker: &str, job: &Job, error: &str) -> Result<bool> {
    let now = db::now();
    let retry = job.attempts < job.max_attempts;
    let error: String = error.chars().take(2000).collect();
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, locked_by = NULL, locked_until = NULL, last_error = $3, \
         updated_at = $4 WHERE id = $5 AND locked_by = $6",
    )
    .bind(if retry { "queued" } else { "dead" })
    .bind(now + backoff_secs(job.attempts))
    .bind(&error)
    .bind(now)
    .bind(&job.id)
    .bind(worker)
    .execute(&ctx.pool)
    .await?;
    Ok(retry)
}

/// Runs jobs of one kind.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    /// Must be safe to run twice for one job (a worker can die after the work, before the
    /// job is marked done).
    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()>;
}

/// Every handler Kassa has.
pub fn handlers() -> Vec<Arc<dyn Handler>> {
    vec![
        Arc::new(crate::events::Dispatch),
        Arc::new(crate::webhooks::Deliver),
        Arc::new(crate::overdue::Check),
        Arc::new(crate::imports::queue::Run),
        Arc::new(crate::maintenance::Sweep),
    ]
}

/// Claims and runs jobs until told to stop.
pub struct Worker {
    ctx: Ctx,
    id: String,
    handlers: Vec<Arc<dyn Handler>>,
    /// How often an idle worker looks for due jobs.
    pub poll: Duration,
}

impl Worker {
    pub fn new(ctx: Ctx, handlers: Vec<Arc<dyn Handler>>) -> Self {
        let id = format!("{}:{}", std::process::id(), &db::new_id()[..8]);
        Worker { ctx, id, handlers, poll: Duration::from_secs(1) }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims one batch and runs it; returns how many jobs ran.
    pub async fn run_once(&self) -> Result<usize> {
        let kinds: Vec<&str> = self.handlers.iter().map(|h| h.kind()).collect();
        let jobs = claim(&self.ctx, &self.id, &kinds, 16).await?;
        for job in &jobs {
            let handler = self.handlers.iter().find(|h| h.kind() == job.kind);
            let result = match handler {
                Some(h) => h.run(&self.ctx, job).await,
                None => Err(anyhow::anyhow!("no handler for job kind {:?}", job.kind)),
            };
            match result {
                Ok(()) => succeed(&self.ctx, &self.id, job).await?,
                Err(e) => {
                    let again = fail(&self.ctx, &self.id, job, &format!("{e:#}")).await?;
                    tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, again, error = %e, "job failed");
                }
            }
        }
        Ok(jobs.len())
    }

    /// Runs until `stop` resolves; a batch in progress is finished first.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let ran = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = ?e, "job worker");
                    0
                }
            };
            if ran > 0 {
                continue;
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!([1, 2, 3, 4].map(backoff_secs), [10, 20, 40, 80]);
        assert_eq!(backoff_secs(25), MAX_BACKOFF_SECS);
        assert_eq!(backoff_secs(i64::MAX), MAX_BACKOFF_SECS);
        // 25 tries span more than three days.
        let total: i64 = (1..25).map(backoff_secs).sum();
        assert!(total > 3 * 24 * 3600, "{total}");
    }
}
