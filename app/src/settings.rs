//! `/admin/settings`: the merchant's own settings for staff: its time zone (whose midnight
//! makes an invoice overdue and in which clock pages show times) and its logo. The same `kassa-core`
//! service as the CLI (`kassa merchant create --time-zone`); admins and the owner change it,
//! other staff read it. A plain post (the admin ships no wasm), redirected back here.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::SettingsOverview;

/// Where the session keeps "saved" for the page after the redirect.
pub const SAVED_KEY: &str = "kassa.settings_saved";
/// Where the session keeps why a logo was refused, in words, for the page after the redirect.
pub const LOGO_ERROR_KEY: &str = "kassa.settings_logo_error";

#[server(endpoint = "load_settings")]
pub async fn load_settings() -> Result<SettingsOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::records;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::scoped_merchant(&ctx.pool, &who, None).await?;
            Ok(SettingsOverview {
                saved: edge::take_once::<bool>(SAVED_KEY).await.unwrap_or(false),
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                may_change: who.may_change_settings().is_ok(),
                time_zone: merchant.time_zone,
                time_zones: records::time_zone_names(),
                logo_width: edge::logo_width_at(40, merchant.logo_size),
                logo_url: merchant.logo_url,
                logo_error: edge::take_once::<String>(LOGO_ERROR_KEY).await,
            })
        }
        .await,
    )
}

#[server(endpoint = "save_settings")]
pub async fn save_settings(time_zone: String) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::merchants;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let change = merchants::UpdateSettings { time_zone: Some(time_zone) };
            merchants::update_settings(&ctx, &who, change).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let overview = Resource::new(move || save.version().get(), |_| load_settings());
    crate::admin::staff_page(overview, move |o| view! { <SettingsView overview=o save/> })
}

#[component]
fn SettingsView(overview: SettingsOverview, save: ServerAction<SaveSettings>) -> impl IntoView {
    let w = t();
    let error = move || save.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let current = overview.time_zone.clone();
    let options = overview
        .time_zones
        .into_iter()
        .map(|zone| {
            let selected = zone == current;
            let value = zone.clone();
            view! { <option value=value selected=selected>{zone}</option> }
        })
        .collect_view();
    view! {
        <Title text=w.admin_page_title(w.nav_settings())/>
        <crate::admin::AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.nav_settings()}</h1>
            <p role="status">{overview.saved.then(|| w.settings_saved())}</p>
            {(!overview.may_change).then(|| view! { <p class="notice">{w.settings_admins_only()}</p> })}
            <ActionForm action=save>
                <label for="time_zone">{w.field_time_zone()}</label>
                <select id="time_zone" name="time_zone" aria-describedby="time-zone-hint" disabled=!overview.may_change>
                    {options}
                </select>
                <p id="time-zone-hint" class="hint">{w.time_zone_hint()}</p>
                <p role="alert" class="form-error">{error}</p>
                {overview.may_change.then(|| view! {
                    <button type="submit" class="button-primary">{w.save_settings()}</button>
                })}
            </ActionForm>
            <LogoForm logo_url=overview.logo_url logo_width=overview.logo_width
                error=overview.logo_error may_change=overview.may_change/>
        </main>
    }
}

/// The logo: what it is now, and (for admins) a file upload and a way to remove it. Plain
/// multipart form posts to server/src/http/logos.rs, which redirect back here.
#[component]
fn LogoForm(logo_url: Option<String>, logo_width: u32, error: Option<String>, may_change: bool) -> impl IntoView {
    let w = t();
    let has_logo = logo_url.is_some();
    let invalid = error.is_some().then_some("true");
    view! {
        <section class="settings-logo" aria-labelledby="logo-title">
            <h2 id="logo-title">{w.logo_title()}</h2>
            {match logo_url {
                Some(src) => view! {
                    <p class="brand-preview"><img class="brand-logo" src=src alt=w.logo_title() width=logo_width height="40"/></p>
                }.into_any(),
                None => view! { <p>{w.logo_none()}</p> }.into_any(),
            }}
            {may_change.then(|| view! {
                <form method="post" action="/admin/settings/logo" enctype="multipart/form-data">
                    <label for="logo">{w.field_logo()}</label>
                    <input id="logo" name="logo" type="file" accept="image/png,image/jpeg" required
                        aria-invalid=invalid aria-describedby="logo-hint logo-error"/>
                    <p id="logo-hint" class="hint">{w.logo_hint()}</p>
                    <p id="logo-error" role="alert" class="form-error">{error}</p>
                    <button type="submit" class="button-primary">{w.upload_logo()}</button>
                </form>
                {has_logo.then(|| view! {
                    <form method="post" action="/admin/settings/logo/remove">
                        <button type="submit">{w.remove_logo()}</button>
                    </form>
                })}
            })}
        </section>
    }
}
