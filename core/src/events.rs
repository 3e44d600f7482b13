//! The outbox. A service that changes state calls [`emit`] inside its transaction: the event
//! row and the job that dispatches it are written with the change or not at all, so a crash
//! never leaves money recorded without its event, or the other way round. The dispatch job
//! hands each event to its subscribers (merchants' webhook endpoints; the emails of later
//! issues) at least once, and marks it dispatched.

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
    let id = db::new_id();
    sqlx::query(
        "INSERT INTO events (id, merchant_id, mode, type, subject_id, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(kind.as_str())
    .bind(subject)
    .bind(data.to_string())
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    let job = NewJob { mode: Some(mode), ..NewJob::now(DISPATCH, json!({ "event": id }), Some(merchant.clone())) };
    jobs::enqueue(tx, job).await?;
    Ok(id)
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
