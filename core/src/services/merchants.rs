//! Merchants: created by the system (the CLI today; a platform admin later), each with its
//! own slug, name and brand. A new merchant starts in test mode.

use kassa_domain::{MerchantId, MerchantSlug, Problem, ReferenceScheme};

use crate::audit;
use crate::db;
use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::services::logos;
use crate::services::records::{self, merchant_by_id, Merchant};
use crate::Ctx;

/// Kassa's own blue, for merchants that bring no colour.
pub const DEFAULT_BRAND_COLOR: &str = "#1f4e79";

#[derive(Debug, Clone)]
pub struct CreateMerchant {
    pub slug: MerchantSlug,
    pub name: String,
    /// `#rrggbb`.
    pub brand_color: Option<String>,
    /// A PNG or JPEG file's bytes (crate::services::logos).
    pub logo: Option<Vec<u8>>,
    /// An IANA name (`Europe/Copenhagen`); [`records::DEFAULT_TIME_ZONE`] when `None`.
    pub time_zone: Option<String>,
}

/// A time zone name as the IANA database spells it, or `unknown_time_zone`.
fn parse_time_zone(input: &str) -> Result<String> {
    let input = input.trim();
    match records::time_zone(input) {
        // The database's own spelling (`europe/oslo` is found, `Europe/Oslo` is kept).
        Some(zone) => Ok(zone.iana_name().unwrap_or(input).to_string()),
        None => Err(Problem::UnknownTimeZone { input: input.chars().take(60).collect() }.into()),
    }
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Creates a merchant; only the system may. A slug already in use is `slug_taken`.
pub async fn create(ctx: &Ctx, who: &Principal, cmd: CreateMerchant) -> Result<Merchant> {
    if *who != Principal::System {
        return Err(Error::Forbidden);
    }
    let name = cmd.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::NameRequired.into());
    }
    let color = cmd.brand_color.as_deref().map(str::trim).unwrap_or(DEFAULT_BRAND_COLOR).to_ascii_lowercase();
    if !is_hex_color(&color) {
        return Err(Problem::InvalidColor { input: color.chars().take(20).collect() }.into());
    }
    let logo = cmd.logo.map(logos::Logo::read).transpose()?;
    let zone = parse_time_zone(cmd.time_zone.as_deref().unwrap_or(records::DEFAULT_TIME_ZONE))?;
    let id = MerchantId::from_raw(db::new_id());
    let mut tx = db::begin_write(&ctx.pool).await?;
    let inserted = sqlx::query(
        "INSERT INTO merchants (id, slug, name, brand_color, created_at, time_zone) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(cmd.slug.as_str())
    .bind(name)
    .bind(&color)
    .bind(db::now())
    .bind(&zone)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(Problem::SlugTaken { slug: cmd.slug.to_string() }.into());
    }
    let logo_url = match &logo {
        Some(logo) => Some(logos::store(&mut tx, &id, cmd.slug.as_str(), logo).await?),
        None => None,
    };
    let after = serde_json::json!({ "slug": cmd.slug, "name": name, "brand_color": color, "logo_url": logo_url,
        "time_zone": zone });
    let entry = audit::Entry {
        merchant: Some(&id),
        action: "merchant.created",
        subject_type: "merchant",
        subject_id: id.as_str(),
        before: None,
        after: Some(after),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    merchant_by_id(&ctx.pool, &id).await
}

/// The merchant's own settings, as staff and the API see and change them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// IANA name: whose midnight makes an invoice overdue, and the zone of times on pages.
    pub time_zone: String,
    /// Where debtors send bank transfers, once set ([`set_bank_details`]).
    pub bank: Option<records::BankAccount>,
    pub reference_scheme: ReferenceScheme,
}

impl From<Merchant> for Settings {
    fn from(m: Merchant) -> Settings {
        Settings { time_zone: m.time_zone, bank: m.bank, reference_scheme: m.reference_scheme }
    }
}

/// Changes to [`Settings`]; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct UpdateSettings {
    pub time_zone: Option<String>,
}

/// Whether `who` may change its merchant's settings and logo: staff admins, the system, and
/// live keys with `settings` (a setting applies to both modes, so a test key may not).
pub(crate) fn may_change(who: &Principal) -> Result<()> {
    who.may_change_settings()?;
    if matches!(who, Principal::ApiKey(k) if k.mode == crate::principal::Mode::Test) {
        return Err(Problem::LiveKeyRequired.into());
    }
    Ok(())
}

/// `who`'s merchant's settings (anyone of its staff, or any of its keys, may read them).
pub async fn settings(ctx: &Ctx, who: &Principal) -> Result<Settings> {
    Ok(records::scoped_merchant(&ctx.pool, who, None).await?.into())
}

