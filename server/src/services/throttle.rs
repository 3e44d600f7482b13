//! Rate limits on everything that checks a secret. Failures are rows in the database, so a
//! limit holds across restarts and across several kassa processes; a window slides.

use crate::db::{self, Pool};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: &'static str,
    pub max_failures: i64,
    pub window_minutes: u32,
}

/// Ten wrong passwords per staff email per 15 minutes.
pub const STAFF_LOGIN: Limit = Limit { scope: "staff_login", max_failures: 10, window_minutes: 15 };

fn window_start(limit: Limit) -> i64 {
    db::now() - i64::from(limit.window_minutes) * 60
}

/// `TooManyAttempts` once `subject` has used up its failures in the window.
pub async fn check(pool: &Pool, limit: Limit, subject: &str) -> Result<()> {
    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM auth_failures WHERE scope = ? AND subject = ? AND created_at > ?")
            .bind(limit.scope)
            .bind(subject)
            .bind(window_start(limit))
            .fetch_one(pool)
            .await?;
    if failures >= limit.max_failures {
        tracing::warn!(scope = limit.scope, subject, "rate limit reached");
        return Err(Error::TooManyAttempts { minutes: limit.window_minutes });
    }
    Ok(())
}

/// Records a failure, and forgets failures older than the window.
pub async fn fail(pool: &Pool, limit: Limit, subject: &str) -> Result<()> {
    sqlx::query("INSERT INTO auth_failures (id, scope, subject, created_at) VALUES (?, ?, ?, ?)")
        .bind(db::new_id())
        .bind(limit.scope)
        .bind(subject)
        .bind(db::now())
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM auth_failures WHERE scope = ? AND created_at <= ?")
        .bind(limit.scope)
        .bind(window_start(limit))
        .execute(pool)
        .await?;
    Ok(())
}
