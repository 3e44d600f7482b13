//! The UI's edge on the server (SSR only). Server functions resolve the principal from the
//! session here, call one `kassa-core` service directly, and map its answer to a view model
//! ([`crate::model`]) and its errors to an [`AppError`]. No business rule lives here: adding
//! a use case is a service in `kassa-core` plus the server function that calls it.

use kassa_core::services::records::{InvoiceState, Merchant};
use kassa_core::{Ctx, Error, Principal};
use kassa_domain::MerchantSlug;
use tower_sessions::Session;

use crate::error::AppError;
use crate::model::{Branding, InvoiceSummary};

/// Debtor and staff sign-ins are kept apart, so one browser can be both.
const DEBTOR_KEY: &str = "kassa.debtor";
const STAFF_KEY: &str = "kassa.staff";

/// The longest a sign-in lasts, however active: besides the session's two idle hours, so a
/// session taken over (a shared computer, a stolen cookie) does not live for ever.
pub const SIGN_IN_LIFETIME_SECS: i64 = 12 * 3600;

/// How often a request of a signed-in person saves their session again. The session store
/// keeps a session two hours past its last save, not its last request (tower-sessions saves
/// only what changed); noting the request at most once a minute keeps someone who is active
/// signed in, at one write a minute rather than one per request.
const SEEN_EVERY_SECS: i64 = 60;

/// A sign-in as the session keeps it: who, the moment it ends whatever the activity, and when
/// the session was last saved for a request.
#[derive(serde::Serialize, serde::Deserialize)]
struct SignedIn {
    who: Principal,
    /// Unix seconds.
    until: i64,
    /// Unix seconds; 0 in sessions kept before it was noted.
    #[serde(default)]
    seen: i64,
    /// The id of the pay link (widget token) it came through, if it did: the sign-in lasts
    /// only while that link does (revoked, it ends at the next request).
    #[serde(default)]
    link: Option<String>,
}

/// A debtor's sign-in as a session's stored data holds it, read without the session layer:
/// the session store keeps its merchant and customer beside the data, and the portal's kept
/// first page checks it in the same read as the page's versions.
pub struct KeptDebtor {
    pub debtor: kassa_core::principal::Debtor,
    until: i64,
    seen: i64,
    link: Option<String>,
}

impl KeptDebtor {
    /// Whether a request at `now` (unix seconds) may take the sign-in just as it is kept: it
    /// lasts and is not due to be noted again ([`SEEN_EVERY_SECS`]). Otherwise the request
    /// goes the session layer's way ([`signed_in_debtor`]), which saves or ends it.
    pub fn settled(&self, now: i64) -> bool {
        self.until > now && now - self.seen < SEEN_EVERY_SECS
    }

    /// The pay link (widget token's id) the sign-in came through, if it did: it lasts only
    /// while that link does, checked per request (`widget::still_open`).
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }
}

/// The debtor signed in according to a session's record (`None`: no debtor, or a sign-in
/// kept in an older shape).
pub fn kept_debtor(record: &tower_sessions::session::Record) -> Option<KeptDebtor> {
    use serde::Deserialize;
    let kept = SignedIn::deserialize(record.data.get(DEBTOR_KEY)?).ok()?;
    match kept.who {
        Principal::Debtor(debtor) => Some(KeptDebtor { debtor, until: kept.until, seen: kept.seen, link: kept.link }),
        _ => None,
    }
}

/// Who is signed in under `key`, while their sign-in lasts. A sign-in kept in an older shape
/// than this Kassa's reads as none (sign in again), never as an error.
async fn signed_in(session: &Session, key: &str) -> Option<SignedIn> {
    let kept = session.get::<SignedIn>(key).await.ok().flatten()?;
    let now = kassa_core::db::now();
    if kept.until > now {
        if now - kept.seen >= SEEN_EVERY_SECS {
            // Changed, so saved: the store's two idle hours start again from now.
            let noted = SignedIn { seen: now, ..kept };
            let _ = session.insert(key, &noted).await;
            return Some(noted);
        }
        return Some(kept);
    }
    let _ = session.remove::<SignedIn>(key).await;
    None
}

