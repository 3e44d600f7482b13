//! The debtor portal: the invoice list with what is due, one invoice with its lines and the
//! pay form, and the receipt. The pay form is an `ActionForm` outside any island: a plain form
//! post that redirects to the receipt, or back to the invoice with the reason it failed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{loaded_page, ErrorPage, LanguageMenu, MerchantTestBanner, PortalFrame, StatusBadge};
use crate::error::AppError;
use crate::i18n::t;
use crate::islands::PickInvoices;
use crate::model::*;
use crate::money::money;

#[server(endpoint = "load_portal")]
pub async fn load_portal(
    merchant: String,
    #[server(default)] show: String,
    #[server(default)] page: u32,
) -> Result<PortalOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::listing::Show;
    edge::with_status(
        async {
            let (ctx, who, merchant) = edge::debtor_and_merchant(&merchant).await?;
            let account = kassa_core::services::portal::account(&ctx, &who, merchant, Show::parse(&show), page).await?;
            let (lang, slug) = (crate::i18n::lang(), account.merchant.slug.to_string());
            let activity = account
                .activity
                .iter()
                .map(|a| ActivityLine {
                    date: a.date,
                    label: crate::words::statement_entry(lang, &a.kind, a.amount),
                    href: crate::statement::entry_href(&slug, &a.kind),
                    amount: kassa_domain::Money::from_minor(a.amount.minor().saturating_abs(), a.amount.currency()),
                })
                .collect();
            let plans = account
                .plans
                .iter()
                .map(|p| PlanLink {
                    href: format!("/p/{slug}/plans/{}", p.id),
                    label: format!(
                        "{} · {}",
                        crate::words::plan_summary(lang, &p.schedule()),
                        crate::words::plan_status(lang, p.status)
                    ),
                })
                .collect();
            Ok(PortalOverview {
                plans,
                plans_offered: account.plans_offered,
                merchant: edge::branding(&account.merchant),
                customer_name: account.customer_name,
                totals: account.totals.iter().map(|t| CurrencyTotals { due: t.open, overdue: t.overdue }).collect(),
                credit: account.credit,
                invoices: account.invoices.invoices.iter().map(|(_, i)| edge::summary(i)).collect(),
                list: edge::list_page(&account.invoices),
                has_statement: who.debtor()?.invoice.is_none(),
                activity,
            })
        }
        .await,
    )
}

/// A merchant's public face (name, logo, test mode) by its slug, for the portal pages that
/// have no signed-in account: errors and signed out. Nothing here is secret: the same shows
/// on any pay link's page.
#[server(endpoint = "load_branding")]
pub async fn load_branding(merchant: String) -> Result<Branding, AppError> {
    use crate::backend as edge;
    let ctx = edge::ctx("portal")?;
    let slug = kassa_domain::MerchantSlug::parse(&merchant).map_err(|_| AppError::NotFound)?;
    let merchant = kassa_core::services::records::merchant_by_slug(&ctx.pool, &slug).await?;
    Ok(edge::branding(&merchant))
}

