//! `/admin/disputes`: debtors' disputes for staff to answer, oldest first (the queue's order):
//! open, under review, or resolved; each with its invoice, reason, amount held out of
//! collection and the debtor's first message. `/admin/disputes/:id`: one dispute, its whole
//! thread with staff's internal notes, and plain forms to answer (or note) and to resolve it
//! (`kassa_core::services::disputes`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, QueueFilters, QueueTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminDisputeRow, DisputeDetail, DisputesOverview, ThreadMessage};
use crate::money::money;
use kassa_domain::dispute::{DisputeReason, DisputeStatus, Outcome};

/// The statuses the page filters by, in its links' order.
const STATUSES: [&str; 3] = ["open", "under_review", "resolved"];

#[server(endpoint = "load_disputes")]
pub async fn load_disputes(
    #[server(default)] status: String,
    #[server(default)] reason: String,
) -> Result<DisputesOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{disputes, records};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let chosen = DisputeStatus::parse(&status).unwrap_or(DisputeStatus::Open);
            let reason = DisputeReason::parse(&reason);
            let lang = crate::i18n::lang();
            let disputes = disputes::list(&ctx, &who, Some(chosen), None, 200)
                .await?
                .into_iter()
                .filter(|d| reason.is_none_or(|r| d.reason == r))
                .map(|d| AdminDisputeRow {
                    customer: format!("{} ({})", d.customer_name, d.customer_number),
                    invoice: d.invoice.to_string(),
                    reason: crate::words::dispute_reason(lang, d.reason),
                    amount: d.amount,
                    opened: crate::dates::moment(d.created_at, &merchant.time_zone),
                    message: d.messages.first().map(|m| m.body.clone()).unwrap_or_default(),
                    href: format!("/admin/disputes/{}", d.id),
                })
                .collect();
            Ok(DisputesOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                status: chosen.as_str().to_string(),
                reason: reason.map_or(String::new(), |r| r.as_str().to_string()),
                disputes,
            })
        }
        .await,
    )
}

#[component]
pub fn DisputesPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(
        move || query.with(|q| (q.get("status").unwrap_or_default(), q.get("reason").unwrap_or_default())),
        |(status, reason)| load_disputes(status, reason),
    );
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
    let mut reasons = vec![("", w.disputes_all_reasons())];
    reasons.extend(DisputeReason::ALL.iter().map(|r| (r.as_str(), crate::words::dispute_reason(lang, *r))));
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
                    <td data-label=w.col_invoice()><a href=d.href>{d.invoice}</a></td>
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
            <QueueFilters path="/admin/disputes" param="status" options current=overview.status.clone()
                label=w.disputes_filter()/>
            <QueueFilters path=format!("/admin/disputes?status={}", overview.status) param="reason" options=reasons
                current=overview.reason label=w.disputes_reason_filter()/>
            <QueueTable class="disputes" caption=w.disputes_caption() headers empty>{rows}</QueueTable>
        </main>
    }
}

#[server(endpoint = "load_dispute")]
pub async fn load_dispute(id: String) -> Result<DisputeDetail, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{disputes, records};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let d = disputes::get(&ctx, &who, &id).await?;
            let lang = crate::i18n::lang();
            let w = t();
            let (outcome, credited) = crate::words::dispute_resolution(lang, &d);
            let credit_note_example =
                disputes::next_credit_note_number(&ctx.pool, &merchant.id, d.invoice.as_str()).await?;
            Ok(DisputeDetail {
                id: d.id.clone(),
                customer: format!("{} ({})", d.customer_name, d.customer_number),
                invoice: d.invoice.to_string(),
                reason: crate::words::dispute_reason(lang, d.reason),
                status: crate::words::dispute_status(lang, d.status),
                amount: d.amount,
                lines: d.lines.iter().map(|l| l.description.clone()).collect(),
                opened: crate::dates::moment(d.created_at, &merchant.time_zone),
                messages: d
                    .messages
                    .iter()
                    .map(|m| ThreadMessage {
                        who: if m.author == "debtor" { w.dispute_author_customer() } else { w.dispute_author_staff() },
                        at: crate::dates::moment(m.created_at, &merchant.time_zone),
                        body: m.body.clone(),
                        internal: m.internal,
                    })
                    .collect(),
                files: crate::words::dispute_files(&format!("/admin/disputes/{}", d.id), &d.files),
                outcome,
                credited,
                may_answer: d.status != DisputeStatus::Resolved && who.may_write().is_ok(),
                outcomes: Outcome::ALL
                    .iter()
                    .map(|o| (o.as_str().to_string(), crate::words::dispute_outcome(lang, *o)))
                    .collect(),
                credit_note_example,
                key: kassa_core::db::new_id(),
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
            })
        }
        .await,
    )
}

