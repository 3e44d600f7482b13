//! `/admin/settings`: the merchant's own settings for staff: its time zone (whose midnight
//! makes an invoice overdue and in which clock pages show times), its logo, the bank account
//! debtors transfer to with the reference scheme of new invoices, and its Stripe accounts.
//! The same `kassa-core` services as the CLI and the API; admins and the owner change them,
//! other staff read them. Plain posts (the admin ships no wasm), redirected back here.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::{BankView, SettingsOverview, StripeView};

/// Where the session keeps "saved" for the page after the redirect.
pub const SAVED_KEY: &str = "kassa.settings_saved";
/// Where the session keeps why a logo was refused, in words, for the page after the redirect.
pub const LOGO_ERROR_KEY: &str = "kassa.settings_logo_error";

#[server(endpoint = "load_settings")]
pub async fn load_settings() -> Result<SettingsOverview, AppError> {
    use crate::backend as edge;
    use kassa_core::services::{records, stripe_accounts};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let staff = who.staff()?;
            let merchant = records::scoped_merchant(&ctx.pool, &who, None).await?;
            let stripe = stripe_accounts::list(&ctx, &who, None)
                .await?
                .into_iter()
                .map(|a| StripeView {
                    mode: a.mode.as_str().to_string(),
                    secret_key_hint: a.secret_key_hint,
                    publishable_key: a.publishable_key,
                    methods: a.methods,
                })
                .collect();
            Ok(SettingsOverview {
                bank: merchant.bank.clone().map(|b| BankView {
                    account_name: b.name,
                    iban: b.iban,
                    bic: b.bic,
                    fik_creditor: b.fik_creditor,
                }),
                reference_scheme: merchant.reference_scheme.code().to_string(),
                stripe,
                stripe_webhook_url: kassa_core::services::stripe_accounts::webhook_url(&ctx, &merchant.slug),
                saved: edge::take_once::<bool>(SAVED_KEY).await.unwrap_or(false),
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                may_change: who.may_change_settings().is_ok(),
                time_zone: merchant.time_zone,
                time_zones: records::time_zone_names(),
                logo_width: edge::logo_width_at(40, merchant.logo_size),
                logo_url: merchant.logo_url,
                logo_error: edge::take_once::<String>(LOGO_ERROR_KEY).await,
                promises: kassa_core::services::promises::policy(&ctx.pool, &staff.merchant).await?,
                plans: kassa_core::services::plans::policy(&ctx.pool, &staff.merchant).await?,
                widget_max_days: kassa_core::services::widget::max_days(&ctx.pool, &staff.merchant).await?,
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

#[server(endpoint = "save_bank_details")]
pub async fn save_bank_details(
    account_name: String,
    iban: String,
    bic: String,
    reference_scheme: String,
    fik_creditor: String,
) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::merchants;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let scheme =
                kassa_domain::ReferenceScheme::parse(&reference_scheme).ok_or(kassa_domain::Problem::FormExpired)?;
            let optional = |v: String| Some(v).filter(|v| !v.trim().is_empty());
            let details = merchants::BankDetails {
                account_name,
                iban,
                bic: optional(bic),
                reference_scheme: scheme,
                fik_creditor: optional(fik_creditor),
            };
            merchants::set_bank_details(&ctx, &who, None, details).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

/// How far ahead debtors may promise to pay, and the grace after the date (whole days).
#[server(endpoint = "save_promise_policy")]
pub async fn save_promise_policy(window_days: String, grace_days: String) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_domain::promise::PromisePolicy;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let days =
                |typed: &str| typed.trim().parse::<u32>().map_err(|_| kassa_domain::Problem::PromisePolicyInvalid);
            let policy = PromisePolicy { window_days: days(&window_days)?, grace_days: days(&grace_days)? };
            kassa_core::services::promises::set_policy(&ctx, &who, policy).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

/// The longest a pay button on a website may stay valid (whole days).
#[server(endpoint = "save_widget_policy")]
pub async fn save_widget_policy(max_days: String) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::widget;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let days = max_days
                .trim()
                .parse::<u32>()
                .map_err(|_| kassa_domain::Problem::WidgetDaysOutOfRange { max: widget::MAX_DAYS })?;
            widget::set_max_days(&ctx, &who, days).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

/// The rules for payment plans, as the settings form sends them: amounts typed in the page's
/// language (read as minor units of a two-decimal currency), the interest in percent a year.
#[server(endpoint = "save_plan_policy")]
#[allow(clippy::too_many_arguments)]
pub async fn save_plan_policy(
    #[server(default)] offered: Option<String>,
    eligible: String,
    max_instalments: String,
    max_months: String,
    min_total: String,
    min_instalment: String,
    #[server(default)] frequencies: Vec<String>,
    charge: String,
    #[server(default)] charge_value: String,
    #[server(default)] accept: Option<String>,
    grace_days: String,
    max_first_days: String,
) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_domain::plan::{Charge, Eligible, Frequency, PlanPolicy};
    use kassa_domain::{Currency, Money, Problem};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let decimal = crate::money::decimal_separator(crate::i18n::lang());
            let whole = |typed: &str| typed.trim().parse::<u32>().map_err(|_| Problem::PlanPolicyInvalid);
            let minor = |typed: &str| -> Result<i64, Problem> {
                let typed = typed.trim();
                if typed.is_empty() {
                    return Ok(0);
                }
                Ok(Money::parse_typed(typed, Currency::EUR, decimal)?.minor())
            };
            let mut offered_frequencies = Vec::new();
            for code in &frequencies {
                let f = Frequency::parse(code).ok_or_else(|| Problem::PlanFrequencyUnknown { input: code.clone() })?;
                if !offered_frequencies.contains(&f) {
                    offered_frequencies.push(f);
                }
            }
            let charge = match charge.as_str() {
                "fee" => Charge::Fee { minor: minor(&charge_value)? },
                "interest" => {
                    // Percent a year, to basis points: 8,5 -> 850.
                    let percent =
                        Money::parse_typed(charge_value.trim(), Currency::EUR, decimal).map_err(Problem::from)?;
                    Charge::Interest {
                        basis_points: u32::try_from(percent.minor()).map_err(|_| Problem::PlanPolicyInvalid)?,
                    }
                }
                _ => Charge::None,
            };
            let policy = PlanPolicy {
                offered: offered.is_some(),
                eligible: if eligible == "overdue" { Eligible::Overdue } else { Eligible::Open },
                min_total_minor: minor(&min_total)?,
                max_instalments: whole(&max_instalments)?,
                max_months: whole(&max_months)?,
                min_instalment_minor: minor(&min_instalment)?,
                frequencies: offered_frequencies,
                charge,
                accept_within_policy: accept.is_some(),
                grace_days: whole(&grace_days)?,
                max_first_days: whole(&max_first_days)?,
            };
            kassa_core::services::plans::set_policy(&ctx, &who, policy).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

#[server(endpoint = "connect_stripe")]
pub async fn connect_stripe(
    secret_key: String,
    publishable_key: String,
    webhook_secret: String,
    methods: String,
) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::services::stripe_accounts::{self, StripeKeys};
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let keys = StripeKeys {
                secret_key: secret_key.into(),
                publishable_key,
                webhook_secret: webhook_secret.into(),
                methods: methods.split([',', ' ']).map(str::to_string).collect(),
            };
            stripe_accounts::connect(&ctx, &who, None, keys).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

#[server(endpoint = "disconnect_stripe")]
pub async fn disconnect_stripe(mode: String) -> Result<(), AppError> {
    use crate::backend as edge;
    use kassa_core::principal::Mode;
    use kassa_core::services::stripe_accounts;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let mode = match mode.as_str() {
                "live" => Mode::Live,
                "test" => Mode::Test,
                _ => return Err(kassa_domain::Problem::FormExpired.into()),
            };
            stripe_accounts::disconnect(&ctx, &who, None, mode).await?;
            edge::keep_once(SAVED_KEY, &true).await?;
            edge::redirect("/admin/settings")
        }
        .await,
    )
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSettings>::new();
    let bank = ServerAction::<SaveBankDetails>::new();
    let connect = ServerAction::<ConnectStripe>::new();
    let disconnect = ServerAction::<DisconnectStripe>::new();
    let promises = ServerAction::<SavePromisePolicy>::new();
    let plans = ServerAction::<SavePlanPolicy>::new();
    let widgets = ServerAction::<SaveWidgetPolicy>::new();
    let overview = Resource::new(
        move || {
            (
                save.version().get(),
                bank.version().get(),
                connect.version().get(),
                disconnect.version().get(),
                promises.version().get(),
                plans.version().get(),
                widgets.version().get(),
            )
        },
        |_| load_settings(),
    );
    crate::admin::staff_page(
        overview,
        move |o| view! { <SettingsView overview=o save bank connect disconnect promises plans widgets/> },
    )
}

#[component]
fn SettingsView(
    overview: SettingsOverview,
    save: ServerAction<SaveSettings>,
    bank: ServerAction<SaveBankDetails>,
    connect: ServerAction<ConnectStripe>,
    disconnect: ServerAction<DisconnectStripe>,
    promises: ServerAction<SavePromisePolicy>,
    plans: ServerAction<SavePlanPolicy>,
    widgets: ServerAction<SaveWidgetPolicy>,
) -> impl IntoView {
    let payments = overview.clone();
    let policy = overview.promises;
    let plan_policy = overview.plans.clone();
    let may_change = overview.may_change;
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
            <PaymentSettings overview=payments bank connect disconnect/>
            <PromiseSettings policy may_change action=promises/>
            <PlanSettings policy=plan_policy may_change action=plans/>
            <WidgetSettings max_days=overview.widget_max_days may_change action=widgets/>
        </main>
    }
}

