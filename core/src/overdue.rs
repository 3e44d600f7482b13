//! Invoices passing their due date: an hourly job emits `invoice.overdue` (for webhooks now,
//! dunning later) once for each invoice that is past due with something open, in the same
//! transaction that marks it announced. An invoice settled and reopened later (a reversed
//! payment) is announced again: settling it clears the mark (`ledger::reduce_open`).
//! Days are the merchant's: an invoice due on the 1st is overdue from midnight on the 2nd in the
//! merchant's time zone (`merchants.time_zone`).

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
        let zones: Vec<String> = sqlx::query_scalar("SELECT DISTINCT time_zone FROM merchants ORDER BY time_zone")
            .fetch_all(&ctx.pool)
            .await?;
        for zone in zones {
            let Some(tz) = records::time_zone(&zone) else {
                tracing::error!(zone, "merchants with an unknown time zone: their invoices are not checked");
                continue;
            };
            announce(ctx, &zone, &records::format_date(records::today_in(&tz))).await?;
        }
        Ok(())
    }
}

/// id, merchant, mode, number, customer, due date, open and total (minor units), currency.
type DueRow = (String, String, String, String, String, String, i64, i64, String);

/// Announces the overdue invoices of the merchants in `zone`, where it is `today`.
async fn announce(ctx: &Ctx, zone: &str, today: &str) -> anyhow::Result<()> {
    loop {
        let mut tx = db::begin_write(&ctx.pool).await?;
        let due: Vec<DueRow> = sqlx::query_as(
            "SELECT id, merchant_id, mode, number, customer_id, due_date, open_minor, total_minor, currency \
                 FROM invoices WHERE open_minor > 0 AND overdue_notified_at IS NULL AND due_date < $1 \
                 AND merchant_id IN (SELECT id FROM merchants WHERE time_zone = $3) \
                 ORDER BY due_date, id LIMIT $2",
        )
        .bind(today)
        .bind(BATCH)
        .bind(zone)
        .fetch_all(&mut *tx)
        .await?;
        if due.is_empty() {
            tx.rollback().await?;
            return Ok(());
        }
        let now = db::now();
        for (id, merchant, mode, number, customer, due_date, open, total, currency) in &due {
            let mode = Mode::from_stored(mode, format_args!("invoice {id}"))?;
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
        tracing::info!(invoices = due.len(), zone, "invoice.overdue announced");
    }
}
