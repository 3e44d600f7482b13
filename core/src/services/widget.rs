//! Widget tokens and what the `<kassa-pay>` element shows. A token is what a merchant puts in
//! its page (`<kassa-pay token="...">`): Kassa-signed (HMAC-SHA256 under a key named in the
//! token, so keys rotate without breaking live pages), naming a row in `widget_tokens` that
//! says which invoice it covers, the web origins allowed to show it, when it expires and
//! whether it was revoked. The same token opens the invoice's pay page in the portal.
//!
//! An email token names no origins: it opens the pay link and draws the invoice's status badge
//! (an image in the merchant's email), never expires, and reads nothing through `/w/v1/invoice`.
//!
//! A token reads nothing but its invoice, and only while its row says it may; anything else
//! (tampered, expired, revoked, its key retired, another merchant's) is `NotFound`, so a probe
//! learns nothing about what exists.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use kassa_domain::{
    Currency, CustomerId, CustomerNumber, InvoiceId, InvoiceNumber, MerchantId, MerchantSlug, Money, Problem,
};

use crate::audit;
use crate::db::{self, Pool};
use crate::error::{Error, Result};
use crate::principal::{Debtor, Mode, Principal};
use crate::secrets::Sealer;
use crate::services::records::{self, merchant_by_id, InvoiceRow, InvoiceState, Merchant, INVOICE_COLUMNS};
use crate::Ctx;

/// The longest a token may stay valid, in days.
pub const MAX_DAYS: u32 = 90;
/// A token's lifetime when none is asked for, in days.
pub const DEFAULT_DAYS: u32 = 30;
/// The most web origins one token may name.
pub const MAX_ORIGINS: usize = 10;
/// When an email token expires: never (9999-12-31T23:59:59Z). A pay link in an email opens as
/// long as the invoice is owed, and says "paid" after; only revoking it (or retiring the key
/// that signed it) ends it.
pub const NEVER: i64 = 253_402_300_799;

/// Signs and checks widget tokens with the keys in `widget_keys` (sealed with the instance
/// key). Clones share the keys opened so far; a key never changes once made.
#[derive(Clone)]
pub struct TokenSigner {
    sealer: Sealer,
    opened: Arc<RwLock<HashMap<String, Arc<[u8]>>>>,
}

/// A signing key as `kassa widget-keys list` shows it (never its secret).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub id: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    /// How many tokens it signed.
    pub tokens: i64,
}

/// What a token says of itself; the rest is its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    /// The token's id (its row).
    t: String,
    /// The id of the key that signed it.
    k: String,
    /// Expiry, unix seconds (checked before the database is asked).
    e: i64,
}

impl TokenSigner {
    pub fn new(instance_key: &[u8]) -> Self {
        TokenSigner { sealer: Sealer::new(instance_key, "widget-keys"), opened: Default::default() }
    }

    /// Key `id`'s secret from its sealed form (opened once per process).
    fn key(&self, id: &str, sealed: &str) -> Result<Arc<[u8]>> {
        if let Some(key) = self.opened.read().expect("keys lock").get(id) {
            return Ok(key.clone());
        }
        let secret =
            self.sealer.open(sealed).and_then(|b64| URL_SAFE_NO_PAD.decode(b64).ok()).ok_or_else(|| {
                Error::internal(format!("widget key {id} cannot be opened: was KASSA_SECRET changed?"))
            })?;
        let key: Arc<[u8]> = secret.into();
        self.opened.write().expect("keys lock").insert(id.to_string(), key.clone());
        Ok(key)
    }

