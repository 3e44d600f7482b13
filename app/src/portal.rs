//! The debtor portal: the invoice list with what is due, one invoice with its lines and the
//! pay form, and the receipt. The pay form is an `ActionForm` outside any island: a plain form
//! post that redirects to the receipt, or back to the invoice with the reason it failed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorPage, MerchantTestBanner, PortalFrame, StatusBadge};
use crate::error::AppError;
use crate::model::*;

#[server(endpoint = "load_portal")]
pub async fn load_portal(merchant: String) -> Result<PortalOverview, AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let account = kassa_core::services::portal::account(&ctx, &who).await?;
            Ok(PortalOverview {
                merchant: edge::branding(&account.merchant),
                customer_name: account.customer_name,
                totals: account.totals.iter().map(|t| CurrencyTotals { due: t.open, overdue: t.overdue }).collect(),
                credit: account.credit,
                invoices: account.invoices.iter().map(edge::summary).collect(),
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
            Ok(InvoiceDetail {
                merchant: edge::branding(&detail.merchant),
                customer_name: detail.customer_name,
                invoice: edge::summary(&detail.invoice),
                lines: detail
                    .lines
                    .into_iter()
                    .map(|l| LineView {
                        description: l.description,
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        amount: l.amount,
                    })
                    .collect(),
                paid: detail.invoice.paid,
                pay_key: kassa_core::db::new_id(),
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
                            at: edge::timestamp(line.at),
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

#[server(endpoint = "pay_invoice")]
pub async fn pay_invoice(
    merchant: String,
    number: String,
    amount: String,
    outcome: SandboxOutcome,
    pay_key: String,
) -> Result<String, AppError> {
    use crate::backend as edge;
    use kassa_core::services::payments::{self, PayInvoice};
    edge::with_status(
        async {
            let (ctx, who) = edge::debtor(&merchant).await?;
            let number = kassa_domain::InvoiceNumber::parse(&number).map_err(|_| AppError::NotFound)?;
            let sandbox_outcome = match outcome {
                SandboxOutcome::Succeed => payments::SandboxOutcome::Succeed,
                SandboxOutcome::Decline => payments::SandboxOutcome::Decline,
            };
            let payment =
                payments::pay(&ctx, &who, PayInvoice { number, amount, key: pay_key, sandbox_outcome }).await?;
            let receipt = format!("/p/{merchant}/payments/{payment}");
            edge::redirect(&receipt)?;
            Ok(receipt)
        }
        .await,
    )
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
                paid_at: edge::timestamp(r.at),
                amount: r.amount,
                method: r.method,
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

fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).unwrap_or_default()
}

#[component]
pub fn PortalHome() -> impl IntoView {
    let merchant = param("merchant");
    let overview = Resource::new(merchant, load_portal);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading your invoices…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Overview overview=o/> }.into_any(),
                    Err(e) => view! { <PortalErrorPage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(overview: PortalOverview) -> impl IntoView {
    let slug = overview.merchant.slug.clone();
    let (open, settled): (Vec<_>, Vec<_>) = overview.invoices.into_iter().partition(|i| i.balance.is_positive());
    view! {
        <Title text=format!("Invoices from {}", overview.merchant.name)/>
        <PortalFrame branding=overview.merchant>
            <h1>"Hello " {overview.customer_name}</h1>
            <section class="totals" aria-label="Totals">
                {overview.totals.into_iter().map(|t| view! {
                    <div class="total-card">
                        <p class="total-label">"Due " {t.due.currency().to_string()}</p>
                        <p class="total-amount" data-testid="total-due">{t.due.to_string()}</p>
                        <p class="total-overdue">"of which overdue: " <span data-testid="total-overdue">{t.overdue.to_string()}</span></p>
                    </div>
                }).collect_view()}
                {overview.credit.into_iter().map(|c| view! {
                    <div class="total-card">
                        <p class="total-label">"Credit " {c.currency().to_string()}</p>
                        <p class="total-amount" data-testid="credit">{c.to_string()}</p>
                        <p class="total-overdue">"held on your account; it settles your next invoice"</p>
                    </div>
                }).collect_view()}
            </section>
            <h2>"Open invoices"</h2>
            <InvoiceTable slug=slug.clone() invoices=open empty="Nothing to pay. Thank you!"/>
            <h2>"Settled invoices"</h2>
            <InvoiceTable slug invoices=settled empty="No settled invoices yet."/>
        </PortalFrame>
    }
}

#[component]
fn InvoiceTable(slug: String, invoices: Vec<InvoiceSummary>, empty: &'static str) -> impl IntoView {
    if invoices.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="invoices">
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col">"Due date"</th>
                        <th scope="col" class="num">"Total"</th>
                        <th scope="col" class="num">"Balance"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {invoices.into_iter().map(|i| {
                        let href = format!("/p/{}/invoices/{}", slug, i.number);
                        view! {
                            <tr data-invoice=i.number.clone()>
                                <th scope="row"><a href=href>{i.number.clone()}</a></th>
                                <td>{i.due_date.to_string()}</td>
                                <td class="num">{i.total.to_string()}</td>
                                <td class="num">{i.balance.to_string()}</td>
                                <td><StatusBadge status=i.status/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn InvoicePage() -> impl IntoView {
    let merchant = param("merchant");
    let number = param("number");
    let pay = ServerAction::<PayInvoice>::new();
    // A declined attempt refetches the invoice, which brings a fresh idempotency key.
    let detail = Resource::new(move || (merchant(), number(), pay.version().get()), |(m, n, _)| load_invoice(m, n));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the invoice…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <InvoiceView detail=d pay=pay/> }.into_any(),
                    Err(e) => view! { <PortalErrorPage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InvoiceView(detail: InvoiceDetail, pay: ServerAction<PayInvoice>) -> impl IntoView {
    let inv = detail.invoice;
    let slug = detail.merchant.slug.clone();
    let can_pay = inv.balance.is_positive();
    let test_mode = detail.merchant.test_mode;
    let form_slug = slug.clone();
    let list_slug = slug.clone();
    let pay_error = move || pay.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=format!("Invoice {}", inv.number)/>
        <PortalFrame branding=detail.merchant>
            <p><a href=format!("/p/{slug}")>"← All invoices"</a></p>
            <h1>"Invoice " {inv.number.clone()} " " <StatusBadge status=inv.status/></h1>
            <dl class="facts">
                <dt>"Issued"</dt><dd>{inv.issue_date.to_string()}</dd>
                <dt>"Due"</dt><dd>{inv.due_date.to_string()}</dd>
                <dt>"Total"</dt><dd>{inv.total.to_string()}</dd>
                <dt>"Paid"</dt><dd>{detail.paid.to_string()}</dd>
                <dt>"Balance"</dt><dd data-testid="balance">{inv.balance.to_string()}</dd>
            </dl>
            <div class="table-scroll">
                <table class="lines">
                    <caption>"Invoice lines"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Description"</th>
                            <th scope="col" class="num">"Quantity"</th>
                            <th scope="col" class="num">"Unit price"</th>
                            <th scope="col" class="num">"Amount"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {detail.lines.into_iter().map(|l| view! {
                            <tr>
                                <td>{l.description}</td>
                                <td class="num">{l.quantity}</td>
                                <td class="num">{l.unit_price.to_string()}</td>
                                <td class="num">{l.amount.to_string()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {can_pay.then(move || view! {
                <section class="pay" aria-labelledby="pay-title">
                    <h2 id="pay-title">"Pay this invoice"</h2>
                    <ActionForm action=pay>
                        <input type="hidden" name="merchant" value=form_slug/>
                        <input type="hidden" name="number" value=inv.number.clone()/>
                        <input type="hidden" name="pay_key" value=detail.pay_key.clone()/>
                        <label for="pay-amount">"Amount (" {inv.balance.currency().to_string()} ")"</label>
                        <input id="pay-amount" name="amount" inputmode="decimal" autocomplete="off" required
                            value=inv.balance.amount_string()/>
                        {if test_mode {
                            view! {
                                <fieldset>
                                    <legend>"Sandbox payment (test mode)"</legend>
                                    <label><input type="radio" name="outcome" value="Succeed" checked/> " Approve"</label>
                                    <label><input type="radio" name="outcome" value="Decline"/> " Decline"</label>
                                </fieldset>
                            }.into_any()
                        } else {
                            view! { <input type="hidden" name="outcome" value="Succeed"/> }.into_any()
                        }}
                        <p role="alert" class="form-error">{pay_error}</p>
                        <button type="submit" class="button-primary" disabled=move || pay.pending().get()>"Pay now"</button>
                    </ActionForm>
                </section>
            })}
            {(!detail.settlements.is_empty()).then(move || view! {
                <h2>"Payments and credits"</h2>
                <ul class="payments">
                    {detail.settlements.into_iter().map(|line| {
                        let text = format!("{} · {} · {}", line.at, line.amount, line.label);
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

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let merchant = param("merchant");
    let payment = param("payment");
    let receipt = Resource::new(move || (merchant(), payment()), |(m, p)| load_receipt(m, p));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the receipt…"</p> }>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(r) => view! { <ReceiptView receipt=r/> }.into_any(),
                    Err(e) => view! { <PortalErrorPage error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReceiptView(receipt: Receipt) -> impl IntoView {
    let slug = receipt.merchant.slug.clone();
    view! {
        <Title text="Payment received"/>
        <PortalFrame branding=receipt.merchant>
            <h1 data-testid="receipt-title">"Thank you, payment received"</h1>
            <dl class="facts">
                <dt>"Amount"</dt><dd data-testid="receipt-amount">{receipt.amount.to_string()}</dd>
                <dt>"Date"</dt><dd>{receipt.paid_at}</dd>
                <dt>"Method"</dt><dd>{receipt.method}</dd>
                <dt>"Reference"</dt><dd>{receipt.reference}</dd>
            </dl>
            <table class="lines">
                <caption>"Applied to"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Invoice"</th>
                        <th scope="col" class="num">"Paid"</th>
                        <th scope="col" class="num">"Balance now"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {receipt.invoices.into_iter().map(|i| view! {
                        <tr>
                            <th scope="row"><a href=format!("/p/{}/invoices/{}", slug, i.number)>{i.number.clone()}</a></th>
                            <td class="num">{i.allocated.to_string()}</td>
                            <td class="num">{i.balance_after.to_string()}</td>
                            <td><StatusBadge status=i.status/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><a href=format!("/p/{slug}")>"Back to all invoices"</a></p>
        </PortalFrame>
    }
}

/// An error on a portal page: the error page, under the merchant's test banner.
#[component]
fn PortalErrorPage(error: AppError) -> impl IntoView {
    view! {
        <MerchantTestBanner slug=param("merchant")()/>
        <ErrorPage error/>
    }
}

#[component]
pub fn SignedOut() -> impl IntoView {
    view! {
        <Title text="Signed out"/>
        <MerchantTestBanner slug=param("merchant")()/>
        <main id="main" class="error-page">
            <h1>"You are signed out"</h1>
            <p>"To see your invoices again, open a new sign-in link from your email."</p>
        </main>
    }
}
