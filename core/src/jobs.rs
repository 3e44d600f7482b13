//! A durable job queue in the database, on SQLite and PostgreSQL alike. Jobs are written in
//! the same transaction as the change that causes them (see [`crate::events`]), claimed by
//! workers under a lease, retried with exponential backoff and, after `max_attempts`, kept as
//! `dead` for an operator (`kassa jobs list --state dead`, `kassa jobs retry ID`). Several
//! server processes can run workers against one database: a claim is a guarded UPDATE, so no
//! two workers get the same job. Handlers must be idempotent: a worker that dies mid-job
//! leaves it to be claimed again when its lease runs out (at least once), and a job whose
//! lease runs out on its last attempt is dead like any other.
//!
//! Faults stay in their job: each runs in its own task, a panic is caught and counted as a
//! failed attempt with its message, and a worker runs several jobs at once
//! ([`Worker::concurrency`]). Jobs of one group (the deliveries to one webhook endpoint) run
//! at most [`GROUP_CONCURRENCY`] at a time, so one slow receiver cannot take every slot.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::FutureExt;
use kassa_domain::MerchantId;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::principal::{Mode, Principal};
use crate::services::records;
use crate::Ctx;

/// How long a claimed job is a worker's before another may take it over. A running job's
/// lease is renewed every [`HEARTBEAT`], so only a worker that stopped loses it.
pub const LEASE_SECS: i64 = 300;
const HEARTBEAT: Duration = Duration::from_secs(60);
/// The longest one attempt may run (an import of the largest archive takes minutes); then it
/// is stopped and counted as a failed attempt.
const JOB_DEADLINE: Duration = Duration::from_secs(30 * 60);
/// The longest wait between two tries.
pub const MAX_BACKOFF_SECS: i64 = 6 * 3600;
/// At most this many jobs of one group run at once, over all workers of a process. Processes
/// claiming at the same moment each count the others' running jobs only once committed, so
/// with several processes a group can briefly run this many per process: the cap is about
/// fairness, not correctness.
pub const GROUP_CONCURRENCY: i64 = 2;
/// How many of the oldest due jobs one claim chooses from.
const CLAIM_WINDOW: i64 = 2000;
/// How long a stopping worker waits for the jobs it runs before it leaves them to their
/// leases.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// Jobs whose id starts with this run again `every` seconds (from their payload) after each
/// success, instead of being done.
const RECURRING: &str = "recurring:";
/// The error a job keeps when its lease ran out: its worker never reported back.
const WORKER_STOPPED: &str = "its worker stopped before the job finished (the process ended or lost the database)";

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: Value,
    pub merchant: Option<MerchantId>,
    /// The mode of the merchant's data the job works on: an API key sees its own mode's jobs.
    pub mode: Option<Mode>,
    /// Unix seconds; now or later.
    pub run_at: i64,
    pub max_attempts: i64,
    /// Jobs of one group run at most [`GROUP_CONCURRENCY`] at a time.
    pub group: Option<String>,
}

impl NewJob {
    /// A job to run as soon as a worker is free, tried up to 25 times (about four days with
    /// the backoff).
    pub fn now(kind: &'static str, payload: Value, merchant: Option<MerchantId>) -> Self {
        NewJob { kind, payload, merchant, mode: None, run_at: db::now(), max_attempts: 25, group: None }
    }

