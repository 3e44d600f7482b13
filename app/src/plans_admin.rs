//! `/admin/plans`: debtors' payment plans for staff: proposals waiting for approval (outside
//! the policy, or all when the policy accepts none at once), running plans with their next
//! instalment (late ones marked), broken, completed and rejected ones. `/admin/plans/:id`: one
//! plan, its whole schedule and what was paid, and plain forms to approve or reject a
//! proposal (`kassa_core::services::plans`, as `/api/v1/plans`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, QueueFilters, QueueTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminPlanRow, InstalmentView, PlanDetail, PlansOverview};
use crate::money::money;

/// The statuses the page filters by, in its links' order.
const STATUSES: [&str; 5] = ["proposed", "active", "broken", "completed", "rejected"];

/// A plan's instalments as the pages show them: paid, or late on `today`.
pub(crate) fn instalments(plan: &kassa_core::services::plans::Plan, today: time::Date) -> Vec<InstalmentView> {
    let running = plan.status == kassa_domain::plan::PlanStatus::Active;
    plan.instalments
        .iter()
        .map(|i| InstalmentView {
            seq: i.seq,
            due: i.due,
            amount: i.amount,
            paid: i.paid,
            late: running && !i.paid && i.due < today,
        })
        .collect()
}

#[server(endpoint = "load_plans")]
pub async fn load_plans(#[server(default)] status: String) -> Result<PlansOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{plans, records};
    use kassa_domain::plan::PlanStatus;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let today = merchant.today()?;
            let chosen = PlanStatus::parse(&status).unwrap_or(PlanStatus::Proposed);
            let lang = crate::i18n::lang();
            let plans = plans::list(&ctx, &who, Some(chosen), None, 200)
                .await?
                .into_iter()
                .map(|p| {
                    let currency = p.total.currency();
                    let next =
                        (p.status == PlanStatus::Active).then(|| p.next().map(|i| (i.due, i.due < today))).flatten();
                    AdminPlanRow {
                        customer: format!("{} ({})", p.customer_name, p.customer_number),
                        invoices: p.invoices.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>().join(", "),
                        total: p.total,
                        schedule: crate::words::plan_summary(lang, &p.schedule()),
                        paid: p.paid,
                        next,
                        breaches: p.breaches.iter().map(|b| crate::words::plan_breach(lang, *b, currency)).collect(),
                        proposed: crate::dates::moment(p.created_at, &merchant.time_zone),
                        href: format!("/admin/plans/{}", p.id),
                    }
                })
                .collect();
            Ok(PlansOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                status: chosen.as_str().to_string(),
                plans,
            })
        }
        .await,
    )
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(move || query.with(|q| q.get("status").unwrap_or_default()), load_plans);
    crate::admin::staff_page(overview, move |o| view! { <PlansView overview=o/> })
}

#[component]
fn PlansView(overview: PlansOverview) -> impl IntoView {
    let w = t();
    let lang = crate::i18n::lang();
    let options = STATUSES
        .iter()
        .map(|s| {
            let words = kassa_domain::plan::PlanStatus::parse(s)
                .map(|s| crate::words::plan_status(lang, s))
                .unwrap_or_default();
            (*s, words)
        })
        .collect();
    let empty = overview.plans.is_empty().then(|| w.plans_none());
    let headers = vec![
        (w.col_customer(), false),
        (w.col_invoices(), false),
        (w.col_total(), true),
        (w.col_schedule(), false),
        (w.col_paid(), true),
        (w.col_next_instalment(), false),
        (w.col_outside_policy(), false),
        (w.col_proposed(), false),
    ];
    let rows = overview
        .plans
        .into_iter()
        .map(|p| {
            let next = p.next.map(|(due, late)| {
                let date = crate::dates::date(due);
                if late {
                    format!("{date} · {}", w.instalment_late())
                } else {
                    date
                }
            });
            view! {
                <tr>
                    <td data-label=w.col_customer()><a href=p.href>{p.customer}</a></td>
                    <td data-label=w.col_invoices()>{p.invoices}</td>
                    <td class="num" data-label=w.col_total()>{money(p.total)}</td>
                    <td data-label=w.col_schedule()>{p.schedule}</td>
                    <td class="num" data-label=w.col_paid()>{money(p.paid)}</td>
                    <td data-label=w.col_next_instalment()>{next.unwrap_or_default()}</td>
                    <td data-label=w.col_outside_policy()>{p.breaches.join("; ")}</td>
                    <td data-label=w.col_proposed()>{p.proposed}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_plans())/>
        <AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_plans()}</h1>
            <QueueFilters path="/admin/plans" param="status" options current=overview.status label=w.plans_filter()/>
            <QueueTable class="plans" caption=w.plans_caption() headers empty>{rows}</QueueTable>
        </main>
    }
}

