//! `/admin/widgets`: pay buttons for the merchant's own site and emails. Staff issue a widget
//! token for an invoice (or a customer's open invoices) and the sites allowed to show it, copy
//! the snippet that puts `<kassa-pay>` (or `<kassa-invoices>`) on a page (and the pay link for
//! anywhere else), and revoke a token at once (`kassa_core::services::widget`, as
//! `/api/v1/widget-tokens`).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::{AdminHeader, QueueTable};
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AdminWidgetRow, WidgetsOverview};

/// Where a token just issued is named for the page that follows.
const ISSUED_KEY: &str = "kassa.widget_issued";

#[server(endpoint = "load_widgets")]
pub async fn load_widgets() -> Result<WidgetsOverview, AppError> {
    use crate::backend as edge;
    use crate::i18n::Lang;
    use kassa_core::services::{records, widget};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let max_days = widget::max_days(&ctx.pool, &staff.merchant).await?;
            let issued = edge::take_once::<String>(ISSUED_KEY).await;
            let now = kassa_core::db::now();
            let root = ctx.public_url.trim_end_matches('/');
            let script = use_context::<crate::WidgetScript>().unwrap_or_else(crate::WidgetScript::unpinned);
            let tag = script.tag(root);
            let tokens = widget::page(&ctx, &who, None, 100, None)
                .await?
                .items
                .into_iter()
                .map(|t| {
                    let state = match (t.revoked_at, t.token.as_ref()) {
                        (Some(_), _) => "revoked",
                        (None, Some(_)) if t.expires_at > now => "active",
                        _ => "expired",
                    };
                    let live = (state == "active").then_some(t.token.as_ref()).flatten();
                    let email = t.is_email();
                    let invoice = t.invoice_number.unwrap_or_default();
                    let customers = t.invoice.is_none();
                    let pay_link = live.map(|token| match customers {
                        false => format!("{root}/p/{}/pay/{token}", merchant.slug),
                        true => format!("{root}/w/v1/pay/{token}"),
                    });
                    let badge = live.filter(|_| email).map(|token| format!("{root}/w/v1/badge/{token}.png"));
                    let element = live.filter(|_| !email).map(|token| {
                        let name = if customers { "kassa-invoices" } else { "kassa-pay" };
                        format!("<{name} token=\"{}\"></{name}>", html_escape::encode_double_quoted_attribute(token))
                    });
                    let snippet = match (live, &pay_link, &badge) {
                        (Some(_), Some(link), Some(badge)) => {
                            let lang = crate::i18n::Lang::from_code(&t.customer_language).unwrap_or(Lang::En);
                            Some(crate::badge::email_snippet(lang, &invoice, link, badge))
                        }
                        (Some(_), _, _) => element.as_ref().map(|element| format!("{tag}\n{element}")),
                        _ => None,
                    };
                    AdminWidgetRow {
                        just_issued: issued.as_deref() == Some(t.id.as_str()),
                        email,
                        snippet,
                        badge: badge.map(|url| url.trim_start_matches(root).to_string()),
                        element,
                        pay_link,
                        id: t.id,
                        invoice,
                        customer: t.customer_number,
                        origins: t.origins.join(" "),
                        expires: match email {
                            true => String::new(),
                            false => crate::dates::moment(t.expires_at, &merchant.time_zone),
                        },
                        state: state.to_string(),
                    }
                })
                .collect();
            Ok(WidgetsOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                may_write: who.may_write().is_ok(),
                max_days,
                default_days: widget::DEFAULT_DAYS.min(max_days),
                tokens,
                script: script.script,
            })
        }
        .await,
    )
}

/// Issues a token for invoice `invoice` (its number), or for the open invoices of customer
/// `customer` (its number; not both): with `kind` `email`, for an email (a pay button and
/// status badge, until revoked); otherwise shown on the sites in `origins` (one per line, or
/// separated by spaces or commas), for `days` days (the default when empty).
#[server(endpoint = "issue_widget_token")]
pub async fn issue_widget_token(
    #[server(default)] invoice: String,
    #[server(default)] customer: String,
    #[server(default)] kind: String,
    #[server(default)] origins: String,
    #[server(default)] days: String,
) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::widget::{self, Covers, IssueToken, Reach};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let covers = Covers::from_numbers(Some(&invoice), Some(&customer))?;
            let origins = origin_list(&origins);
            let days = match days.trim() {
                "" => None,
                typed => match typed.parse::<u32>() {
                    Ok(days) => Some(days),
                    Err(_) => {
                        let max = widget::max_days(&ctx.pool, &who.staff()?.merchant).await?;
                        return Err(kassa_domain::Problem::WidgetDaysOutOfRange { max }.into());
                    }
                },
            };
            let reach = match kind.as_str() {
                "email" => Reach::Email,
                _ => Reach::Sites { origins, days },
            };
            let issued = widget::issue(&ctx, &who, IssueToken { covers, reach }).await?;
            edge::keep_once(ISSUED_KEY, &issued.id).await?;
            edge::redirect("/admin/widgets")
        }
        .await,
    )
}