/// Staff answer the debtor (or, ticked `internal`, note something for each other); back to
/// the dispute's page.
#[server(endpoint = "answer_dispute")]
pub async fn answer_dispute(
    dispute: String,
    message: String,
    #[server(default)] internal: Option<String>,
    key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::disputes::{self, Reply};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let cmd = Reply { dispute: dispute.clone(), body: message, internal: internal.is_some(), key };
            disputes::reply(&ctx, &who, cmd).await?;
            let back = format!("/admin/disputes/{dispute}");
            edge::redirect(&back)?;
            Ok(back)
        }
        .await,
    )
}

/// Staff resolve the dispute: the outcome, the credit (typed in the page's language; for a
/// credit in part), the credit note's number (empty: the next free one) and the answer to the
/// debtor; back to the dispute's page.
#[server(endpoint = "resolve_dispute")]
pub async fn resolve_dispute(
    dispute: String,
    outcome: String,
    #[server(default)] credit: String,
    #[server(default)] credit_note_number: String,
    message: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::disputes::{self, Resolve};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let decimal = crate::money::decimal_separator(crate::i18n::lang());
            let cmd = Resolve {
                dispute: dispute.clone(),
                outcome,
                credit: Some(credit),
                decimal,
                credit_note_number: Some(credit_note_number),
                message,
            };
            disputes::resolve(&ctx, &who, cmd).await?;
            let back = format!("/admin/disputes/{dispute}");
            edge::redirect(&back)?;
            Ok(back)
        }
        .await,
    )
}

#[component]
pub fn DisputePage() -> impl IntoView {
    let id = crate::portal::param("id");
    let answer = ServerAction::<AnswerDispute>::new();
    let resolve = ServerAction::<ResolveDispute>::new();
    let detail =
        Resource::new(move || (id(), answer.version().get(), resolve.version().get()), |(id, _, _)| load_dispute(id));
    crate::admin::staff_page(detail, move |d| view! { <DisputeDetailView d answer resolve/> })
}