impl From<Error> for AppError {
    fn from(e: Error) -> AppError {
        match e {
            Error::NotFound | Error::Forbidden | Error::ScopeMissing(_) => AppError::NotFound,
            Error::Unauthenticated => AppError::Unauthorized,
            Error::Problem(p) => AppError::Problem(p),
            // A form shows one problem at a time: the first.
            Error::Invalid(mut problems) if !problems.is_empty() => AppError::Problem(problems.swap_remove(0).problem),
            Error::Database(_) | Error::Internal(_) | Error::Invalid(_) => {
                tracing::error!(error = ?e, "internal error");
                AppError::Internal
            }
        }
    }
}

/// The services' context the server put into Leptos' context, for a request to `surface`
/// (`portal` or `admin`): the audit log names it and the client's address.
pub fn ctx(surface: &'static str) -> Result<Ctx, AppError> {
    let ctx = leptos::prelude::use_context::<Ctx>().ok_or(AppError::Internal)?;
    let ip = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<kassa_core::audit::ClientIp>().map(|c| c.0))
        .map(|ip| ip.to_string());
    Ok(ctx.from_origin(kassa_core::audit::Origin { surface, ip }))
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|_| AppError::Internal)
}

/// The debtor signed in for the merchant at `slug`, or why not (404 for an unknown or
/// malformed merchant, 401 for no or another merchant's sign-in).
pub async fn debtor(slug: &str) -> Result<(Ctx, Principal), AppError> {
    let (ctx, who, _) = debtor_and_merchant(slug).await?;
    Ok((ctx, who))
}

/// [`debtor`], with the merchant it read on the way (for a page that needs it: one read less).
pub async fn debtor_and_merchant(slug: &str) -> Result<(Ctx, Principal, Merchant), AppError> {
    let ctx = ctx("portal")?;
    let slug = MerchantSlug::parse(slug).map_err(|_| AppError::NotFound)?;
    let signed_in = signed_in_debtor(&ctx, &session().await?).await;
    let (who, merchant) = kassa_core::services::portal::debtor_at(&ctx, signed_in.as_ref(), &slug).await?;
    Ok((ctx, who, merchant))
}

/// The staff member signed in, with their role as it is now (read per request), or 401.
pub async fn staff() -> Result<(Ctx, Principal), AppError> {
    let ctx = ctx("admin")?;
    match signed_in_staff(&session().await?).await {
        Some(who @ Principal::Staff(_)) => {
            let who = kassa_core::services::staff::current(&ctx, &who).await?;
            Ok((ctx, who))
        }
        _ => Err(AppError::Unauthorized),
    }
}

/// Keeps `who` in the session under a fresh session id (no fixation), for at most
/// [`SIGN_IN_LIFETIME_SECS`].
pub async fn sign_in(session: &Session, who: &Principal) -> Result<(), AppError> {
    sign_in_until(session, who, None).await
}

/// A sign-in through a pay link: [`sign_in`] ending when link `link` (a widget token's id)
/// does, at `ends` (unix seconds) or when it is revoked.
pub async fn sign_in_through(session: &Session, who: &Principal, ends: i64, link: &str) -> Result<(), AppError> {
    keep(session, who, Some(ends), Some(link.to_string())).await
}

/// [`sign_in`], ending at `ends` (unix seconds) if that is sooner.
pub async fn sign_in_until(session: &Session, who: &Principal, ends: Option<i64>) -> Result<(), AppError> {
    keep(session, who, ends, None).await
}

async fn keep(session: &Session, who: &Principal, ends: Option<i64>, link: Option<String>) -> Result<(), AppError> {
    let key = match who {
        Principal::Debtor(_) => DEBTOR_KEY,
        Principal::Staff(_) => STAFF_KEY,
        Principal::ApiKey(_) | Principal::System => return Err(AppError::Internal),
    };
    let seen = kassa_core::db::now();
    let longest = seen + SIGN_IN_LIFETIME_SECS;
    let until = ends.map_or(longest, |e| e.min(longest));
    session.cycle_id().await.map_err(|_| AppError::Internal)?;
    session.insert(key, SignedIn { who: who.clone(), until, seen, link }).await.map_err(|_| AppError::Internal)
}

/// The staff member signed in with this session, if any (as they signed in: ask
/// `kassa_core::services::staff::current` whether they still may).
pub async fn signed_in_staff(session: &Session) -> Option<Principal> {
    signed_in(session, STAFF_KEY).await.map(|s| s.who)
}