/// Sets the websites that may show site token `id` (`origins`: one per line, or separated by
/// spaces or commas).
#[server(endpoint = "save_widget_origins")]
pub async fn save_widget_origins(id: String, origins: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            kassa_core::services::widget::set_origins(&ctx, &who, &id, &origin_list(&origins)).await?;
            edge::redirect("/admin/widgets")
        }
        .await,
    )
}

/// The origins typed in a form: one per line, or separated by spaces or commas.
#[cfg(feature = "ssr")]
fn origin_list(typed: &str) -> Vec<String> {
    typed.split(|c: char| c.is_whitespace() || c == ',').filter(|o| !o.is_empty()).map(String::from).collect()
}

/// Revokes token `id`: its pay button shows that it is no longer valid, its pay link opens
/// nothing, and whoever came in through the link is signed out.
#[server(endpoint = "revoke_widget_token")]
pub async fn revoke_widget_token(id: String) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            kassa_core::services::widget::revoke(&ctx, &who, &id).await?;
            edge::redirect("/admin/widgets")
        }
        .await,
    )
}

#[component]
pub fn WidgetsPage() -> impl IntoView {
    let issue = ServerAction::<IssueWidgetToken>::new();
    let issue_email = ServerAction::<IssueWidgetToken>::new();
    let revoke = ServerAction::<RevokeWidgetToken>::new();
    let sites = ServerAction::<SaveWidgetOrigins>::new();
    let overview = Resource::new(
        move || (issue.version().get(), issue_email.version().get(), revoke.version().get(), sites.version().get()),
        |_| load_widgets(),
    );
    crate::admin::staff_page(overview, move |o| view! { <WidgetsView overview=o issue issue_email revoke sites/> })
}

