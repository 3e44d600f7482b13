//! Rate limits on everything that checks a secret. Each attempt is reserved before the secret
//! is checked: counting the window's failures and recording the new attempt happen in one
//! locked transaction, so thirty guesses in parallel get exactly as far as thirty in a row.
//! Attempts are rows in the database, so a limit holds across restarts and across several
//! kassa processes; the window slides.

use kassa_domain::Problem;

use crate::db::{self, Pool};
use crate::error::Result;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: &'static str,
    pub max_failures: i64,
    pub window_minutes: u32,
}

/// Ten wrong passwords per staff email per 15 minutes.
pub const STAFF_LOGIN: Limit = Limit { scope: "staff_login", max_failures: 10, window_minutes: 15 };

/// An attempt counted against its subject until [`Attempt::succeeded`] takes it back.
#[must_use = "an attempt that succeeds must be taken back with `succeeded`"]
pub struct Attempt {
    id: String,
}

fn window_start(limit: Limit) -> i64 {
    db::now() - i64::from(limit.window_minutes) * 60
}

/// Counts an attempt for `subject`, or refuses with `TooManyAttempts` when the window's
/// failures are used up (then nothing is recorded).
pub async fn reserve(pool: &Pool, limit: Limit, subject: &str) -> Result<Attempt> {
    let mut tx = db::begin_write(pool).await?;
    db::lock_key(&mut tx, &format!("throttle:{}:{subject}", limit.scope)).await?;
    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_failures WHERE scope = $1 AND subject = $2 AND created_at > $3")
            .bind(limit.scope)
            .bind(subject)
            .bind(window_start(limit))
            .fetch_one(&mut *tx)
            .await?;
    if failures >= limit.max_failures {
        tracing::warn!(scope = limit.scope, subject, "rate limit reached");
        return Err(Problem::TooManyAttempts { retry_after_minutes: limit.window_minutes }.into());
    }
    let id = db::new_id();
    sqlx::query("INSERT INTO auth_failures (id, scope, subject, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(limit.scope)
        .bind(subject)
        .bind(db::now())
        .execute(&mut *tx)
        .await?;
    // Failures older than the window count for nothing any more.
    sqlx::query("DELETE FROM auth_failures WHERE scope = $1 AND subject = $2 AND created_at <= $3")
        .bind(limit.scope)
        .bind(subject)
        .bind(window_start(limit))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Attempt { id })
}

impl Attempt {
    /// The secret was right: the attempt does not count as a failure.
    pub async fn succeeded(self, pool: &Pool) -> Result<()> {
        sqlx::query("DELETE FROM auth_failures WHERE id = $1").bind(&self.id).execute(pool).await?;
        Ok(())
    }
}