#[server(endpoint = "load_plan")]
pub async fn load_plan(id: String) -> Result<PlanDetail, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{plans, records};
    use kassa_domain::plan::PlanStatus;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let p = plans::get(&ctx, &who, &id).await?;
            let debit = kassa_core::services::mandates::debit(&ctx, &merchant, &p).await?;
            let lang = crate::i18n::lang();
            let w = t();
            let currency = p.total.currency();
            let decided_by = p.decided_by.as_deref().map(|by| match by {
                "policy" => w.decided_by_policy(),
                other => other.split_once(' ').map_or(other, |(_, email)| email).to_string(),
            });
            Ok(PlanDetail {
                id: p.id.clone(),
                customer: format!("{} ({})", p.customer_name, p.customer_number),
                status: crate::words::plan_status(lang, p.status),
                invoices: p.invoices.iter().map(|(n, m)| (n.to_string(), *m)).collect(),
                principal: p.principal,
                charge: p.charge,
                total: p.total,
                paid: p.paid,
                frequency: crate::words::plan_frequency(lang, p.frequency),
                grace_days: p.grace_days,
                instalments: instalments(&p, merchant.today()?),
                breaches: p.breaches.iter().map(|b| crate::words::plan_breach(lang, *b, currency)).collect(),
                decided_by,
                decision_reason: p.decision_reason.clone(),
                charge_invoice: p.charge_invoice.as_ref().map(ToString::to_string),
                proposed: crate::dates::moment(p.created_at, &merchant.time_zone),
                may_decide: p.status == PlanStatus::Proposed && who.may_write().is_ok(),
                debit: crate::words::debit_status(lang, debit.mandate.as_ref()),
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
            })
        }
        .await,
    )
}

/// Staff approve (`decision` = `approve`) or reject a proposal, with a reason (required to
/// reject); back to the plan's page.
#[server(endpoint = "decide_plan")]
pub async fn decide_plan(
    plan: String,
    decision: String,
    #[server(default)] reason: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::plans::{self, Decide};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let cmd = Decide { plan: plan.clone(), approve: decision == "approve", reason: Some(reason) };
            plans::decide(&ctx, &who, cmd).await?;
            let back = format!("/admin/plans/{plan}");
            edge::redirect(&back)?;
            Ok(back)
        }
        .await,
    )
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let id = crate::portal::param("id");
    let decide = ServerAction::<DecidePlan>::new();
    let detail = Resource::new(move || (id(), decide.version().get()), |(id, _)| load_plan(id));
    crate::admin::staff_page(detail, move |d| view! { <PlanDetailView d decide/> })
}

