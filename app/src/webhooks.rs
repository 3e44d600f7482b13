//! `/admin/webhooks`: the merchant's webhook endpoints for staff: register one (its signing
//! secret shown once), see what Kassa disabled and why, disable and enable again. The same
//! `kassa-core` services as `/api/v1/webhook_endpoints`, in the merchant's current mode.
//! The forms are plain posts (the admin ships no wasm): adding one redirects back here, and the
//! new endpoint's secret crosses that redirect in the session, read once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::{NewWebhook, WebhooksOverview};

/// Where the session keeps a new endpoint's secret until the page after the redirect shows it.
#[cfg(feature = "ssr")]
const ADDED_KEY: &str = "kassa.webhook_added";

#[server(endpoint = "load_webhooks")]
pub async fn load_webhooks() -> Result<WebhooksOverview, AppError> {
    use crate::backend as edge;
    use crate::model::WebhookRow;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let staff_email = staff.email.clone();
            let merchant = kassa_core::services::records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let endpoints = kassa_core::services::webhooks::list(&ctx, &who).await?;
            Ok(WebhooksOverview {
                added: edge::take_once::<NewWebhook>(ADDED_KEY).await,
                merchant_name: merchant.name,
                staff_email,
                event_types: kassa_core::events::EventType::ALL.iter().map(|k| k.as_str().to_string()).collect(),
                endpoints: endpoints
                    .into_iter()
                    .map(|e| WebhookRow {
                        id: e.id,
                        url: e.url,
                        description: e.description,
                        events: e.events.join(", "),
                        enabled: e.enabled,
                        disabled_reason: e.disabled_reason,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[server(endpoint = "add_webhook")]
pub async fn add_webhook(url: String, events: String, description: String) -> Result<NewWebhook, AppError> {
    use crate::backend as edge;
    use secrecy::ExposeSecret;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let events = events.split([',', ' ']).map(str::trim).filter(|e| !e.is_empty()).map(String::from).collect();
            let input = kassa_core::services::webhooks::EndpointInput { url, events, description: Some(description) };
            let created = kassa_core::services::webhooks::create(&ctx, &who, input).await?;
            let added = NewWebhook { url: created.endpoint.url, secret: created.secret.expose_secret().to_string() };
            edge::keep_once(ADDED_KEY, &added).await?;
            edge::redirect("/admin/webhooks")?;
            Ok(added)
        }
        .await,
    )
}

#[server(endpoint = "set_webhook_enabled")]
pub async fn set_webhook_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::backend as edge;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let change =
                kassa_core::services::webhooks::EndpointChange { enabled: Some(enabled), ..Default::default() };
            kassa_core::services::webhooks::update(&ctx, &who, &id, change).await?;
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let overview = Resource::new(move || (add.version().get(), toggle.version().get()), |_| load_webhooks());
    crate::admin::staff_page(overview, move |o| view! { <WebhooksView overview=o add toggle/> })
}

#[component]
fn WebhooksView(
    overview: WebhooksOverview,
    add: ServerAction<AddWebhook>,
    toggle: ServerAction<SetWebhookEnabled>,
) -> impl IntoView {
    let w = t();
    let added = overview.added;
    let error = move || add.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let toggle_error = move || toggle.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let hint = w.events_hint(overview.event_types.join(", "));
    view! {
        <Title text=w.admin_page_title(w.nav_webhooks())/>
        <crate::admin::AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_webhooks()}</h1>
            <p>{w.webhooks_explained()}</p>
            {added.map(|n| view! {
                <div class="notice" role="status" data-testid="webhook-secret">
                    <p><strong>{w.webhook_added()}</strong>" "{n.url}</p>
                    <p>{w.webhook_secret_once()}</p>
                    <p><code>{n.secret}</code></p>
                </div>
            })}
            <p role="alert" class="form-error">{toggle_error}</p>
            {if overview.endpoints.is_empty() {
                view! { <p>{w.webhooks_none()}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="invoices" aria-label=w.webhook_endpoints()>
                            <thead>
                                <tr>
                                    <th scope="col">{w.col_address()}</th>
                                    <th scope="col">{w.col_events()}</th>
                                    <th scope="col">{w.col_status()}</th>
                                    <th scope="col"><span class="visually-hidden">{w.col_action()}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {overview.endpoints.into_iter().map(|e| {
                                    let status = match (&e.enabled, &e.disabled_reason) {
                                        (true, _) => w.webhook_enabled(),
                                        (false, Some(why)) => w.webhook_disabled_because(why),
                                        (false, None) => w.webhook_disabled(),
                                    };
                                    let (label, aria) = if e.enabled {
                                        (w.disable(), w.disable_endpoint(&e.url))
                                    } else {
                                        (w.enable(), w.enable_endpoint(&e.url))
                                    };
                                    let id = e.id.clone();
                                    view! {
                                        <tr data-endpoint=e.id.clone()>
                                            <th scope="row">{e.url.clone()}<br/><small>{e.description}</small></th>
                                            <td>{e.events}</td>
                                            <td data-status="">{status}</td>
                                            <td>
                                                <ActionForm action=toggle>
                                                    <input type="hidden" name="id" value=id/>
                                                    <input type="hidden" name="enabled" value=(!e.enabled).to_string()/>
                                                    <button type="submit" aria-label=aria>{label}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>{w.add_endpoint_heading()}</h2>
            <ActionForm action=add>
                <label for="url">{w.field_address_https()}</label>
                <input id="url" name="url" type="url" required placeholder="https://erp.example.com/kassa/webhooks"/>
                <label for="events">{w.field_events()}</label>
                <input id="events" name="events" type="text" required value="*" aria-describedby="events-hint"/>
                <p id="events-hint" class="hint">{hint}</p>
                <label for="description">{w.field_description_optional()}</label>
                <input id="description" name="description" type="text" maxlength="500"/>
                <p role="alert" class="form-error">{error}</p>
                <button type="submit" class="button-primary">{w.add_endpoint()}</button>
            </ActionForm>
        </main>
    }
}
