//! Outgoing webhooks: events from the outbox sent to the endpoints merchants registered,
//! signed per the Standard Webhooks specification 1.0 (`webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, `whsec_` secrets), so
//! a receiver verifies them with any Standard Webhooks library.
//!
//! The event dispatch job ([`crate::events::Dispatch`]) calls [`fan_out`]: one delivery per
//! subscribed endpoint of the event's merchant and mode, each with a job of its own
//! ([`Deliver`]). A delivery is tried until the receiver answers 2xx, retried with the job
//! queue's backoff for more than three days, and every try is logged. A 410 disables the
//! endpoint at once; an endpoint that has failed for [`DISABLE_AFTER_SECS`] without a single
//! success is disabled too, with the reason kept. No event is lost: undelivered deliveries
//! stay, and replaying sends them again. Endpoint management lives in
//! [`crate::services::webhooks`].

pub mod target;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};

use crate::db::{self, Tx};
use crate::error::{Error, Result};
use crate::events::EventType;
use crate::jobs::{self, Handler, Job, NewJob};
use crate::services::records;
use crate::Ctx;

pub const DELIVER: &str = "webhook.deliver";
/// An endpoint that has failed this long without one successful delivery is disabled.
pub const DISABLE_AFTER_SECS: i64 = 5 * 24 * 3600;
/// How long a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of a receiver's answer the delivery log keeps.
const EXCERPT_CHARS: usize = 500;
/// How much of a receiver's answer is read at all; the rest is never downloaded (a receiver
/// that answers with an endless body costs Kassa this much, and the connection).
const READ_LIMIT: usize = 16 * 1024;

/// A new signing secret: `whsec_` and 32 random bytes in base64, as the specification has it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The `webhook-signature` header: one `v1,<signature>` per secret, space-separated (while a
/// rotated secret overlaps, receivers holding either secret can verify).
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &str) -> Result<String> {
    let mut parts = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let signer =
            standardwebhooks::Webhook::new(secret).map_err(|e| Error::internal(format!("webhook secret: {e}")))?;
        parts.push(signer.sign(id, timestamp, body.as_bytes()).map_err(|e| Error::internal(format!("signing: {e}")))?);
    }
    Ok(parts.join(" "))
}

/// Whether an endpoint subscribed to `patterns` hears of `kind`: `*`, the exact name, or its
/// group (`invoice.*`).
pub fn subscribed(patterns: &[String], kind: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*" || p == kind || p.strip_suffix(".*").is_some_and(|group| kind.split('.').next() == Some(group))
    })
}

/// Whether a pattern names something an endpoint can subscribe to.
pub fn known_pattern(pattern: &str) -> bool {
    pattern == "*"
        || EventType::ALL.iter().any(|k| {
            k.as_str() == pattern || pattern.strip_suffix(".*").is_some_and(|g| k.as_str().split('.').next() == Some(g))
        })
}

/// Creates the deliveries of one event (in the dispatch job's transaction): one per endpoint
/// of its merchant and mode that subscribed to its type, each with its job. An endpoint that
/// is disabled gets its delivery too, as `failed` and without a job, so that nothing is lost
/// while it is off: enabled again, a replay by time range sends what it missed. Running it
/// twice creates nothing twice.
pub async fn fan_out(tx: &mut Tx, event: &str) -> Result<usize> {
    let found: Option<(String, String, String)> =
        sqlx::query_as("SELECT merchant_id, mode, type FROM events WHERE id = $1")
            .bind(event)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((merchant, mode, kind)) = found else {
        return Ok(0);
    };
    let endpoints: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, events, status FROM webhook_endpoints WHERE merchant_id = $1 AND mode = $2")
            .bind(&merchant)
            .bind(&mode)
            .fetch_all(&mut **tx)
            .await?;
    let now = db::now();
    let mut created = 0;
    for (endpoint, patterns, status) in endpoints {
        let patterns: Vec<String> = serde_json::from_str(&patterns).map_err(Error::internal)?;
        if !subscribed(&patterns, &kind) {
            continue;
        }
        let enabled = status == "enabled";
        let id = db::new_id();
        let inserted = sqlx::query(
            "INSERT INTO webhook_deliveries (id, merchant_id, endpoint_id, event_id, status, attempts, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6) ON CONFLICT (endpoint_id, event_id) DO NOTHING",
        )
        .bind(&id)
        .bind(&merchant)
        .bind(&endpoint)
        .bind(event)
        .bind(if enabled { "pending" } else { "failed" })
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 && enabled {
            enqueue(tx, &merchant, &mode, &endpoint, &id).await?;
            created += 1;
        }
    }
    Ok(created)
}

/// Queues a try of a delivery. Deliveries to one endpoint share a job group: a receiver that
/// answers slowly holds at most [`jobs::GROUP_CONCURRENCY`] of the workers' slots.
pub(crate) async fn enqueue(tx: &mut Tx, merchant: &str, mode: &str, endpoint: &str, delivery: &str) -> Result<()> {
    let merchant = kassa_domain::MerchantId::from_raw(merchant.to_string());
    let job = NewJob {
        group: Some(format!("webhook:{endpoint}")),
        mode: crate::principal::Mode::parse(mode),
        ..NewJob::now(DELIVER, json!({ "delivery": delivery }), Some(merchant))
    };
    jobs::enqueue(tx, job).await?;
    Ok(())
}