/// The debtor in this session, if any (whatever the merchant). One who came through a pay
/// link is signed out once that link is revoked or its key retired.
pub async fn signed_in_debtor(ctx: &Ctx, session: &Session) -> Option<Principal> {
    let kept = signed_in(session, DEBTOR_KEY).await?;
    if let Some(link) = &kept.link {
        match kassa_core::services::widget::still_open(ctx, link).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = session.remove::<SignedIn>(DEBTOR_KEY).await;
                return None;
            }
            // The database did not answer: not signed in for this request, but not signed out.
            Err(e) => {
                tracing::error!(error = ?e, "checking a pay link's session");
                return None;
            }
        }
    }
    Some(kept.who)
}

/// Where the session keeps the signed-in debtor's language (their customer record's).
const LANGUAGE_KEY: &str = "kassa.language";

/// Keeps `code` (`nl`) as the session's language: the debtor's, from their customer record.
pub async fn keep_language(session: &Session, code: &str) -> Result<(), AppError> {
    session.insert(LANGUAGE_KEY, code).await.map_err(|_| AppError::Internal)
}

/// The language kept in the session, if any.
pub async fn kept_language(session: &Session) -> Option<crate::i18n::Lang> {
    let code = session.get::<String>(LANGUAGE_KEY).await.ok().flatten()?;
    crate::i18n::Lang::from_code(&code)
}

/// [`kept_language`] of a session's record read without the session layer.
pub fn language_in(record: &tower_sessions::session::Record) -> Option<crate::i18n::Lang> {
    crate::i18n::Lang::from_code(record.data.get(LANGUAGE_KEY)?.as_str()?)
}

/// Something a form post produced that the page after its redirect shows once (a webhook's
/// signing secret): kept in the session under `key` until [`take_once`] reads it. Pages are
/// server-rendered and forms are plain posts, so this is how a result crosses the redirect.
pub async fn keep_once<T: serde::Serialize>(key: &str, value: &T) -> Result<(), AppError> {
    session().await?.insert(key, value).await.map_err(|_| AppError::Internal)
}

/// What [`keep_once`] kept under `key`, removed from the session as it is read.
pub async fn take_once<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    session().await.ok()?.remove::<T>(key).await.ok().flatten()
}

/// Ends the session: its data is deleted from the store and the cookie cleared.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(|_| AppError::Internal)
}

pub fn branding(m: &Merchant) -> Branding {
    Branding {
        slug: m.slug.to_string(),
        name: m.name.clone(),
        logo_url: m.logo_url.clone(),
        logo_width: logo_width_at(40, m.logo_size),
        test_mode: m.mode == kassa_core::principal::Mode::Test,
    }
}

/// A logo's width when shown `height` pixels high, in its own proportions (at most four times
/// as wide as high; a square without a size).
pub fn logo_width_at(height: u32, size: Option<(u32, u32)>) -> u32 {
    match size {
        Some((w, h)) if h > 0 => ((u64::from(w) * u64::from(height) + u64::from(h) / 2) / u64::from(h))
            .clamp(1, u64::from(height) * 4) as u32,
        _ => height,
    }
}

/// Where a listing is, for the filter links and the pager.
/// A bank transfer as the invoice page shows it: the IBAN in its paper form and the EPC QR
/// code drawn as SVG (error correction M, as EPC069-12 asks), labelled for screen readers.
pub fn transfer_view(t: kassa_core::services::portal::Transfer) -> crate::model::TransferView {
    let iban = kassa_domain::reference::in_fours(&t.iban);
    let qr_svg = t.epc_payload.as_deref().and_then(|payload| {
        let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M).ok()?;
        let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(180, 180).quiet_zone(true).build();
        // Inline in the page: no XML declaration; an image with a name.
        let label = html_escape::encode_double_quoted_attribute(&crate::i18n::t().transfer_qr_label()).into_owned();
        let start = svg.find("<svg")?;
        Some(svg[start..].replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{label}\""), 1))
    });
    crate::model::TransferView {
        account_name: t.account_name,
        iban,
        bic: t.bic,
        amount: t.amount,
        reference: t.reference,
        qr_svg,
    }
}