    /// The key new tokens are signed with: the newest one not retired (made on first use).
    async fn current(&self, pool: &Pool) -> Result<(String, Arc<[u8]>)> {
        let newest = || async {
            let found: Option<(String, String)> =
                sqlx::query_as("SELECT id, sealed FROM widget_keys WHERE retired_at IS NULL ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(pool)
                    .await?;
            Ok::<_, Error>(found)
        };
        if let Some((id, sealed)) = newest().await? {
            return Ok((id.clone(), self.key(&id, &sealed)?));
        }
        match self.rotate(pool).await {
            Ok(made) => Ok(made),
            // Another process made the first key at the same moment: use the newest.
            Err(e) => match newest().await? {
                Some((id, sealed)) => Ok((id.clone(), self.key(&id, &sealed)?)),
                None => Err(e),
            },
        }
    }

    /// Makes a new signing key, used for every token from now on. Tokens signed with the keys
    /// before keep working until those are retired ([`TokenSigner::retire_before`]).
    pub async fn rotate(&self, pool: &Pool) -> Result<(String, Arc<[u8]>)> {
        use chacha20poly1305::aead::rand_core::RngCore;
        let mut secret = [0u8; 32];
        chacha20poly1305::aead::OsRng.fill_bytes(&mut secret);
        let id = format!("wk_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        // Numbered after the newest; a key made by another process at the same moment takes the
        // number first, and this insert fails on it rather than making two newest keys.
        sqlx::query(
            "INSERT INTO widget_keys (id, seq, sealed, created_at) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM widget_keys",
        )
        .bind(&id)
        .bind(self.sealer.seal(&URL_SAFE_NO_PAD.encode(secret)))
        .bind(db::now())
        .execute(pool)
        .await?;
        let key: Arc<[u8]> = secret.to_vec().into();
        self.opened.write().expect("keys lock").insert(id.clone(), key.clone());
        Ok((id, key))
    }

    /// Retires every key but the newest: the tokens they signed stop working at once (a key
    /// that may have leaked). Returns how many were retired.
    pub async fn retire_before(&self, pool: &Pool) -> Result<u64> {
        let (newest, _) = self.current(pool).await?;
        let retired = sqlx::query("UPDATE widget_keys SET retired_at = $1 WHERE retired_at IS NULL AND id <> $2")
            .bind(db::now())
            .bind(&newest)
            .execute(pool)
            .await?
            .rows_affected();
        Ok(retired)
    }

    /// Every key, newest first, with how many tokens each signed.
    pub async fn keys(&self, pool: &Pool) -> Result<Vec<KeyInfo>> {
        let rows: Vec<(String, i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT k.id, k.created_at, k.retired_at, (SELECT COUNT(*) FROM widget_tokens t WHERE t.key_id = k.id) \
             FROM widget_keys k ORDER BY k.seq DESC",
        )
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, created_at, retired_at, tokens)| KeyInfo { id, created_at, retired_at, tokens })
            .collect())
    }

    fn mac(key: &[u8], payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(payload.as_bytes());
        mac
    }

    fn sign(key: &[u8], claims: &Claims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let sig = URL_SAFE_NO_PAD.encode(Self::mac(key, &payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    /// The claims a token states, and its payload and signature, not yet checked.
    fn parse(token: &str) -> Result<(Claims, &str, Vec<u8>)> {
        let (payload, sig) = token.split_once('.').ok_or(Error::NotFound)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| Error::NotFound)?;
        let claims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or(Error::NotFound)?;
        Ok((claims, payload, sig))
    }
}

/// A widget token as its merchant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct WidgetToken {
    pub id: String,
    /// What goes in the element's `token` attribute and the pay link; `None` once its key was
    /// retired (it no longer works).
    pub token: Option<String>,
    pub customer: CustomerId,
    pub customer_number: String,
    /// The customer's language (`en`, `nl`, `da`): an email snippet's.
    pub customer_language: String,
    pub invoice: Option<InvoiceId>,
    pub invoice_number: Option<String>,
    /// Normalised web origins (`https://shop.example`).
    pub origins: Vec<String>,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

impl WidgetToken {
    /// An email token: no sites, no end (see [`NEVER`]).
    pub fn is_email(&self) -> bool {
        self.origins.is_empty()
    }
}

/// What a genuine, live token opens: its row.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    pub merchant: MerchantId,
    pub customer: CustomerId,
    pub invoice: Option<InvoiceId>,
    pub origins: Vec<String>,
    pub expires_at: i64,
}

impl Opened {
    /// Whether a request from web origin `origin` may read what the token shows. A request
    /// that names no origin may not: browsers name it on every cross-site read, so one
    /// without is not the merchant's page.
    pub fn allows(&self, origin: Option<&str>) -> bool {
        origin.is_some_and(|o| self.origins.iter().any(|allowed| allowed == o))
    }

    /// The sites that may frame its pages, as a CSP `frame-ancestors` source list: `'none'` for
    /// an email token (its pages open in a tab of their own).
    pub fn frame_ancestors(&self) -> String {
        match self.origins.is_empty() {
            true => "'none'".into(),
            false => self.origins.join(" "),
        }
    }
}

