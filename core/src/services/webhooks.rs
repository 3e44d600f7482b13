//! A merchant's webhook endpoints: registered, changed, enabled again, their signing secrets
//! rotated, their deliveries read and replayed. Every caller (the API, the admin, the CLI)
//! acts in its merchant and mode: a test key's endpoints hear test events only. Sending lives
//! in [`crate::webhooks`].

use kassa_domain::Problem;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Checks, Error, Result};
use crate::principal::{Mode, Principal};
use crate::services::records::{self, Cursor, Page};
use crate::webhooks::{self, target};
use crate::Ctx;

/// At most this many event patterns per endpoint.
const MAX_EVENTS: usize = 50;
const MAX_DESCRIPTION: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Event names (`invoice.paid`), groups (`invoice.*`) or `*`.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why Kassa stopped sending (a 410, days of failures), while disabled by Kassa.
    pub disabled_reason: Option<String>,
    pub mode: Mode,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new endpoint as a caller describes it.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// A new endpoint and its signing secret, shown this once.
pub struct Created {
    pub endpoint: Endpoint,
    pub secret: SecretString,
}

/// What a change sets; `None` leaves it.
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

type Row = (String, String, String, String, String, Option<String>, String, i64, i64);
const COLUMNS: &str = "id, url, description, events, status, disabled_reason, mode, created_at, updated_at";

fn endpoint(row: Row) -> Result<Endpoint> {
    let (id, url, description, events, status, disabled_reason, mode, created_at, updated_at) = row;
    Ok(Endpoint {
        id,
        url,
        description,
        events: serde_json::from_str(&events).map_err(Error::internal)?,
        enabled: status == "enabled",
        disabled_reason,
        mode: Mode::from_stored(&mode, "a webhook endpoint")?,
        created_at,
        updated_at,
    })
}

fn check_events(checks: &mut Checks, events: &[String]) -> Vec<String> {
    if events.is_empty() {
        checks.push("events", Problem::WebhookEventsRequired);
    }
    if events.len() > MAX_EVENTS {
        checks.push("events", Problem::WebhookTooManyEvents { max: MAX_EVENTS as u32 });
    }
    let mut kept = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        let e = e.trim();
        if webhooks::known_pattern(e) {
            if !kept.iter().any(|k| k == e) {
                kept.push(e.to_string());
            }
        } else {
            checks.push(format!("events[{i}]"), Problem::WebhookEventUnknown { input: e.chars().take(60).collect() });
        }
    }
    kept
}

fn check_description(checks: &mut Checks, description: Option<&str>) -> String {
    let d = description.unwrap_or_default().trim();
    if d.chars().count() > MAX_DESCRIPTION as usize {
        checks.push("description", Problem::DescriptionTooLong { max_chars: MAX_DESCRIPTION });
    }
    d.to_string()
}

/// Registers an endpoint for `who`'s merchant and mode, with a new signing secret.
pub async fn create(ctx: &Ctx, who: &Principal, input: EndpointInput) -> Result<Created> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let mut checks = Checks::default();
    let url = checks.check("url", target::check_url(&input.url, mode, ctx.allow_private_webhooks));
    let events = check_events(&mut checks, &input.events);
    let description = check_description(&mut checks, input.description.as_deref());
    checks.finish()?;
    let url = url.ok_or_else(|| Error::internal("endpoint checks passed without a URL"))?;
    let now = db::now();
    let id = format!("we_{}", uuid::Uuid::new_v4().simple());
    let secret = webhooks::new_secret();
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, merchant_id, mode, url, description, events, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'enabled', $7, $7)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(url.as_str())
    .bind(&description)
    .bind(serde_json::to_string(&events).map_err(Error::internal)?)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_secret(ctx, &mut tx, &id, &secret, now).await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "webhook_endpoint.created",
        subject_type: "webhook_endpoint",
        subject_id: &id,
        before: None,
        after: Some(json!({ "url": url.as_str(), "events": events, "description": description, "mode": mode })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(Created { endpoint: find(&ctx.pool, &merchant, mode, &id).await?, secret: SecretString::from(secret) })
}

