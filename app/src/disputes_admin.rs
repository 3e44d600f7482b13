//! `/admin/disputes`: debtors' disputes for staff to answer, oldest first (the queue's order):
//! open, under review, or resolved; each with its invoice, reason, amount held out of
//! collection and the debtor's thread (`kassa_core::services::disputes`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, QueueFilters, QueueTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminDisputeRow, DisputesOverview};
use crate::money::money;
use kassa_domain::dispute::DisputeStatus;

/// The statuses the page filters by, in its links' order.
const STATUSES: [&str; 3] = ["open", "under_review", "resolved"];

#[server(endpoint = "load_disputes")]
pub async fn load_disputes(#[server(default)] status: String) -> Result<DisputesOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{disputes, records};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let chosen = DisputeStatus::parse(&status).unwrap_or(DisputeStatus::Open);
            let lang = crate::i18n::lang();
            let disputes = disputes::list(&ctx, &who, Some(chosen), 200)
                .await?
                .into_iter()
                .map(|d| AdminDisputeRow {
                    customer: format!("{} ({})", d.customer_name, d.customer_number),
                    invoice: d.invoice.to_string(),
                    reason: crate::words::dispute_reason(lang, d.reason),
                    amount: d.amount,
                    opened: crate::dates::moment(d.created_at, &merchant.time_zone),
                    message: d.messages.first().map(|m| m.body.clone()).unwrap_or_default(),
                })
                .collect();
            Ok(DisputesOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                status: chosen.as_str().to_string(),
                disputes,
            })
        }
        .await,
    )
}

#[component]
pub fn DisputesPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(move || query.with(|q| q.get("status").unwrap_or_default()), load_disputes);
    crate::admin::staff_page(overview, move |o| view! { <DisputesView overview=o/> })
}

#[component]
fn DisputesView(overview: DisputesOverview) -> impl IntoView {
    let w = t();
    let lang = crate::i18n::lang();
    let options = STATUSES
        .iter()
        .map(|s| {
            let label = DisputeStatus::parse(s).map(|s| crate::words::dispute_status(lang, s)).unwrap_or_default();
            (*s, label)
        })
        .collect();
    let empty = overview.disputes.is_empty().then(|| w.disputes_none());
    let headers = vec![
        (w.col_customer(), false),
        (w.col_invoice(), false),
        (w.col_reason(), false),
        (w.col_amount(), true),
        (w.col_message(), false),
        (w.col_opened(), false),
    ];
    let rows = overview
        .disputes
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td data-label=w.col_customer()>{d.customer}</td>
                    <td data-label=w.col_invoice()>{d.invoice}</td>
                    <td data-label=w.col_reason()>{d.reason}</td>
                    <td class="num" data-label=w.col_amount()>{money(d.amount)}</td>
                    <td data-label=w.col_message()>{d.message}</td>
                    <td data-label=w.col_opened()>{d.opened}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_disputes())/>
        <AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_disputes()}</h1>
            <QueueFilters path="/admin/disputes" param="status" options current=overview.status label=w.disputes_filter()/>
            <QueueTable class="disputes" caption=w.disputes_caption() headers empty>{rows}</QueueTable>
        </main>
    }
}