/// `text` as a web origin (`scheme://host[:port]`, lower case, no default port): https, or
/// http for this machine only (a shop being built); nothing after the host.
pub fn origin(text: &str) -> std::result::Result<String, Problem> {
    let invalid = || Problem::WidgetOriginInvalid { input: text.chars().take(200).collect() };
    let trimmed = text.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
    let host = url.host_str().ok_or_else(invalid)?;
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]");
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !scheme_ok || !bare || !url.username().is_empty() || url.password().is_some() {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

/// Every one of `given` as a web origin, once each, in the order given.
pub fn origins(given: &[String]) -> std::result::Result<Vec<String>, Problem> {
    let mut out: Vec<String> = Vec::new();
    for text in given {
        let o = origin(text)?;
        if !out.contains(&o) {
            out.push(o);
        }
    }
    if out.is_empty() || out.len() > MAX_ORIGINS {
        return Err(Problem::WidgetOriginsCount { max: MAX_ORIGINS as u32 });
    }
    Ok(out)
}

/// A token asked for: what it covers and where it is shown.
#[derive(Debug, Clone)]
pub struct IssueToken {
    pub covers: Covers,
    pub reach: Reach,
}

/// What a token shows and pays, by the merchant's numbers.
#[derive(Debug, Clone)]
pub enum Covers {
    /// One invoice: `<kassa-pay>`, or an email's pay button and badge.
    Invoice(InvoiceNumber),
    /// A customer's open invoices, whichever are open when it is shown: `<kassa-invoices>` on
    /// a website (an email's pay button covers one invoice).
    Customer(CustomerNumber),
}

impl Covers {
    /// What a request names: an invoice number or a customer number (blank is none), one of
    /// them. Neither or both is [`Problem::WidgetInvoiceOrCustomer`] (400); a number that
    /// cannot be one is not found, as an unknown one is.
    pub fn from_numbers(invoice: Option<&str>, customer: Option<&str>) -> Result<Covers, Problem> {
        fn given(number: Option<&str>) -> Option<&str> {
            number.map(str::trim).filter(|n| !n.is_empty())
        }
        match (given(invoice), given(customer)) {
            (Some(number), None) => InvoiceNumber::parse(number)
                .map(Covers::Invoice)
                .map_err(|_| Problem::UnknownInvoice { number: number.to_string() }),
            (None, Some(number)) => {
                CustomerNumber::parse(number).map(Covers::Customer).map_err(|_| Problem::UnknownCustomer)
            }
            _ => Err(Problem::WidgetInvoiceOrCustomer),
        }
    }
}

/// Where a token is shown.
#[derive(Debug, Clone)]
pub enum Reach {
    /// `<kassa-pay>` on these sites (web origins), for so many days ([`DEFAULT_DAYS`] when not
    /// said; at most [`MAX_DAYS`]).
    Sites { origins: Vec<String>, days: Option<u32> },
    /// A pay button and status badge in an email: no sites, no end.
    Email,
}

/// The longest `merchant` lets a site's token live, in days: its setting, 1 to [`MAX_DAYS`].
pub async fn max_days(pool: &Pool, merchant: &MerchantId) -> Result<u32> {
    let days: i64 = sqlx::query_scalar("SELECT widget_max_days FROM merchants WHERE id = $1")
        .bind(merchant.as_str())
        .fetch_one(pool)
        .await?;
    u32::try_from(days).map_err(Error::internal)
}

/// Sets the longest `who`'s merchant lets a site's token live (admins, keys with the settings
/// scope): 1 to [`MAX_DAYS`] days. Tokens issued before keep their expiry.
pub async fn set_max_days(ctx: &Ctx, who: &Principal, days: u32) -> Result<u32> {
    crate::services::merchants::may_change(who)?;
    let (merchant, _) = records::scope(&ctx.pool, who, None).await?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Problem::WidgetDaysOutOfRange { max: MAX_DAYS }.into());
    }
    let before = max_days(&ctx.pool, &merchant).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query("UPDATE merchants SET widget_max_days = $1 WHERE id = $2")
        .bind(i64::from(days))
        .bind(merchant.as_str())
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "settings.widgets_changed",
        subject_type: "merchant",
        subject_id: merchant.as_str(),
        before: Some(json!({ "widget_max_days": before })),
        after: Some(json!({ "widget_max_days": days })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    Ok(days)
}