#[component]
fn WidgetsView(
    overview: WidgetsOverview,
    issue: ServerAction<IssueWidgetToken>,
    issue_email: ServerAction<IssueWidgetToken>,
    revoke: ServerAction<RevokeWidgetToken>,
    sites: ServerAction<SaveWidgetOrigins>,
) -> impl IntoView {
    let w = t();
    let sites_error = move || sites.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let previews = overview.tokens.iter().any(|t| t.element.is_some());
    let script = overview.script.clone();
    let error = move || issue.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let email_error = move || issue_email.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let may_write = overview.may_write;
    let issued = overview.tokens.iter().any(|t| t.just_issued);
    let empty = overview.tokens.is_empty().then(|| w.widgets_none());
    let headers = vec![
        (w.col_invoice(), false),
        (w.col_customer(), false),
        (w.col_widget_sites(), false),
        (w.col_widget_expires(), false),
        (w.col_state(), false),
        (w.col_widget_snippet(), false),
    ];
    let rows = overview
        .tokens
        .into_iter()
        .map(|row| {
            let state = match row.state.as_str() {
                "active" => w.widget_state_active(),
                "revoked" => w.widget_state_revoked(),
                _ => w.widget_state_expired(),
            };
            let active = row.state == "active";
            let (snippet_id, link_id) = (format!("snippet-{}", row.id), format!("link-{}", row.id));
            let origins_id = format!("origins-{}", row.id);
            let id = row.id.clone();
            let sites_id = row.id.clone();
            let editable = active && may_write && !row.email;
            let badge_alt = w.badge_alt(&row.invoice);
            view! {
                <tr data-token=row.id.clone() class=row.just_issued.then_some("just-issued")>
                    <td data-label=w.col_invoice()>{row.invoice}</td>
                    <td data-label=w.col_customer()>{row.customer}</td>
                    <td data-label=w.col_widget_sites()>
                        {match (row.email, editable) {
                            (true, _) => w.widget_sites_email().into_any(),
                            (false, true) => view! {
                                <ActionForm action=sites>
                                    <input type="hidden" name="id" value=sites_id/>
                                    <label for=origins_id.clone() class="visually-hidden">{w.field_widget_origins()}</label>
                                    <textarea id=origins_id name="origins" rows="2">{row.origins.replace(' ', "\n")}</textarea>
                                    <button type="submit">{w.save_widget_origins()}</button>
                                </ActionForm>
                            }.into_any(),
                            (false, false) => row.origins.into_any(),
                        }}
                    </td>
                    <td data-label=w.col_widget_expires()>
                        {if row.email { w.widget_never() } else { row.expires }}
                    </td>
                    <td data-label=w.col_state()>{state}</td>
                    <td data-label=w.col_widget_snippet()>
                        {row.snippet.map(|snippet| view! {
                            <label for=snippet_id.clone()>
                                {if row.email { w.widget_snippet_email() } else { w.widget_snippet_site() }}
                            </label>
                            <textarea id=snippet_id readonly rows="3" class="snippet">{snippet}</textarea>
                        })}
                        {row.element.map(|element| view! {
                            <figure class="widget-preview">
                                // Inert: a preview shows, it does not pay.
                                <div inert="" inner_html=element></div>
                                <figcaption>{w.widget_preview_live()}</figcaption>
                            </figure>
                        })}
                        {row.badge.map(|badge| view! {
                            <figure class="badge-preview">
                                <img src=badge width=crate::badge::WIDTH height=crate::badge::HEIGHT
                                    alt=badge_alt/>
                                <figcaption>{w.widget_preview()}</figcaption>
                            </figure>
                        })}
                        {row.pay_link.map(|link| view! {
                            <label for=link_id.clone()>{w.widget_pay_link()}</label>
                            <input id=link_id readonly value=link class="snippet"/>
                        })}
                        {(active && may_write).then(|| view! {
                            <ActionForm action=revoke>
                                <input type="hidden" name="id" value=id/>
                                <button type="submit">{w.revoke_widget_token()}</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_widgets())/>
        <AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_widgets()}</h1>
            <p>{w.widgets_intro()}</p>
            <p role="status">{issued.then(|| w.widget_issued())}</p>
            {may_write.then(|| view! {
                <section aria-labelledby="issue-title">
                    <h2 id="issue-title">{w.issue_widget_title()}</h2>
                    <ActionForm action=issue>
                        <label for="widget-invoice">{w.field_widget_invoice()}</label>
                        <input id="widget-invoice" name="invoice" autocomplete="off"/>
                        <label for="widget-customer">{w.field_widget_customer()}</label>
                        <input id="widget-customer" name="customer" autocomplete="off"
                            aria-describedby="widget-customer-hint"/>
                        <p id="widget-customer-hint" class="hint">{w.widget_customer_hint()}</p>
                        <label for="widget-origins">{w.field_widget_origins()}</label>
                        <textarea id="widget-origins" name="origins" rows="2" required
                            aria-describedby="widget-origins-hint"></textarea>
                        <p id="widget-origins-hint" class="hint">{w.widget_origins_hint()}</p>
                        <label for="widget-days">{w.field_widget_days()}</label>
                        <input id="widget-days" name="days" inputmode="numeric" value=overview.default_days.to_string()
                            aria-describedby="widget-days-hint"/>
                        <p id="widget-days-hint" class="hint">{w.widget_days_hint(overview.max_days)}</p>
                        <p role="alert" class="form-error">{error}</p>
                        <button type="submit" class="button-primary">{w.issue_widget_token()}</button>
                    </ActionForm>
                </section>
                <section aria-labelledby="issue-email-title">
                    <h2 id="issue-email-title">{w.issue_email_widget_title()}</h2>
                    <p>{w.email_widget_intro()}</p>
                    <ActionForm action=issue_email>
                        <input type="hidden" name="kind" value="email"/>
                        <label for="email-widget-invoice">{w.field_widget_invoice()}</label>
                        <input id="email-widget-invoice" name="invoice" required autocomplete="off"/>
                        <p role="alert" class="form-error">{email_error}</p>
                        <button type="submit" class="button-primary">{w.issue_email_widget_token()}</button>
                    </ActionForm>
                </section>
            })}
            <p role="alert" class="form-error">{sites_error}</p>
            <QueueTable class="widgets" caption=w.widgets_caption() headers empty>{rows}</QueueTable>
            // The live previews are the elements themselves, from Kassa's own script.
            {previews.then(|| view! { <script type="module" src=script></script> })}
        </main>
    }
}