    /// A mail about `merchant`'s data of `mode`, to send now, tried up to 10 times (a mail days
    /// late is worse than none).
    pub fn mail(kind: &'static str, payload: Value, merchant: &MerchantId, mode: crate::principal::Mode) -> Self {
        NewJob { mode: Some(mode), max_attempts: 10, ..NewJob::now(kind, payload, Some(merchant.clone())) }
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

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    Done,
    Dead,
}

impl State {
    pub const ALL: [State; 4] = [State::Queued, State::Running, State::Done, State::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Done => "done",
            State::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Adds a job inside the caller's transaction: it exists exactly when the change does.
pub async fn enqueue(tx: &mut Tx, job: NewJob) -> Result<String> {
    let id = db::new_id();
    insert(tx, &id, job).await?;
    Ok(id)
}

async fn insert(tx: &mut Tx, id: &str, job: NewJob) -> Result<u64> {
    static ONE: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("{INSERT_JOBS}{} ON CONFLICT (id) DO NOTHING", values(1, 1)));
    Ok(bind(sqlx::query(&ONE), id.to_string(), job, db::now()).execute(&mut **tx).await?.rows_affected())
}

/// The start of an INSERT of jobs, their rows' [`values`] to follow.
pub(crate) const INSERT_JOBS: &str = "INSERT INTO jobs (id, merchant_id, mode, kind, payload, state, run_at, \
     attempts, max_attempts, group_key, created_at, updated_at) VALUES ";

/// Binds for each job row.
const JOB_BINDS: usize = 9;

/// `rows` rows of placeholders for [`INSERT_JOBS`], the first bind being `$first`.
pub(crate) fn values(first: usize, rows: usize) -> String {
    (0..rows)
        .map(|r| {
            let [id, merchant, mode, kind, payload, run_at, max_attempts, group, now] =
                std::array::from_fn::<usize, JOB_BINDS, _>(|i| first + r * JOB_BINDS + i);
            format!(
                "(${id}, ${merchant}, ${mode}, ${kind}, ${payload}, 'queued', ${run_at}, 0, ${max_attempts}, \
                 ${group}, ${now}, ${now})"
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds one job row of [`values`] (`now`: its created and updated time).
pub(crate) fn bind(query: db::Query<'_>, id: String, job: NewJob, now: i64) -> db::Query<'_> {
    query
        .bind(id)
        .bind(job.merchant.map(|m| m.as_str().to_string()))
        .bind(job.mode.map(Mode::as_str))
        .bind(job.kind)
        .bind(job.payload.to_string())
        .bind(job.run_at)
        .bind(job.max_attempts)
        .bind(job.group)
        .bind(now)
}

/// Makes sure a recurring job exists (once per kind, whatever the number of processes).
pub async fn ensure_recurring(ctx: &Ctx, kind: &'static str, every_secs: i64) -> Result<()> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    let job = NewJob {
        payload: serde_json::json!({ "every": every_secs }),
        max_attempts: i64::MAX,
        ..NewJob::now(kind, Value::Null, None)
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
/// out, while they have attempts left) for `worker`, oldest first, but never more of one group
/// than [`GROUP_CONCURRENCY`] with those of it already running. A group at its cap is left out
/// before the oldest [`CLAIM_WINDOW`] due jobs are chosen from, so one endpoint's backlog of
/// thousands of deliveries cannot fill the window and hold up everyone else's jobs. A worker
/// claims only what it can run, so processes of two versions can share a queue during an
/// upgrade.
///
/// Two steps: choose the candidates (a window over the due jobs and the running ones of a
/// group), then take them with an UPDATE that checks again that each is still due. Two
/// workers that chose the same job both run that UPDATE; the second sees the first's row and
/// takes nothing (PostgreSQL re-checks the condition on the row it waited for; SQLite's write
/// lock orders them).
pub async fn claim(ctx: &Ctx, worker: &str, kinds: &[&str], limit: i64) -> Result<Vec<Job>> {
    if kinds.is_empty() || limit <= 0 {
        return Ok(Vec::new());
    }
    let now = db::now();
    let mut tx = db::begin_write(&ctx.pool).await?;
    let choose = format!(
        "SELECT id FROM ( \
           SELECT id, run_at, busy, ROW_NUMBER() OVER (PARTITION BY g ORDER BY busy DESC, run_at, id) AS rn FROM ( \
             SELECT id, group_key AS g, run_at, 1 AS busy FROM jobs \
               WHERE state = 'running' AND locked_until >= $1 AND group_key IS NOT NULL \
             UNION ALL \
             SELECT * FROM (SELECT id, COALESCE(group_key, id) AS g, run_at, 0 AS busy FROM jobs \
               WHERE kind IN ({}) AND ((state = 'queued' AND run_at <= $1) \
                 OR (state = 'running' AND locked_until < $1 AND attempts < max_attempts)) \
               AND (group_key IS NULL OR group_key NOT IN (SELECT group_key FROM jobs \
                 WHERE state = 'running' AND locked_until >= $1 AND group_key IS NOT NULL \
                 GROUP BY group_key HAVING COUNT(*) >= $3)) \
               ORDER BY run_at LIMIT $2) due \
           ) candidates \
         ) ranked WHERE busy = 0 AND rn <= $3 ORDER BY run_at, id LIMIT $4",
        db::placeholders(5, kinds.len())
    );
    let mut query =
        sqlx::query_scalar::<_, String>(&choose).bind(now).bind(CLAIM_WINDOW).bind(GROUP_CONCURRENCY).bind(limit);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let chosen = query.fetch_all(&mut *tx).await?;
    if chosen.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    // A job taken over from a stopped worker says so until its new try reports.
    let take = format!(
        "UPDATE jobs SET last_error = CASE WHEN state = 'running' THEN $4 ELSE last_error END, state = 'running', \
         locked_by = $1, locked_until = $2, attempts = attempts + 1, updated_at = $3 \
         WHERE id IN ({}) AND ((state = 'queued' AND run_at <= $3) \
           OR (state = 'running' AND locked_until < $3 AND attempts < max_attempts)) \
         RETURNING id, kind, payload, attempts, max_attempts",
        db::placeholders(5, chosen.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64, i64)>(&take)
        .bind(worker)
        .bind(now + LEASE_SECS)
        .bind(now)
        .bind(WORKER_STOPPED);
    for id in &chosen {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let mut jobs: Vec<Job> = rows.into_iter().map(job_of_row).collect::<Result<_>>()?;
    // RETURNING does not keep the chosen order.
    jobs.sort_by_key(|j| chosen.iter().position(|c| *c == j.id));
    Ok(jobs)
}

fn job_of_row((id, kind, payload, attempts, max_attempts): (String, String, String, i64, i64)) -> Result<Job> {
    let payload = serde_json::from_str(&payload).map_err(|e| Error::internal(format!("job {id}: {e}")))?;
    Ok(Job { id, kind, payload, attempts, max_attempts })
}

/// Jobs of these kinds whose lease ran out on their last attempt are dead: their worker
/// stopped (a process killed mid-job) and they have no try left. Returns them, so that their
/// handlers can give up on them.
pub async fn reap(ctx: &Ctx, kinds: &[&str]) -> Result<Vec<Job>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, last_error = $2, updated_at = $1 \
         WHERE state = 'running' AND locked_until < $1 AND attempts >= max_attempts AND kind IN ({}) \
         RETURNING id, kind, payload, attempts, max_attempts",
        db::placeholders(3, kinds.len())
    );
    let mut query = sqlx::query_as::<_, (String, String, String, i64, i64)>(&sql).bind(db::now()).bind(WORKER_STOPPED);
    for kind in kinds {
        query = query.bind(*kind);
    }
    let rows = query.fetch_all(&ctx.pool).await?;
    rows.into_iter().map(job_of_row).collect()
}

/// Keeps a running job's lease (only the worker holding it can).
async fn renew(ctx: &Ctx, worker: &str, job: &str) -> Result<()> {
    sqlx::query("UPDATE jobs SET locked_until = $1 WHERE id = $2 AND locked_by = $3 AND state = 'running'")
        .bind(db::now() + LEASE_SECS)
        .bind(job)
        .bind(worker)
        .execute(&ctx.pool)
        .await?;
    Ok(())
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
/// its attempts. Returns `false` only when this call made it dead (its handler then gives up
/// on it).
pub async fn fail(ctx: &Ctx, worker: &str, job: &Job, error: &str) -> Result<bool> {
    let now = db::now();
    let retry = job.attempts < job.max_attempts;
    let error: String = error.chars().take(2000).collect();
    let changed = sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, locked_by = NULL, locked_until = NULL, last_error = $3, \
         updated_at = $4 WHERE id = $5 AND locked_by = $6",
    )
    .bind(if retry { State::Queued } else { State::Dead }.as_str())
    .bind(now + backoff_secs(job.attempts))
    .bind(&error)
    .bind(now)
    .bind(&job.id)
    .bind(worker)
    .execute(&ctx.pool)
    .await?
    .rows_affected();
    // A worker that lost the lease meanwhile (taken over, or reaped) did not make it dead:
    // whoever holds it now decides.
    Ok(retry || changed == 0)
}

/// A job as an operator sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRecord {
    pub id: String,
    pub merchant_id: Option<String>,
    pub mode: Option<String>,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The newest `limit` jobs, of one state and one merchant when given.
pub async fn list(
    ctx: &Ctx,
    state: Option<State>,
    merchant: Option<&MerchantId>,
    mode: Option<Mode>,
    limit: i64,
) -> Result<Vec<JobRecord>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE ($1 = '' OR state = $1) AND ($2 = '' OR merchant_id = $2) \
         AND ($3 = '' OR mode = $3) ORDER BY updated_at DESC, id DESC LIMIT $4"
    ))
    .bind(state.map(State::as_str).unwrap_or(""))
    .bind(merchant.map(MerchantId::as_str).unwrap_or(""))
    .bind(mode.map(Mode::as_str).unwrap_or(""))
    .bind(limit)
    .fetch_all(&ctx.pool)
    .await?)
}

/// The columns of a [`JobRecord`].
const JOB_COLUMNS: &str =
    "id, merchant_id, mode, kind, state, attempts, max_attempts, run_at, last_error, created_at, updated_at";

/// An operator's second chance for a dead job: queued now, with its attempts anew. Returns
/// whether there was such a dead job.
pub async fn retry(ctx: &Ctx, id: &str) -> Result<bool> {
    let now = db::now();
    let changed = sqlx::query(
        "UPDATE jobs SET state = 'queued', run_at = $1, attempts = 0, locked_by = NULL, locked_until = NULL, \
         updated_at = $1 WHERE id = $2 AND state = 'dead'",
    )
    .bind(now)
    .bind(id)
    .execute(&ctx.pool)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// The newest `limit` jobs of `who`'s merchant and mode (of one state when given): what the
/// merchant's API key and admins may see of the queue. Settings-level: admins and API keys.
pub async fn list_for(ctx: &Ctx, who: &Principal, state: Option<State>, limit: i64) -> Result<Vec<JobRecord>> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    list(ctx, state, Some(&merchant), Some(mode), limit).await
}

/// [`retry`] for `who`'s merchant and mode: `NotFound` for a job that is not theirs,
/// `JobNotDead` for one that is still queued, running or done.
pub async fn retry_for(ctx: &Ctx, who: &Principal, id: &str) -> Result<JobRecord> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let found: Option<JobRecord> =
        sqlx::query_as(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE merchant_id = $1 AND mode = $2 AND id = $3"))
            .bind(merchant.as_str())
            .bind(mode.as_str())
            .bind(id)
            .fetch_optional(&ctx.pool)
            .await?;
    let job = found.ok_or(Error::NotFound)?;
    if !retry(ctx, &job.id).await? {
        return Err(kassa_domain::Problem::JobNotDead { state: job.state }.into());
    }
    let mut queued = job;
    queued.state = State::Queued.as_str().into();
    queued.attempts = 0;
    Ok(queued)
}

/// Runs jobs of one kind.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    /// Must be safe to run twice for one job (a worker can die after the work, before the
    /// job is marked done).
    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()>;
    /// Called once the job is dead (its last attempt failed or panicked, or its worker
    /// stopped during it): leave what it worked on in a state people can see.
    async fn given_up(&self, _ctx: &Ctx, _job: &Job) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Every handler Kassa has.
pub fn handlers() -> Vec<Arc<dyn Handler>> {
    vec![
        Arc::new(crate::events::Dispatch),
        Arc::new(crate::webhooks::Deliver),
        Arc::new(crate::overdue::Check),
        Arc::new(crate::services::promises::Review),
        Arc::new(crate::services::plans::Review),
        Arc::new(crate::imports::queue::Run),
        Arc::new(crate::maintenance::Sweep),
        Arc::new(crate::services::auth::SignInAsked),
    ]
}

/// How many jobs a worker runs at once unless told: four per core (most jobs wait on the
/// network or the database), between 4 and 32.
pub fn default_concurrency() -> usize {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    (cores * 4).clamp(4, 32)
}

/// Claims and runs jobs until told to stop.
pub struct Worker {
    ctx: Ctx,
    id: String,
    handlers: Arc<Vec<Arc<dyn Handler>>>,
    /// How often an idle worker looks for due jobs.
    pub poll: Duration,
    /// How many jobs run at once.
    pub concurrency: usize,
    /// The longest one attempt may run.
    pub deadline: Duration,
}

impl Worker {
    pub fn new(ctx: Ctx, handlers: Vec<Arc<dyn Handler>>) -> Self {
        let id = format!("{}:{}", std::process::id(), &db::new_id()[..8]);
        Worker {
            ctx,
            id,
            handlers: Arc::new(handlers),
            poll: Duration::from_secs(1),
            concurrency: default_concurrency(),
            deadline: JOB_DEADLINE,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.handlers.iter().map(|h| h.kind()).collect()
    }

    fn handler(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.iter().find(|h| h.kind() == kind).cloned()
    }

    /// Gives up on jobs whose worker stopped on their last try, then claims up to `limit`
    /// jobs and starts each in `tasks`; returns how many started.
    async fn start(&self, limit: usize, tasks: &mut JoinSet<()>) -> Result<usize> {
        let kinds = self.kinds();
        for job in reap(&self.ctx, &kinds).await? {
            tracing::error!(job = %job.id, kind = %job.kind, attempts = job.attempts, "job dead: {WORKER_STOPPED}");
            if let Some(handler) = self.handler(&job.kind) {
                give_up(&self.ctx, handler.as_ref(), &job).await;
            }
        }
        let jobs = claim(&self.ctx, &self.id, &kinds, i64::try_from(limit).unwrap_or(i64::MAX)).await?;
        let started = jobs.len();
        for job in jobs {
            let (ctx, worker, handler) = (self.ctx.clone(), self.id.clone(), self.handler(&job.kind));
            tasks.spawn(run_one(ctx, worker, handler, job, self.deadline));
        }
        Ok(started)
    }

    /// Claims one batch (up to [`Worker::concurrency`] jobs), runs it and waits for all of
    /// it; returns how many jobs ran.
    pub async fn run_once(&self) -> Result<usize> {
        let mut tasks = JoinSet::new();
        let started = self.start(self.concurrency, &mut tasks).await?;
        while tasks.join_next().await.is_some() {}
        Ok(started)
    }

    /// Runs until `stop` resolves, up to [`Worker::concurrency`] jobs at a time: a slot
    /// that frees is filled at once. When stopping, the jobs in flight get
    /// [`SHUTDOWN_GRACE`] to finish; any still running then is left to its lease.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut tasks = JoinSet::new();
        loop {
            while tasks.try_join_next().is_some() {}
            let free = self.concurrency.saturating_sub(tasks.len());
            let started = if free == 0 {
                0
            } else {
                match self.start(free, &mut tasks).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = ?e, "job worker");
                        0
                    }
                }
            };
            if free > 0 && started == free {
                // Every slot was filled: more may be due.
                continue;
            }
            tokio::select! {
                _ = &mut stop => break,
                _ = tasks.join_next(), if !tasks.is_empty() => {}
                _ = tokio::time::sleep(self.poll) => {}
            }
        }
        let finished = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} });
        if finished.await.is_err() {
            tracing::warn!(
                running = tasks.len(),
                "stopping with jobs still running; they run again when their lease ends"
            );
        }
    }
}