/// Issues a token for one of `who`'s merchant's invoices or customers, in `who`'s mode (staff
/// who may write, API keys with the `write` scope). A site's token lives at most as long as the
/// merchant's setting allows ([`max_days`]); unless asked, [`DEFAULT_DAYS`] or that if less.
pub async fn issue(ctx: &Ctx, who: &Principal, cmd: IssueToken) -> Result<WidgetToken> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let (origins, expires) = match cmd.reach {
        Reach::Sites { origins: given, days } => {
            let origins = origins(&given)?;
            let max = max_days(&ctx.pool, &merchant).await?;
            let days = days.unwrap_or(DEFAULT_DAYS.min(max));
            if !(1..=max).contains(&days) {
                return Err(Problem::WidgetDaysOutOfRange { max }.into());
            }
            (origins, db::now() + i64::from(days) * 86_400)
        }
        Reach::Email if matches!(cmd.covers, Covers::Customer(_)) => {
            return Err(Problem::WidgetEmailCoversOneInvoice.into())
        }
        Reach::Email => (Vec::new(), NEVER),
    };
    let (customer, invoice) = match &cmd.covers {
        Covers::Invoice(number) => {
            let found: Option<(String, String)> = sqlx::query_as(
                "SELECT i.customer_id, i.id FROM invoices i JOIN customers c ON c.merchant_id = i.merchant_id \
                 AND c.id = i.customer_id WHERE i.merchant_id = $1 AND c.mode = $2 AND i.number = $3",
            )
            .bind(merchant.as_str())
            .bind(mode.as_str())
            .bind(number.as_str())
            .fetch_optional(&ctx.pool)
            .await?;
            let (customer, invoice) =
                found.ok_or_else(|| Error::from(Problem::UnknownInvoice { number: number.to_string() }))?;
            (customer, Some(InvoiceId::from_raw(invoice)))
        }
        Covers::Customer(number) => {
            let found: Option<String> =
                sqlx::query_scalar("SELECT id FROM customers WHERE merchant_id = $1 AND mode = $2 AND number = $3")
                    .bind(merchant.as_str())
                    .bind(mode.as_str())
                    .bind(number.as_str())
                    .fetch_optional(&ctx.pool)
                    .await?;
            (found.ok_or(Problem::UnknownCustomer)?, None)
        }
    };
    let customer = CustomerId::from_raw(customer);
    insert(ctx, who, (&merchant, mode), &customer, invoice.as_ref(), origins, expires).await
}

/// What a token covers, by Kassa's ids (for the system's own tokens: the demo's shop).
#[derive(Debug, Clone)]
pub enum Target {
    Invoice(InvoiceId),
    Customer(CustomerId),
}

impl Target {
    /// The condition on `widget_tokens` (its id bound as `$2`) that picks tokens covering it.
    fn condition(&self) -> &'static str {
        match self {
            Target::Invoice(_) => "invoice_id = $2",
            Target::Customer(_) => "customer_id = $2 AND invoice_id IS NULL",
        }
    }

    fn id(&self) -> &str {
        match self {
            Target::Invoice(invoice) => invoice.as_str(),
            Target::Customer(customer) => customer.as_str(),
        }
    }
}

/// Issues a token for `target` of `merchant` on the system's behalf (the demo's shop), valid
/// `lifetime` seconds.
pub async fn issue_for(
    ctx: &Ctx,
    merchant: &MerchantId,
    target: &Target,
    origins: Vec<String>,
    lifetime: i64,
) -> Result<WidgetToken> {
    let sql = match target {
        Target::Invoice(_) => {
            "SELECT i.customer_id, c.mode FROM invoices i JOIN customers c ON c.merchant_id = i.merchant_id \
             AND c.id = i.customer_id WHERE i.merchant_id = $1 AND i.id = $2"
        }
        Target::Customer(_) => "SELECT id, mode FROM customers WHERE merchant_id = $1 AND id = $2",
    };
    let (customer, mode): (String, String) = sqlx::query_as(sql)
        .bind(merchant.as_str())
        .bind(target.id())
        .fetch_optional(&ctx.pool)
        .await?
        .ok_or(Error::NotFound)?;
    let mode = Mode::from_stored(&mode, format_args!("{target:?}"))?;
    let origins = self::origins(&origins)?;
    let expires = db::now() + lifetime;
    let customer = CustomerId::from_raw(customer);
    let invoice = match target {
        Target::Invoice(invoice) => Some(invoice),
        Target::Customer(_) => None,
    };
    insert(ctx, &Principal::System, (merchant, mode), &customer, invoice, origins, expires).await
}

