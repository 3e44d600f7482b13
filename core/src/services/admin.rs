//! The staff's view across customers (the first slice of the admin).

use serde::Serialize;

use crate::error::Result;
use crate::principal::Principal;
use crate::services::records::{merchant_by_id, InvoiceRow, InvoiceState, Merchant, INVOICE_COLUMNS};
use crate::Ctx;

#[derive(Debug, Clone, Serialize)]
pub struct Receivables {
    pub merchant: Merchant,
    /// Every invoice with its customer's name, oldest due first.
    pub invoices: Vec<(String, InvoiceState)>,
}

pub async fn receivables(ctx: &Ctx, who: &Principal) -> Result<Receivables> {
    let staff = who.staff()?;
    let merchant = merchant_by_id(&ctx.pool, &staff.merchant).await?;
    let sql = format!(
        "SELECT {INVOICE_COLUMNS}, c.name AS customer_name FROM invoices i \
         JOIN customers c ON c.merchant_id = i.merchant_id AND c.id = i.customer_id \
         WHERE i.merchant_id = $1 ORDER BY i.due_date, i.number"
    );
    let today = merchant.today()?;
    let mut invoices = Vec::new();
    for r in sqlx::query(&sql).bind(merchant.id.as_str()).fetch_all(&ctx.pool).await? {
        use sqlx::{FromRow, Row};
        invoices.push((r.try_get("customer_name")?, InvoiceRow::from_row(&r)?.state(today)?));
    }
    Ok(Receivables { merchant, invoices })
}
