//! `/api/v1/settings`: the merchant's own settings, the same `kassa-core` service as the
//! admin's settings page. Every key reads them; changing them takes the `settings` scope.

use axum::Json;
use kassa_core::principal::Mode;
use kassa_core::services::merchants::{self, BankDetails, Settings, UpdateSettings};
use kassa_core::services::stripe_accounts::{self, StripeAccount, StripeKeys};
use kassa_domain::ReferenceScheme;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::{Body, ErrorJson, Key, Path};

/// The merchant's settings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingsJson {
    /// Always `settings`.
    pub object: String,
    /// IANA time zone (`Europe/Amsterdam`, the default): an invoice is overdue from midnight
    /// here after its due date, and pages show times on this clock.
    pub time_zone: String,
    /// Where debtors send bank transfers (shown on each invoice with an EPC QR code for
    /// euros); `null` until set with `PUT /settings/bank_account`.
    pub bank_account: Option<BankAccountJson>,
    /// The structured payment reference Kassa gives new invoices.
    pub reference_scheme: ReferenceSchemeJson,
}

/// The merchant's account for bank transfers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BankAccountJson {
    /// The account holder's name as the bank knows it.
    pub account_name: String,
    /// Electronic form (`NL91ABNA0417164300`).
    pub iban: String,
    pub bic: Option<String>,
    /// The Danish FI creditor number (8 digits), for +71 references.
    pub fik_creditor: Option<String>,
}

/// `rf` (ISO 11649 creditor reference, the default), `nl_betalingskenmerk`, `be_structured`
/// (`+++123/4567/89002+++`) or `dk_fik71` (needs `fik_creditor`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceSchemeJson {
    Rf,
    NlBetalingskenmerk,
    BeStructured,
    DkFik71,
}

impl From<ReferenceScheme> for ReferenceSchemeJson {
    fn from(s: ReferenceScheme) -> ReferenceSchemeJson {
        match s {
            ReferenceScheme::Rf => ReferenceSchemeJson::Rf,
            ReferenceScheme::NlBetalingskenmerk => ReferenceSchemeJson::NlBetalingskenmerk,
            ReferenceScheme::BeStructured => ReferenceSchemeJson::BeStructured,
            ReferenceScheme::DkFik71 => ReferenceSchemeJson::DkFik71,
        }
    }
}

impl From<ReferenceSchemeJson> for ReferenceScheme {
    fn from(s: ReferenceSchemeJson) -> ReferenceScheme {
        match s {
            ReferenceSchemeJson::Rf => ReferenceScheme::Rf,
            ReferenceSchemeJson::NlBetalingskenmerk => ReferenceScheme::NlBetalingskenmerk,
            ReferenceSchemeJson::BeStructured => ReferenceScheme::BeStructured,
            ReferenceSchemeJson::DkFik71 => ReferenceScheme::DkFik71,
        }
    }
}