#[server(endpoint = "load_invoice")]
pub async fn load_invoice(merchant: String, number: String) -> Result<InvoiceDetail, AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let number = kassa_domain::InvoiceNumber::parse(&number).map_err(|_| AppError::NotFound)?;
            let detail = kassa_core::services::portal::invoice(&ctx, &who, &number).await?;
            let lang = crate::i18n::lang();
            let disputes = detail
                .disputes
                .iter()
                .map(|d| {
                    let (outcome, credited) = crate::words::dispute_resolution(lang, d);
                    DisputeView {
                        id: d.id.clone(),
                        reason: crate::words::dispute_reason(lang, d.reason),
                        status: crate::words::dispute_status(lang, d.status),
                        amount: d.amount,
                        lines: d.lines.iter().map(|l| l.description.clone()).collect(),
                        open: d.status != kassa_domain::dispute::DisputeStatus::Resolved,
                        outcome,
                        credited,
                        reply_key: kassa_core::db::new_id(),
                        files: crate::words::dispute_files(
                            &format!("/p/{}/disputes/{}", detail.merchant.slug, d.id),
                            &d.files,
                        ),
                        messages: d
                            .messages
                            .iter()
                            .map(|m| {
                                let who = crate::words::dispute_author(lang, &m.author, &detail.merchant.name);
                                (who, crate::dates::moment(m.created_at, &detail.merchant.time_zone), m.body.clone())
                            })
                            .collect(),
                    }
                })
                .collect();
            Ok(InvoiceDetail {
                merchant: edge::branding(&detail.merchant),
                customer_name: detail.customer_name,
                invoice: edge::summary(&detail.invoice),
                lines: detail
                    .lines
                    .into_iter()
                    .map(|l| LineView {
                        position: l.position,
                        description: l.description,
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        amount: l.amount,
                    })
                    .collect(),
                paid: detail.invoice.paid,
                pay_key: kassa_core::db::new_id(),
                promise: detail.promise.map(|p| PromiseView { amount: p.amount, date: p.date }),
                promise_dates: detail.promise_dates,
                promise_key: kassa_core::db::new_id(),
                disputed: detail.invoice.disputed,
                collectable: detail.invoice.collectable,
                dispute_key: kassa_core::db::new_id(),
                dispute_reasons: kassa_domain::dispute::DisputeReason::ALL
                    .iter()
                    .map(|r| (r.as_str().to_string(), crate::words::dispute_reason(lang, *r)))
                    .collect(),
                disputes,
                dispute_draft: edge::take_once::<DisputeDraft>(DISPUTE_DRAFT_KEY).await,
                plan: detail.plan.as_ref().map(|(id, status)| PlanLink {
                    href: format!("/p/{}/plans/{id}", detail.merchant.slug),
                    label: crate::words::plan_status(lang, *status),
                }),
                plan_href: detail.plan_offered.then(|| {
                    crate::plans::plan_href(detail.merchant.slug.as_str(), &[detail.invoice.number.to_string()], &[])
                }),
                dispute_files_limit: {
                    use kassa_core::services::disputes::{MAX_FILES, MAX_FILE_BYTES};
                    (MAX_FILES as u32, (MAX_FILE_BYTES / (1024 * 1024)) as u32)
                },
                transfer: detail.transfer.map(edge::transfer_view),
                settlements: detail
                    .settlements
                    .into_iter()
                    .map(|line| {
                        use kassa_core::services::portal::SettlementKind;
                        let receipt = match &line.kind {
                            SettlementKind::Payment { payment, .. } if line.amount.is_positive() => {
                                Some(payment.to_string())
                            }
                            _ => None,
                        };
                        SettlementLine {
                            label: crate::words::settlement(&line.kind, line.amount.is_negative()),
                            at: crate::dates::moment(line.at, &detail.merchant.time_zone),
                            amount: line.amount,
                            receipt,
                        }
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// A debtor's form about one of their invoices: the context, the debtor, the invoice's number
/// (a malformed one is not found) and the decimal mark of the page's language.
async fn invoice_form(
    merchant: &str,
    number: &str,
) -> Result<(kassa_core::Ctx, kassa_core::Principal, kassa_domain::InvoiceNumber, char), AppError> {
    let (ctx, who) = crate::backend::debtor(merchant).await?;
    let number = kassa_domain::InvoiceNumber::parse(number).map_err(|_| AppError::NotFound)?;
    Ok((ctx, who, number, crate::money::decimal_separator(crate::i18n::lang())))
}

/// Back to the invoice's page after a form about it.
fn back_to_invoice(merchant: &str, number: &str) -> Result<String, AppError> {
    let back = format!("/p/{merchant}/invoices/{number}");
    crate::backend::redirect(&back)?;
    Ok(back)
}

#[server(endpoint = "pay_invoice")]
pub async fn pay_invoice(
    merchant: String,
    number: String,
    amount: String,
    pay_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::payments::{self, PayInvoice};
    edge::with_status(
        async {
            let (ctx, who, number, decimal) = invoice_form(&merchant, &number).await?;
            let paying = payments::pay(
                &ctx,
                &who,
                PayInvoice { number, amount, decimal, key: pay_key, back: Default::default() },
            )
            .await?;
            onwards(&merchant, paying)
        }
        .await,
    )
}

/// The debtor promises to pay the invoice by `date` (`amount`, typed in their language, or
/// all it owes when empty); back to the invoice, which shows the promise.
#[server(endpoint = "promise_to_pay")]
pub async fn promise_to_pay(
    merchant: String,
    number: String,
    date: String,
    #[server(default)] amount: String,
    promise_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::promises::{self, MakePromise};
    edge::with_status(
        async {
            let (ctx, who, invoice, decimal) = invoice_form(&merchant, &number).await?;
            let cmd = MakePromise { invoices: vec![invoice], date, amount: Some(amount), decimal, key: promise_key };
            promises::make(&ctx, &who, cmd).await?;
            back_to_invoice(&merchant, &number)
        }
        .await,
    )
}

/// The debtor answers staff in one of the invoice's disputes (not resolved); back to the
/// invoice, which shows the thread.
#[server(endpoint = "answer_my_dispute")]
pub async fn answer_my_dispute(
    merchant: String,
    number: String,
    dispute: String,
    message: String,
    reply_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::disputes::{self, Reply};
    edge::with_status(
        async {
            let (ctx, who, _, _) = invoice_form(&merchant, &number).await?;
            disputes::reply(&ctx, &who, Reply { dispute, body: message, internal: false, key: reply_key }).await?;
            back_to_invoice(&merchant, &number)
        }
        .await,
    )
}

#[server(endpoint = "load_selection")]
pub async fn load_selection(
    merchant: String,
    #[server(default)] invoices: Vec<String>,
    currency: Option<String>,
) -> Result<SelectionView, AppError> {
    use crate::backend as edge;
    use kassa_core::services::portal;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let choice = choice(invoices, currency)?;
            let chosen = portal::selection(&ctx, &who, &choice).await?;
            // Each row says what it asks for: its balance less what disputes hold.
            let asked = |i: &kassa_core::services::records::InvoiceState| crate::model::InvoiceSummary {
                balance: i.collectable,
                ..edge::summary(i)
            };
            Ok(SelectionView {
                merchant: edge::branding(&chosen.merchant),
                invoices: chosen.invoices.iter().map(asked).collect(),
                total: chosen.total,
                pay_key: kassa_core::db::new_id(),
            })
        }
        .await,
    )
}

/// What the debtor chose, from the selection form: invoice numbers, or all in a currency.
#[cfg(feature = "ssr")]
fn choice(invoices: Vec<String>, currency: Option<String>) -> Result<kassa_core::services::portal::Choice, AppError> {
    use kassa_core::services::portal::Choice;
    use kassa_domain::{Currency, Problem};
    if let Some(code) = currency.filter(|c| !c.trim().is_empty()) {
        let currency = Currency::parse(&code).map_err(|_| Problem::UnknownCurrency { input: code.clone() })?;
        return Ok(Choice::AllIn(currency));
    }
    Ok(Choice::Numbers(invoice_numbers(&invoices)?))
}

/// Invoice numbers as a form sent them; one that cannot be a number is an unknown invoice.
#[cfg(feature = "ssr")]
pub(crate) fn invoice_numbers(invoices: &[String]) -> Result<Vec<kassa_domain::InvoiceNumber>, AppError> {
    use kassa_domain::{InvoiceNumber, Problem};
    invoices
        .iter()
        .map(|n| InvoiceNumber::parse(n).map_err(|_| Problem::UnknownInvoice { number: n.clone() }.into()))
        .collect()
}

#[server(endpoint = "pay_invoices")]
pub async fn pay_invoices(
    merchant: String,
    #[server(default)] invoices: Vec<String>,
    total: String,
    pay_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::payments::{self, PayInvoices};
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let cmd = PayInvoices { choice: choice(invoices, None)?, total, key: pay_key, back: Default::default() };
            let paying = payments::pay_several(&ctx, &who, cmd).await?;
            onwards(&merchant, paying)
        }
        .await,
    )
}

