//! A merchant connects its Stripe account: its keys for one mode (test keys for test mode,
//! live keys for live mode, side by side), the webhook signing secret of the endpoint it
//! added in the Stripe Dashboard, and optionally which payment methods to offer. The secret
//! key and the signing secret are sealed at rest and never shown again (a hint like
//! `sk_test_...4242` is); the merchant's mode picks the account its debtors pay through.

use kassa_domain::{MerchantId, Problem};
use secrecy::{ExposeSecret, SecretString};

use crate::audit;
use crate::db;
use crate::error::{Error, FieldProblem, Result};
use crate::gateways::Credentials;
use crate::principal::{Mode, Principal};
use crate::services::merchants::may_change;
use crate::services::records;
use crate::Ctx;

/// What a merchant gives to connect a Stripe account.
#[derive(Clone)]
pub struct StripeKeys {
    pub secret_key: SecretString,
    pub publishable_key: String,
    pub webhook_secret: SecretString,
    /// Stripe's payment method types to offer (`card`, `ideal`, `sepa_debit`, ...); empty:
    /// every method enabled in the merchant's Stripe Dashboard.
    pub methods: Vec<String>,
}

/// A connected Stripe account, as it may be shown: no secret in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeAccount {
    pub mode: Mode,
    /// `sk_test_...4242`: enough to tell keys apart.
    pub secret_key_hint: String,
    pub publishable_key: String,
    pub methods: Vec<String>,
    /// Unix seconds.
    pub updated_at: i64,
    /// The address to add as a webhook endpoint in the Stripe Dashboard (this merchant's).
    pub webhook_url: String,
}

/// Where Stripe sends `merchant`'s events: the address a merchant registers in Stripe's Dashboard.
pub fn webhook_url(ctx: &Ctx, slug: &kassa_domain::MerchantSlug) -> String {
    format!("{}/webhooks/stripe/{slug}", ctx.public_url.trim_end_matches('/'))
}

/// The mode a key is for, by Stripe's prefixes (`sk_test_...`, `rk_live_...`, `pk_test_...`).
fn key_mode(key: &str, kinds: &[&str]) -> Option<Mode> {
    let (kind, rest) = key.split_once('_')?;
    if !kinds.contains(&kind) {
        return None;
    }
    let (mode, body) = rest.split_once('_')?;
    let mode = match mode {
        "test" => Mode::Test,
        "live" => Mode::Live,
        _ => return None,
    };
    (body.len() >= 8 && body.len() <= 250 && body.chars().all(|c| c.is_ascii_alphanumeric())).then_some(mode)
}

fn valid_webhook_secret(secret: &str) -> bool {
    secret.strip_prefix("whsec_").is_some_and(|body| {
        body.len() >= 8 && body.len() <= 250 && body.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    })
}

fn valid_method(method: &str) -> bool {
    method.len() <= 40 && crate::gateways::stripe::is_method(method)
}

fn hint(secret_key: &str) -> String {
    let prefix: String = secret_key.chars().take(8).collect();
    let last: String = secret_key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{prefix}...{last}")
}

/// Connects (or replaces) the merchant's Stripe account for the keys' mode: staff admins,
/// the system, and live API keys with `settings`. Every field is checked and each problem
/// named with its field; audited without the secrets.
pub async fn connect(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    keys: StripeKeys,
) -> Result<StripeAccount> {
    may_change(who)?;
    let found = records::scoped_merchant(&ctx.pool, who, merchant).await?;
    let merchant = found.id.clone();
    let mut problems = Vec::new();
    let mut field = |name: &str, problem: Problem| problems.push(FieldProblem { field: name.to_string(), problem });
    let secret_key = keys.secret_key.expose_secret().trim().to_string();
    let publishable_key = keys.publishable_key.trim().to_string();
    let webhook_secret = keys.webhook_secret.expose_secret().trim().to_string();
    let mode = key_mode(&secret_key, &["sk", "rk"]);
    if mode.is_none() {
        field("secret_key", Problem::StripeSecretKeyInvalid);
    }
    match key_mode(&publishable_key, &["pk"]) {
        None => field("publishable_key", Problem::StripePublishableKeyInvalid),
        Some(pk_mode) if mode.is_some_and(|m| m != pk_mode) => {
            field("publishable_key", Problem::StripeKeysModeMismatch)
        }
        Some(_) => {}
    }
    if !valid_webhook_secret(&webhook_secret) {
        field("webhook_secret", Problem::StripeWebhookSecretInvalid);
    }
    let mut methods: Vec<String> = Vec::new();
    for method in keys.methods.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        if !valid_method(method) {
            field("methods", Problem::PaymentMethodTypeInvalid { input: method.chars().take(40).collect() });
        } else if !methods.iter().any(|m| m == method) {
            methods.push(method.to_string());
        }
    }
    let Some(mode) = mode.filter(|_| problems.is_empty()) else {
        return Err(Error::Invalid(problems));
    };
    let now = db::now();
    let account = StripeAccount {
        mode,
        secret_key_hint: hint(&secret_key),
        publishable_key,
        methods,
        updated_at: now,
        webhook_url: webhook_url(ctx, &found.slug),
    };
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before: Option<(String, String, String)> = sqlx::query_as(
        "SELECT secret_key_hint, publishable_key, methods FROM stripe_accounts WHERE merchant_id = $1 AND mode = $2",
    )
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO stripe_accounts (merchant_id, mode, secret_key, secret_key_hint, publishable_key, webhook_secret, \
         methods, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (merchant_id, mode) DO UPDATE SET secret_key = excluded.secret_key, \
         secret_key_hint = excluded.secret_key_hint, publishable_key = excluded.publishable_key, \
         webhook_secret = excluded.webhook_secret, methods = excluded.methods, updated_at = excluded.updated_at",
    )
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(ctx.gateway_secrets.seal(&secret_key))
    .bind(&account.secret_key_hint)
    .bind(&account.publishable_key)
    .bind(ctx.gateway_secrets.seal(&webhook_secret))
    .bind(account.methods.join(","))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let shown = |hint: &str, publishable: &str, methods: &str| serde_json::json!({ "mode": mode.as_str(), "secret_key": hint, "publishable_key": publishable, "methods": methods });
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "merchant.stripe_connected",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: before.map(|(h, p, m)| shown(&h, &p, &m)),
        after: Some(shown(&account.secret_key_hint, &account.publishable_key, &account.methods.join(","))),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    ctx.senders.forget();
    Ok(account)
}