impl From<Settings> for SettingsJson {
    fn from(s: Settings) -> SettingsJson {
        SettingsJson {
            object: "settings".into(),
            time_zone: s.time_zone,
            bank_account: s.bank.map(|b| BankAccountJson {
                account_name: b.name,
                iban: b.iban,
                bic: b.bic,
                fik_creditor: b.fik_creditor,
            }),
            reference_scheme: s.reference_scheme.into(),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountBody {
    /// The account holder's name as the bank knows it, 1 to 70 characters.
    pub account_name: String,
    /// Spaces allowed (`NL91 ABNA 0417 1643 00`); 422 `iban_invalid` when its check digits fail.
    pub iban: String,
    /// 8 or 11 letters and digits.
    pub bic: Option<String>,
    /// `rf` when left out.
    pub reference_scheme: Option<ReferenceSchemeJson>,
    /// 8 digits; required with `dk_fik71`.
    pub fik_creditor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettingsJson {
    /// IANA time zone name; 422 `unknown_time_zone` for anything else.
    pub time_zone: Option<String>,
}

/// The merchant's settings.
#[utoipa::path(get, path = "/settings", tag = "settings", responses((status = 200, body = SettingsJson)))]
pub async fn get(key: Key) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(merchants::settings(&key.ctx, &key.who).await?.into()))
}

/// Change the merchant's settings (what the body leaves out stays). They apply to both modes:
/// a live key with the `settings` scope changes them (a test key gets 403 `live_key_required`).
#[utoipa::path(patch, path = "/settings", tag = "settings", request_body = UpdateSettingsJson,
    responses((status = 200, body = SettingsJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn update(key: Key, Body(body): Body<UpdateSettingsJson>) -> ApiResult<Json<SettingsJson>> {
    let change = UpdateSettings { time_zone: body.time_zone };
    Ok(Json(merchants::update_settings(&key.ctx, &key.who, change).await?.into()))
}

/// Set where debtors send bank transfers and the reference scheme of new invoices (every field
/// checked, each problem named with its field). A live key with the `settings` scope.
#[utoipa::path(put, path = "/settings/bank_account", tag = "settings", request_body = BankAccountBody,
    responses((status = 200, body = SettingsJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn set_bank_account(key: Key, Body(body): Body<BankAccountBody>) -> ApiResult<Json<SettingsJson>> {
    let details = BankDetails {
        account_name: body.account_name,
        iban: body.iban,
        bic: body.bic,
        reference_scheme: body.reference_scheme.map(Into::into).unwrap_or(ReferenceScheme::Rf),
        fik_creditor: body.fik_creditor,
    };
    let merchant = merchants::set_bank_details(&key.ctx, &key.who, None, details).await?;
    Ok(Json(Settings::from(merchant).into()))
}

/// A connected Stripe account, without its secrets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StripeAccountJson {
    /// Always `stripe_account`.
    pub object: String,
    /// `test` or `live`: the keys' mode; the merchant's mode picks the account its debtors pay
    /// through.
    pub mode: ModeJson,
    /// The secret key's first and last characters (`sk_test_...4242`); the key itself is never
    /// shown again.
    pub secret_key: String,
    pub publishable_key: String,
    /// The payment method types offered; empty: every method enabled in the Stripe Dashboard.
    pub methods: Vec<String>,
    /// Add this as a webhook endpoint in the Stripe Dashboard (events `payment_intent.*` and
    /// `refund.*`); its signing secret is the `webhook_secret` given here.
    pub webhook_url: String,
    /// Unix seconds.
    pub updated_at: i64,
}

/// `test` or `live`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeJson {
    Test,
    Live,
}

impl From<StripeAccount> for StripeAccountJson {
    fn from(a: StripeAccount) -> StripeAccountJson {
        StripeAccountJson {
            object: "stripe_account".into(),
            mode: match a.mode {
                Mode::Test => ModeJson::Test,
                Mode::Live => ModeJson::Live,
            },
            secret_key: a.secret_key_hint,
            publishable_key: a.publishable_key,
            methods: a.methods,
            webhook_url: a.webhook_url,
            updated_at: a.updated_at,
        }
    }
}

/// The merchant's connected Stripe accounts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StripeAccountsJson {
    /// Always `list`.
    pub object: String,
    /// At most one per mode, live first.
    pub data: Vec<StripeAccountJson>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StripeAccountBody {
    /// From the Stripe Dashboard (Developers, API keys): `sk_test_...`/`sk_live_...`, or a
    /// restricted key `rk_...` allowed to write PaymentIntents and Refunds. Its mode is the
    /// account's mode. Stored sealed, never shown again.
    pub secret_key: String,
    /// `pk_test_...`/`pk_live_...`, the same mode as the secret key.
    pub publishable_key: String,
    /// The signing secret (`whsec_...`) of the webhook endpoint added in the Stripe Dashboard
    /// at this account's `webhook_url`. Stored sealed, never shown again.
    pub webhook_secret: String,
    /// Stripe's payment method types to offer (`card`, `ideal`, `sepa_debit`, `bancontact`,
    /// `mobilepay`, ...); left out or empty: every method enabled in the Stripe Dashboard.
    #[serde(default)]
    pub methods: Vec<String>,
}

impl std::fmt::Debug for StripeAccountBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeAccountBody").field("publishable_key", &self.publishable_key).finish_non_exhaustive()
    }
}

/// The merchant's connected Stripe accounts (test, live), without their secrets.
#[utoipa::path(get, path = "/settings/stripe", tag = "settings", responses((status = 200, body = StripeAccountsJson)))]
pub async fn stripe_accounts(key: Key) -> ApiResult<Json<StripeAccountsJson>> {
    let data = stripe_accounts::list(&key.ctx, &key.who, None).await?.into_iter().map(Into::into).collect();
    Ok(Json(StripeAccountsJson { object: "list".into(), data }))
}

/// Connect the merchant's Stripe account for the keys' mode (replacing one connected before):
/// every field checked, each problem named with its field. A live key with the `settings` scope.
#[utoipa::path(put, path = "/settings/stripe", tag = "settings", request_body = StripeAccountBody,
    responses((status = 200, body = StripeAccountJson), (status = 403, body = ErrorJson), (status = 422, body = ErrorJson)))]
pub async fn connect_stripe(key: Key, Body(body): Body<StripeAccountBody>) -> ApiResult<Json<StripeAccountJson>> {
    let keys = StripeKeys {
        secret_key: body.secret_key.into(),
        publishable_key: body.publishable_key,
        webhook_secret: body.webhook_secret.into(),
        methods: body.methods,
    };
    Ok(Json(stripe_accounts::connect(&key.ctx, &key.who, None, keys).await?.into()))
}

/// Disconnect the merchant's Stripe account for `mode` (`test` or `live`): in test mode its
/// debtors pay in the sandbox again, in live mode not at all until another is connected. A
/// live key with the `settings` scope.
#[utoipa::path(delete, path = "/settings/stripe/{mode}", tag = "settings",
    params(("mode" = ModeJson, Path, description = "`test` or `live`")),
    responses((status = 204), (status = 403, body = ErrorJson)))]
pub async fn disconnect_stripe(key: Key, Path(mode): Path<ModeJson>) -> ApiResult<http::StatusCode> {
    let mode = match mode {
        ModeJson::Test => Mode::Test,
        ModeJson::Live => Mode::Live,
    };
    stripe_accounts::disconnect(&key.ctx, &key.who, None, mode).await?;
    Ok(http::StatusCode::NO_CONTENT)
}
