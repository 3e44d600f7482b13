//! The outbox. A service that changes state calls [`emit`] ([`emit_all`] for several) inside
//! its transaction: the event row and the job that dispatches it are written with the change or
//! not at all, so a crash never leaves money recorded without its event, or the other way
//! round. The dispatch job hands each event to its subscribers (the merchant's webhook
//! endpoints) at least once, and marks it dispatched.

use async_trait::async_trait;
use kassa_domain::MerchantId;
use serde_json::{json, Value};

use crate::db::{self, Tx};
use crate::error::Result;
use crate::jobs::{self, Handler, Job, NewJob};
use crate::principal::Mode;
use crate::Ctx;

pub const DISPATCH: &str = "event.dispatch";

/// What happened, in the names merchants will subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    CustomerCreated,
    InvoiceCreated,
    PaymentSucceeded,
    PaymentFailed,
    PaymentReversed,
    PaymentRefunded,
    PaymentReinstated,
    CreditNoteCreated,
    InvoicePaid,
    InvoiceOverdue,
    PromiseMade,
    PromiseKept,
    PromiseBroken,
    DisputeOpened,
    DisputeMessage,
    DisputeResolved,
    PlanProposed,
    PlanAccepted,
    PlanRejected,
    PlanInstalmentPaid,
    PlanBroken,
    PlanCompleted,
}

impl EventType {
    /// Every type, as endpoints subscribe to them.
    pub const ALL: [EventType; 22] = [
        EventType::CustomerCreated,
        EventType::InvoiceCreated,
        EventType::InvoicePaid,
        EventType::InvoiceOverdue,
        EventType::CreditNoteCreated,
        EventType::PaymentSucceeded,
        EventType::PaymentFailed,
        EventType::PaymentReversed,
        EventType::PaymentRefunded,
        EventType::PaymentReinstated,
        EventType::PromiseMade,
        EventType::PromiseKept,
        EventType::PromiseBroken,
        EventType::DisputeOpened,
        EventType::DisputeMessage,
        EventType::DisputeResolved,
        EventType::PlanProposed,
        EventType::PlanAccepted,
        EventType::PlanRejected,
        EventType::PlanInstalmentPaid,
        EventType::PlanBroken,
        EventType::PlanCompleted,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::CustomerCreated => "customer.created",
            EventType::InvoiceCreated => "invoice.created",
            EventType::PaymentSucceeded => "payment.succeeded",
            EventType::PaymentFailed => "payment.failed",
            EventType::PaymentReversed => "payment.reversed",
            EventType::PaymentRefunded => "payment.refunded",
            EventType::PaymentReinstated => "payment.reinstated",
            EventType::CreditNoteCreated => "credit_note.created",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoiceOverdue => "invoice.overdue",
            EventType::PromiseMade => "promise.made",
            EventType::PromiseKept => "promise.kept",
            EventType::PromiseBroken => "promise.broken",
            EventType::DisputeOpened => "dispute.opened",
            EventType::DisputeMessage => "dispute.message",
            EventType::DisputeResolved => "dispute.resolved",
            EventType::PlanProposed => "plan.proposed",
            EventType::PlanAccepted => "plan.accepted",
            EventType::PlanRejected => "plan.rejected",
            EventType::PlanInstalmentPaid => "plan.instalment_paid",
            EventType::PlanBroken => "plan.broken",
            EventType::PlanCompleted => "plan.completed",
        }
    }
}

/// Writes the event and its dispatch job in the caller's transaction. `mode` is the mode of the
/// data it is about (test or live): only endpoints of that mode hear of it.
pub async fn emit(
    tx: &mut Tx,
    merchant: &MerchantId,
    mode: Mode,
    kind: EventType,
    subject: &str,
    data: Value,
) -> Result<String> {
    let mut ids = emit_all(tx, merchant, mode, vec![(kind, subject.to_string(), data)], Vec::new()).await?;
    Ok(ids.remove(0))
}

/// Events in one INSERT.
const EVENTS_AT_ONCE: usize = 200;

