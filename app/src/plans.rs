//! The debtor's payment plans (`kassa_core::services::plans`).
//!
//! `/p/{merchant}/plan?invoice=A&invoice=B`: what would be spread, and two plain GET forms:
//! what the debtor can afford per month (the schedules within the merchant's terms that fit,
//! as HMRC's "Set up a payment plan" starts), or a number of instalments, a frequency and the
//! first date. Each schedule links to the same page showing it whole (every date and amount,
//! the fee or interest on its own line, whether it starts at once or goes to staff) with the
//! form that confirms it. `/p/{merchant}/plans/{id}`: the agreement, what was paid, and the
//! form that pays the next instalment. Everything works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::PortalFrame;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{DebitView, PlanAgreementView, PlanOfferView, PlanQuoteView};
use crate::money::money;
use crate::plans_admin::InstalmentTable;
use crate::portal::{param, portal_page};

/// The page spreading `invoices`: `/p/{merchant}/plan?invoice=A&invoice=B` plus `extra`
/// (`&count=3&...`), each part escaped.
pub fn plan_href(merchant: &str, invoices: &[String], extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for number in invoices {
        query.append_pair("invoice", number);
    }
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    format!("/p/{merchant}/plan?{}", query.finish())
}

fn iso(date: time::Date) -> String {
    kassa_core::services::records::format_date(date)
}

#[server(endpoint = "load_plan_quote")]
pub async fn load_plan_quote(
    merchant: String,
    #[server(default)] invoices: Vec<String>,
    #[server(default)] budget: String,
    #[server(default)] count: String,
    #[server(default)] frequency: String,
    #[server(default)] first: String,
) -> Result<PlanQuoteView, AppError> {
    use crate::backend as edge;
    use kassa_core::services::plans::{self, Ask, PlanAsk};
    use kassa_core::services::records;
    use kassa_domain::plan::Frequency;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let numbers = crate::portal::invoice_numbers(&invoices)?;
            let lang = crate::i18n::lang();
            let reviewing = !count.trim().is_empty();
            let ask = if reviewing {
                Some(Ask::Instalments { count: count.clone(), frequency: frequency.clone() })
            } else if !budget.trim().is_empty() {
                Some(Ask::PerMonth { amount: budget.clone(), decimal: crate::money::decimal_separator(lang) })
            } else {
                None
            };
            let asked = PlanAsk { invoices: numbers.clone(), first: first.clone(), ask };
            // A refused ask (an amount or date that does not read) shows the page as it was,
            // with why; a refusal of the invoices themselves is the page's error.
            let (quote, problem) = match plans::quote(&ctx, &who, asked).await {
                Ok(quote) => (quote, None),
                Err(kassa_core::Error::Problem(p)) => {
                    let bare = PlanAsk { invoices: numbers, first: String::new(), ask: None };
                    (plans::quote(&ctx, &who, bare).await?, Some(crate::words::problem(&p)))
                }
                Err(e) => return Err(e.into()),
            };
            let branding = edge::branding(&records::merchant_by_id(&ctx.pool, &who.debtor()?.merchant).await?);
            let chosen: Vec<String> = quote.invoices.iter().map(|(n, _)| n.to_string()).collect();
            let currency = quote.principal.currency();
            let offers = quote
                .offers
                .iter()
                .map(|offer| {
                    let schedule = &offer.schedule;
                    let first = schedule.instalments.first().map(|i| i.due).unwrap_or(quote.first);
                    let count = schedule.instalments.len().to_string();
                    let extra =
                        [("count", count.as_str()), ("frequency", schedule.frequency.as_str()), ("first", &iso(first))];
                    PlanOfferView {
                        frequency: schedule.frequency.as_str().to_string(),
                        frequency_words: crate::words::plan_frequency(lang, schedule.frequency),
                        count: u32::try_from(schedule.instalments.len()).unwrap_or(0),
                        first,
                        instalments: schedule.instalments.iter().map(|i| (i.due, i.amount)).collect(),
                        charge: schedule.charge,
                        total: schedule.total(),
                        summary: crate::words::plan_summary(lang, schedule),
                        breaches: offer
                            .breaches
                            .iter()
                            .map(|b| crate::words::plan_breach(lang, *b, currency))
                            .collect(),
                        href: plan_href(&branding.slug, &chosen, &extra),
                    }
                })
                .collect();
            let frequency = Frequency::parse(frequency.trim())
                .or(quote.frequencies.first().copied())
                .map(|f| f.as_str().to_string())
                .unwrap_or_default();
            Ok(PlanQuoteView {
                merchant: branding,
                invoices: quote.invoices.iter().map(|(n, m)| (n.to_string(), *m)).collect(),
                principal: quote.principal,
                first: quote.first,
                earliest: quote.earliest,
                latest: quote.latest,
                frequencies: Frequency::ALL
                    .iter()
                    .map(|f| (f.as_str().to_string(), crate::words::plan_frequency(lang, *f)))
                    .collect(),
                max_instalments: quote.max_instalments,
                budget,
                count,
                frequency,
                offers,
                reviewing: reviewing && problem.is_none(),
                problem,
                accepted_at_once: quote.accepted_at_once,
                key: kassa_core::db::new_id(),
            })
        }
        .await,
    )
}

