//! Invoices passing their due date: an hourly job emits `invoice.overdue` (for webhooks now,
//! dunning later) once for each invoice that is past due with something open, in the same
//! transaction that marks it announced. An invoice settled and reopened later (a reversed
//! payment) is announced again: settling it clears the mark (`ledger::reduce_open`).
//! Days are UTC days; per-merchant time zones come with dunning.

use async_trait::async_trait;
use kassa_domain::MerchantId;
use serde_json::json;

use crate::db;
use crate::events::{self, EventType};
use crate::jobs::{Handler, Job};
use crate::principal::Mode;
use crate::services::records;
use crate::Ctx;

pub const CHECK: &str = "invoices.overdue";
/// Invoices announced per transaction; the job goes on until none is left.
const BATCH: i64 = 500;

pub struct Check;

#[async_trait]
impl Handler for Check {
    fn kind(&self) -> &'static str {
        CHECK
    }

    async fn run(&self, ctx: &Ctx, _job: &Job) -> anyhow::Result<()> {
        let today = records::format_date(records::today());
        loop {
            let mut tx = db::begin_write(&ctx.pool).await?;
            let due: Vec<(String, String, String, String, String, String, i64, i64, String)> = sqlx::query_as(
                "SELECT id, merchant_id, mode, number, customer_id, due_date, open_minor, total_minor, currency \
                 FROM invoices WHERE open_minor > 0 AND overdue_notified_at IS NULL AND due_date < $1 \
                 ORDER BY due_date, id LIMIT $2",
            )
            .bind(&today)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if due.is_empty() {
                tx.rollback().await?;
                return Ok(());
            }
            let now = db::now();
            for (id, merchant, mode, number, customer, due_date, open, total, currency) in &due {
                let mode = Mode::parse(mode).ok_or_else(|| anyhow::anyhow!("invoice {id}: unknown mode"))?;
                let code = records::currency(currency)?;
                let data = json!({ "invoice": id, "number": number, "customer": customer, "due_date": due_date,
                    "open": kassa_domain::Money::from_minor(*open, code).amount_string(),
                    "total": kassa_domain::Money::from_minor(*total, code).amount_string(), "currency": currency });
                let merchant = MerchantId::from_raw(merchant.clone());
                events::emit(&mut tx, &merchant, mode, EventType::InvoiceOverdue, id, data).await?;
                sqlx::query("UPDATE invoices SET overdue_notified_at = $1 WHERE merchant_id = $2 AND id = $3")
                    .bind(now)
                    .bind(merchant.as_str())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            tracing::info!(invoices = due.len(), "invoice.overdue announced");
        }
    }
}
