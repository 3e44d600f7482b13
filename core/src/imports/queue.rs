//! Imports sent through the API: the files are kept (`imports`, `import_files`) and run by the job queue
//! (`import.run`) as the API key that sent it, so a file of 100,000 rows never holds a request
//! open; the API reads its progress (`done` of `total` invoices, written every second while it
//! runs) and, when it has finished, its report. The content is dropped once it has run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use kassa_domain::{MerchantId, Problem};
use serde::Serialize;
use serde_json::{json, Value};

use super::{Format, OnError, Report, Upload};
use crate::db;
use crate::error::{Error, Result};
use crate::jobs::{self, Handler, Job, NewJob};
use crate::principal::{ApiKey, Mode, Principal, Scopes};
use crate::services::records;
use crate::Ctx;

pub const RUN: &str = "import.run";
/// The most the API takes in one import, all its files together.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// The most files one import sends (a zip archive may hold more: see [`super::MAX_ARCHIVE_FILES`]).
pub const MAX_FILES: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Running,
    /// It has run: the report says what was imported and what not.
    Succeeded,
    /// It could not run (Kassa's side); retried by the queue before it says so.
    Failed,
}

impl Status {
    const ALL: [Status; 4] = [Status::Queued, Status::Running, Status::Succeeded, Status::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::internal(format!("import with status {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    pub id: String,
    /// The first file's name.
    pub filename: String,
    /// How many files were sent (an archive is one).
    pub files: u64,
    pub on_error: OnError,
    pub status: Status,
    pub done: u64,
    pub total: u64,
    pub report: Option<Report>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

pub struct Submit {
    pub on_error: OnError,
    pub files: Vec<Upload>,
}

/// Keeps the file and queues its import, for an API key.
pub async fn submit(ctx: &Ctx, who: &Principal, cmd: Submit) -> Result<ImportRecord> {
    who.may_write()?;
    let Principal::ApiKey(key) = who else {
        return Err(Error::Forbidden);
    };
    let size: usize = cmd.files.iter().map(|f| f.bytes.len()).sum();
    if size > MAX_BYTES || cmd.files.len() > MAX_FILES {
        return Err(
            Problem::ImportTooLarge { max_mib: (MAX_BYTES / 1024 / 1024) as u32, max_files: MAX_FILES as u32 }.into()
        );
    }
    let id = format!("imp_{}", uuid::Uuid::new_v4().simple());
    let now = db::now();
    let name = |f: &Upload| f.name.trim().chars().take(200).collect::<String>();
    let filename = cmd.files.first().map(name).unwrap_or_default();
    let formats: Vec<Format> = cmd.files.iter().map(|f| Format::of(&f.bytes)).collect();
    let format = match formats.first() {
        Some(first) if formats.iter().all(|f| f == first) => first.as_str(),
        Some(_) => "mixed",
        None => "none",
    };
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "INSERT INTO imports (id, merchant_id, mode, format, api_key_id, on_error, filename, files, status, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9)",
    )
    .bind(&id)
    .bind(key.merchant.as_str())
    .bind(key.mode.as_str())
    .bind(format)
    .bind(&key.key_id)
    .bind(cmd.on_error.as_str())
    .bind(&filename)
    .bind(cmd.files.len() as i64)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (position, file) in cmd.files.into_iter().enumerate() {
        sqlx::query("INSERT INTO import_files (import_id, position, filename, content) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(position as i64)
            .bind(name(&file))
            .bind(file.bytes)
            .execute(&mut *tx)
            .await?;
    }
    jobs::enqueue(
        &mut tx,
        NewJob {
            max_attempts: 3,
            mode: Some(key.mode),
            ..NewJob::now(RUN, json!({ "import": id }), Some(key.merchant.clone()))
        },
    )
    .await?;
    tx.commit().await?;
    get(ctx, who, &id).await
}

type Row = (String, String, i64, String, String, i64, i64, Option<String>, i64, Option<i64>);

/// One import of `who`'s merchant and mode.
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<ImportRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, filename, files, on_error, status, done, total, report, created_at, finished_at FROM imports \
         WHERE merchant_id = $1 AND mode = $2 AND id = $3",
    )
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await?;
    let (id, filename, files, on_error, status, done, total, report, created_at, finished_at) =
        row.ok_or(Error::NotFound)?;
    Ok(ImportRecord {
        id,
        filename,
        files: u64::try_from(files).unwrap_or(0),
        on_error: OnError::parse(&on_error).ok_or_else(|| Error::internal("import with an unknown on_error"))?,
        status: Status::parse(&status)?,
        done: u64::try_from(done).unwrap_or(0),
        total: u64::try_from(total).unwrap_or(0),
        report: report.map(|r| serde_json::from_str(&r)).transpose().map_err(Error::internal)?,
        created_at,
        finished_at,
    })
}

/// Runs one kept import (job `import.run`). Running it again after a crash is safe: the
/// merchant's numbers make a second import of the same file change nothing.
pub struct Run;

#[async_trait]
impl Handler for Run {
    fn kind(&self) -> &'static str {
        RUN
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let id = job.payload.get("import").and_then(Value::as_str).ok_or_else(|| anyhow::anyhow!("no import"))?;
        type Kept = (String, String, String, String, String);
        let kept: Option<Kept> =
            sqlx::query_as("SELECT merchant_id, mode, api_key_id, on_error, status FROM imports WHERE id = $1")
                .bind(id)
                .fetch_optional(&ctx.pool)
                .await?;
        let Some((merchant, mode, key_id, on_error, status)) = kept else {
            return Ok(());
        };
        if status != "queued" && status != "running" {
            return Ok(());
        }
        let files: Vec<(String, Vec<u8>)> =
            sqlx::query_as("SELECT filename, content FROM import_files WHERE import_id = $1 ORDER BY position")
                .bind(id)
                .fetch_all(&ctx.pool)
                .await?;
        let files: Vec<Upload> = files.into_iter().map(|(name, bytes)| Upload { name, bytes }).collect();
        let mode = Mode::from_stored(&mode, format_args!("import {id}"))?;
        // The key had the `write` scope when it submitted the import.
        let scopes = Scopes::READ_WRITE;
        let who = Principal::ApiKey(ApiKey { merchant: MerchantId::from_raw(merchant.clone()), key_id, mode, scopes });
        let on_error = OnError::parse(&on_error).ok_or_else(|| anyhow::anyhow!("import {id}: unknown on_error"))?;
        set(ctx, id, "UPDATE imports SET status = 'running', updated_at = $1 WHERE id = $2").await?;

        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        // Stopped when the run ends, however it ends (a panic included: the guard drops).
        let ticker = StopOnDrop({
            let (ctx, id, done, total) = (ctx.clone(), id.to_string(), done.clone(), total.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    let _ = sqlx::query("UPDATE imports SET done = $1, total = $2, updated_at = $3 WHERE id = $4")
                        .bind(done.load(Ordering::Relaxed) as i64)
                        .bind(total.load(Ordering::Relaxed) as i64)
                        .bind(db::now())
                        .bind(&id)
                        .execute(&ctx.pool)
                        .await;
                }
            })
        });
        let progress = |d: usize, t: usize| {
            done.store(d, Ordering::Relaxed);
            total.store(t, Ordering::Relaxed);
        };
        let result = super::run(ctx, &who, None, &files, on_error, &progress).await;
        drop(files);
        drop(ticker);
        finish(ctx, id, Some(&result?)).await
    }

    /// It will not run again (its last try failed, panicked or its worker stopped): the
    /// import failed.
    async fn given_up(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        match job.payload.get("import").and_then(Value::as_str) {
            Some(id) => finish(ctx, id, None).await,
            None => Ok(()),
        }
    }
}

/// A task that ends when this is dropped.
struct StopOnDrop(tokio::task::JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Ends an import: succeeded with its report, or failed without one. Either way its files
/// go, as nothing will read them again.
async fn finish(ctx: &Ctx, id: &str, report: Option<&Report>) -> anyhow::Result<()> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    let ended = match report {
        Some(report) => sqlx::query(
            "UPDATE imports SET status = 'succeeded', done = $1, total = $1, report = $2, updated_at = $3, \
             finished_at = $3 WHERE id = $4",
        )
        .bind(report.invoices as i64)
        .bind(serde_json::to_string(report)?),
        None => sqlx::query(
            "UPDATE imports SET status = 'failed', updated_at = $1, finished_at = $1 \
             WHERE id = $2 AND status IN ('queued', 'running')",
        ),
    };
    ended.bind(db::now()).bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM import_files WHERE import_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

async fn set(ctx: &Ctx, id: &str, sql: &str) -> Result<()> {
    sqlx::query(sql).bind(db::now()).bind(id).execute(&ctx.pool).await?;
    Ok(())
}