/// Disconnects the merchant's Stripe account for `mode`: its debtors pay through the sandbox
/// again in test mode, not at all in live mode. Disconnecting none is no error.
pub async fn disconnect(ctx: &Ctx, who: &Principal, merchant: Option<&MerchantId>, mode: Mode) -> Result<()> {
    may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let removed = sqlx::query("DELETE FROM stripe_accounts WHERE merchant_id = $1 AND mode = $2")
        .bind(merchant.as_str())
        .bind(mode.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed > 0 {
        let entry = audit::Entry {
            merchant: Some(&merchant),
            action: "merchant.stripe_disconnected",
            subject_type: "merchant",
            subject_id: merchant.as_str(),
            before: Some(serde_json::json!({ "mode": mode.as_str() })),
            after: None,
        };
        audit::record(&mut tx, who, &ctx.origin, entry).await?;
    }
    tx.commit().await?;
    ctx.senders.forget();
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    mode: String,
    secret_key: String,
    secret_key_hint: String,
    publishable_key: String,
    webhook_secret: String,
    methods: String,
    updated_at: i64,
}

impl Row {
    fn mode(&self) -> Result<Mode> {
        match self.mode.as_str() {
            "live" => Ok(Mode::Live),
            "test" => Ok(Mode::Test),
            other => Err(Error::internal(format!("a Stripe account in mode {other}"))),
        }
    }

    fn methods(&self) -> Vec<String> {
        self.methods.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect()
    }
}

const COLUMNS: &str = "mode, secret_key, secret_key_hint, publishable_key, webhook_secret, methods, updated_at";

/// The merchant's connected Stripe accounts (test, live), without their secrets: anyone of
/// its staff, or any of its keys, may read them.
pub async fn list(ctx: &Ctx, who: &Principal, merchant: Option<&MerchantId>) -> Result<Vec<StripeAccount>> {
    let merchant = records::scoped_merchant(&ctx.pool, who, merchant).await?;
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM stripe_accounts WHERE merchant_id = $1 ORDER BY mode DESC"))
            .bind(merchant.id.as_str())
            .fetch_all(&ctx.pool)
            .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StripeAccount {
                mode: r.mode()?,
                methods: r.methods(),
                secret_key_hint: r.secret_key_hint,
                publishable_key: r.publishable_key,
                updated_at: r.updated_at,
                webhook_url: webhook_url(ctx, &merchant.slug),
            })
        })
        .collect()
}

/// The merchant's Stripe credentials for `mode`, opened, if it connected an account: for
/// talking to Stripe, never for showing.
pub(crate) async fn credentials(ctx: &Ctx, merchant: &MerchantId, mode: Mode) -> Result<Option<Credentials>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM stripe_accounts WHERE merchant_id = $1 AND mode = $2"))
            .bind(merchant.as_str())
            .bind(mode.as_str())
            .fetch_optional(&ctx.pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let open = |sealed: &str| {
        ctx.gateway_secrets.open(sealed).map(SecretString::from).ok_or_else(|| {
            Error::internal(format!(
                "merchant {merchant}'s Stripe keys cannot be opened: KASSA_SECRET changed since they were given; \
                 connect the Stripe account again"
            ))
        })
    };
    Ok(Some(Credentials {
        secret_key: open(&row.secret_key)?,
        webhook_secret: open(&row.webhook_secret)?,
        methods: row.methods(),
        publishable_key: row.publishable_key,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_by_stripes_prefixes() {
        assert_eq!(key_mode("sk_test_51HxYz0AbCdEf", &["sk", "rk"]), Some(Mode::Test));
        assert_eq!(key_mode("rk_live_51HxYz0AbCdEf", &["sk", "rk"]), Some(Mode::Live));
        assert_eq!(key_mode("pk_live_51HxYz0AbCdEf", &["sk", "rk"]), None);
        assert_eq!(key_mode("sk_prod_51HxYz0AbCdEf", &["sk", "rk"]), None);
        assert_eq!(key_mode("sk_test_short", &["sk", "rk"]), None);
        assert_eq!(key_mode("sk_test_51HxYz0 AbCdEf", &["sk", "rk"]), None);
        assert!(valid_webhook_secret("whsec_abcdEFGH1234+/="));
        assert!(!valid_webhook_secret("whsec_"));
        assert!(!valid_webhook_secret("sk_test_51HxYz0AbCdEf"));
        assert!(valid_method("sepa_debit") && valid_method("ideal") && valid_method("mobilepay"));
        assert!(!valid_method("Card") && !valid_method("x") && !valid_method("bitcoin_maybe"));
        assert_eq!(hint("sk_test_51HxYz0AbCdEf4242"), "sk_test_...4242");
    }
}
