//! Imports sent through the API: the file is kept in `imports` and run by the job queue
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

use super::{Format, OnError, Report};
use crate::db;
use crate::error::{Error, Result};
use crate::jobs::{self, Handler, Job, NewJob};
use crate::principal::{ApiKey, Mode, Principal};
use crate::services::records::{self, authorise_writing};
use crate::Ctx;

pub const RUN: &str = "import.run";
/// The largest file the API takes.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

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
    pub filename: String,
    pub on_error: OnError,
    pub status: Status,
    pub done: u64,
    pub total: u64,
    pub report: Option<Report>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

pub struct Submit {
    pub format: Format,
    pub on_error: OnError,
    pub filename: String,
    pub content: Vec<u8>,
}

/// Keeps the file and queues its import, for an API key.
pub async fn submit(ctx: &Ctx, who: &Principal, cmd: Submit) -> Result<ImportRecord> {
    authorise_writing(who)?;
    let Principal::ApiKey(key) = who else {
        return Err(Error::Forbidden);
    };
    if cmd.content.len() > MAX_BYTES {
        return Err(Problem::ImportTooLarge { max_mib: (MAX_BYTES / 1024 / 1024) as u32 }.into());
    }
    let id = format!("imp_{}", uuid::Uuid::new_v4().simple());
    let now = db::now();
    let filename: String = cmd.filename.trim().chars().take(200).collect();
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "INSERT INTO imports (id, merchant_id, mode, format, api_key_id, on_error, filename, content, status, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9)",
    )
    .bind(&id)
    .bind(key.merchant.as_str())
    .bind(key.mode.as_str())
    .bind(match cmd.format {
        Format::Csv => "csv",
    })
    .bind(&key.key_id)
    .bind(cmd.on_error.as_str())
    .bind(&filename)
    .bind(cmd.content)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    jobs::enqueue(
        &mut tx,
        NewJob { max_attempts: 3, ..NewJob::now(RUN, json!({ "import": id }), Some(key.merchant.clone())) },
    )
    .await?;
    tx.commit().await?;
    get(ctx, who, &id).await
}

type Row = (String, String, String, String, i64, i64, Option<String>, i64, Option<i64>);

/// One import of `who`'s merchant and mode.
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<ImportRecord> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, filename, on_error, status, done, total, report, created_at, finished_at FROM imports \
         WHERE merchant_id = $1 AND mode = $2 AND id = $3",
    )
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await?;
    let (id, filename, on_error, status, done, total, report, created_at, finished_at) = row.ok_or(Error::NotFound)?;
    Ok(ImportRecord {
        id,
        filename,
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
        type Kept = (String, String, String, String, Option<Vec<u8>>, String);
        let kept: Option<Kept> = sqlx::query_as(
            "SELECT merchant_id, mode, api_key_id, on_error, content, status FROM imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&ctx.pool)
        .await?;
        let Some((merchant, mode, key_id, on_error, content, status)) = kept else {
            return Ok(());
        };
        let Some(content) = content.filter(|_| status == "queued" || status == "running") else {
            return Ok(());
        };
        let mode = Mode::parse(&mode).ok_or_else(|| anyhow::anyhow!("import {id}: unknown mode"))?;
        let who = Principal::ApiKey(ApiKey { merchant: MerchantId::from_raw(merchant.clone()), key_id, mode });
        let on_error = OnError::parse(&on_error).ok_or_else(|| anyhow::anyhow!("import {id}: unknown on_error"))?;
        set(ctx, id, "UPDATE imports SET status = 'running', updated_at = $1 WHERE id = $2").await?;

        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let ticker = {
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
        };
        let progress = |d: usize, t: usize| {
            done.store(d, Ordering::Relaxed);
            total.store(t, Ordering::Relaxed);
        };
        let result = super::run(ctx, &who, None, Format::Csv, &content, on_error, &progress).await;
        ticker.abort();
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                if job.attempts >= job.max_attempts {
                    set(
                        ctx,
                        id,
                        "UPDATE imports SET status = 'failed', updated_at = $1, finished_at = $1 WHERE id = $2",
                    )
                    .await?;
                }
                return Err(e.into());
            }
        };
        sqlx::query(
            "UPDATE imports SET status = 'succeeded', done = $1, total = $1, report = $2, content = NULL, \
             updated_at = $3, finished_at = $3 WHERE id = $4",
        )
        .bind(report.invoices as i64)
        .bind(serde_json::to_string(&report)?)
        .bind(db::now())
        .bind(id)
        .execute(&ctx.pool)
        .await?;
        Ok(())
    }
}

async fn set(ctx: &Ctx, id: &str, sql: &str) -> Result<()> {
    sqlx::query(sql).bind(db::now()).bind(id).execute(&ctx.pool).await?;
    Ok(())
}