/// A plan's instalments as a table: number, date, amount and whether paid (or late).
#[component]
pub(crate) fn InstalmentTable(caption: String, instalments: Vec<InstalmentView>) -> impl IntoView {
    let w = t();
    view! {
        <div class="table-scroll">
            <table class="instalments stack">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{w.plan_col_instalment()}</th>
                        <th scope="col">{w.col_due_date()}</th>
                        <th scope="col" class="num">{w.col_amount()}</th>
                        <th scope="col">{w.col_state()}</th>
                    </tr>
                </thead>
                <tbody>
                    {instalments.into_iter().map(|i| {
                        let state = if i.paid {
                            w.instalment_paid()
                        } else if i.late {
                            w.instalment_late()
                        } else {
                            w.instalment_to_pay()
                        };
                        view! {
                            <tr data-paid=i.paid.to_string()>
                                <th scope="row">{i.seq}</th>
                                <td data-label=w.col_due_date()>{crate::dates::date(i.due)}</td>
                                <td class="num" data-label=w.col_amount()>{money(i.amount)}</td>
                                <td data-label=w.col_state()>{state}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PlanDetailView(d: PlanDetail, decide: ServerAction<DecidePlan>) -> impl IntoView {
    let w = t();
    let error = move || decide.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let title = w.plan_page_title(&d.customer);
    let invoices = d.invoices.iter().map(|(n, m)| format!("{n} ({})", money(*m))).collect::<Vec<_>>().join(", ");
    let form = d.may_decide.then(|| {
        view! {
            <section class="form-card" aria-labelledby="decide-title">
                <h2 id="decide-title">{w.plan_decide_title()}</h2>
                <ActionForm action=decide>
                    <input type="hidden" name="plan" value=d.id.clone()/>
                    <label for="plan-reason">{w.field_plan_reason()}</label>
                    <textarea id="plan-reason" name="reason" maxlength="4000" rows="3"></textarea>
                    {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                    <div class="button-row">
                        <button type="submit" name="decision" value="approve" class="button-primary"
                            disabled=move || decide.pending().get()>{w.plan_approve()}</button>
                        <button type="submit" name="decision" value="reject"
                            disabled=move || decide.pending().get()>{w.plan_reject()}</button>
                    </div>
                </ActionForm>
            </section>
        }
    });
    view! {
        <Title text=w.admin_page_title(title.clone())/>
        <AdminHeader merchant_name=d.merchant_name staff_email=d.staff_email/>
        <main id="main" class="admin-main">
            <p><a href="/admin/plans">{w.plans_back()}</a></p>
            <h1>{title}</h1>
            <dl class="facts">
                <dt>{w.fact_status()}</dt><dd data-testid="plan-status">{d.status}</dd>
                <dt>{w.col_invoices()}</dt><dd>{invoices}</dd>
                <dt>{w.fact_principal()}</dt><dd>{money(d.principal)}</dd>
                {d.charge.is_positive().then(|| view! {
                    <dt>{w.fact_charge()}</dt><dd>{money(d.charge)}</dd>
                })}
                <dt>{w.fact_plan_total()}</dt><dd>{money(d.total)}</dd>
                <dt>{w.fact_paid_so_far()}</dt><dd data-testid="plan-paid">{money(d.paid)}</dd>
                <dt>{w.fact_frequency()}</dt><dd>{d.frequency}</dd>
                <dt>{w.fact_grace()}</dt><dd>{w.grace_days(d.grace_days)}</dd>
                <dt>{w.fact_plan_debit()}</dt><dd data-testid="plan-debit">{d.debit}</dd>
                <dt>{w.fact_proposed()}</dt><dd>{d.proposed}</dd>
                {(!d.breaches.is_empty()).then(|| view! {
                    <dt>{w.fact_outside_policy()}</dt><dd>{d.breaches.join("; ")}</dd>
                })}
                {d.decided_by.map(|by| view! { <dt>{w.fact_decided_by()}</dt><dd>{by}</dd> })}
                {d.decision_reason.map(|r| view! { <dt>{w.fact_decision_reason()}</dt><dd>{r}</dd> })}
                {d.charge_invoice.map(|n| view! { <dt>{w.fact_charge_invoice()}</dt><dd>{n}</dd> })}
            </dl>
            <InstalmentTable caption=w.plan_instalments_caption() instalments=d.instalments/>
            {form}
        </main>
    }
}
