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

/// Ten wrong passwords for one staff email from one client address per 15 minutes. Keyed by
/// both, so that someone elsewhere guessing a person's password does not lock that person
/// out: their own address has its own count.
pub const STAFF_LOGIN: Limit = Limit { scope: "staff_login", max_failures: 10, window_minutes: 15 };
/// Thirty wrong passwords from one client address per 15 minutes, whatever the emails: one
/// address cannot try ten guesses on every staff member.
pub const STAFF_LOGIN_ADDRESS: Limit = Limit { scope: "staff_login_address", max_failures: 30, window_minutes: 15 };

/// Attempts counted against their subjects until [`Attempt::succeeded`] takes them back.
#[must_use = "an attempt that succeeds must be taken back with `succeeded`"]
pub struct Attempt {
    ids: Vec<String>,
}

fn window_start(limit: Limit) -> i64 {
    db::now() - i64::from(limit.window_minutes) * 60
}

/// Counts an attempt for `subject`, or refuses with `TooManyAttempts` when the window's
/// failures are used up (then nothing is recorded).
pub async fn reserve(pool: &Pool, limit: Limit, subject: &str) -> Result<Attempt> {
    reserve_all(pool, &[(limit, subject)]).await
}

/// Counts one attempt against each of several limits at once (a sign-in against its email
/// from this address, and against the address): refused, with nothing recorded, if any of
/// them is used up.
pub async fn reserve_all(pool: &Pool, limits: &[(Limit, &str)]) -> Result<Attempt> {
    let mut tx = db::begin_write(pool).await?;
    let mut ids = Vec::with_capacity(limits.len());
    for &(limit, subject) in limits {
        db::lock_key(&mut tx, &format!("throttle:{}:{subject}", limit.scope)).await?;
        // Failures older than the window count for nothing any more.
        sqlx::query("DELETE FROM auth_failures WHERE scope = $1 AND subject = $2 AND created_at <= $3")
            .bind(limit.scope)
            .bind(subject)
            .bind(window_start(limit))
            .execute(&mut *tx)
            .await?;
        let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM auth_failures WHERE scope = $1 AND subject = $2")
            .bind(limit.scope)
            .bind(subject)
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
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Attempt { ids })
}

impl Attempt {
    /// The secret was right: the attempt does not count as a failure.
    pub async fn succeeded(self, pool: &Pool) -> Result<()> {
        for id in &self.ids {
            sqlx::query("DELETE FROM auth_failures WHERE id = $1").bind(id).execute(pool).await?;
        }
        Ok(())
    }
}

/// A request budget: `limit` requests per fixed window of `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub window_secs: u32,
}

/// Where a subject stands in its current window, after counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends and the budget is whole again (at least 1).
    pub reset_secs: u32,
}

/// Counts one request by `subject` against `rate` with a single atomic upsert (no lock, no
/// read-then-write), so parallel requests and several processes share one count exactly.
/// Requests over the limit are counted too, and keep being refused until the window ends.
pub async fn hit(pool: &Pool, scope: &str, subject: &str, rate: Rate) -> Result<RateState> {
    let now = db::now();
    let window = i64::from(rate.window_secs.max(1));
    let window_start = now - now.rem_euclid(window);
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_windows (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_windows.hits + 1 RETURNING hits",
    )
    .bind(format!("{scope}:{subject}"))
    .bind(window_start)
    .fetch_one(pool)
    .await?;
    let limit = i64::from(rate.limit);
    Ok(RateState {
        allowed: hits <= limit,
        limit: rate.limit,
        remaining: u32::try_from((limit - hits).max(0)).unwrap_or(0),
        reset_secs: u32::try_from((window_start + window - now).max(1)).unwrap_or(1),
    })
}