/// A live token of `target` for exactly `origins`, signed with the newest key, with at least
/// `left` seconds to live: what a page shown again can hand out instead of issuing another
/// (the demo's shop, on every visit).
pub async fn reusable(
    ctx: &Ctx,
    merchant: &MerchantId,
    target: &Target,
    origins: &[String],
    left: i64,
) -> Result<Option<WidgetToken>> {
    let (key_id, _) = ctx.tokens.current(&ctx.pool).await?;
    let origins = serde_json::to_string(&self::origins(origins)?).map_err(Error::internal)?;
    let found: Option<(String, String)> = sqlx::query_as(&format!(
        "SELECT id, mode FROM widget_tokens WHERE merchant_id = $1 AND {} AND origins = $3 \
         AND key_id = $4 AND revoked_at IS NULL AND expires_at > $5 ORDER BY expires_at DESC, id LIMIT 1",
        target.condition()
    ))
    .bind(merchant.as_str())
    .bind(target.id())
    .bind(&origins)
    .bind(&key_id)
    .bind(db::now() + left)
    .fetch_optional(&ctx.pool)
    .await?;
    let Some((id, mode)) = found else {
        return Ok(None);
    };
    let mode = Mode::from_stored(&mode, format_args!("widget token {id}"))?;
    Ok(Some(by_id(ctx, merchant, mode, &id).await?))
}

