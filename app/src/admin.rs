//! The staff side, as much as the walking skeleton needs: a login (argon2id on the server)
//! and every invoice across customers with its status.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{ErrorPage, LanguageMenu, StatusBadge};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminInvoiceRow, AdminOverview};
use crate::money::money;

#[server(endpoint = "staff_login")]
pub async fn staff_login(email: String, password: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let ctx = edge::ctx("admin")?;
            let who = kassa_core::services::auth::staff_login(&ctx, &email, &password).await?;
            kassa_core::services::staff::remember_language(&ctx, &who, crate::i18n::lang().code()).await?;
            edge::sign_in(&edge::session().await?, &who).await?;
            edge::redirect("/admin")
        }
        .await,
    )
}

#[server(endpoint = "set_staff_password")]
pub async fn set_staff_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let ctx = edge::ctx("admin")?;
            let who = kassa_core::services::staff::set_password(&ctx, &token, &password, &confirm).await?;
            kassa_core::services::staff::remember_language(&ctx, &who, crate::i18n::lang().code()).await?;
            edge::sign_in(&edge::session().await?, &who).await?;
            edge::redirect("/admin")
        }
        .await,
    )
}

#[server(endpoint = "staff_logout")]
pub async fn staff_logout() -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            edge::sign_out(&edge::session().await?).await?;
            edge::redirect("/admin/login")
        }
        .await,
    )
}

#[server(endpoint = "load_admin")]
pub async fn load_admin(
    #[server(default)] show: String,
    #[server(default)] page: u32,
) -> Result<AdminOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::listing::Show;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff_email = who.staff()?.email.clone();
            let r = kassa_core::services::admin::receivables(&ctx, &who, Show::parse(&show), page).await?;
            Ok(AdminOverview {
                merchant_name: r.merchant.name,
                staff_email,
                list: edge::list_page(&r.invoices),
                invoices: r
                    .invoices
                    .invoices
                    .into_iter()
                    .map(|(customer_name, i)| AdminInvoiceRow {
                        customer_name,
                        customer_href: format!("/admin/customers/{}", i.customer),
                        number: i.number.to_string(),
                        due_date: i.due_date,
                        total: i.total,
                        balance: i.balance,
                        status: i.status,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let w = t();
    let login = ServerAction::<StaffLogin>::new();
    let error = move || login.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=w.login_title()/>
        <main id="main" class="admin-login">
            <h1>{w.login_heading()}</h1>
            <ActionForm action=login>
                <label for="email">{w.field_email()}</label>
                <input id="email" name="email" type="email" autocomplete="username" required/>
                <label for="password">{w.field_password()}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <p role="alert" class="form-error">{error}</p>
                <button type="submit" class="button-primary">{w.sign_in()}</button>
            </ActionForm>
            <LanguageMenu/>
        </main>
    }
}

/// Where a new staff member (added with `kassa staff add`) chooses a password.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let w = t();
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let set = ServerAction::<SetStaffPassword>::new();
    let error = move || set.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <Title text=w.set_password_title()/>
        <main id="main" class="admin-login">
            <h1>{w.set_password_heading()}</h1>
            <p>{w.set_password_explained()}</p>
            <ActionForm action=set>
                <input type="hidden" name="token" value=token/>
                <label for="password">{w.field_new_password()}</label>
                <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required/>
                <label for="confirm">{w.field_password_again()}</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" required/>
                <p role="alert" class="form-error">{error}</p>
                <button type="submit" class="button-primary">{w.set_password_submit()}</button>
            </ActionForm>
        </main>
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    let overview = Resource::new(crate::components::list_query(), |(s, p)| load_admin(s, p));
    staff_page(overview, |o| view! { <AdminView overview=o/> })
}

/// A staff page: loading, then `show` with what it loaded, the sign-in prompt for someone not
/// signed in, or the error.
pub(crate) fn staff_page<T, V>(
    loaded: Resource<Result<T, AppError>>,
    show: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    crate::components::loaded_page(loaded, t().loading(), show, |error| match error {
        AppError::Unauthorized => view! { <SignInNeeded/> }.into_any(),
        error => view! { <ErrorPage error/> }.into_any(),
    })
}

#[component]
pub(crate) fn SignInNeeded() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::set_status(401);
    view! {
                        <Title text=t().please_sign_in()/>
                        <main id="main" class="error-page">
                            <h1>{t().please_sign_in()}</h1>
                            <p><a href="/admin/login">{t().go_to_sign_in()}</a></p>
                        </main>
    }
}

