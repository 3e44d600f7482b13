//! `/admin/promises`: debtors' promises to pay, for staff to follow up: the open ones (soonest
//! date first, with the day their invoices return to collection), the broken ones (to call
//! about) and the kept ones (`kassa_core::services::promises`, as `GET /api/v1/promises`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, QueueFilters, QueueTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminPromiseRow, PromisesOverview};
use crate::money::money;

/// The states the page filters by, in its links' order.
const STATES: [&str; 3] = ["open", "broken", "kept"];

#[server(endpoint = "load_promises")]
pub async fn load_promises(#[server(default)] state: String) -> Result<PromisesOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{promises, records};
    use kassa_domain::promise::PromiseState;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let chosen = match state.as_str() {
                "broken" => PromiseState::Broken,
                "kept" => PromiseState::Kept,
                _ => PromiseState::Open,
            };
            let mut found = promises::list(&ctx, &who, Some(chosen), None, 200).await?;
            if chosen == PromiseState::Open {
                // What comes due first, first.
                found.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
            }
            let promises = found
                .into_iter()
                .map(|p| AdminPromiseRow {
                    customer: format!("{} ({})", p.customer_name, p.customer_number),
                    invoices: p.invoices.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                    amount: p.amount,
                    date: p.date,
                    pause_until: p.pause_until,
                    made: crate::dates::moment(p.created_at, &merchant.time_zone),
                })
                .collect();
            Ok(PromisesOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                state: chosen.as_str().to_string(),
                promises,
            })
        }
        .await,
    )
}

#[component]
pub fn PromisesPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(move || query.with(|q| q.get("state").unwrap_or_default()), load_promises);
    crate::admin::staff_page(overview, move |o| view! { <PromisesView overview=o/> })
}

#[component]
fn PromisesView(overview: PromisesOverview) -> impl IntoView {
    let w = t();
    let options = STATES
        .iter()
        .map(|s| {
            let label = match *s {
                "broken" => w.promises_broken(),
                "kept" => w.promises_kept(),
                _ => w.promises_open(),
            };
            (*s, label)
        })
        .collect();
    let open = overview.state == "open";
    let empty = overview.promises.is_empty().then(|| w.promises_none());
    let mut headers = vec![(w.col_customer(), false), (w.col_invoices(), false), (w.col_amount(), true)];
    headers.push((w.col_promised_date(), false));
    if open {
        headers.push((w.col_collection_resumes(), false));
    }
    headers.push((w.col_made(), false));
    let rows = overview
        .promises
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td data-label=w.col_customer()>{p.customer}</td>
                    <td data-label=w.col_invoices()>{p.invoices}</td>
                    <td class="num" data-label=w.col_amount()>{money(p.amount)}</td>
                    <td data-label=w.col_promised_date()>{crate::dates::date(p.date)}</td>
                    {open.then(|| view! {
                        <td data-label=w.col_collection_resumes()>{crate::dates::date(p.pause_until)}</td>
                    })}
                    <td data-label=w.col_made()>{p.made}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_promises())/>
        <AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_promises()}</h1>
            <QueueFilters path="/admin/promises" param="state" options current=overview.state label=w.promises_filter()/>
            <QueueTable class="promises" caption=w.promises_caption() headers empty>{rows}</QueueTable>
        </main>
    }
}