/// Changes `who`'s merchant's settings (staff admins, and live keys with `settings`: they apply
/// to both modes, so a test key may not), audited with what was before; changing nothing changes
/// nothing and records nothing.
pub async fn update_settings(ctx: &Ctx, who: &Principal, cmd: UpdateSettings) -> Result<Settings> {
    may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, None).await?;
    let zone = cmd.time_zone.as_deref().map(parse_time_zone).transpose()?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before: String = sqlx::query_scalar("SELECT time_zone FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(&mut *tx)
        .await?;
    let after = zone.unwrap_or_else(|| before.clone());
    if after == before {
        tx.rollback().await?;
        return Ok(merchant_by_id(&ctx.pool, &merchant).await?.into());
    }
    sqlx::query("UPDATE merchants SET time_zone = $1 WHERE id = $2")
        .bind(&after)
        .bind(merchant.as_str())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "merchant.settings_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::json!({ "time_zone": before })),
        after: Some(serde_json::json!({ "time_zone": after })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(merchant_by_id(&ctx.pool, &merchant).await?.into())
}

/// Where a merchant's debtors send bank transfers, and which structured reference its invoices
/// carry (domain/src/reference.rs).
#[derive(Debug, Clone)]
pub struct BankDetails {
    /// The beneficiary's name as the bank knows it (at most 70 characters: an EPC QR code's).
    pub account_name: String,
    /// As typed (`NL91 ABNA 0417 1643 00`); kept in electronic form.
    pub iban: String,
    pub bic: Option<String>,
    pub reference_scheme: ReferenceScheme,
    /// The Danish FI creditor number (8 digits): needed for +71 references.
    pub fik_creditor: Option<String>,
}

/// Sets the merchant's bank details (staff admins, the system, live keys with `settings`),
/// every field checked and each problem named with its field; audited with what was before.
pub async fn set_bank_details(
    ctx: &Ctx,
    who: &Principal,
    merchant: Option<&MerchantId>,
    cmd: BankDetails,
) -> Result<Merchant> {
    may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, merchant).await?;
    let mut problems = Vec::new();
    let mut field = |name: &str, problem: Problem| {
        problems.push(crate::error::FieldProblem { field: name.to_string(), problem });
    };
    let name = cmd.account_name.trim().to_string();
    if name.is_empty() || name.chars().count() > 70 || name.chars().any(char::is_control) {
        field("account_name", Problem::AccountNameInvalid);
    }
    let iban = crate::services::invoices::parse_iban(&cmd.iban).map_err(|p| field("iban", p)).ok();
    let typed = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let bic = typed(&cmd.bic).map(|b| b.to_ascii_uppercase());
    if let Some(b) = &bic {
        if !(matches!(b.len(), 8 | 11) && b.chars().all(|c| c.is_ascii_alphanumeric())) {
            field("bic", Problem::BicInvalid { input: b.chars().take(20).collect() });
        }
    }
    let fik = typed(&cmd.fik_creditor);
    match &fik {
        Some(f) if !(f.len() == 8 && f.chars().all(|c| c.is_ascii_digit())) => {
            field("fik_creditor", Problem::FikCreditorInvalid { input: f.chars().take(20).collect() })
        }
        None if cmd.reference_scheme == ReferenceScheme::DkFik71 => {
            field("fik_creditor", Problem::FikCreditorInvalid { input: String::new() })
        }
        _ => {}
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tx = db::begin_write(&ctx.pool).await?;
    let before: (Option<String>, Option<String>, Option<String>, String, Option<String>) = sqlx::query_as(
        "SELECT bank_account_name, bank_iban, bank_bic, reference_scheme, fik_creditor FROM merchants WHERE id = $1",
    )
    .bind(merchant.as_str())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE merchants SET bank_account_name = $1, bank_iban = $2, bank_bic = $3, reference_scheme = $4, \
         fik_creditor = $5 WHERE id = $6",
    )
    .bind(&name)
    .bind(&iban)
    .bind(&bic)
    .bind(cmd.reference_scheme.code())
    .bind(&fik)
    .bind(merchant.as_str())
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "merchant.bank_details_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(serde_json::json!({ "account_name": before.0, "iban": before.1, "bic": before.2,
            "reference_scheme": before.3, "fik_creditor": before.4 })),
        after: Some(serde_json::json!({ "account_name": name, "iban": iban, "bic": bic,
            "reference_scheme": cmd.reference_scheme.code(), "fik_creditor": fik })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    merchant_by_id(&ctx.pool, &merchant).await
}