/// The debtor confirms the schedule they checked (recomputed on the server from the same
/// invoices, count, frequency and first date); on to the plan's agreement.
#[server(endpoint = "propose_plan")]
pub async fn propose_plan(
    merchant: String,
    #[server(default)] invoices: Vec<String>,
    count: String,
    frequency: String,
    first: String,
    plan_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::plans::{self, ProposePlan};
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let numbers = crate::portal::invoice_numbers(&invoices)?;
            let cmd = ProposePlan { invoices: numbers, first, frequency, count, key: plan_key };
            let plan = plans::propose(&ctx, &who, cmd).await?;
            let next = format!("/p/{merchant}/plans/{}", plan.id);
            edge::redirect(&next)?;
            Ok(next)
        }
        .await,
    )
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let merchant = param("merchant");
    let query = leptos_router::hooks::use_query_map();
    let propose = ServerAction::<ProposePlan>::new();
    let quote = Resource::new(
        move || {
            let q = query.read();
            let one = |name: &str| q.get(name).unwrap_or_default();
            (
                merchant(),
                q.get_all("invoice").unwrap_or_default(),
                one("budget"),
                one("count"),
                one("frequency"),
                one("first"),
            )
        },
        |(m, invoices, budget, count, frequency, first)| load_plan_quote(m, invoices, budget, count, frequency, first),
    );
    portal_page(quote, t().loading(), move |q| view! { <QuoteView q propose/> })
}

