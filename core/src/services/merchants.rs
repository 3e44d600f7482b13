//! Merchants: created by the system (the CLI today; a platform admin later), each with its
//! own slug, name and brand. A new merchant starts in test mode.

use kassa_domain::{MerchantId, MerchantSlug, Problem};

use crate::audit;
use crate::db;
use crate::error::{Error, Result};
use crate::principal::Principal;
use crate::services::records::{merchant_by_id, Merchant};
use crate::Ctx;

/// Kassa's own blue, for merchants that bring no colour.
pub const DEFAULT_BRAND_COLOR: &str = "#1f4e79";

#[derive(Debug, Clone)]
pub struct CreateMerchant {
    pub slug: MerchantSlug,
    pub name: String,
    /// `#rrggbb`.
    pub brand_color: Option<String>,
    /// `https://...` or a path on this site (`/assets/logo.svg`).
    pub logo_url: Option<String>,
}

pub fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn parse_logo_url(url: &str) -> Result<String> {
    let url = url.trim();
    let shape_ok = url.starts_with("https://") || (url.starts_with('/') && !url.starts_with("//"));
    let clean = url.len() <= 500 && !url.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c));
    if shape_ok && clean {
        Ok(url.to_string())
    } else {
        Err(Problem::InvalidLogoUrl.into())
    }
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
    let logo = cmd.logo_url.as_deref().map(parse_logo_url).transpose()?;
    let id = MerchantId::from_raw(db::new_id());
    let mut tx = ctx.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO merchants (id, slug, name, brand_color, logo_url, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(cmd.slug.as_str())
    .bind(name)
    .bind(&color)
    .bind(&logo)
    .bind(db::now())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(Problem::SlugTaken { slug: cmd.slug.to_string() }.into());
    }
    let after = serde_json::json!({ "slug": cmd.slug, "name": name, "brand_color": color, "logo_url": logo });
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
