//! `/admin/customers/:id`: one customer on one page for staff: its record, every invoice with
//! where it stands, its account's history over the last year (invoices, payments, reversals,
//! credit notes and write-offs with the running balance, as its statement has them), and its
//! payment plans, promises and disputes with where each stands (plans and disputes link to
//! their own pages).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, InvoiceTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminInvoiceRow, CustomerDetail, Linked};
use crate::money::money;

/// How far back the page's history goes, in days.
const HISTORY_DAYS: i64 = 365;

#[server(endpoint = "load_customer")]
pub async fn load_customer(id: String) -> Result<CustomerDetail, AppError> {
    use crate::backend as edge;
    use kassa_core::services::invoices::{self, InvoiceFilter};
    use kassa_core::services::statements::{self, Period};
    use kassa_core::services::{customers, disputes, plans, promises, records};
    use kassa_domain::CustomerId;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let customer = customers::get(&ctx, &who, &CustomerId::from_raw(id)).await?;
            let lang = crate::i18n::lang();
            let w = t();
            let today = merchant.today()?;
            let filter = InvoiceFilter { customer: Some(customer.id.clone()), ..InvoiceFilter::default() };
            let mut listed = invoices::list(&ctx, &who, &filter, 500, None).await?.items;
            listed.sort_by(|a, b| (a.due_date, &a.number).cmp(&(b.due_date, &b.number)));
            let href = format!("/admin/customers/{}", customer.id);
            let invoices = listed
                .into_iter()
                .map(|i| AdminInvoiceRow {
                    customer_name: customer.name.clone(),
                    customer_href: href.clone(),
                    number: i.number.to_string(),
                    due_date: i.due_date,
                    total: i.total,
                    balance: i.open,
                    status: i.status,
                })
                .collect();
            let period = Period { from: today - time::Duration::days(HISTORY_DAYS), to: today };
            let (history, history_error) = match statements::of_customer(&ctx, &who, &customer.id, period).await {
                Ok(statement) => {
                    let mut view = crate::statement::view_of(lang, &statement);
                    // The history's links are the debtor's portal pages: staff have no session there.
                    for line in view.sections.iter_mut().flat_map(|s| s.entries.iter_mut()) {
                        line.href = None;
                    }
                    (view.sections, None)
                }
                Err(kassa_core::Error::Problem(p)) => (Vec::new(), Some(crate::words::problem(&p))),
                Err(e) => return Err(e.into()),
            };
            let plans = plans::list(&ctx, &who, None, Some(&customer.id), 200)
                .await?
                .into_iter()
                .map(|p| Linked {
                    href: format!("/admin/plans/{}", p.id),
                    label: format!(
                        "{} · {} · {}",
                        crate::words::plan_summary(lang, &p.schedule()),
                        crate::words::plan_status(lang, p.status),
                        crate::dates::moment(p.created_at, &merchant.time_zone)
                    ),
                })
                .collect();
            let promises = promises::list(&ctx, &who, None, Some(&customer.id), 200)
                .await?
                .into_iter()
                .map(|p| {
                    let state = match p.state {
                        kassa_domain::promise::PromiseState::Open => w.promises_open(),
                        kassa_domain::promise::PromiseState::Kept => w.promises_kept(),
                        kassa_domain::promise::PromiseState::Broken => w.promises_broken(),
                    };
                    let invoices = p.invoices.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
                    w.customer_promise(money(p.amount), crate::dates::date(p.date), invoices, state)
                })
                .collect();
            let disputes = disputes::list(&ctx, &who, None, Some(&customer.id), 200)
                .await?
                .into_iter()
                .map(|d| Linked {
                    href: format!("/admin/disputes/{}", d.id),
                    label: w.customer_dispute(
                        d.invoice.to_string(),
                        money(d.amount),
                        crate::words::dispute_reason(lang, d.reason),
                        crate::words::dispute_status(lang, d.status),
                    ),
                })
                .collect();
            Ok(CustomerDetail {
                name: customer.name.clone(),
                number: customer.number.to_string(),
                email: customer.email.clone(),
                language: crate::i18n::Lang::from_code(customer.language.as_str())
                    .map_or_else(|| customer.language.as_str().to_string(), |l| l.own_name().to_string()),
                terms_days: customer.payment_terms_days,
                invoices,
                period: crate::statement::period_words(lang, period),
                history,
                history_error,
                plans,
                promises,
                disputes,
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
            })
        }
        .await,
    )
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let id = crate::portal::param("id");
    let detail = Resource::new(id, load_customer);
    crate::admin::staff_page(detail, move |c| view! { <CustomerView c/> })
}

/// A list of links, or that there are none.
#[component]
fn Links(links: Vec<Linked>) -> impl IntoView {
    if links.is_empty() {
        return view! { <p>{t().customer_nothing()}</p> }.into_any();
    }
    view! {
        <ul>{links.into_iter().map(|l| view! { <li><a href=l.href>{l.label}</a></li> }).collect_view()}</ul>
    }
    .into_any()
}

#[component]
fn CustomerView(c: CustomerDetail) -> impl IntoView {
    let w = t();
    let title = w.customer_page_title(&c.name, &c.number);
    let invoices = if c.invoices.is_empty() {
        view! { <p>{w.customer_nothing()}</p> }.into_any()
    } else {
        view! { <InvoiceTable invoices=c.invoices customers=false caption=Some(w.customer_invoices())/> }.into_any()
    };
    let history = match c.history_error {
        Some(error) => view! { <p class="notice">{error}</p> }.into_any(),
        None if c.history.is_empty() => view! { <p>{w.customer_nothing()}</p> }.into_any(),
        None => c
            .history
            .into_iter()
            .map(|section| view! { <crate::statement::SectionTable section/> })
            .collect_view()
            .into_any(),
    };
    let promises = if c.promises.is_empty() {
        view! { <p>{w.customer_nothing()}</p> }.into_any()
    } else {
        view! { <ul>{c.promises.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
    };
    view! {
        <Title text=w.admin_page_title(title.clone())/>
        <AdminHeader merchant_name=c.merchant_name staff_email=c.staff_email/>
        <main id="main" class="admin-main">
            <p><a href="/admin">{w.customer_back()}</a></p>
            <h1>{title}</h1>
            <dl class="facts">
                <dt>{w.fact_email()}</dt><dd>{c.email.unwrap_or_else(|| "–".into())}</dd>
                <dt>{w.fact_language()}</dt><dd>{c.language}</dd>
                <dt>{w.fact_terms()}</dt><dd>{w.grace_days(c.terms_days)}</dd>
            </dl>
            <h2>{w.customer_invoices()}</h2>
            {invoices}
            <h2>{w.customer_history()}</h2>
            <p>{c.period}</p>
            {history}
            <h2>{w.customer_plans()}</h2>
            <Links links=c.plans/>
            <h2>{w.customer_promises()}</h2>
            {promises}
            <h2>{w.customer_disputes()}</h2>
            <Links links=c.disputes/>
        </main>
    }
}