/// Stores a signing secret sealed ([`crate::secrets::Sealer`]): the database never holds one
/// that could sign.
async fn insert_secret(ctx: &Ctx, tx: &mut db::Tx, endpoint: &str, secret: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO webhook_secrets (id, endpoint_id, secret, created_at) VALUES ($1, $2, $3, $4)")
        .bind(db::new_id())
        .bind(endpoint)
        .bind(ctx.webhook_secrets.seal(secret))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn find(pool: &Pool, merchant: &kassa_domain::MerchantId, mode: Mode, id: &str) -> Result<Endpoint> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 AND mode = $2 AND id = $3"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(id)
    .fetch_optional(pool)
    .await?;
    endpoint(row.ok_or(Error::NotFound)?)
}

pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<Endpoint> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    find(&ctx.pool, &merchant, mode, id).await
}

/// The merchant's endpoints in `who`'s mode, oldest first.
pub async fn list(ctx: &Ctx, who: &Principal) -> Result<Vec<Endpoint>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE merchant_id = $1 AND mode = $2 ORDER BY created_at, id"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .fetch_all(&ctx.pool)
    .await?;
    rows.into_iter().map(endpoint).collect()
}

/// Changes an endpoint. Enabling it again clears the reason Kassa disabled it for and its
/// failure clock; what failed meanwhile is replayed with [`replay_range`].
pub async fn update(ctx: &Ctx, who: &Principal, id: &str, change: EndpointChange) -> Result<Endpoint> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let before = find(&ctx.pool, &merchant, mode, id).await?;
    let mut checks = Checks::default();
    let url = match &change.url {
        Some(u) => checks.check("url", target::check_url(u, mode, ctx.allow_private_webhooks)).map(|u| u.to_string()),
        None => Some(before.url.clone()),
    };
    let events = match &change.events {
        Some(e) => check_events(&mut checks, e),
        None => before.events.clone(),
    };
    let description = match &change.description {
        Some(d) => check_description(&mut checks, Some(d)),
        None => before.description.clone(),
    };
    checks.finish()?;
    let url = url.ok_or_else(|| Error::internal("endpoint checks passed without a URL"))?;
    let enabled = change.enabled.unwrap_or(before.enabled);
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "UPDATE webhook_endpoints SET url = $1, events = $2, description = $3, status = $4, \
         disabled_reason = CASE WHEN $4 = 'enabled' THEN NULL ELSE disabled_reason END, \
         failing_since = CASE WHEN $4 = 'enabled' AND status = 'disabled' THEN NULL ELSE failing_since END, \
         updated_at = $5 WHERE merchant_id = $6 AND id = $7",
    )
    .bind(&url)
    .bind(serde_json::to_string(&events).map_err(Error::internal)?)
    .bind(&description)
    .bind(if enabled { "enabled" } else { "disabled" })
    .bind(db::now())
    .bind(merchant.as_str())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "webhook_endpoint.updated",
        subject_type: "webhook_endpoint",
        subject_id: id,
        before: Some(json!({ "url": before.url, "events": before.events, "description": before.description,
            "enabled": before.enabled })),
        after: Some(json!({ "url": url, "events": events, "description": description, "enabled": enabled })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    find(&ctx.pool, &merchant, mode, id).await
}

/// A new signing secret for the endpoint. The secrets it had keep signing beside it for
/// `overlap_secs` (0: stop at once), so a receiver can switch without missing a delivery.
pub async fn rotate_secret(ctx: &Ctx, who: &Principal, id: &str, overlap_secs: i64) -> Result<SecretString> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    find(&ctx.pool, &merchant, mode, id).await?;
    let now = db::now();
    let until = now + overlap_secs.clamp(0, 7 * 24 * 3600);
    let secret = webhooks::new_secret();
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "UPDATE webhook_secrets SET expires_at = $1 WHERE endpoint_id = $2 AND (expires_at IS NULL OR expires_at > $1)",
    )
    .bind(until)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    insert_secret(ctx, &mut tx, id, &secret, now).await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "webhook_endpoint.secret_rotated",
        subject_type: "webhook_endpoint",
        subject_id: id,
        before: None,
        after: Some(json!({ "old_secrets_expire_at": records::rfc3339(until) })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(SecretString::from(secret))
}

/// One try of a delivery, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    /// The start of the receiver's answer.
    pub response: Option<String>,
    pub attempted_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: String,
    pub endpoint: String,
    pub event: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: Vec<Attempt>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

type AttemptRow = (Option<i64>, i64, Option<String>, Option<String>, i64);
type DeliveryRow = (String, String, String, String, String, i64, Option<i64>);