/// The body of a delivery: the event as the receiver sees it.
fn body(event: &str, kind: &str, mode: &str, created_at: i64, data: &str) -> Result<String> {
    let data: Value = serde_json::from_str(data).map_err(Error::internal)?;
    let body = json!({ "id": event, "type": kind, "timestamp": records::rfc3339(created_at), "mode": mode,
        "data": data });
    Ok(body.to_string())
}

/// What a try came to.
enum Outcome {
    Delivered,
    /// 410 Gone: the receiver wants no more.
    Gone,
    Failed(String),
}

/// Sends one delivery (job `webhook.deliver`).
pub struct Deliver;

#[async_trait]
impl Handler for Deliver {
    fn kind(&self) -> &'static str {
        DELIVER
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let delivery =
            job.payload.get("delivery").and_then(Value::as_str).ok_or_else(|| anyhow::anyhow!("no delivery"))?;
        type Row = (String, String, String, String, String, String, String, i64, String, String);
        let row: Option<Row> = sqlx::query_as(
            "SELECT d.status, d.endpoint_id, e.url, e.status, v.id, v.type, v.mode, v.created_at, v.data, d.merchant_id \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             JOIN events v ON v.id = d.event_id WHERE d.id = $1",
        )
        .bind(delivery)
        .fetch_optional(&ctx.pool)
        .await?;
        let Some((status, endpoint, url, endpoint_status, event, kind, mode, created_at, data, merchant)) = row else {
            return Ok(());
        };
        if status != "pending" {
            return Ok(());
        }
        if endpoint_status != "enabled" {
            // Kept for a replay once the endpoint is enabled again.
            set_status(ctx, delivery, "failed").await?;
            return Ok(());
        }
        let now = db::now();
        let secrets: Vec<String> = sqlx::query_scalar(
            "SELECT secret FROM webhook_secrets WHERE endpoint_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
             ORDER BY created_at DESC",
        )
        .bind(&endpoint)
        .bind(now)
        .fetch_all(&ctx.pool)
        .await?;
        let body = body(&event, &kind, &mode, created_at, &data)?;
        let started = Instant::now();
        let (outcome, code, response) = send(ctx, &url, &event, now, &body, &secrets).await;
        let latency = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let error = match &outcome {
            Outcome::Failed(e) => Some(e.clone()),
            Outcome::Gone => Some("the receiver answered 410 Gone".to_string()),
            Outcome::Delivered => None,
        };
        record_attempt(ctx, delivery, code, latency, error.as_deref(), response.as_deref()).await?;
        match outcome {
            Outcome::Delivered => {
                let now = db::now();
                sqlx::query("UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $1, updated_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(delivery)
                    .execute(&ctx.pool)
                    .await?;
                sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
                    .bind(&endpoint)
                    .execute(&ctx.pool)
                    .await?;
                Ok(())
            }
            Outcome::Gone => {
                set_status(ctx, delivery, "failed").await?;
                disable(ctx, &merchant, &endpoint, "the receiver answered 410 Gone").await?;
                Ok(())
            }
            Outcome::Failed(why) => {
                let since: Option<i64> = sqlx::query_scalar(
                    "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $1) WHERE id = $2 \
                     RETURNING failing_since",
                )
                .bind(db::now())
                .bind(&endpoint)
                .fetch_one(&ctx.pool)
                .await?;
                if since.is_some_and(|s| db::now() - s >= DISABLE_AFTER_SECS) {
                    disable(ctx, &merchant, &endpoint, "every delivery failed for 5 days").await?;
                }
                Err(anyhow::anyhow!("delivery {delivery}: {why}"))
            }
        }
    }

    /// Out of tries: the delivery failed (a replay sends it again).
    async fn given_up(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        if let Some(delivery) = job.payload.get("delivery").and_then(Value::as_str) {
            set_status(ctx, delivery, "failed").await?;
        }
        Ok(())
    }
}