async fn insert(
    ctx: &Ctx,
    who: &Principal,
    (merchant, mode): (&MerchantId, Mode),
    customer: &CustomerId,
    invoice: Option<&InvoiceId>,
    origins: Vec<String>,
    expires: i64,
) -> Result<WidgetToken> {
    let (key_id, _) = ctx.tokens.current(&ctx.pool).await?;
    let (id, now) = (format!("wt_{}", uuid::Uuid::new_v4().simple()), db::now());
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query(
        "INSERT INTO widget_tokens (id, merchant_id, mode, customer_id, invoice_id, origins, key_id, expires_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(customer.as_str())
    .bind(invoice.map(InvoiceId::as_str))
    .bind(serde_json::to_string(&origins).map_err(Error::internal)?)
    .bind(&key_id)
    .bind(expires)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let entry = audit::Entry {
        merchant: Some(merchant),
        action: "widget_token.issued",
        subject_type: "widget_token",
        subject_id: &id,
        before: None,
        after: Some(json!({
            "customer_id": customer.as_str(),
            "invoice_id": invoice.map(InvoiceId::as_str),
            "origins": origins,
            "expires_at": expires,
        })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    by_id(ctx, merchant, mode, &id).await
}

const TOKEN_COLUMNS: &str =
    "t.id, t.customer_id, c.number AS customer_number, c.language AS customer_language, t.invoice_id, i.number AS invoice_number, \
     t.origins, t.key_id, k.sealed, k.retired_at, t.expires_at, t.revoked_at, t.created_at \
     FROM widget_tokens t JOIN customers c ON c.merchant_id = t.merchant_id AND c.id = t.customer_id \
     LEFT JOIN invoices i ON i.merchant_id = t.merchant_id AND i.id = t.invoice_id \
     JOIN widget_keys k ON k.id = t.key_id";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: String,
    customer_id: String,
    customer_number: String,
    customer_language: String,
    invoice_id: Option<String>,
    invoice_number: Option<String>,
    origins: String,
    key_id: String,
    sealed: String,
    retired_at: Option<i64>,
    expires_at: i64,
    revoked_at: Option<i64>,
    created_at: i64,
}

impl TokenRow {
    fn view(self, signer: &TokenSigner) -> Result<WidgetToken> {
        let token = match self.retired_at {
            Some(_) => None,
            None => {
                let key = signer.key(&self.key_id, &self.sealed)?;
                let claims = Claims { t: self.id.clone(), k: self.key_id.clone(), e: self.expires_at };
                Some(TokenSigner::sign(&key, &claims))
            }
        };
        Ok(WidgetToken {
            id: self.id,
            token,
            customer: CustomerId::from_raw(self.customer_id),
            customer_number: self.customer_number,
            customer_language: self.customer_language,
            invoice: self.invoice_id.map(InvoiceId::from_raw),
            invoice_number: self.invoice_number,
            origins: serde_json::from_str(&self.origins).map_err(Error::internal)?,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            created_at: self.created_at,
        })
    }
}

async fn by_id(ctx: &Ctx, merchant: &MerchantId, mode: Mode, id: &str) -> Result<WidgetToken> {
    sqlx::query_as::<_, TokenRow>(&format!(
        "SELECT {TOKEN_COLUMNS} WHERE t.merchant_id = $1 AND t.mode = $2 AND t.id = $3"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(id)
    .fetch_optional(&ctx.pool)
    .await?
    .ok_or(Error::NotFound)?
    .view(&ctx.tokens)
}

/// One of `who`'s merchant's tokens, in `who`'s mode.
pub async fn get(ctx: &Ctx, who: &Principal, id: &str) -> Result<WidgetToken> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    by_id(ctx, &merchant, mode, id).await
}

/// `who`'s merchant's tokens in `who`'s mode, newest first, a page of `limit` (1-200) after
/// `after`; with `invoice`, only that invoice's.
pub async fn page(
    ctx: &Ctx,
    who: &Principal,
    invoice: Option<&InvoiceNumber>,
    limit: u32,
    after: Option<&records::Cursor>,
) -> Result<records::Page<WidgetToken>> {
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let limit = limit.clamp(1, 200);
    let (after_at, after_id) = after.map(|c| (c.created_at, c.id.as_str())).unwrap_or((i64::MAX, ""));
    let rows: Vec<TokenRow> = sqlx::query_as(&format!(
        "SELECT {TOKEN_COLUMNS} WHERE t.merchant_id = $1 AND t.mode = $2 AND ($3 = '' OR i.number = $3) \
         AND (t.created_at < $4 OR (t.created_at = $4 AND t.id < $5)) ORDER BY t.created_at DESC, t.id DESC LIMIT $6"
    ))
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(invoice.map(InvoiceNumber::as_str).unwrap_or(""))
    .bind(after_at)
    .bind(after_id)
    .bind(i64::from(limit) + 1)
    .fetch_all(&ctx.pool)
    .await?;
    let tokens = rows.into_iter().map(|r| r.view(&ctx.tokens)).collect::<Result<Vec<_>>>()?;
    Ok(records::Page::of(tokens, limit, |t| records::Cursor { created_at: t.created_at, id: t.id.clone() }))
}

/// Sets the websites that may show site token `id` to `given` (1 to [`MAX_ORIGINS`] web
/// origins), from the next read on: a site taken off gets nothing at once. An email token is
/// shown by mail programs, not websites, and takes none. Audited.
pub async fn set_origins(ctx: &Ctx, who: &Principal, id: &str, given: &[String]) -> Result<WidgetToken> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let before = by_id(ctx, &merchant, mode, id).await?;
    if before.is_email() {
        return Err(Problem::WidgetEmailHasNoSites.into());
    }
    let origins = origins(given)?;
    if origins == before.origins {
        return Ok(before);
    }
    let mut tx = db::begin_write(&ctx.pool).await?;
    sqlx::query("UPDATE widget_tokens SET origins = $1 WHERE merchant_id = $2 AND mode = $3 AND id = $4")
        .bind(serde_json::to_string(&origins).map_err(Error::internal)?)
        .bind(merchant.as_str())
        .bind(mode.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let entry = audit::Entry {
        merchant: Some(&merchant),
        action: "widget_token.origins_changed",
        subject_type: "widget_token",
        subject_id: id,
        before: Some(json!({ "origins": before.origins })),
        after: Some(json!({ "origins": origins })),
    };
    audit::record(&mut tx, who, &ctx.origin, entry).await?;
    tx.commit().await?;
    by_id(ctx, &merchant, mode, id).await
}

/// Revokes token `id`: from now on it shows nothing and opens nothing. Revoking one revoked
/// already changes nothing (and answers the same).
pub async fn revoke(ctx: &Ctx, who: &Principal, id: &str) -> Result<WidgetToken> {
    who.may_write()?;
    let (merchant, mode) = records::scope(&ctx.pool, who, None).await?;
    let mut tx = db::begin_write(&ctx.pool).await?;
    let revoked = sqlx::query(
        "UPDATE widget_tokens SET revoked_at = $4 WHERE merchant_id = $1 AND mode = $2 AND id = $3 \
         AND revoked_at IS NULL",
    )
    .bind(merchant.as_str())
    .bind(mode.as_str())
    .bind(id)
    .bind(db::now())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if revoked == 1 {
        let entry = audit::Entry {
            merchant: Some(&merchant),
            action: "widget_token.revoked",
            subject_type: "widget_token",
            subject_id: id,
            before: None,
            after: None,
        };
        audit::record(&mut tx, who, &ctx.origin, entry).await?;
    }
    tx.commit().await?;
    by_id(ctx, &merchant, mode, id).await
}

/// The row of a genuine token that is neither expired nor revoked, signed with a key not
/// retired; `NotFound` for anything else.
pub async fn open(ctx: &Ctx, token: &str) -> Result<Opened> {
    let (claims, payload, sig) = TokenSigner::parse(token)?;
    let now = db::now();
    if claims.e <= now {
        return Err(Error::NotFound);
    }
    #[derive(sqlx::FromRow)]
    struct Live {
        merchant_id: String,
        customer_id: String,
        invoice_id: Option<String>,
        origins: String,
        sealed: String,
        expires_at: i64,
        revoked_at: Option<i64>,
    }
    let row: Option<Live> = sqlx::query_as(
        "SELECT t.merchant_id, t.customer_id, t.invoice_id, t.origins, k.sealed, t.expires_at, t.revoked_at \
         FROM widget_tokens t JOIN widget_keys k ON k.id = t.key_id \
         WHERE t.id = $1 AND t.key_id = $2 AND k.retired_at IS NULL",
    )
    .bind(&claims.t)
    .bind(&claims.k)
    .fetch_optional(&ctx.pool)
    .await?;
    let row = row.ok_or(Error::NotFound)?;
    let key = ctx.tokens.key(&claims.k, &row.sealed)?;
    TokenSigner::mac(&key, payload).verify_slice(&sig).map_err(|_| Error::NotFound)?;
    if row.revoked_at.is_some() || row.expires_at <= now || row.expires_at != claims.e {
        return Err(Error::NotFound);
    }
    Ok(Opened {
        id: claims.t,
        merchant: MerchantId::from_raw(row.merchant_id),
        customer: CustomerId::from_raw(row.customer_id),
        invoice: row.invoice_id.map(InvoiceId::from_raw),
        origins: serde_json::from_str(&row.origins).map_err(Error::internal)?,
        expires_at: row.expires_at,
    })
}

async fn invoice_row(pool: &Pool, merchant: &MerchantId, invoice: &InvoiceId) -> Result<InvoiceRow> {
    let sql = format!("SELECT {INVOICE_COLUMNS} FROM invoices i WHERE i.merchant_id = $1 AND i.id = $2");
    sqlx::query_as::<_, InvoiceRow>(&sql)
        .bind(merchant.as_str())
        .bind(invoice.as_str())
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound)
}

/// Opens a pay link: a debtor who sees this one invoice, with where to send them. A token
/// that is not genuine, has expired, was revoked, belongs to another merchant or covers a
/// customer rather than one invoice is `NotFound`.
pub async fn pay_link(ctx: &Ctx, slug: &MerchantSlug, token: &str) -> Result<PayLink> {
    let payer = payer(ctx, token).await?;
    let Some(invoice) = payer.invoice else {
        return Err(Error::NotFound);
    };
    if &payer.merchant.slug != slug {
        return Err(Error::NotFound);
    }
    Ok(PayLink {
        id: payer.opened.id,
        debtor: payer.debtor,
        number: invoice.number,
        expires_at: payer.opened.expires_at,
    })
}

/// What a widget token's pay page works with: its row, the merchant, the invoice as it stands
/// today (for a token of one invoice) and the debtor scoped to what it covers. `NotFound` as
/// [`open`] answers it.
pub async fn payer(ctx: &Ctx, token: &str) -> Result<Payer> {
    let opened = open(ctx, token).await?;
    let merchant = merchant_by_id(&ctx.pool, &opened.merchant).await?;
    let invoice = match &opened.invoice {
        Some(invoice) => Some(invoice_row(&ctx.pool, &opened.merchant, invoice).await?.state(merchant.today()?)?),
        None => None,
    };
    let debtor =
        Debtor { merchant: merchant.id.clone(), customer: opened.customer.clone(), invoice: opened.invoice.clone() };
    Ok(Payer { opened, merchant, invoice, debtor: Principal::Debtor(debtor) })
}

/// See [`payer`].
#[derive(Debug, Clone)]
pub struct Payer {
    pub opened: Opened,
    pub merchant: Merchant,
    /// The one invoice a token of an invoice covers; `None` for a customer's token.
    pub invoice: Option<InvoiceState>,
    /// A debtor scoped to what the token covers: one invoice, or the customer.
    pub debtor: Principal,
}

/// The invoices a customer's token shows (`<kassa-invoices>`): the customer's open ones that
/// ask for something now (not wholly disputed), oldest due first, at most
/// [`MAX_SELECTED`](crate::services::portal::MAX_SELECTED); and what they ask for together per
/// currency ("pay all"), in currency order. For a token of one invoice, that invoice while it
/// is open.
pub async fn open_invoices(ctx: &Ctx, payer: &Payer) -> Result<(Vec<InvoiceState>, Vec<Money>)> {
    let mut open = crate::services::portal::open_invoices(ctx, &payer.debtor).await?;
    open.retain(|i| i.collectable.is_positive());
    let mut currencies: Vec<Currency> = open.iter().map(|i| i.collectable.currency()).collect();
    currencies.sort_by(|a, b| a.code().cmp(b.code()));
    currencies.dedup();
    let totals = currencies
        .into_iter()
        .map(|c| Money::sum(c, open.iter().map(|i| i.collectable).filter(|m| m.currency() == c)))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(Error::internal)?;
    Ok((open, totals))
}

/// Whether the pay link (token) `id` still opens: not revoked, not expired, its key not
/// retired. A session started through it lasts only while it does.
pub async fn still_open(ctx: &Ctx, id: &str) -> Result<bool> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM widget_tokens t JOIN widget_keys k ON k.id = t.key_id \
         WHERE t.id = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND k.retired_at IS NULL",
    )
    .bind(id)
    .bind(db::now())
    .fetch_one(&ctx.pool)
    .await?;
    Ok(open > 0)
}