/// Writes a change's events (kind, subject, data) with their dispatch jobs, and `jobs` besides
/// (the mails it sends), in the caller's transaction, in as few statements as the backend
/// allows: one on PostgreSQL (the jobs' INSERT after a `WITH` that inserts the events), two on
/// SQLite (which has no INSERT inside a `WITH`); a statement per [`EVENTS_AT_ONCE`] events
/// beyond. Each statement is a round trip on PostgreSQL, and a success, its `invoice.paid`
/// and its receipt were five. Returns the events' ids, in order.
pub async fn emit_all(
    tx: &mut Tx,
    merchant: &MerchantId,
    mode: Mode,
    events: Vec<(EventType, String, Value)>,
    mut jobs: Vec<NewJob>,
) -> Result<Vec<String>> {
    let postgres = db::Backend::of_connection(tx) == db::Backend::Postgres;
    let now = db::now();
    let mut ids = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() || !jobs.is_empty() {
        let batch: Vec<_> = events.by_ref().take(EVENTS_AT_ONCE).map(|e| (db::new_id(), e)).collect();
        // The change's own jobs go with its last events.
        let mut batch_jobs: Vec<(String, NewJob)> = batch
            .iter()
            .map(|(id, _)| {
                let job = NewJob {
                    mode: Some(mode),
                    ..NewJob::now(DISPATCH, json!({ "event": id }), Some(merchant.clone()))
                };
                (db::new_id(), job)
            })
            .collect();
        if events.peek().is_none() {
            batch_jobs.extend(jobs.drain(..).map(|job| (db::new_id(), job)));
        }
        let insert_events = match batch.is_empty() {
            true => String::new(),
            false => format!(
                "INSERT INTO events (id, merchant_id, mode, type, subject_id, data, created_at) VALUES {}",
                (0..batch.len())
                    .map(|r| {
                        let [id, merchant, mode, kind, subject, data, at] =
                            std::array::from_fn::<usize, 7, _>(|i| 1 + r * 7 + i);
                        format!("(${id}, ${merchant}, ${mode}, ${kind}, ${subject}, ${data}, ${at})")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let first_job = match postgres {
            true => 1 + batch.len() * 7,
            false => 1,
        };
        let insert_jobs =
            format!("{}{} ON CONFLICT (id) DO NOTHING", jobs::INSERT_JOBS, jobs::values(first_job, batch_jobs.len()));
        let events_query = |sql| bind_events(sqlx::query(sql), &batch, merchant, mode, now);
        if postgres && !batch.is_empty() {
            let sql = format!("WITH inserted AS ({insert_events}) {insert_jobs}");
            bind_jobs(events_query(&sql), batch_jobs, now).execute(&mut **tx).await?;
        } else {
            if !batch.is_empty() {
                events_query(&insert_events).execute(&mut **tx).await?;
            }
            bind_jobs(sqlx::query(&insert_jobs), batch_jobs, now).execute(&mut **tx).await?;
        }
        ids.extend(batch.into_iter().map(|(id, _)| id));
    }
    Ok(ids)
}

fn bind_events<'q>(
    mut query: db::Query<'q>,
    batch: &[(String, (EventType, String, Value))],
    merchant: &MerchantId,
    mode: Mode,
    now: i64,
) -> db::Query<'q> {
    for (id, (kind, subject, data)) in batch {
        query = query
            .bind(id.clone())
            .bind(merchant.as_str().to_string())
            .bind(mode.as_str())
            .bind(kind.as_str())
            .bind(subject.clone())
            .bind(data.to_string())
            .bind(now);
    }
    query
}

fn bind_jobs(mut query: db::Query<'_>, batch: Vec<(String, NewJob)>, now: i64) -> db::Query<'_> {
    for (id, job) in batch {
        query = jobs::bind(query, id, job, now);
    }
    query
}

/// Dispatches one event: creates its webhook deliveries ([`crate::webhooks::fan_out`]) and
/// marks it dispatched, in one transaction; running it twice creates nothing twice.
pub struct Dispatch;

#[async_trait]
impl Handler for Dispatch {
    fn kind(&self) -> &'static str {
        DISPATCH
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let event = job.payload.get("event").and_then(Value::as_str).ok_or_else(|| anyhow::anyhow!("no event id"))?;
        let mut tx = db::begin_write(&ctx.pool).await?;
        let deliveries = crate::webhooks::fan_out(&mut tx, event).await?;
        let marked = sqlx::query("UPDATE events SET dispatched_at = $1 WHERE id = $2 AND dispatched_at IS NULL")
            .bind(db::now())
            .bind(event)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        tracing::debug!(event, deliveries, first_time = marked == 1, "event dispatched");
        Ok(())
    }
}