async fn send(
    ctx: &Ctx,
    url: &str,
    event: &str,
    timestamp: i64,
    body: &str,
    secrets: &[String],
) -> (Outcome, Option<i64>, Option<String>) {
    let failed = |e: String| (Outcome::Failed(e), None, None);
    let Ok(parsed) = url::Url::parse(url) else {
        return failed("the endpoint's URL does not parse".into());
    };
    let addrs = match target::resolve(&parsed, ctx.allow_private_webhooks).await {
        Ok(a) => a,
        Err(e) => return failed(e),
    };
    let Some(secrets) = secrets.iter().map(|s| ctx.webhook_secrets.open(s)).collect::<Option<Vec<String>>>() else {
        return failed(
            "the endpoint's signing secret cannot be read (KASSA_SECRET changed since it was made?): rotate it".into(),
        );
    };
    let signature = match signature(&secrets, event, timestamp, body) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    // Connect to the addresses just checked, never to what a second lookup might say, and
    // never through a proxy named in the environment (it would connect elsewhere).
    let mut client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(TIMEOUT).no_proxy();
    if let Some(host) = parsed.host_str().filter(|_| matches!(parsed.host(), Some(url::Host::Domain(_)))) {
        client = client.resolve_to_addrs(host, &addrs);
    }
    let client = match client.build() {
        Ok(c) => c,
        Err(e) => return failed(format!("HTTP client: {e}")),
    };
    let answer = client
        .post(parsed)
        .header("content-type", "application/json")
        .header("user-agent", concat!("Kassa-Webhooks/", env!("CARGO_PKG_VERSION")))
        .header("webhook-id", event)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_string())
        .send()
        .await;
    let timed_out = || format!("no answer within {} s", TIMEOUT.as_secs());
    match answer {
        // Without the URL: its query may hold the receiver's token, and this goes to the log.
        Err(e) => failed(if e.is_timeout() { timed_out() } else { e.without_url().to_string() }),
        Ok(mut res) => {
            let code = res.status().as_u16();
            let mut read = Vec::new();
            while read.len() < READ_LIMIT {
                match res.chunk().await {
                    Ok(Some(chunk)) => read.extend_from_slice(&chunk),
                    // A body cut short or too slow still leaves the status, which decides.
                    Ok(None) | Err(_) => break,
                }
            }
            read.truncate(READ_LIMIT);
            let excerpt: String = String::from_utf8_lossy(&read).chars().take(EXCERPT_CHARS).collect();
            let outcome = match code {
                200..=299 => Outcome::Delivered,
                410 => Outcome::Gone,
                _ => Outcome::Failed(format!("the receiver answered {code}")),
            };
            (outcome, Some(i64::from(code)), Some(excerpt))
        }
    }
}

async fn record_attempt(
    ctx: &Ctx,
    delivery: &str,
    code: Option<i64>,
    latency_ms: i64,
    error: Option<&str>,
    response: Option<&str>,
) -> Result<()> {
    let now = db::now();
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, number, status_code, latency_ms, error, response, attempted_at) \
         VALUES ($1, $2, (SELECT attempts + 1 FROM webhook_deliveries WHERE id = $2), $3, $4, $5, $6, $7)",
    )
    .bind(db::new_id())
    .bind(delivery)
    .bind(code)
    .bind(latency_ms)
    .bind(error)
    .bind(response)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(delivery)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn set_status(ctx: &Ctx, delivery: &str, status: &str) -> Result<()> {
    sqlx::query("UPDATE webhook_deliveries SET status = $1, updated_at = $2 WHERE id = $3 AND status <> 'delivered'")
        .bind(status)
        .bind(db::now())
        .bind(delivery)
        .execute(&ctx.pool)
        .await?;
    Ok(())
}

/// Disables an endpoint with the reason, and says so in the log and the audit log.
async fn disable(ctx: &Ctx, merchant: &str, endpoint: &str, reason: &str) -> Result<()> {
    let mut tx = db::begin_write(&ctx.pool).await?;
    let changed = sqlx::query(
        "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $1, updated_at = $2 \
         WHERE id = $3 AND status = 'enabled'",
    )
    .bind(reason)
    .bind(db::now())
    .bind(endpoint)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 1 {
        tracing::warn!(merchant, endpoint, reason, "webhook endpoint disabled");
        let merchant = kassa_domain::MerchantId::from_raw(merchant.to_string());
        let entry = crate::audit::Entry {
            merchant: Some(&merchant),
            action: "webhook_endpoint.disabled",
            subject_type: "webhook_endpoint",
            subject_id: endpoint,
            before: Some(json!({ "status": "enabled" })),
            after: Some(json!({ "status": "disabled", "reason": reason })),
        };
        crate::audit::record(&mut tx, &crate::Principal::System, &ctx.origin, entry).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_specifications_published_example() {
        // Standard Webhooks 1.0, "Signature scheme": the test vector its libraries share.
        let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string()];
        let signed =
            signature(&secrets, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let two = [secrets[0].clone(), new_secret()];
        let both = signature(&two, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#).unwrap();
        assert!(both.starts_with("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,"), "{both}");
    }

    #[test]
    fn subscriptions_match_names_groups_and_everything() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(subscribed(&p(&["invoice.paid"]), "invoice.paid"));
        assert!(!subscribed(&p(&["invoice.paid"]), "invoice.created"));
        assert!(subscribed(&p(&["invoice.*"]), "invoice.created"));
        assert!(!subscribed(&p(&["invoice.*"]), "payment.succeeded"));
        assert!(subscribed(&p(&["*"]), "credit_note.created"));
        assert!(known_pattern("payment.*") && known_pattern("invoice.paid") && known_pattern("*"));
        assert!(!known_pattern("invoice.eaten") && !known_pattern("nothing.*") && !known_pattern(""));
    }

    #[test]
    fn secrets_are_32_random_bytes() {
        let s = new_secret();
        let raw = base64::engine::general_purpose::STANDARD.decode(s.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(raw.len(), 32);
        assert_ne!(s, new_secret());
    }
}