async fn delivery(pool: &Pool, row: DeliveryRow) -> Result<Delivery> {
    let (id, endpoint, event, event_type, status, created_at, delivered_at) = row;
    let attempts: Vec<AttemptRow> = sqlx::query_as(
        "SELECT status_code, latency_ms, error, response, attempted_at FROM webhook_attempts WHERE delivery_id = $1 \
         ORDER BY number",
    )
    .bind(&id)
    .fetch_all(pool)
    .await?;
    let attempts = attempts
        .into_iter()
        .map(|(status_code, latency_ms, error, response, attempted_at)| Attempt {
            status_code,
            latency_ms,
            error,
            response,
            attempted_at,
        })
        .collect();
    Ok(Delivery { id, endpoint, event, event_type, status, attempts, created_at, delivered_at })
}

const DELIVERY_SELECT: &str = "SELECT d.id, d.endpoint_id, d.event_id, v.type, d.status, d.created_at, d.delivered_at \
     FROM webhook_deliveries d JOIN events v ON v.id = d.event_id \
     JOIN webhook_endpoints e ON e.id = d.endpoint_id";

/// An endpoint's deliveries, newest first, with every attempt.
pub async fn deliveries(
    ctx: &Ctx,
    who: &Principal,
    endpoint_id: &str,
    limit: u32,
    after: Option<&Cursor>,
) -> Result<Page<Delivery>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    find(&ctx.pool, &merchant, mode, endpoint_id).await?;
    let (before_at, before_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MAX, ""));
    let rows: Vec<DeliveryRow> = sqlx::query_as(&format!(
        "{DELIVERY_SELECT} WHERE d.merchant_id = $1 AND d.endpoint_id = $2 \
         AND (d.created_at < $3 OR (d.created_at = $3 AND ($4 = '' OR d.id < $4))) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $5"
    ))
    .bind(merchant.as_str())
    .bind(endpoint_id)
    .bind(before_at)
    .bind(before_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&ctx.pool)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(delivery(&ctx.pool, row).await?);
    }
    Ok(Page::of(items, limit, |d| Cursor { created_at: d.created_at, id: d.id.clone() }))
}

/// Sends a delivery again (whatever came of it before), from the job queue.
pub async fn replay(ctx: &Ctx, who: &Principal, delivery_id: &str) -> Result<Delivery> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let found: Option<DeliveryRow> =
        sqlx::query_as(&format!("{DELIVERY_SELECT} WHERE d.merchant_id = $1 AND e.mode = $2 AND d.id = $3"))
            .bind(merchant.as_str())
            .bind(mode.as_str())
            .bind(delivery_id)
            .fetch_optional(&ctx.pool)
            .await?;
    let row = found.ok_or(Error::NotFound)?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    requeue(&mut tx, merchant.as_str(), mode, &row.1, delivery_id).await?;
    tx.commit().await?;
    let mut replayed = delivery(&ctx.pool, row).await?;
    replayed.status = "pending".into();
    Ok(replayed)
}

async fn requeue(tx: &mut db::Tx, merchant: &str, mode: Mode, endpoint_id: &str, delivery_id: &str) -> Result<()> {
    sqlx::query("UPDATE webhook_deliveries SET status = 'pending', updated_at = $1 WHERE id = $2")
        .bind(db::now())
        .bind(delivery_id)
        .execute(&mut **tx)
        .await?;
    webhooks::enqueue(tx, merchant, mode.as_str(), endpoint_id, delivery_id).await
}

/// Sends again every delivery of an endpoint created in `[since, until]` that has not been
/// delivered (after an outage, or once a disabled endpoint is enabled again); how many.
pub async fn replay_range(ctx: &Ctx, who: &Principal, endpoint_id: &str, since: i64, until: i64) -> Result<u64> {
    who.may_change_settings()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let endpoint = find(&ctx.pool, &merchant, mode, endpoint_id).await?;
    if !endpoint.enabled {
        return Err(Problem::WebhookEndpointDisabled.into());
    }
    let mut tx = db::begin_write(&ctx.pool).await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries WHERE merchant_id = $1 AND endpoint_id = $2 AND status = 'failed' \
         AND created_at >= $3 AND created_at <= $4 ORDER BY created_at, id",
    )
    .bind(merchant.as_str())
    .bind(endpoint_id)
    .bind(since)
    .bind(until)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        requeue(&mut tx, merchant.as_str(), mode, endpoint_id, id).await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}