/// Pay buttons on websites: the longest one may stay valid (Kassa's cap is 90 days).
#[component]
fn WidgetSettings(max_days: u32, may_change: bool, action: ServerAction<SaveWidgetPolicy>) -> impl IntoView {
    let w = t();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <section aria-labelledby="widgets-settings-title">
            <h2 id="widgets-settings-title">{w.widgets_settings_title()}</h2>
            <ActionForm action=action>
                <label for="widget-max-days">{w.field_widget_max_days()}</label>
                <input id="widget-max-days" name="max_days" inputmode="numeric" required disabled=!may_change
                    value=max_days.to_string() aria-describedby="widget-max-days-hint"/>
                <p id="widget-max-days-hint" class="hint">
                    {w.widget_max_days_hint(kassa_core::services::widget::MAX_DAYS)}
                </p>
                <p role="alert" class="form-error">{error}</p>
                {may_change.then(|| view! { <button type="submit" class="button-primary">{w.save_widget_rules()}</button> })}
            </ActionForm>
        </section>
    }
}

/// Promises to pay: how far ahead a debtor may name a date, and how many days after it the
/// promise counts as broken and its invoices return to collection.
#[component]
fn PromiseSettings(
    policy: kassa_domain::promise::PromisePolicy,
    may_change: bool,
    action: ServerAction<SavePromisePolicy>,
) -> impl IntoView {
    let w = t();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    view! {
        <section aria-labelledby="promises-title">
            <h2 id="promises-title">{w.promises_settings_title()}</h2>
            <ActionForm action=action>
                <label for="promise-window">{w.field_promise_window()}</label>
                <input id="promise-window" name="window_days" inputmode="numeric" required disabled=!may_change
                    value=policy.window_days.to_string() aria-describedby="promise-window-hint"/>
                <p id="promise-window-hint" class="hint">{w.promise_window_hint()}</p>
                <label for="promise-grace">{w.field_promise_grace()}</label>
                <input id="promise-grace" name="grace_days" inputmode="numeric" required disabled=!may_change
                    value=policy.grace_days.to_string() aria-describedby="promise-grace-hint"/>
                <p id="promise-grace-hint" class="hint">{w.promise_grace_hint()}</p>
                <p role="alert" class="form-error">{error}</p>
                {may_change.then(|| view! { <button type="submit" class="button-primary">{w.save_promise_rules()}</button> })}
            </ActionForm>
        </section>
    }
}

