//! `/admin/payments`: the money received, newest first (by a debtor through Kassa, or recorded
//! by staff or the API), what of each was paid back, and (for collectors and admins) a refund:
//! all or part of what a payment still stands for, with a reason, through the gateway it came
//! through or recorded as paid back for money received outside Kassa
//! (`kassa_core::services::refunds`, as `POST /api/v1/payments/{id}/refunds` does).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminPaymentRow, PaymentsOverview};
use crate::money::money;

/// Where the session keeps what the last refund did, for the page after the redirect.
const REFUNDED_KEY: &str = "kassa.payments_refunded";

/// Payments on one page.
const PAGE: u32 = 25;

#[server(endpoint = "load_payments")]
pub async fn load_payments(#[server(default)] before: String) -> Result<PaymentsOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::entries::{self, Order};
    use kassa_core::services::records::{self, Cursor};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let before = if before.is_empty() { None } else { Some(Cursor::decode(&before)?) };
            let page = entries::payments(&ctx, &who, None, PAGE, before.as_ref(), Order::NewestFirst).await?;
            let lang = crate::i18n::lang();
            let w = t();
            let payments = page
                .items
                .into_iter()
                .map(|p| {
                    let refundable = p.refundable();
                    let status = if p.reversed_at.is_some() {
                        w.payment_status_reversed()
                    } else if p.refunded.is_positive() && !refundable.is_positive() {
                        w.payment_status_refunded()
                    } else if p.refunded.is_positive() {
                        w.payment_status_part_refunded()
                    } else {
                        w.payment_status_received()
                    };
                    AdminPaymentRow {
                        id: p.id.to_string(),
                        at: crate::dates::moment(p.created_at, &merchant.time_zone),
                        customer: format!("{} ({})", p.customer_name, p.customer_number),
                        method: crate::words::method_in(lang, &p.method),
                        amount: p.amount,
                        refunded: p.refunded,
                        refundable,
                        refundable_typed: crate::money::typed_in(lang, refundable),
                        status,
                    }
                })
                .collect();
            Ok(PaymentsOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                may_refund: who.may_write().is_ok(),
                payments,
                older: page.next.map(|c| c.encode()),
                done: edge::take_once::<String>(REFUNDED_KEY).await,
                key: kassa_core::db::new_id(),
            })
        }
        .await,
    )
}

/// Refunds `amount` (as typed in the page's language; all that is left when empty) of
/// `payment`, once per `key`, and goes back to the list with what happened.
#[server(endpoint = "refund_payment")]
pub async fn refund_payment(payment: String, amount: String, reason: String, key: String) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::entries;
    use kassa_core::services::refunds::{self, RefundPayment, RefundState};
    use kassa_domain::{Money, PaymentId};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let lang = crate::i18n::lang();
            // The payment as the page lists it (this merchant's, this mode's), else not found.
            let payment = entries::payment(&ctx, &who, &PaymentId::from_raw(payment)).await?;
            let amount = match amount.trim() {
                "" => None,
                typed => {
                    let currency = payment.amount.currency();
                    let decimal = crate::money::decimal_separator(lang);
                    let parsed = Money::parse_typed(typed, currency, decimal).map_err(kassa_core::Error::from)?;
                    Some(parsed.amount_string())
                }
            };
            let merchant = who.staff()?.merchant.clone();
            let cmd = RefundPayment { merchant, payment: payment.id, amount, reason, key };
            let refund = refunds::refund(&ctx, &who, cmd).await?;
            let w = t();
            let done = match refund.state {
                RefundState::Succeeded => w.refund_done(crate::money::money_in(lang, refund.amount)),
                RefundState::Pending => w.refund_pending(crate::money::money_in(lang, refund.amount)),
                RefundState::Failed => w.refund_failed(crate::money::money_in(lang, refund.amount)),
            };
            edge::keep_once(REFUNDED_KEY, &done).await?;
            edge::redirect("/admin/payments")
        }
        .await,
    )
}

#[component]
pub fn PaymentsPage() -> impl IntoView {
    let refund = ServerAction::<RefundPayment>::new();
    let query = leptos_router::hooks::use_query_map();
    let overview = Resource::new(
        move || (refund.version().get(), query.with(|q| q.get("before").unwrap_or_default())),
        |(_, before)| load_payments(before),
    );
    crate::admin::staff_page(overview, move |o| view! { <PaymentsView overview=o refund/> })
}

#[component]
fn PaymentsView(overview: PaymentsOverview, refund: ServerAction<RefundPayment>) -> impl IntoView {
    let w = t();
    let error = move || refund.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let (may_refund, key) = (overview.may_refund, overview.key.clone());
    let rows = overview
        .payments
        .into_iter()
        .map(|p| view! { <PaymentRow p may_refund key=key.clone() refund/> })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_payments())/>
        <crate::admin::AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_payments()}</h1>
            <p role="status">{overview.done}</p>
            <p role="alert" class="form-error">{error}</p>
            <div class="table-scroll">
                <table class="payments stack">
                    <caption>{w.payments_caption()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{w.col_date()}</th>
                            <th scope="col">{w.col_customer()}</th>
                            <th scope="col">{w.col_method()}</th>
                            <th scope="col" class="num">{w.col_amount()}</th>
                            <th scope="col" class="num">{w.col_refunded()}</th>
                            <th scope="col">{w.col_status()}</th>
                            {may_refund.then(|| view! { <th scope="col">{w.col_refund()}</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {overview.older.map(|cursor| view! {
                <p><a href=format!("/admin/payments?before={cursor}") rel="next">{w.next_page()}</a></p>
            })}
        </main>
    }
}

/// One payment, and its refund form for staff who may refund while something is left.
#[component]
fn PaymentRow(p: AdminPaymentRow, may_refund: bool, key: String, refund: ServerAction<RefundPayment>) -> impl IntoView {
    let w = t();
    let id = p.id.clone();
    let (refundable, typed) = (p.refundable, p.refundable_typed.clone());
    let form = (may_refund && refundable.is_positive()).then(move || {
        let (amount_id, reason_id, hint_id) =
            (format!("refund-amount-{id}"), format!("refund-reason-{id}"), format!("refund-hint-{id}"));
        view! {
            <details>
                <summary>{w.refund_summary()}</summary>
                <ActionForm action=refund>
                    <input type="hidden" name="payment" value=id.clone()/>
                    <input type="hidden" name="key" value=format!("{key}-{id}")/>
                    <label for=amount_id.clone()>{w.field_refund_amount()}</label>
                    <input id=amount_id name="amount" inputmode="decimal" value=typed aria-describedby=hint_id.clone()/>
                    <p id=hint_id class="hint">{w.refund_hint(money(refundable))}</p>
                    <label for=reason_id.clone()>{w.field_refund_reason()}</label>
                    <input id=reason_id name="reason" required maxlength="500"/>
                    <button type="submit" class="button-primary">{w.refund_submit()}</button>
                </ActionForm>
            </details>
        }
    });
    // On a phone the table becomes one card per payment, each value under its column's name.
    view! {
        <tr data-payment=p.id.clone()>
            <td data-label=w.col_date()>{p.at}</td>
            <td data-label=w.col_customer()>{p.customer}</td>
            <td data-label=w.col_method()>{p.method}</td>
            <td class="num" data-label=w.col_amount()>{money(p.amount)}</td>
            <td class="num" data-label=w.col_refunded()>{p.refunded.is_positive().then(|| money(p.refunded))}</td>
            <td data-label=w.col_status()>{p.status}</td>
            {may_refund.then(|| view! { <td>{form}</td> })}
        </tr>
    }
}