#[component]
fn QuoteView(q: PlanQuoteView, propose: ServerAction<ProposePlan>) -> impl IntoView {
    let w = t();
    let slug = q.merchant.slug.clone();
    let here = format!("/p/{slug}/plan");
    let currency = q.principal.currency().code().to_string();
    let chosen: Vec<String> = q.invoices.iter().map(|(n, _)| n.clone()).collect();
    // The chosen invoices ride along in each GET form.
    let hidden =
        move || chosen.iter().map(|n| view! { <input type="hidden" name="invoice" value=n.clone()/> }).collect_view();
    let problem = q.problem.clone().map(|p| view! { <p role="alert" class="form-error">{p}</p> });
    let review = (q.reviewing)
        .then(|| q.offers.first().cloned())
        .flatten()
        .map(|offer| view! { <Review offer q=q.clone() propose/> });
    let offers = (!q.reviewing && !q.budget.trim().is_empty() && q.problem.is_none()).then(|| {
        if q.offers.is_empty() {
            view! { <p class="notice" data-testid="plan-offers-none">{w.plan_offers_none()}</p> }.into_any()
        } else {
            view! {
                <h3>{w.plan_offers_title()}</h3>
                <ul class="offers">
                    {q.offers.iter().map(|o| view! {
                        <li>
                            <strong>{o.summary.clone()}</strong>
                            " · " {w.plan_total()} " " {money(o.total)}
                            " · " <a href=o.href.clone()>{w.plan_check()}</a>
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        }
    });
    view! {
        <Title text=w.plan_title()/>
        <PortalFrame branding=q.merchant.clone()>
            <p><a href=format!("/p/{slug}")>{w.back_to_invoices()}</a></p>
            <h1>{w.plan_title()}</h1>
            <p>{w.plan_intro()}</p>
            <div class="table-scroll">
                <table class="stack">
                    <caption>{w.plan_invoices()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{w.col_invoice()}</th>
                            <th scope="col" class="num">{w.col_amount()}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {q.invoices.iter().map(|(n, m)| view! {
                            <tr>
                                <th scope="row"><a href=format!("/p/{slug}/invoices/{n}")>{n.clone()}</a></th>
                                <td class="num" data-label=w.col_amount()>{money(*m)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="total-line" data-testid="plan-to-spread">{w.plan_to_spread(money(q.principal))}</p>
            {problem}
            {review}
            <section class="pay" aria-labelledby="budget-title">
                <h2 id="budget-title">{w.plan_budget_title()}</h2>
                <form method="get" action=here.clone()>
                    {hidden.clone()}
                    <label for="plan-budget">{w.plan_budget(&currency)}</label>
                    <input id="plan-budget" name="budget" inputmode="decimal" autocomplete="off" required
                        value=q.budget.clone()/>
                    <button type="submit">{w.plan_budget_submit()}</button>
                </form>
                {offers}
            </section>
            <section class="pay" aria-labelledby="count-title">
                <h2 id="count-title">{w.plan_count_title()}</h2>
                <form method="get" action=here>
                    {hidden}
                    <label for="plan-count">{w.plan_count(q.max_instalments)}</label>
                    <input id="plan-count" name="count" type="number" min="1" max="60" required value=q.count.clone()/>
                    <label for="plan-frequency">{w.plan_frequency()}</label>
                    <select id="plan-frequency" name="frequency">
                        {q.frequencies.iter().map(|(code, words)| view! {
                            <option value=code.clone() selected=*code == q.frequency>{words.clone()}</option>
                        }).collect_view()}
                    </select>
                    <label for="plan-first">{w.plan_first()}</label>
                    <input id="plan-first" name="first" type="date" required value=iso(q.first)
                        min=iso(q.earliest) max=iso(q.latest)/>
                    <button type="submit">{w.plan_count_submit()}</button>
                </form>
            </section>
        </PortalFrame>
    }
}

/// One schedule whole, and the form that confirms it.
#[component]
fn Review(offer: PlanOfferView, q: PlanQuoteView, propose: ServerAction<ProposePlan>) -> impl IntoView {
    let w = t();
    let error = move || propose.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let terms = if !offer.breaches.is_empty() {
        w.plan_outside_terms(offer.breaches.join("; "))
    } else if q.accepted_at_once {
        w.plan_within_terms()
    } else {
        w.plan_within_terms_staff()
    };
    let instalments = offer
        .instalments
        .iter()
        .enumerate()
        .map(|(n, (due, amount))| crate::model::InstalmentView {
            seq: u32::try_from(n + 1).unwrap_or(0),
            due: *due,
            amount: *amount,
            paid: false,
            late: false,
        })
        .collect();
    let another = plan_href(&q.merchant.slug, &q.invoices.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(), &[]);
    view! {
        <section class="pay review" aria-labelledby="review-title">
            <h2 id="review-title">{w.plan_review_title()}</h2>
            <dl class="facts">
                <dt>{w.plan_how_often()}</dt><dd>{offer.frequency_words.clone()}</dd>
                <dt>{w.fact_principal()}</dt><dd>{money(q.principal)}</dd>
                {offer.charge.is_positive().then(|| view! {
                    <dt>{w.plan_charge()}</dt><dd data-testid="plan-charge">{money(offer.charge)}</dd>
                })}
                <dt>{w.plan_total()}</dt><dd data-testid="plan-total">{money(offer.total)}</dd>
            </dl>
            <InstalmentTable caption=offer.summary.clone() instalments/>
            <p data-testid="plan-terms">{terms}</p>
            <ActionForm action=propose>
                <input type="hidden" name="merchant" value=q.merchant.slug.clone()/>
                {q.invoices.iter().enumerate().map(|(n, (number, _))| view! {
                    <input type="hidden" name=format!("invoices[{n}]") value=number.clone()/>
                }).collect_view()}
                <input type="hidden" name="count" value=offer.count.to_string()/>
                <input type="hidden" name="frequency" value=offer.frequency.clone()/>
                <input type="hidden" name="first" value=iso(offer.first)/>
                <input type="hidden" name="plan_key" value=q.key.clone()/>
                {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                <button type="submit" class="button-primary" disabled=move || propose.pending().get()>
                    {w.plan_confirm()}
                </button>
            </ActionForm>
            <p><a href=another>{w.plan_choose_another()}</a></p>
        </section>
    }
}

#[server(endpoint = "load_plan_agreement")]
pub async fn load_plan_agreement(merchant: String, id: String) -> Result<PlanAgreementView, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{plans, records};
    use kassa_domain::plan::{PlanStatus, Standing};
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let p = plans::get(&ctx, &who, &id).await?;
            let m = records::merchant_by_id(&ctx.pool, &who.debtor()?.merchant).await?;
            let debit = kassa_core::services::mandates::debit(&ctx, &m, &p).await?;
            // Shown only while the plan runs: a closed plan collects nothing.
            let mandate = debit.mandate.as_ref().filter(|_| p.status == PlanStatus::Active);
            let today = m.today()?;
            let lang = crate::i18n::lang();
            let currency = p.total.currency();
            let next = match (p.status, p.standing(today)) {
                (PlanStatus::Active, Standing::OnTrack { next, missing }) => Some((missing, next)),
                (PlanStatus::Active, Standing::Late { due, missing } | Standing::Broken { due, missing }) => {
                    Some((missing, due))
                }
                _ => None,
            };
            Ok(PlanAgreementView {
                id: p.id.clone(),
                status: p.status.as_str().to_string(),
                status_words: crate::words::plan_status(lang, p.status),
                explained: crate::words::plan_explained(lang, p.status),
                invoices: p.invoices.iter().map(|(n, m)| (n.to_string(), *m)).collect(),
                principal: p.principal,
                charge: p.charge,
                total: p.total,
                paid: p.paid,
                remaining: p.remaining(),
                frequency: crate::words::plan_frequency(lang, p.frequency),
                instalments: crate::plans_admin::instalments(&p, today),
                next,
                breaches: p.breaches.iter().map(|b| crate::words::plan_breach(lang, *b, currency)).collect(),
                decision_reason: p.decision_reason.clone(),
                charge_invoice: p.charge_invoice.as_ref().map(ToString::to_string),
                proposed: crate::dates::moment(p.created_at, &m.time_zone),
                pay_key: kassa_core::db::new_id(),
                debit: DebitView {
                    status: mandate.map_or("none", |d| d.status.as_str()).to_string(),
                    words: crate::words::debit_for_debtor(lang, mandate),
                    offered: debit.offered,
                },
                merchant: edge::branding(&m),
            })
        }
        .await,
    )
}

/// Pays what the plan asks for now (its next instalment, any missed one included) with one
/// payment over its invoices; on as any payment goes (receipt, gateway, or its page).
#[server(endpoint = "pay_plan_instalment")]
pub async fn pay_plan_instalment(merchant: String, plan: String, pay_key: String) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::payments::{self, PayInstalment};
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let paying = payments::pay_instalment(&ctx, &who, PayInstalment { plan, key: pay_key }).await?;
            crate::portal::onwards(&merchant, paying)
        }
        .await,
    )
}

/// Starts setting up direct debit for the debtor's plan: on to the mandate form
/// (`/p/{merchant}/plans/{plan}/debit`, where Stripe's fields take the IBAN).
#[server(endpoint = "setup_plan_debit")]
pub async fn setup_plan_debit(merchant: String, plan: String) -> Result<String, AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            kassa_core::services::mandates::start(&ctx, &who, &plan).await?;
            let next = format!("/p/{merchant}/plans/{plan}/debit");
            edge::redirect(&next)?;
            Ok(next)
        }
        .await,
    )
}

/// The debtor stops direct debit for their plan; back to its page.
#[server(endpoint = "stop_plan_debit")]
pub async fn stop_plan_debit(merchant: String, plan: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            kassa_core::services::mandates::stop(&ctx, &who, &plan).await?;
            edge::redirect(&format!("/p/{merchant}/plans/{plan}"))?;
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn AgreementPage() -> impl IntoView {
    let merchant = param("merchant");
    let id = param("id");
    let pay = ServerAction::<PayPlanInstalment>::new();
    let debit =
        DebitActions { setup: ServerAction::<SetupPlanDebit>::new(), stop: ServerAction::<StopPlanDebit>::new() };
    let agreement = Resource::new(
        move || (merchant(), id(), pay.version().get(), debit.stop.version().get()),
        |(m, id, _, _)| load_plan_agreement(m, id),
    );
    portal_page(agreement, t().loading(), move |a| view! { <Agreement a pay debit/> })
}

#[derive(Clone, Copy)]
struct DebitActions {
    setup: ServerAction<SetupPlanDebit>,
    stop: ServerAction<StopPlanDebit>,
}

/// Direct debit on the plan's page: where it stands, and setting it up, going on with it or
/// stopping it (plain forms: they work without JavaScript up to Stripe's own form).
#[component]
fn Debit(d: DebitView, slug: String, plan: String, actions: DebitActions) -> impl IntoView {
    let w = t();
    let error = move || {
        actions
            .setup
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| actions.stop.value().get().and_then(|r| r.err()))
            .map(|e| e.to_string())
    };
    let DebitView { status, words, offered } = d;
    let may_set_up = offered && matches!(status.as_str(), "none" | "failed" | "stopped");
    let shown = may_set_up || status != "none";
    let action = match status.as_str() {
        "active" => Some(
            view! {
                <ActionForm action=actions.stop>
                    <input type="hidden" name="merchant" value=slug.clone()/>
                    <input type="hidden" name="plan" value=plan.clone()/>
                    <button type="submit">{w.plan_debit_stop()}</button>
                </ActionForm>
            }
            .into_any(),
        ),
        "pending" => Some(
            view! {
                <p class="account-links"><a href=format!("/p/{slug}/plans/{plan}/debit")>{w.plan_debit_continue()}</a></p>
            }
            .into_any(),
        ),
        _ if may_set_up => Some(
            view! {
                <p>{w.plan_debit_offer()}</p>
                <ActionForm action=actions.setup>
                    <input type="hidden" name="merchant" value=slug.clone()/>
                    <input type="hidden" name="plan" value=plan.clone()/>
                    <button type="submit" disabled=move || actions.setup.pending().get()>
                        {w.plan_debit_set_up()}
                    </button>
                </ActionForm>
            }
            .into_any(),
        ),
        _ => None,
    };
    shown.then(|| {
        view! {
            <section aria-labelledby="debit-title" data-testid="plan-debit" data-status=status>
                <h2 id="debit-title">{w.plan_debit_title()}</h2>
                {(!words.is_empty()).then(|| view! { <p>{words}</p> })}
                {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                {action}
            </section>
        }
    })
}

#[component]
fn Agreement(a: PlanAgreementView, pay: ServerAction<PayPlanInstalment>, debit: DebitActions) -> impl IntoView {
    let w = t();
    let slug = a.merchant.slug.clone();
    let error = move || pay.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let (form_slug, form_plan) = (slug.clone(), a.id.clone());
    let pay_form = a.next.map(move |(amount, by)| {
        view! {
            <section class="pay" aria-labelledby="next-title">
                <h2 id="next-title" data-testid="plan-next">{w.plan_next(money(amount), crate::dates::date(by))}</h2>
                <ActionForm action=pay>
                    <input type="hidden" name="merchant" value=form_slug/>
                    <input type="hidden" name="plan" value=form_plan/>
                    <input type="hidden" name="pay_key" value=a.pay_key.clone()/>
                    {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                    <button type="submit" class="button-primary" disabled=move || pay.pending().get()>
                        {w.plan_pay_now(money(amount))}
                    </button>
                </ActionForm>
            </section>
        }
    });
    let invoices = a.invoices.iter().map(|(n, m)| format!("{n} ({})", money(*m))).collect::<Vec<_>>().join(", ");
    view! {
        <Title text=w.plan_agreement_title()/>
        <PortalFrame branding=a.merchant.clone()>
            <p><a href=format!("/p/{slug}")>{w.back_to_invoices()}</a></p>
            <h1>{w.plan_agreement_title()}</h1>
            <p class="notice" data-testid="plan-status" data-status=a.status.clone()>
                <strong>{a.status_words}</strong>" · "{a.explained}
            </p>
            <dl class="facts">
                <dt>{w.plan_invoices()}</dt><dd>{invoices}</dd>
                <dt>{w.fact_principal()}</dt><dd>{money(a.principal)}</dd>
                {a.charge.is_positive().then(|| view! { <dt>{w.plan_charge()}</dt><dd>{money(a.charge)}</dd> })}
                <dt>{w.plan_total()}</dt><dd>{money(a.total)}</dd>
                <dt>{w.plan_paid_so_far()}</dt><dd data-testid="plan-paid">{money(a.paid)}</dd>
                <dt>{w.plan_remaining()}</dt><dd>{money(a.remaining)}</dd>
                <dt>{w.plan_how_often()}</dt><dd>{a.frequency}</dd>
                <dt>{w.plan_proposed_at()}</dt><dd>{a.proposed}</dd>
                {a.decision_reason.map(|r| view! { <dt>{w.plan_reason()}</dt><dd>{r}</dd> })}
                {a.charge_invoice.map(|n| view! {
                    <dt>{w.plan_charge_invoice()}</dt>
                    <dd><a href=format!("/p/{slug}/invoices/{n}")>{n.clone()}</a></dd>
                })}
            </dl>
            {pay_form}
            <Debit d=a.debit.clone() slug=slug.clone() plan=a.id.clone() actions=debit/>
            <InstalmentTable caption=w.plan_instalments_caption() instalments=a.instalments/>
            <p><a class="download" href=format!("/p/{slug}/plans/{}/pdf", a.id) download>{w.download_plan_pdf()}</a></p>
        </PortalFrame>
    }
}