/// Payment plans: whether debtors may propose them, for which invoices, the limits, the
/// frequencies, a fee or interest, whether plans within the rules start at once, the grace.
#[component]
fn PlanSettings(
    policy: kassa_domain::plan::PlanPolicy,
    may_change: bool,
    action: ServerAction<SavePlanPolicy>,
) -> impl IntoView {
    use kassa_domain::plan::{Charge, Eligible, Frequency};
    use kassa_domain::{Currency, Money};
    let w = t();
    let lang = crate::i18n::lang();
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let typed = move |minor: i64| crate::money::typed_in(lang, Money::from_minor(minor, Currency::EUR));
    let (charge, charge_value) = match policy.charge {
        Charge::None => ("none", String::new()),
        Charge::Fee { minor } => ("fee", typed(minor)),
        // Basis points as percent: 850 -> 8,50.
        Charge::Interest { basis_points } => ("interest", typed(i64::from(basis_points))),
    };
    let overdue_only = policy.eligible == Eligible::Overdue;
    view! {
        <section aria-labelledby="plans-title">
            <h2 id="plans-title">{w.plans_settings_title()}</h2>
            <ActionForm action=action>
                <label><input type="checkbox" name="offered" value="1" checked=policy.offered disabled=!may_change/>
                    " "{w.field_plans_offered()}</label>
                <label for="plan-eligible">{w.field_plan_eligible()}</label>
                <select id="plan-eligible" name="eligible" disabled=!may_change>
                    <option value="open" selected=!overdue_only>{w.plan_eligible_open()}</option>
                    <option value="overdue" selected=overdue_only>{w.plan_eligible_overdue()}</option>
                </select>
                <label for="plan-max-instalments">{w.field_plan_max_instalments()}</label>
                <input id="plan-max-instalments" name="max_instalments" inputmode="numeric" required
                    disabled=!may_change value=policy.max_instalments.to_string()/>
                <label for="plan-max-months">{w.field_plan_max_months()}</label>
                <input id="plan-max-months" name="max_months" inputmode="numeric" required disabled=!may_change
                    value=policy.max_months.to_string()/>
                <label for="plan-min-total">{w.field_plan_min_total()}</label>
                <input id="plan-min-total" name="min_total" inputmode="decimal" disabled=!may_change
                    value=typed(policy.min_total_minor)/>
                <label for="plan-min-instalment">{w.field_plan_min_instalment()}</label>
                <input id="plan-min-instalment" name="min_instalment" inputmode="decimal" disabled=!may_change
                    value=typed(policy.min_instalment_minor)/>
                <fieldset>
                    <legend>{w.field_plan_frequencies()}</legend>
                    {Frequency::ALL.iter().enumerate().map(|(n, f)| view! {
                        <label>
                            <input type="checkbox" name=format!("frequencies[{n}]") value=f.as_str()
                                checked=policy.frequencies.contains(f) disabled=!may_change/>
                            " "{crate::words::plan_frequency(lang, *f)}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label for="plan-charge">{w.field_plan_charge()}</label>
                <select id="plan-charge" name="charge" disabled=!may_change>
                    <option value="none" selected=charge == "none">{w.plan_charge_none()}</option>
                    <option value="fee" selected=charge == "fee">{w.plan_charge_fee()}</option>
                    <option value="interest" selected=charge == "interest">{w.plan_charge_interest()}</option>
                </select>
                <label for="plan-charge-value">{w.field_plan_charge_value()}</label>
                <input id="plan-charge-value" name="charge_value" inputmode="decimal" disabled=!may_change
                    value=charge_value/>
                <label><input type="checkbox" name="accept" value="1" checked=policy.accept_within_policy
                    disabled=!may_change/>" "{w.field_plan_accept()}</label>
                <label for="plan-grace">{w.field_plan_grace()}</label>
                <input id="plan-grace" name="grace_days" inputmode="numeric" required disabled=!may_change
                    value=policy.grace_days.to_string()/>
                <label for="plan-first-days">{w.field_plan_first_days()}</label>
                <input id="plan-first-days" name="max_first_days" inputmode="numeric" required disabled=!may_change
                    value=policy.max_first_days.to_string()/>
                {move || error().map(|e| view! { <p role="alert" class="form-error">{e}</p> })}
                {may_change.then(|| view! { <button type="submit" class="button-primary">{w.save_plan_rules()}</button> })}
            </ActionForm>
        </section>
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

/// Where debtors' money goes: the bank account for transfers (with the reference scheme of new
/// invoices) and the Stripe accounts for paying online.
#[component]
fn PaymentSettings(
    overview: SettingsOverview,
    bank: ServerAction<SaveBankDetails>,
    connect: ServerAction<ConnectStripe>,
    disconnect: ServerAction<DisconnectStripe>,
) -> impl IntoView {
    let w = t();
    let may_change = overview.may_change;
    let bank_error = move || bank.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let connect_error = move || connect.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let current = overview.bank.clone();
    let value = move |f: fn(&BankView) -> Option<String>| current.as_ref().and_then(f).unwrap_or_default();
    let scheme = overview.reference_scheme.clone();
    let schemes = [
        ("rf", w.reference_scheme_rf()),
        ("nl_betalingskenmerk", w.reference_scheme_nl()),
        ("be_structured", w.reference_scheme_be()),
        ("dk_fik71", w.reference_scheme_dk()),
    ]
    .into_iter()
    .map(|(code, name)| view! { <option value=code selected=code == scheme>{name}</option> })
    .collect_view();
    let accounts = overview
        .stripe
        .iter()
        .map(|a| {
            let methods = if a.methods.is_empty() { w.stripe_methods_all() } else { a.methods.join(", ") };
            let mode = a.mode.clone();
            view! {
                <li data-testid=format!("stripe-{}", a.mode)>
                    <p>{w.stripe_connected(a.mode.clone(), a.secret_key_hint.clone(), a.publishable_key.clone())}</p>
                    <p>{w.stripe_methods(methods)}</p>
                    {may_change.then(|| view! {
                        <ActionForm action=disconnect>
                            <input type="hidden" name="mode" value=mode.clone()/>
                            <button type="submit">{w.disconnect_stripe(mode.clone())}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    let none = overview.stripe.is_empty().then(|| view! { <p>{w.stripe_none()}</p> });
    view! {
        <section class="settings-payments" aria-labelledby="bank-title">
            <h2 id="bank-title">{w.bank_title()}</h2>
            {overview.bank.is_none().then(|| view! { <p>{w.bank_none()}</p> })}
            <ActionForm action=bank>
                <label for="account_name">{w.field_account_name()}</label>
                <input id="account_name" name="account_name" required maxlength="70" autocomplete="off"
                    value=value(|b| Some(b.account_name.clone())) disabled=!may_change/>
                <label for="iban">{w.field_iban()}</label>
                <input id="iban" name="iban" required maxlength="42" autocomplete="off" spellcheck="false"
                    value=value(|b| Some(b.iban.clone())) disabled=!may_change/>
                <label for="bic">{w.field_bic()}</label>
                <input id="bic" name="bic" maxlength="11" autocomplete="off" spellcheck="false"
                    value=value(|b| b.bic.clone()) disabled=!may_change/>
                <label for="reference_scheme">{w.field_reference_scheme()}</label>
                <select id="reference_scheme" name="reference_scheme" disabled=!may_change>{schemes}</select>
                <label for="fik_creditor">{w.field_fik_creditor()}</label>
                <input id="fik_creditor" name="fik_creditor" inputmode="numeric" maxlength="8" autocomplete="off"
                    value=value(|b| b.fik_creditor.clone()) disabled=!may_change/>
                <p role="alert" class="form-error">{bank_error}</p>
                {may_change.then(|| view! { <button type="submit" class="button-primary">{w.save_bank()}</button> })}
            </ActionForm>
        </section>
        <section class="settings-payments" aria-labelledby="stripe-title">
            <h2 id="stripe-title">{w.stripe_title()}</h2>
            {none}
            <ul class="stripe-accounts">{accounts}</ul>
            <p>{w.stripe_webhook(overview.stripe_webhook_url.clone())}</p>
            {may_change.then(|| view! {
                <ActionForm action=connect>
                    <label for="secret_key">{w.field_secret_key()}</label>
                    <input id="secret_key" name="secret_key" type="password" required autocomplete="off"
                        spellcheck="false" aria-describedby="stripe-keys-hint"/>
                    <label for="publishable_key">{w.field_publishable_key()}</label>
                    <input id="publishable_key" name="publishable_key" required autocomplete="off" spellcheck="false"/>
                    <label for="webhook_secret">{w.field_webhook_secret()}</label>
                    <input id="webhook_secret" name="webhook_secret" type="password" required autocomplete="off"
                        spellcheck="false"/>
                    <label for="methods">{w.field_methods()}</label>
                    <input id="methods" name="methods" autocomplete="off" spellcheck="false"/>
                    <p id="stripe-keys-hint" class="hint">{w.stripe_keys_hint()}</p>
                    <p role="alert" class="form-error">{connect_error}</p>
                    <button type="submit" class="button-primary">{w.connect_stripe()}</button>
                </ActionForm>
            })}
        </section>
    }
}
