//! Housekeeping that must run somewhere, once, whatever the number of server processes: a
//! recurring job (hourly) rather than a timer in each process.

use async_trait::async_trait;

use crate::db;
use crate::jobs::{Handler, Job};
use crate::Ctx;

pub const SWEEP: &str = "maintenance.sweep";

/// Deletes what no longer serves anyone: expired sessions, rate-limit failures older than a
/// day, sign-in and set-password links a week past their expiry, finished jobs after 30
/// days, API idempotency records and rate-limit windows after a day. Dead jobs, events and the audit log are kept. It also logs each audit chain's newest
/// entry (an anchor, see [`crate::audit`]), so that logs kept elsewhere can show entries later
/// cut off a chain.
pub struct Sweep;

#[async_trait]
impl Handler for Sweep {
    fn kind(&self) -> &'static str {
        SWEEP
    }

    async fn run(&self, ctx: &Ctx, _job: &Job) -> anyhow::Result<()> {
        let now = db::now();
        let day = 24 * 3600;
        for (sql, before) in [
            ("DELETE FROM sessions WHERE expires_at <= $1", now),
            ("DELETE FROM auth_failures WHERE created_at <= $1", now - day),
            ("DELETE FROM magic_links WHERE expires_at <= $1", now - 7 * day),
            ("DELETE FROM staff_password_links WHERE expires_at <= $1", now - 7 * day),
            ("DELETE FROM jobs WHERE state = 'done' AND updated_at <= $1", now - 30 * day),
            ("DELETE FROM api_requests WHERE created_at <= $1", now - day),
            ("DELETE FROM rate_windows WHERE window_start <= $1", now - day),
        ] {
            sqlx::query(sql).bind(before).execute(&ctx.pool).await?;
        }
        for anchor in crate::audit::heads(&ctx.pool).await? {
            tracing::info!(target: "kassa::audit", anchor = %anchor, "audit chain head");
        }
        Ok(())
    }
}