/// Runs one claimed job to its end, renewing its lease while it runs; an error or a panic is
/// a failed attempt. Never panics itself.
async fn run_one(ctx: Ctx, worker: String, handler: Option<Arc<dyn Handler>>, job: Job, deadline: Duration) {
    let outcome = match &handler {
        None => Err(format!("no handler for job kind {:?}", job.kind)),
        Some(handler) => {
            let work = AssertUnwindSafe(handler.run(&ctx, &job)).catch_unwind();
            tokio::pin!(work);
            let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT);
            let stop = tokio::time::sleep(deadline);
            tokio::pin!(stop);
            loop {
                tokio::select! {
                    done = &mut work => break match done {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(e)) => Err(format!("{e:#}")),
                        Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
                    },
                    // A job that hangs would renew its lease for ever and hold its slot.
                    _ = &mut stop => break Err(format!("still running after {} s: stopped", deadline.as_secs())),
                    // In a task of its own: the job goes on meanwhile (awaited here, a renewal
                    // would wait for the write lock the job may hold, and stall it).
                    _ = beat.tick() => {
                        let (ctx, worker, id) = (ctx.clone(), worker.clone(), job.id.clone());
                        tokio::spawn(async move {
                            if let Err(e) = renew(&ctx, &worker, &id).await {
                                tracing::warn!(job = %id, error = %e, "cannot renew the job's lease");
                            }
                        });
                    }
                }
            }
        }
    };
    let recorded = match outcome {
        Ok(()) => succeed(&ctx, &worker, &job).await,
        Err(error) => match fail(&ctx, &worker, &job, &error).await {
            Ok(again) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, again, error, "job failed");
                if let (false, Some(handler)) = (again, &handler) {
                    give_up(&ctx, handler.as_ref(), &job).await;
                }
                Ok(())
            }
            Err(e) => Err(e),
        },
    };
    if let Err(e) = recorded {
        // The lease runs out and the job is tried again.
        tracing::error!(job = %job.id, error = ?e, "cannot record how the job ended");
    }
}

async fn give_up(ctx: &Ctx, handler: &dyn Handler, job: &Job) {
    let given_up = AssertUnwindSafe(handler.given_up(ctx, job)).catch_unwind().await;
    match given_up {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(job = %job.id, error = ?e, "giving up on a dead job failed"),
        Err(panic) => {
            tracing::error!(job = %job.id, "giving up on a dead job panicked: {}", panic_message(panic.as_ref()))
        }
    }
}

/// What a panic said (`panic!("...")` carries a `&str` or a `String`).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "without a message".to_string())
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