/// Sends the paying browser on (and tells a script where to): to the payment's receipt, to
/// the gateway's page where the payer must act first, or to the attempt's page while the
/// money is on its way.
#[cfg(feature = "ssr")]
pub(crate) fn onwards(merchant: &str, paying: kassa_core::services::payments::Paying) -> Result<String, AppError> {
    use kassa_core::services::payments::Paying;
    let next = match paying {
        Paying::Paid(payment) => format!("/p/{merchant}/payments/{payment}"),
        Paying::Redirect(url) => {
            crate::backend::redirect_to_gateway(&url)?;
            return Ok(url);
        }
        Paying::Processing(attempt) => format!("/p/{merchant}/pay/return/{attempt}"),
    };
    crate::backend::redirect(&next)?;
    Ok(next)
}

#[server(endpoint = "load_receipt")]
pub async fn load_receipt(merchant: String, payment: String) -> Result<Receipt, AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let payment = kassa_domain::PaymentId::from_raw(payment);
            let r = kassa_core::services::portal::receipt(&ctx, &who, &payment).await?;
            Ok(Receipt {
                merchant: edge::branding(&r.merchant),
                payment_id: r.payment.to_string(),
                paid_at: crate::dates::moment(r.at, &r.merchant.time_zone),
                amount: r.amount,
                method: crate::words::method(&r.method),
                reference: r.reference,
                invoices: r
                    .applied
                    .iter()
                    .map(|(invoice, allocated)| ReceiptInvoice {
                        number: invoice.number.to_string(),
                        allocated: *allocated,
                        balance_after: invoice.balance,
                        status: invoice.status,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[server(endpoint = "portal_logout")]
pub async fn portal_logout(merchant: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            edge::sign_out(&edge::session().await?).await?;
            edge::redirect(&format!("/p/{merchant}/signed-out"))
        }
        .await,
    )
}

/// Where the invoice's page finds a refused dispute form (`DisputeDraft`), once.
pub const DISPUTE_DRAFT_KEY: &str = "kassa.dispute_draft";

pub(crate) fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

#[component]
pub fn PortalHome() -> impl IntoView {
    let merchant = param("merchant");
    let list = crate::components::list_query();
    let overview = Resource::new(move || (merchant(), list()), |(m, (s, p))| load_portal(m, s, p));
    portal_page(overview, t().loading_invoices(), |o| view! { <Overview overview=o/> })
}

#[component]
fn Overview(overview: PortalOverview) -> impl IntoView {
    let w = t();
    let slug = overview.merchant.slug.clone();
    let pay_slug = slug.clone();
    let list = overview.list.clone();
    let (open, settled): (Vec<_>, Vec<_>) = overview.invoices.into_iter().partition(|i| i.balance.is_positive());
    // A section shows when the filter includes it and this page has its invoices, or to say
    // there are none at all.
    let open_section = list.show != "settled" && (!open.is_empty() || list.open == 0 || list.page == 1);
    let settled_section = matches!(list.show.as_str(), "all" | "settled") && (!settled.is_empty() || list.settled == 0);
    let here = format!("/p/{slug}");
    let (plans_offered, spread_slug) = (overview.plans_offered, slug.clone());
    let plans = overview.plans.clone();
    view! {
        <Title text=t().invoices_title(&overview.merchant.name)/>
        <PortalFrame branding=overview.merchant>
            <h1>{t().hello(&overview.customer_name)}</h1>
            <section class="totals" aria-label=t().totals()>
                {overview.totals.into_iter().map(move |t| view! {
                    <div class="total-card">
                        <p class="total-label">{w.due_in(t.due.currency().code())}</p>
                        <p class="total-amount" data-testid="total-due">{money(t.due)}</p>
                        <p class="total-overdue">{w.of_which_overdue()} " " <span data-testid="total-overdue">{money(t.overdue)}</span></p>
                        {t.due.is_positive().then(|| {
                            let code = t.due.currency().to_string();
                            view! {
                                <p><a class="pay-all" href=format!("/p/{pay_slug}/checkout?currency={code}")>
                                    {w.pay_all_in(&code)}
                                </a></p>
                            }
                        })}
                    </div>
                }).collect_view()}
                {overview.credit.into_iter().map(|c| view! {
                    <div class="total-card">
                        <p class="total-label">{w.credit_in(c.currency().code())}</p>
                        <p class="total-amount" data-testid="credit">{money(c)}</p>
                        <p class="total-overdue">{w.credit_explained()}</p>
                    </div>
                }).collect_view()}
            </section>
            {overview.has_statement.then(|| view! {
                <p class="account-links"><a href=format!("/p/{slug}/statement")>{w.statement_link()}</a></p>
            })}
            {(!plans.is_empty()).then(|| view! {
                <section aria-labelledby="plans-title">
                    <h2 id="plans-title">{w.plans_title()}</h2>
                    <ul class="plans">
                        {plans.into_iter().map(|p| view! { <li><a href=p.href>{p.label}</a></li> }).collect_view()}
                    </ul>
                </section>
            })}
            <crate::components::ListFilters base=here.clone() list=list.clone()/>
            {open_section.then(|| view! { <h2>{w.open_invoices()}</h2> })}
            {if !open_section {
                ().into_any()
            } else if open.is_empty() {
                // Overdue only: not overdue is not the same as nothing to pay.
                let empty = if list.show == "overdue" { w.nothing_overdue() } else { w.nothing_to_pay() };
                view! { <p class="empty">{empty}</p> }.into_any()
            } else {
                let checkout = format!("/p/{slug}/checkout");
                let table_slug = slug.clone();
                // The selection island's words (islands take no props: crate::islands).
                view! {
                    <form method="get" action=checkout class="pick-form"
                        data-none=w.selection_none()
                        data-one=w.selection_one("{total}")
                        data-many=w.selection_many("{count}", "{total}")
                        data-mixed=w.selection_mixed()>
                        <PickInvoices>
                            <InvoiceTable slug=table_slug invoices=open pick=true/>
                        </PickInvoices>
                        <div class="button-row">
                            <button type="submit" class="button-primary">{w.pay_selected()}</button>
                            {plans_offered.then(|| view! {
                                <button type="submit" formaction=format!("/p/{spread_slug}/plan")>{w.spread_selected()}</button>
                            })}
                        </div>
                    </form>
                }.into_any()
            }}
            {settled_section.then(|| view! { <h2>{w.settled_invoices()}</h2> })}
            {if !settled_section {
                ().into_any()
            } else if settled.is_empty() {
                view! { <p class="empty">{w.no_settled_invoices()}</p> }.into_any()
            } else {
                view! { <InvoiceTable slug invoices=settled pick=false/> }.into_any()
            }}
            <crate::components::Pager base=here list/>
            <RecentActivity lines=overview.activity/>
        </PortalFrame>
    }
}

/// What happened lately on the account, newest first: a list, not a table, so it reads the
/// same on a phone and to a screen reader.
#[component]
fn RecentActivity(lines: Vec<ActivityLine>) -> impl IntoView {
    let w = t();
    (!lines.is_empty()).then(|| {
        view! {
            <section class="activity" aria-labelledby="activity-title">
                <h2 id="activity-title">{w.recent_activity()}</h2>
                <ul class="activity-list" data-testid="activity">
                    {lines.into_iter().map(|a| view! {
                        <li>
                            <span class="activity-date">{crate::dates::date(a.date)}</span>
                            <span class="activity-what">{match a.href {
                                Some(href) => view! { <a href=href>{a.label}</a> }.into_any(),
                                None => a.label.into_any(),
                            }}</span>
                            <span class="activity-amount num">{money(a.amount)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// A table of invoices; with `pick`, each row has a checkbox (`invoice=<number>`) for the
/// selection form around it.
#[component]
fn InvoiceTable(slug: String, invoices: Vec<InvoiceSummary>, pick: bool) -> impl IntoView {
    let w = t();
    // Each currency's format once (an ICU round trip), not once per checkbox.
    let mut formats: Vec<MoneyFormat> = Vec::new();
    for i in invoices.iter().filter(|_| pick) {
        let currency = i.balance.currency();
        if !formats.iter().any(|f| f.currency == currency.code()) {
            formats.push(crate::money::money_format(crate::i18n::lang(), currency));
        }
    }
    // The cards' labels on a phone, looked up once for every row.
    let (due_label, total_label, balance_label, status_label) =
        (w.col_due_date(), w.col_total(), w.col_balance(), w.col_status());
    view! {
        <div class="table-scroll">
            <table class="invoices stack">
                <thead>
                    <tr>
                        {pick.then(|| view! { <th scope="col"><span class="visually-hidden">{w.select()}</span></th> })}
                        <th scope="col">{w.col_invoice()}</th>
                        <th scope="col">{w.col_due_date()}</th>
                        <th scope="col" class="num">{w.col_total()}</th>
                        <th scope="col" class="num">{w.col_balance()}</th>
                        <th scope="col">{w.col_status()}</th>
                    </tr>
                </thead>
                <tbody>
                    {invoices.into_iter().map(|i| {
                        let href = format!("/p/{}/invoices/{}", slug, i.number);
                        let choose = pick.then(|| {
                            let currency = i.balance.currency();
                            let format =
                                formats.iter().find(|f| f.currency == currency.code()).cloned().unwrap_or_default();
                            view! {
                            <td class="pick">
                                <label>
                                    <input type="checkbox" name="invoice" value=i.number.clone() autocomplete="off"
                                        data-minor=i.balance.minor().to_string()
                                        data-currency=format.currency data-decimals=format.decimals.to_string()
                                        data-prefix=format.prefix data-suffix=format.suffix
                                        data-group=format.group data-decimal=format.decimal/>
                                    <span class="visually-hidden">{w.select_invoice(&i.number)}</span>
                                </label>
                            </td>
                            }
                        });
                        view! {
                            <tr data-invoice=i.number.clone()>
                                {choose}
                                <th scope="row"><a href=href>{i.number.clone()}</a></th>
                                <td data-label=due_label.clone()>{crate::dates::date(i.due_date)}</td>
                                <td class="num" data-label=total_label.clone()>{money(i.total)}</td>
                                <td class="num" data-label=balance_label.clone()>{money(i.balance)}</td>
                                <td data-label=status_label.clone()><StatusBadge status=i.status/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let merchant = param("merchant");
    let number = param("number");
    let pay = ServerAction::<PayInvoice>::new();
    let promise = ServerAction::<PromiseToPay>::new();
    let answer = ServerAction::<AnswerMyDispute>::new();
    // A declined attempt refetches the invoice, which brings a fresh idempotency key.
    let detail = Resource::new(
        move || (merchant(), number(), (pay.version().get(), promise.version().get(), answer.version().get())),
        |(m, n, _)| load_invoice(m, n),
    );
    portal_page(detail, t().loading_invoice(), move |d| view! { <InvoiceView detail=d pay promise answer/> })
}

#[component]
fn InvoiceView(
    detail: InvoiceDetail,
    pay: ServerAction<PayInvoice>,
    promise: ServerAction<PromiseToPay>,
    answer: ServerAction<AnswerMyDispute>,
) -> impl IntoView {
    let w = t();
    let inv = detail.invoice;
    let slug = detail.merchant.slug.clone();
    let can_pay = inv.balance.is_positive();
    let transfer = detail.transfer;
    let form_slug = slug.clone();
    let list_slug = slug.clone();
    let (promise_slug, promise_number, promise_balance) = (slug.clone(), inv.number.clone(), inv.balance);
    let disputing = Disputing {
        slug: slug.clone(),
        number: inv.number.clone(),
        lines: detail.lines.iter().map(|l| (l.position, l.description.clone())).collect(),
        disputes: detail.disputes.clone(),
        disputed: detail.disputed,
        collectable: detail.collectable,
        reasons: detail.dispute_reasons.clone(),
        key: detail.dispute_key.clone(),
        draft: detail.dispute_draft.clone(),
        files_limit: detail.dispute_files_limit,
    };
    // What is asked for now: the balance less what disputes hold.
    let pay_default = detail.collectable;
    let (plan, plan_href) = (detail.plan.clone(), detail.plan_href.clone());
    let pay_error = move || pay.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=w.invoice_title(&inv.number)/>
        <PortalFrame branding=detail.merchant>
            <p><a href=format!("/p/{slug}")>{w.back_to_invoices()}</a></p>
            <h1>{w.invoice_title(&inv.number)} " " <StatusBadge status=inv.status/></h1>
            <dl class="facts">
                <dt>{w.fact_issued()}</dt><dd>{crate::dates::date(inv.issue_date)}</dd>
                <dt>{w.fact_due()}</dt><dd>{crate::dates::date(inv.due_date)}</dd>
                <dt>{w.fact_total()}</dt><dd>{money(inv.total)}</dd>
                <dt>{w.fact_paid()}</dt><dd>{money(detail.paid)}</dd>
                <dt>{w.fact_balance()}</dt><dd data-testid="balance">{money(inv.balance)}</dd>
            </dl>
            <p><a class="download" href=format!("/p/{slug}/invoices/{}/pdf", inv.number) download>
                {w.download_invoice_pdf(&inv.number)}
            </a></p>
            <div class="table-scroll">
                <table class="lines stack">
                    <caption>{w.invoice_lines()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{w.col_description()}</th>
                            <th scope="col" class="num">{w.col_quantity()}</th>
                            <th scope="col" class="num">{w.col_unit_price()}</th>
                            <th scope="col" class="num">{w.col_amount()}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {detail.lines.into_iter().map(|l| view! {
                            <tr>
                                <th scope="row">{l.description}</th>
                                <td class="num" data-label=w.col_quantity()>{l.quantity}</td>
                                <td class="num" data-label=w.col_unit_price()>{money(l.unit_price)}</td>
                                <td class="num" data-label=w.col_amount()>{money(l.amount)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {can_pay.then(move || view! {
                <section class="pay" aria-labelledby="pay-title">
                    <h2 id="pay-title">{w.pay_this_invoice()}</h2>
                    <ActionForm action=pay>
                        <input type="hidden" name="merchant" value=form_slug/>
                        <input type="hidden" name="number" value=inv.number.clone()/>
                        <input type="hidden" name="pay_key" value=detail.pay_key.clone()/>
                        <label for="pay-amount">{w.amount_in(inv.balance.currency().code())}</label>
                        <input id="pay-amount" name="amount" inputmode="decimal" autocomplete="off" required
                            value=crate::money::typed_in(crate::i18n::lang(), pay_default)/>
                        <p role="alert" class="form-error">{pay_error}</p>
                        <button type="submit" class="button-primary" disabled=move || pay.pending().get()>{w.pay_now()}</button>
                    </ActionForm>
                </section>
            })}
            {plan.map(|p| view! {
                <p class="notice" data-testid="in-plan">
                    {w.plan_in_plan()} " " <a href=p.href>{w.plan_view()}</a> " (" {p.label} ")"
                </p>
            })}
            {plan_href.map(|href| view! { <p><a class="spread" href=href>{w.spread_payment()}</a></p> })}
            {transfer.map(|transfer| view! { <TransferSection transfer/> })}
            <PromiseSection slug=promise_slug number=promise_number balance=promise_balance
                made=detail.promise dates=detail.promise_dates key=detail.promise_key action=promise/>
            <DisputeSection disputing answer/>
            {(!detail.settlements.is_empty()).then(move || view! {
                <h2>{w.payments_and_credits()}</h2>
                <ul class="payments">
                    {detail.settlements.into_iter().map(|line| {
                        let text = format!("{} · {} · {}", line.at, money(line.amount), line.label);
                        match line.receipt {
                            Some(id) => {
                                let href = format!("/p/{}/payments/{}", list_slug, id);
                                view! { <li><a href=href>{text}</a></li> }.into_any()
                            }
                            None => view! { <li>{text}</li> }.into_any(),
                        }
                    }).collect_view()}
                </ul>
            })}
        </PortalFrame>
    }
}

/// "Can't pay now?": the promise to pay the invoice is in, or a plain form to make one (a date
/// within the merchant's window, an amount that defaults to all it owes). Works without
/// JavaScript.
#[component]
fn PromiseSection(
    slug: String,
    number: String,
    balance: kassa_domain::Money,
    made: Option<PromiseView>,
    dates: Option<(time::Date, time::Date)>,
    key: String,
    action: ServerAction<PromiseToPay>,
) -> impl IntoView {
    let w = t();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let body = match (made, dates) {
        (Some(made), _) => Some(
            view! {
                <p role="status" data-testid="promise-made">
                    {w.promise_made(money(made.amount), crate::dates::date(made.date))}
                </p>
            }
            .into_any(),
        ),
        (None, Some((first, last))) => Some(
            view! {
                <p>{w.promise_intro(crate::dates::date(last))}</p>
                <ActionForm action=action>
                    <input type="hidden" name="merchant" value=slug/>
                    <input type="hidden" name="number" value=number/>
                    <input type="hidden" name="promise_key" value=key/>
                    <label for="promise-date">{w.promise_date()}</label>
                    <input id="promise-date" type="date" name="date" required
                        min=iso_date(first) max=iso_date(last)/>
                    <label for="promise-amount">{w.promise_amount(balance.currency().code())}</label>
                    <input id="promise-amount" name="amount" inputmode="decimal" autocomplete="off"
                        aria-describedby="promise-amount-hint" value=crate::money::typed_in(crate::i18n::lang(), balance)/>
                    <p id="promise-amount-hint" class="hint">{w.promise_amount_hint()}</p>
                    // Only when there is one: the pay form above holds the page's standing alert.
                    {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                    <button type="submit" disabled=move || action.pending().get()>{w.promise_submit()}</button>
                </ActionForm>
            }
            .into_any(),
        ),
        (None, None) => None,
    };
    body.map(|body| {
        view! {
            <section class="pay promise" aria-labelledby="promise-title">
                <h2 id="promise-title">{w.promise_title()}</h2>
                {body}
            </section>
        }
    })
}

/// What the dispute section shows and sends.
struct Disputing {
    slug: String,
    number: String,
    /// (position, description) of each line.
    lines: Vec<(u32, String)>,
    disputes: Vec<DisputeView>,
    disputed: kassa_domain::Money,
    collectable: kassa_domain::Money,
    reasons: Vec<(String, String)>,
    key: String,
    /// The form as it was last sent, refused.
    draft: Option<DisputeDraft>,
    /// The most files, and the most megabytes each.
    files_limit: (u32, u32),
}

/// The invoice's disputes with their threads, what they hold out of collection, and (while
/// something is open and undisputed) a plain form to dispute the invoice or chosen lines.
#[component]
fn DisputeSection(disputing: Disputing, answer: ServerAction<AnswerMyDispute>) -> impl IntoView {
    let w = t();
    let answer_error = move || answer.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let Disputing { slug, number, lines, disputes, disputed, collectable, reasons, key, draft, files_limit } =
        disputing;
    let (answer_slug, answer_number) = (slug.clone(), number.clone());
    let held = disputed.is_positive().then(|| {
        view! { <p class="notice" data-testid="dispute-held">{w.dispute_held(money(disputed), money(collectable))}</p> }
    });
    let listed = (!disputes.is_empty()).then(|| {
        view! {
            <h2>{w.disputes_title()}</h2>
            <ul class="disputes">
                {disputes.into_iter().map(|d| {
                    let reply_id = format!("dispute-reply-{}", d.id);
                    let (answer_slug, answer_number) = (answer_slug.clone(), answer_number.clone());
                    let reply = d.open.then(move || view! {
                        <ActionForm action=answer>
                            <input type="hidden" name="merchant" value=answer_slug/>
                            <input type="hidden" name="number" value=answer_number/>
                            <input type="hidden" name="dispute" value=d.id.clone()/>
                            <input type="hidden" name="reply_key" value=d.reply_key.clone()/>
                            <label for=reply_id.clone()>{w.dispute_reply()}</label>
                            <textarea id=reply_id name="message" required maxlength="4000" rows="3"></textarea>
                            {move || answer_error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                            <button type="submit" disabled=move || answer.pending().get()>{w.dispute_reply_submit()}</button>
                        </ActionForm>
                    });
                    view! {
                        <li data-testid="dispute">
                            <p>{w.dispute_summary(money(d.amount), d.reason, d.status)}</p>
                            {(!d.lines.is_empty()).then(|| view! { <p class="hint">{d.lines.join(", ")}</p> })}
                            {(!d.files.is_empty()).then(|| view! {
                                <ul class="files">
                                    {d.files.into_iter().map(|(href, label)| view! {
                                        <li><a href=href download>{label}</a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                            {d.outcome.map(|o| view! { <p data-testid="dispute-outcome"><strong>{o}</strong></p> })}
                            {d.credited.map(|c| view! { <p>{c}</p> })}
                            <ul class="thread">
                                {d.messages.into_iter().map(|(who, at, body)| view! {
                                    <li><strong>{who}</strong>" · "{at}<br/>{body}</li>
                                }).collect_view()}
                            </ul>
                            {reply}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    });
    let form = collectable.is_positive().then(|| {
        let currency = collectable.currency().code().to_string();
        let draft = draft.unwrap_or_default();
        let refused = !draft.error.is_empty();
        let action = format!("/p/{slug}/invoices/{number}/dispute");
        // A plain multipart form (it carries files): it works without JavaScript, and a
        // refused one comes back filled in as it was sent, with what was wrong.
        view! {
            <details class="pay dispute" id="dispute" open=refused>
                <summary>{w.dispute_title()}</summary>
                <p>{w.dispute_intro()}</p>
                <form method="post" action=action enctype="multipart/form-data">
                    <input type="hidden" name="dispute_key" value=key/>
                    <label for="dispute-reason">{w.dispute_reason()}</label>
                    <select id="dispute-reason" name="reason" required>
                        {reasons.into_iter().map(|(code, words)| {
                            let chosen = code == draft.reason;
                            view! { <option value=code selected=chosen>{words}</option> }
                        }).collect_view()}
                    </select>
                    <fieldset>
                        <legend>{w.dispute_lines()}</legend>
                        {lines.into_iter().enumerate().map(|(i, (position, description))| {
                            let ticked = draft.lines.contains(&position);
                            view! {
                                <label>
                                    <input type="checkbox" name=format!("lines[{i}]") value=position.to_string() checked=ticked/>
                                    " "{description}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <label for="dispute-amount">{w.dispute_amount(&currency)}</label>
                    <input id="dispute-amount" name="amount" inputmode="decimal" autocomplete="off"
                        aria-describedby="dispute-amount-hint" value=draft.amount.clone()/>
                    <p id="dispute-amount-hint" class="hint">{w.dispute_amount_hint()}</p>
                    <label for="dispute-message">{w.dispute_message()}</label>
                    <textarea id="dispute-message" name="message" required maxlength="4000" rows="4">{draft.message.clone()}</textarea>
                    <label for="dispute-files">{w.dispute_files()}</label>
                    <input id="dispute-files" type="file" name="files" multiple
                        accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" aria-describedby="dispute-files-hint"/>
                    <p id="dispute-files-hint" class="hint">{w.dispute_files_hint(files_limit.0, files_limit.1)}</p>
                    {refused.then(|| view! { <p role="alert" class="form-error">{draft.error.clone()}</p> })}
                    <button type="submit">{w.dispute_submit()}</button>
                </form>
            </details>
        }
    });
    view! { <section aria-label=w.disputes_title()>{held}{listed}{form}</section> }
}

/// `2026-12-15`, as a date field's `min`, `max` and value are written in every language.
fn iso_date(date: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// Paying by bank transfer: the account, the amount and the reference to type, and for euros
/// the EPC QR code a banking app scans (drawn on the server). Plain text: it can be selected
/// and copied without JavaScript; with it, a copy button beside the IBAN, the amount and the
/// reference ([`COPY_JS`]).
#[component]
fn TransferSection(transfer: TransferView) -> impl IntoView {
    let w = t();
    let compact = |text: &str| text.split_whitespace().collect::<String>();
    let amount = crate::money::typed_in(crate::i18n::lang(), transfer.amount);
    view! {
        <section class="transfer" aria-labelledby="transfer-title">
            <h2 id="transfer-title">{w.transfer_title()}</h2>
            <div class="transfer-body">
                <dl class="facts">
                    <dt>{w.transfer_beneficiary()}</dt>
                    <dd data-testid="transfer-name">{transfer.account_name}</dd>
                    <dt id="transfer-iban-term">"IBAN"</dt>
                    <dd>
                        <span data-testid="transfer-iban" translate="no">{transfer.iban.clone()}</span>
                        <CopyButton id="iban" value=compact(&transfer.iban) what="IBAN".into()/>
                    </dd>
                    {transfer.bic.map(|bic| view! { <dt>"BIC"</dt><dd translate="no">{bic}</dd> })}
                    <dt id="transfer-amount-term">{w.transfer_amount()}</dt>
                    <dd>
                        <span data-testid="transfer-amount">{money(transfer.amount)}</span>
                        <CopyButton id="amount" value=amount what=w.transfer_amount()/>
                    </dd>
                    {transfer.reference.map(|reference| view! {
                        <dt id="transfer-reference-term">{w.transfer_reference()}</dt>
                        <dd>
                            <span data-testid="transfer-reference" translate="no">{reference.clone()}</span>
                            <CopyButton id="reference" value=compact(&reference) what=w.transfer_reference()/>
                        </dd>
                    })}
                </dl>
                {transfer.qr_svg.map(|svg| view! {
                    <figure class="transfer-qr">
                        <div inner_html=svg></div>
                        <figcaption>{w.transfer_qr_caption()}</figcaption>
                    </figure>
                })}
            </div>
            <p>{w.transfer_reference_advice()}</p>
            <p id="copy-status" class="visually-hidden" role="status"></p>
            <script src=copy_script_path() defer></script>
        </section>
    }
}

/// A button that copies `value` (hidden until [`COPY_JS`] finds a clipboard). Its name is
/// its text and the term it stands beside ("Copy IBAN"); the status line says what was
/// copied.
#[component]
fn CopyButton(id: &'static str, value: String, what: String) -> impl IntoView {
    let w = t();
    let button = format!("copy-{id}");
    view! {
        <button type="button" class="copy" hidden id=button.clone() data-copy=value
            data-copied=w.transfer_copied() data-said=w.transfer_copied_what(what)
            aria-labelledby=format!("{button} transfer-{id}-term")>
            {w.transfer_copy()}
        </button>
    }
}

/// The copy buttons' script, served at [`copy_script_path`].
pub const COPY_JS: &str = include_str!("js/copy.js");

/// Where [`COPY_JS`] is served: named by its content (FNV-1a), so browsers keep it for a year.
pub fn copy_script_path() -> String {
    const fn fnv1a(bytes: &[u8]) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut i = 0;
        while i < bytes.len() {
            hash = (hash ^ bytes[i] as u64).wrapping_mul(0x0000_0100_0000_01b3);
            i += 1;
        }
        hash
    }
    const HASH: u64 = fnv1a(COPY_JS.as_bytes());
    format!("/js/copy-{HASH:016x}.js")
}

/// `/p/{merchant}/checkout?invoice=A&invoice=B` (or `?currency=EUR` for all open in EUR): the
/// chosen invoices, their total, and one pay button for them all.
#[component]
pub fn PayPage() -> impl IntoView {
    let merchant = param("merchant");
    let query = leptos_router::hooks::use_query_map();
    let pay = ServerAction::<PayInvoices>::new();
    let chosen = Resource::new(
        move || {
            let q = query.read();
            (merchant(), q.get_all("invoice").unwrap_or_default(), q.get("currency"))
        },
        |(m, invoices, currency)| load_selection(m, invoices, currency),
    );
    portal_page(chosen, t().loading_invoices(), move |c| view! { <SelectionPage chosen=c pay=pay/> })
}

#[component]
fn SelectionPage(chosen: SelectionView, pay: ServerAction<PayInvoices>) -> impl IntoView {
    let w = t();
    let slug = chosen.merchant.slug.clone();
    let count = chosen.invoices.len();
    let pay_error = move || pay.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let hidden = chosen
        .invoices
        .iter()
        .enumerate()
        .map(|(n, i)| view! { <input type="hidden" name=format!("invoices[{n}]") value=i.number.clone()/> })
        .collect_view();
    view! {
        <Title text=w.checkout_title()/>
        <PortalFrame branding=chosen.merchant>
            <p><a href=format!("/p/{slug}")>{w.back_to_invoices()}</a></p>
            <h1>{w.checkout_heading(count)}</h1>
            <InvoiceTable slug=slug.clone() invoices=chosen.invoices pick=false/>
            <section class="pay" aria-labelledby="pay-title">
                <h2 id="pay-title">{w.checkout_total()} " " <span data-testid="selection-total">{money(chosen.total)}</span></h2>
                <p>{w.checkout_explained()}</p>
                <ActionForm action=pay>
                    <input type="hidden" name="merchant" value=slug/>
                    {hidden}
                    <input type="hidden" name="total" value=chosen.total.amount_string()/>
                    <input type="hidden" name="pay_key" value=chosen.pay_key/>
                    <p role="alert" class="form-error">{pay_error}</p>
                    <button type="submit" class="button-primary">{w.pay_amount(money(chosen.total))}</button>
                </ActionForm>
            </section>
        </PortalFrame>
    }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let merchant = param("merchant");
    let payment = param("payment");
    let receipt = Resource::new(move || (merchant(), payment()), |(m, p)| load_receipt(m, p));
    portal_page(receipt, t().loading_receipt(), |r| view! { <ReceiptView receipt=r/> })
}

#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let w = t();
    let slug = receipt.merchant.slug.clone();
    view! {
        <Title text=w.receipt_title()/>
        <PortalFrame branding=receipt.merchant>
            <h1 data-testid="receipt-title">{w.receipt_heading()}</h1>
            <dl class="facts">
                <dt>{w.fact_amount()}</dt><dd data-testid="receipt-amount">{money(receipt.amount)}</dd>
                <dt>{w.fact_date()}</dt><dd>{receipt.paid_at}</dd>
                <dt>{w.fact_method()}</dt><dd>{receipt.method}</dd>
                <dt>{w.fact_reference()}</dt><dd>{receipt.reference}</dd>
            </dl>
            <table class="lines stack">
                <caption>{w.applied_to()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{w.col_invoice()}</th>
                        <th scope="col" class="num">{w.col_paid()}</th>
                        <th scope="col" class="num">{w.col_balance_now()}</th>
                        <th scope="col">{w.col_status()}</th>
                    </tr>
                </thead>
                <tbody>
                    {receipt.invoices.into_iter().map(|i| view! {
                        <tr>
                            <th scope="row"><a href=format!("/p/{}/invoices/{}", slug, i.number)>{i.number.clone()}</a></th>
                            <td class="num" data-label=w.col_paid()>{money(i.allocated)}</td>
                            <td class="num" data-label=w.col_balance_now()>{money(i.balance_after)}</td>
                            <td data-label=w.col_status()><StatusBadge status=i.status/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><a class="download" href=format!("/p/{slug}/payments/{}/pdf", receipt.payment_id) download>
                {w.download_receipt_pdf()}
            </a></p>
            <p><a href=format!("/p/{slug}")>{w.back_to_all_invoices()}</a></p>
        </PortalFrame>
    }
}

/// A portal page: `loading` while its data loads, then `show` with it, or the error page.
pub(crate) fn portal_page<T, V>(
    loaded: Resource<Result<T, AppError>>,
    loading: String,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    loaded_page(loaded, loading, show, |error| view! { <PortalErrorPage error/> }.into_any())
}

/// An error on a portal page: the error page, under the merchant's test banner; a visitor who
/// is not signed in is offered a sign-in link by email.
#[component]
fn PortalErrorPage(error: AppError) -> impl IntoView {
    let slug = param("merchant")();
    let onwards =
        matches!(error, AppError::Unauthorized).then(|| (format!("/p/{slug}/sign-in"), t().sign_in_get_link()));
    view! {
        <MerchantTestBanner slug=slug/>
        <ErrorPage error onwards/>
    }
}

#[component]
pub fn SignedOut() -> impl IntoView {
    let w = t();
    view! {
        <Title text=w.signed_out_title()/>
        <MerchantTestBanner slug=param("merchant")()/>
        <main id="main" class="error-page">
            <h1>{w.signed_out_heading()}</h1>
            <p>{w.signed_out_explained()}</p>
            <p><a href=format!("/p/{}/sign-in", param("merchant")())>{w.sign_in_get_link()}</a></p>
            <LanguageMenu/>
        </main>
    }
}