pub fn list_page(l: &kassa_core::services::listing::Listed) -> crate::model::ListPage {
    crate::model::ListPage {
        show: l.show.as_str().to_string(),
        page: l.page,
        pages: l.pages,
        all: l.counts.all,
        open: l.counts.open,
        overdue: l.counts.overdue,
        settled: l.counts.settled,
    }
}

pub fn summary(i: &InvoiceState) -> InvoiceSummary {
    InvoiceSummary {
        number: i.number.to_string(),
        issue_date: i.issue_date,
        due_date: i.due_date,
        total: i.total,
        balance: i.balance,
        status: i.status,
    }
}

/// Redirects a plain form post to a path on this site. Anything that is not a clean local
/// path (a control character from a crafted form field, `//other.host`) is refused as
/// `NotFound` instead of reaching the response headers, where it would panic.
pub fn redirect(path: &str) -> Result<(), AppError> {
    let local = path.starts_with('/') && !path.starts_with("//") && !path.contains('\\');
    if !local || http::HeaderValue::from_str(path).is_err() || path.chars().any(char::is_control) {
        return Err(AppError::NotFound);
    }
    leptos_axum::redirect(path);
    Ok(())
}

/// Redirects a plain form post to a payment gateway's page: an absolute http(s) address the
/// gateway gave (never one from the request), checked to be a clean header value.
pub fn redirect_to_gateway(url: &str) -> Result<(), AppError> {
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    if !absolute || http::HeaderValue::from_str(url).is_err() || url.chars().any(char::is_control) {
        return Err(AppError::Internal);
    }
    leptos_axum::redirect(url);
    Ok(())
}

/// Sets the HTTP status of the page or server-function response being produced.
pub fn set_status(code: u16) {
    if let Ok(status) = http::StatusCode::from_u16(code) {
        ResponseSlot::update(|r| r.status = Some(status));
    }
}

/// Gives a failed server-function call its real status code (422, 402, 401, ...) instead of
/// a blanket 500. Plain form posts (no wasm) are left alone: leptos_axum answers those with a
/// redirect back to the form, carrying the error, and a status here would undo that redirect.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        let plain_form_post = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
            })
            .unwrap_or(false);
        if !plain_form_post {
            set_status(e.status());
        }
    }
    result
}

/// What a page or server function decides about its response (status, Content Security
/// Policy) waits here: a slot the server's middleware puts into the request's extensions and
/// applies when the response leaves. (Leptos' `ResponseOptions` lost headers on some
/// responses under load, so Kassa does not rely on it.)
#[derive(Clone, Default)]
pub struct ResponseSlot(pub std::sync::Arc<std::sync::Mutex<ResponseParts>>);

#[derive(Debug, Default)]
pub struct ResponseParts {
    pub status: Option<http::StatusCode>,
    pub content_security_policy: Option<http::HeaderValue>,
}

impl ResponseSlot {
    fn update(f: impl FnOnce(&mut ResponseParts)) {
        let slot = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<ResponseSlot>().cloned());
        if let Some(slot) = slot {
            if let Ok(mut held) = slot.0.lock() {
                f(&mut held);
            }
        }
    }

    /// What was decided, taken out of the slot.
    pub fn take(&self) -> ResponseParts {
        self.0.lock().map(|mut held| std::mem::take(&mut *held)).unwrap_or_default()
    }

    /// What was decided, left in the slot for the middleware that applies it.
    pub fn peek(&self) -> ResponseParts {
        self.0
            .lock()
            .map(|held| ResponseParts {
                status: held.status,
                content_security_policy: held.content_security_policy.clone(),
            })
            .unwrap_or_default()
    }
}

/// The page's Content Security Policy: scripts only from Kassa itself or inline with this
/// response's nonce (Leptos' hydration and resource scripts carry it), wasm allowed to
/// compile, no framing, no plugins, forms and fetches only to Kassa.
pub fn set_content_security_policy() {
    let Some(value) = leptos::nonce::use_nonce().and_then(|nonce| content_security_policy(&nonce)) else {
        return;
    };
    ResponseSlot::update(|r| r.content_security_policy = Some(value));
}

/// The pages' Content Security Policy with `nonce` (a page kept as rendered gets a fresh one
/// for each response: server/src/http/page_cache.rs).
pub fn content_security_policy(nonce: &str) -> Option<http::HeaderValue> {
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
         base-uri 'none'; object-src 'none'"
    );
    http::HeaderValue::from_str(&policy).ok()
}