#[component]
fn DisputeDetailView(
    d: DisputeDetail,
    answer: ServerAction<AnswerDispute>,
    resolve: ServerAction<ResolveDispute>,
) -> impl IntoView {
    let w = t();
    let answer_error = move || answer.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let resolve_error = move || resolve.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let lines = if d.lines.is_empty() { w.dispute_whole_invoice() } else { d.lines.join(", ") };
    let thread = d
        .messages
        .into_iter()
        .map(|m| {
            let class = if m.internal { "internal" } else { "" };
            view! {
                <li class=class>
                    <strong>{m.who}</strong>" · "{m.at}
                    {m.internal.then(|| view! { " · "<em>{w.dispute_internal()}</em> })}
                    <br/>{m.body}
                </li>
            }
        })
        .collect_view();
    let forms = d.may_answer.then(|| {
        let currency = d.amount.currency().code().to_string();
        let (answer_id, resolve_id) = (d.id.clone(), d.id.clone());
        view! {
            <section class="form-card" aria-labelledby="answer-title">
                <h2 id="answer-title">{w.dispute_answer_title()}</h2>
                <ActionForm action=answer>
                    <input type="hidden" name="dispute" value=answer_id/>
                    <input type="hidden" name="key" value=d.key.clone()/>
                    <label for="dispute-answer">{w.field_dispute_answer()}</label>
                    <textarea id="dispute-answer" name="message" required maxlength="4000" rows="4"></textarea>
                    <label><input type="checkbox" name="internal" value="1"/>" "{w.field_dispute_internal()}</label>
                    {move || answer_error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                    <button type="submit" disabled=move || answer.pending().get()>{w.dispute_answer_submit()}</button>
                </ActionForm>
            </section>
            <section class="form-card" aria-labelledby="resolve-title">
                <h2 id="resolve-title">{w.dispute_resolve_title()}</h2>
                <ActionForm action=resolve>
                    <input type="hidden" name="dispute" value=resolve_id/>
                    <label for="dispute-outcome">{w.field_dispute_outcome()}</label>
                    <select id="dispute-outcome" name="outcome" required>
                        {d.outcomes.into_iter().map(|(code, words)| view! { <option value=code>{words}</option> }).collect_view()}
                    </select>
                    <label for="dispute-credit">{w.field_dispute_credit(&currency)}</label>
                    <input id="dispute-credit" name="credit" inputmode="decimal" autocomplete="off"
                        aria-describedby="dispute-credit-hint"/>
                    <p id="dispute-credit-hint" class="hint">{w.dispute_credit_hint(money(d.amount))}</p>
                    <label for="credit-note-number">{w.field_credit_note_number()}</label>
                    <input id="credit-note-number" name="credit_note_number" autocomplete="off" maxlength="64"
                        aria-describedby="credit-note-number-hint"/>
                    <p id="credit-note-number-hint" class="hint">{w.credit_note_number_hint(&d.credit_note_example)}</p>
                    <label for="dispute-resolution">{w.field_dispute_resolution()}</label>
                    <textarea id="dispute-resolution" name="message" required maxlength="4000" rows="4"></textarea>
                    {move || resolve_error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                    <button type="submit" class="button-primary" disabled=move || resolve.pending().get()>
                        {w.dispute_resolve_submit()}
                    </button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <Title text=w.admin_page_title(w.dispute_page_title(&d.invoice))/>
        <AdminHeader merchant_name=d.merchant_name staff_email=d.staff_email/>
        <main id="main" class="admin-main">
            <p><a href="/admin/disputes">{w.disputes_back()}</a></p>
            <h1>{w.dispute_page_title(&d.invoice)}</h1>
            <dl class="facts">
                <dt>{w.fact_customer()}</dt><dd>{d.customer}</dd>
                <dt>{w.fact_invoice()}</dt><dd>{d.invoice.clone()}</dd>
                <dt>{w.fact_reason()}</dt><dd>{d.reason}</dd>
                <dt>{w.fact_disputed()}</dt><dd>{money(d.amount)}</dd>
                <dt>{w.fact_lines()}</dt><dd>{lines}</dd>
                <dt>{w.fact_status()}</dt><dd data-testid="dispute-status">{d.status}</dd>
                <dt>{w.fact_opened()}</dt><dd>{d.opened}</dd>
                {(!d.files.is_empty()).then(|| view! {
                    <dt>{w.fact_files()}</dt>
                    <dd>
                        <ul class="files">
                            {d.files.into_iter().map(|(href, label)| view! {
                                <li><a href=href download>{label}</a></li>
                            }).collect_view()}
                        </ul>
                    </dd>
                })}
            </dl>
            {d.outcome.map(|o| view! { <p class="notice" data-testid="dispute-outcome">{o}</p> })}
            {d.credited.map(|c| view! { <p>{c}</p> })}
            <h2>{w.dispute_thread()}</h2>
            <ul class="thread">{thread}</ul>
            {forms}
        </main>
    }
}
