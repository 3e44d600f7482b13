//! The staff's view across customers (the first slice of the admin).

use serde::Serialize;

use crate::error::Result;
use crate::principal::Principal;
use crate::services::listing;
use crate::services::records::{merchant_by_id, Merchant};
use crate::Ctx;

/// Invoices on one page of the admin's list.
pub const PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, Serialize)]
pub struct Receivables {
    pub merchant: Merchant,
    /// One page of the invoices `show` picks, with their customers' names.
    pub invoices: listing::Listed,
}

pub async fn receivables(ctx: &Ctx, who: &Principal, show: listing::Show, page: u32) -> Result<Receivables> {
    let staff = who.staff()?;
    let merchant = merchant_by_id(&ctx.pool, &staff.merchant).await?;
    let scope = listing::Scope { merchant: &merchant.id, customer: None, invoice: None };
    let invoices =
        listing::page(&mut *ctx.pool.acquire().await?, scope, show, merchant.today()?, page, PAGE_SIZE).await?;
    Ok(Receivables { merchant, invoices })
}
