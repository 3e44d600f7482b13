//! The staff's view across customers (the first slice of the admin).

use kassa_app::model::{AdminInvoiceRow, AdminOverview};
use tower_sessions::Session;

use crate::db::Pool;
use crate::error::Result;
use crate::services::auth;
use crate::services::records::{self, merchant_by_id, InvoiceRow, INVOICE_COLUMNS};

pub async fn overview(pool: &Pool, session: &Session) -> Result<AdminOverview> {
    let staff = auth::staff(session).await?;
    let merchant = merchant_by_id(pool, &staff.merchant_id).await?;
    let sql = format!(
        "SELECT {INVOICE_COLUMNS}, c.name AS customer_name FROM invoices i \
         JOIN customers c ON c.merchant_id = i.merchant_id AND c.id = i.customer_id \
         WHERE i.merchant_id = $1 ORDER BY i.due_date, i.number"
    );
    let rows = sqlx::query(&sql).bind(&merchant.id).fetch_all(pool).await?;
    let today = records::today();
    let mut invoices = Vec::with_capacity(rows.len());
    for r in &rows {
        use sqlx::{FromRow, Row};
        let row = InvoiceRow::from_row(r)?;
        let summary = row.summary(today)?;
        invoices.push(AdminInvoiceRow {
            customer_name: r.try_get("customer_name")?,
            number: summary.number,
            due_date: summary.due_date,
            total: summary.total,
            balance: summary.balance,
            status: summary.status,
        });
    }
    Ok(AdminOverview { merchant_name: merchant.name, staff_email: staff.email, invoices })
}