/// What a genuine, unexpired pay link opens.
#[derive(Debug, Clone)]
pub struct PayLink {
    /// The token's id: a session started through the link ends when the link does.
    pub id: String,
    /// A debtor scoped to the one invoice.
    pub debtor: Principal,
    pub number: InvoiceNumber,
    /// Unix seconds: the session it starts ends then too.
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_web_origins_only() {
        assert_eq!(origin("https://Shop.Example/").unwrap(), "https://shop.example");
        assert_eq!(origin("https://shop.example:8443").unwrap(), "https://shop.example:8443");
        assert_eq!(origin("https://shop.example:443").unwrap(), "https://shop.example");
        assert_eq!(origin("http://localhost:3001").unwrap(), "http://localhost:3001");
        assert_eq!(origin("http://127.0.0.1:9").unwrap(), "http://127.0.0.1:9");
        for bad in [
            "http://shop.example",
            "https://shop.example/pay",
            "https://shop.example?x=1",
            "https://user@shop.example",
            "shop.example",
            "*",
            "",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(matches!(origin(bad), Err(Problem::WidgetOriginInvalid { .. })), "{bad:?} is not an origin");
        }
        let twice = vec!["https://a.example".to_string(), "https://A.example/".to_string()];
        assert_eq!(origins(&twice).unwrap(), vec!["https://a.example".to_string()]);
        assert!(matches!(origins(&[]), Err(Problem::WidgetOriginsCount { .. })));
        let many: Vec<String> = (0..11).map(|n| format!("https://s{n}.example")).collect();
        assert!(matches!(origins(&many), Err(Problem::WidgetOriginsCount { .. })));
    }

    #[test]
    fn a_signature_covers_the_whole_payload() {
        let key = [7u8; 32];
        let claims = Claims { t: "wt_1".into(), k: "wk_1".into(), e: 2_000_000_000 };
        let token = TokenSigner::sign(&key, &claims);
        let (parsed, payload, sig) = TokenSigner::parse(&token).unwrap();
        assert_eq!(parsed, claims);
        assert!(TokenSigner::mac(&key, payload).verify_slice(&sig).is_ok());
        assert!(TokenSigner::mac(&[8u8; 32], payload).verify_slice(&sig).is_ok().eq(&false));
        let longer = Claims { e: 2_000_000_001, ..claims };
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&longer).unwrap()),
            token.split_once('.').unwrap().1
        );
        let (_, payload, sig) = TokenSigner::parse(&forged).unwrap();
        assert!(TokenSigner::mac(&key, payload).verify_slice(&sig).is_err());
        assert!(TokenSigner::parse("garbage").is_err());
    }
}