/// The admin's header: where to go, who is signed in, and signing out.
#[component]
pub(crate) fn AdminHeader(merchant_name: String, staff_email: String) -> impl IntoView {
    let w = t();
    let logout = ServerAction::<StaffLogout>::new();
    let path = leptos_router::hooks::use_location().pathname;
    let current = move |p: &'static str| (path.get() == p).then_some("page");
    view! {
        <header class="admin-header">
            <p class="brand-name">{w.admin_brand(&merchant_name)}</p>
            <nav class="admin-nav" aria-label=w.admin()>
                <a href="/admin" aria-current=move || current("/admin")>{w.nav_invoices()}</a>
                <a href="/admin/payments" aria-current=move || current("/admin/payments")>{w.nav_payments()}</a>
                <a href="/admin/promises" aria-current=move || current("/admin/promises")>{w.nav_promises()}</a>
                <a href="/admin/disputes" aria-current=move || current("/admin/disputes")>{w.nav_disputes()}</a>
                <a href="/admin/plans" aria-current=move || current("/admin/plans")>{w.nav_plans()}</a>
                <a href="/admin/widgets" aria-current=move || current("/admin/widgets")>{w.nav_widgets()}</a>
                <a href="/admin/webhooks" aria-current=move || current("/admin/webhooks")>{w.nav_webhooks()}</a>
                <a href="/admin/jobs" aria-current=move || current("/admin/jobs")>{w.nav_jobs()}</a>
                <a href="/admin/mail" aria-current=move || current("/admin/mail")>{w.nav_mail()}</a>
                <a href="/admin/settings" aria-current=move || current("/admin/settings")>{w.nav_settings()}</a>
            </nav>
            <ActionForm action=logout>
                <span class="who">{staff_email}</span>
                " "
                <button type="submit">{w.sign_out()}</button>
            </ActionForm>
        </header>
    }
}

#[component]
fn AdminView(overview: AdminOverview) -> impl IntoView {
    let w = t();
    view! {
        <Title text=w.admin_page_title(w.nav_invoices())/>
        <AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_invoices()}</h1>
            <crate::components::ListFilters base="/admin".to_string() list=overview.list.clone()/>
            <InvoiceTable invoices=overview.invoices customers=true caption=None/>
            <crate::components::Pager base="/admin".to_string() list=overview.list/>
        </main>
    }
}

/// Invoices as staff see them: number, due date, total, balance and status, with each one's
/// customer (a link to its page) when `customers`.
#[component]
pub(crate) fn InvoiceTable(invoices: Vec<AdminInvoiceRow>, customers: bool, caption: Option<String>) -> impl IntoView {
    let w = t();
    view! {
        <div class="table-scroll">
            <table class="invoices">
                {caption.map(|c| view! { <caption>{c}</caption> })}
                <thead>
                    <tr>
                        {customers.then(|| view! { <th scope="col">{w.col_customer()}</th> })}
                        <th scope="col">{w.col_invoice()}</th>
                        <th scope="col">{w.col_due_date()}</th>
                        <th scope="col" class="num">{w.col_total()}</th>
                        <th scope="col" class="num">{w.col_balance()}</th>
                        <th scope="col">{w.col_status()}</th>
                    </tr>
                </thead>
                <tbody>
                    {invoices.into_iter().map(|i| view! {
                        <tr data-invoice=i.number.clone()>
                            {customers.then(|| view! { <td><a href=i.customer_href>{i.customer_name}</a></td> })}
                            <th scope="row">{i.number.clone()}</th>
                            <td>{crate::dates::date(i.due_date)}</td>
                            <td class="num">{money(i.total)}</td>
                            <td class="num">{money(i.balance)}</td>
                            <td><StatusBadge status=i.status/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A queue page's filters: one plain link per value of `param` on `path`, the current one
/// marked (promises by state, disputes by status).
#[component]
pub(crate) fn QueueFilters(
    /// The page, with any other filter it keeps (`/admin/disputes?status=open`).
    #[prop(into)]
    path: String,
    param: &'static str,
    options: Vec<(&'static str, String)>,
    current: String,
    label: String,
) -> impl IntoView {
    let join = if path.contains('?') { '&' } else { '?' };
    view! {
        <nav class="list-filters" aria-label=label>
            <ul>
                {options.into_iter().map(|(value, words)| {
                    let here = (current == value).then_some("page");
                    view! { <li><a href=format!("{path}{join}{param}={value}") aria-current=here>{words}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// A queue page's table (a card per row on a phone): `headers` as (words, numeric), the rows
/// as children; `empty` instead when there is nothing to show.
#[component]
pub(crate) fn QueueTable(
    class: &'static str,
    caption: String,
    headers: Vec<(String, bool)>,
    empty: Option<String>,
    children: Children,
) -> impl IntoView {
    match empty {
        Some(text) => view! { <p>{text}</p> }.into_any(),
        None => view! {
            <div class="table-scroll">
                <table class=format!("{class} stack")>
                    <caption>{caption}</caption>
                    <thead>
                        <tr>
                            {headers.into_iter().map(|(words, numeric)| view! {
                                <th scope="col" class=numeric.then_some("num")>{words}</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{children()}</tbody>
                </table>
            </div>
        }
        .into_any(),
    }
}
