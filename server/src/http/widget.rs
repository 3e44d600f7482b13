//! Endpoints for `<kassa-pay>` on merchant sites: the element's files (any origin may load
//! them) and the invoice it shows (only the origins its token names may read it: CORS).

use std::path::Path;

use axum::extract::{Extension, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use kassa_app::i18n::Lang;
use kassa_core::services::widget;
use kassa_core::{Ctx, Error};

use crate::http::paying::StripeJs;
use crate::http::{widget_pay, AppState};

/// The invoice data at `/invoice`, and the pay page the element opens (widget_pay.rs).
pub fn router(stripe_js: StripeJs) -> Router<AppState> {
    Router::new()
        .route("/invoice", get(invoice))
        .route("/invoices", get(invoices))
        .route("/pay/{token}", get(widget_pay::page).post(widget_pay::pay))
        .route("/pay/{token}/form/{attempt}", get(widget_pay::form).layer(axum::Extension(stripe_js)))
        .route("/pay/{token}/return/{attempt}", get(widget_pay::returned))
        .route("/badge/{file}", get(badge))
}

/// The elements' files, from memory, for any site: the script under its content's name
/// (`/w/v1/kassa-<hash>.js`, what a page pins with its integrity hash) and the wasm it loads
/// (`kassa_widgets_bg-<hash>.wasm`) are kept a year; `/w/v1/kassa.js` (the newest script:
/// the pinned file's bytes and brotli copy under the name that follows new versions, not a
/// second file) and `kassa.json` (the pinned name and hash) five minutes, so a page that
/// names `kassa.js` gets a new version within five minutes. `pinned` is the script's route as
/// [`script`] read it.
pub fn files(site_root: &Path, pinned: &str) -> Router<AppState> {
    const NEWEST: &str = "/w/v1/kassa.js";
    let (kept, mut fresh): (Vec<_>, Vec<_>) = crate::http::assets::load(&site_root.join("w"), "/w/v1")
        .into_iter()
        .partition(|asset| named_by_content(asset.route.trim_start_matches("/w/v1/")));
    if let Some(newest) = kept.iter().find(|asset| asset.route == pinned) {
        fresh.retain(|asset| asset.route != NEWEST);
        fresh.push(memory_serve::Asset {
            route: NEWEST,
            path: newest.path,
            etag: newest.etag,
            content_type: newest.content_type,
            bytes: newest.bytes,
            is_compressed: newest.is_compressed,
            should_compress: newest.should_compress,
        });
    }
    let cache = |value| memory_serve::CacheControl::Custom(value);
    crate::http::assets::serve(kept, cache("public, max-age=31536000, immutable"))
        .merge(crate::http::assets::serve(fresh, cache("public, max-age=300")))
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
}

/// Whether `file` is named by its content: `<name>-<16 hex digits>.<extension>`.
fn named_by_content(file: &str) -> bool {
    let stem = file.split('.').next().unwrap_or_default();
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The script a page pins (`/w/v1/kassa-<hash>.js`) and its Subresource Integrity hash, as
/// `build_assets` wrote them in `w/kassa.json`; `kassa.js` without a hash when the site has
/// none (one built by hand, the tests).
pub fn script(site_root: &Path) -> kassa_app::WidgetScript {
    let found = std::fs::read(site_root.join("w/kassa.json")).ok();
    match found.map(|bytes| serde_json::from_slice::<kassa_app::WidgetScript>(&bytes)) {
        Some(Ok(script)) => script,
        Some(Err(e)) => {
            tracing::warn!(error = %e, "w/kassa.json cannot be read: snippets name /w/v1/kassa.js");
            kassa_app::WidgetScript::unpinned()
        }
        None => kassa_app::WidgetScript::unpinned(),
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
    /// The element's language (its `lang`, else the page's); else the customer's.
    lang: Option<String>,
}

fn json_error(status: StatusCode, message: &str) -> Response {
    // Errors carry no invoice data, so any origin may read them and show a clear message.
    (status, [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(serde_json::json!({ "error": message })))
        .into_response()
}

/// What the widget renders: the status as a snake_case code (for the host page's events and
/// styling), and everything it says already in words, formatted for its language on the
/// server, so that the element carries no words or number formats of its own.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetInvoice {
    /// The language the words are in (`en`, `nl`, `da`).
    pub lang: &'static str,
    pub merchant: String,
    pub number: String,
    pub currency: String,
    /// What may be paid now, as a plain decimal (`55.95`).
    pub amount_due: String,
    pub amount_due_text: String,
    pub total_text: String,
    /// The invoice's status code (`open`, `overdue`, `in_plan`, `disputed`, `paid`, ...).
    pub status: &'static str,
    pub words: WidgetWords,
    /// The invoice's pay link in the portal (for emails: it signs the debtor in).
    pub pay_url: String,
    /// The pay page the element opens in its overlay, or in a new tab.
    pub page_url: String,
}

/// The element's words, in [`WidgetInvoice::lang`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetWords {
    /// "Invoice NL-2026-0107 · Bakkerij de Vries"
    pub heading: String,
    pub status: String,
    pub due: String,
    /// The button (`Pay € 55,95`); empty when nothing can be paid through it.
    pub pay: String,
    pub paid: String,
    #[serde(flatten)]
    pub overlay: OverlayWords,
}

/// A read of what a token (`?token=`) shows, from a page the token allows: its payer, the
/// language to answer in, and the page's origin. Refused with the error the element shows.
pub struct Read {
    payer: widget::Payer,
    lang: Lang,
    token: String,
    origin: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Read
where
    Ctx: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Read, Response> {
        let ctx = <Ctx as axum::extract::FromRef<S>>::from_ref(state);
        let Query(query) =
            Query::<TokenQuery>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let asked = query.lang.as_deref().and_then(Lang::from_code);
        let lang = asked.or(parts.extensions.get::<Lang>().copied()).unwrap_or(Lang::En);
        let payer = match widget::payer(&ctx, &query.token).await {
            Ok(payer) => payer,
            Err(Error::NotFound) => {
                return Err(json_error(StatusCode::NOT_FOUND, &lang.words().widget_token_invalid()))
            }
            Err(e) => {
                tracing::error!(error = ?e, "widget token");
                return Err(json_error(StatusCode::INTERNAL_SERVER_ERROR, &lang.words().widget_went_wrong()));
            }
        };
        // Only the sites the token names may read it, and a request that names no site is
        // none of them (a browser names it on every cross-site read). Kassa's own pages may
        // (the admin's live preview): the browser names Kassa's origin, or says the read is
        // same-origin (`Sec-Fetch-Site`, which no page can set).
        let origin = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_string);
        let own = match origin.as_deref() {
            Some(origin) => crate::http::origin::OwnOrigin::of_public_url(&ctx.public_url).0.as_ref() == origin,
            None => parts.headers.get("sec-fetch-site").is_some_and(|v| v == "same-origin"),
        };
        if !own && !payer.opened.allows(origin.as_deref()) {
            return Err(json_error(StatusCode::FORBIDDEN, &lang.words().widget_origin_refused()));
        }
        let lang = widget_pay::language(&ctx, asked, &payer, lang).await;
        Ok(Read { payer, lang, token: query.token, origin })
    }
}

impl Read {
    /// `body` for the page that read (an origin the token allows), never cached.
    fn answer(&self, body: impl serde::Serialize) -> Response {
        let mut response = Json(body).into_response();
        let h = response.headers_mut();
        if let Some(origin) = self.origin.as_deref().and_then(|o| HeaderValue::from_str(o).ok()) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    /// The words of the overlay the element opens, named `dialog` for screen readers.
    fn overlay(&self, dialog: String) -> OverlayWords {
        let w = self.lang.words();
        OverlayWords {
            dialog,
            close: w.widget_close(),
            frame: w.widget_frame_title(),
            open_in_tab: w.widget_open_in_tab(),
        }
    }
}

/// The words of the overlay an element opens.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OverlayWords {
    /// The overlay's name for screen readers.
    pub dialog: String,
    pub close: String,
    pub frame: String,
    pub open_in_tab: String,
}

/// `GET /w/v1/invoice?token=...`: what `<kassa-pay>` shows.
async fn invoice(State(ctx): State<Ctx>, read: Read) -> Response {
    let lang = read.lang;
    let (merchant, invoice) = (&read.payer.merchant, &read.payer.invoice);
    let Some(invoice) = invoice else {
        return json_error(StatusCode::BAD_REQUEST, &lang.words().widget_token_for_invoices());
    };
    let w = lang.words();
    let money = |m| kassa_app::money::money_in(lang, m);
    let number = invoice.number.to_string();
    let words = WidgetWords {
        heading: format!("{} · {}", w.widget_invoice_number(&number), merchant.name),
        status: w.widget_status(kassa_app::words::status_in(lang, invoice.status)),
        due: w.widget_due_by(kassa_app::dates::date_in(lang, invoice.due_date)),
        pay: if invoice.collectable.minor() > 0 { w.widget_pay(money(invoice.collectable)) } else { String::new() },
        paid: w.widget_paid_thanks(),
        overlay: read.overlay(w.widget_overlay_label(&number)),
    };
    let root = ctx.public_url.trim_end_matches('/');
    let body = WidgetInvoice {
        lang: lang.code(),
        merchant: merchant.name.clone(),
        currency: invoice.balance.currency().to_string(),
        amount_due: invoice.collectable.amount_string(),
        amount_due_text: money(invoice.collectable),
        total_text: money(invoice.total),
        status: invoice.status.as_str(),
        words,
        pay_url: format!("{root}/p/{}/pay/{}", merchant.slug, read.token),
        page_url: format!("{root}/w/v1/pay/{}?lang={}", read.token, lang.code()),
        number,
    };
    read.answer(body)
}

/// What `<kassa-invoices>` shows: a customer's open invoices, each with what it asks for now,
/// and the pay page that pays the ones chosen (`page_url` and an `invoice=` parameter for each)
/// or all of a currency (`totals[].page_url`). All in words, as [`WidgetInvoice`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetInvoices {
    pub lang: &'static str,
    pub merchant: String,
    /// Oldest due first.
    pub invoices: Vec<WidgetLine>,
    /// What all of them ask for, per currency (in currency order), with the page that pays them.
    pub totals: Vec<WidgetTotal>,
    pub words: WidgetListWords,
    /// The pay page; add `&invoice=NUMBER` for each chosen invoice.
    pub page_url: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetLine {
    pub number: String,
    pub currency: String,
    /// What may be paid now, as a plain decimal.
    pub amount_due: String,
    pub amount_due_text: String,
    pub due_text: String,
    pub status: &'static str,
    pub status_text: String,
    /// The invoice in one sentence, for its checkbox: "Invoice NL-2026-0104, € 310,00, Due 1 Dec".
    pub label: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetTotal {
    pub currency: String,
    /// "Pay all € 365,95".
    pub pay_all: String,
    pub page_url: String,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct WidgetListWords {
    pub heading: String,
    /// Shown when nothing is open.
    pub none: String,
    pub pay_selected: String,
    /// Shown when "Pay selected" is pressed with nothing chosen.
    pub choose_first: String,
    #[serde(flatten)]
    pub overlay: OverlayWords,
}

/// `GET /w/v1/invoices?token=...`: what `<kassa-invoices>` shows.
async fn invoices(State(ctx): State<Ctx>, read: Read) -> Response {
    let (payer, lang) = (&read.payer, read.lang);
    let w = lang.words();
    if payer.invoice.is_some() {
        return json_error(StatusCode::BAD_REQUEST, &w.widget_token_for_one());
    }
    let (open, totals) = match widget::open_invoices(&ctx, payer).await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = ?e, "widget invoices");
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, &w.widget_went_wrong());
        }
    };
    let money = |m| kassa_app::money::money_in(lang, m);
    let root = ctx.public_url.trim_end_matches('/');
    let page_url = format!("{root}/w/v1/pay/{}?lang={}", read.token, lang.code());
    let invoices = open
        .iter()
        .map(|i| {
            let currency = i.collectable.currency();
            let number = i.number.to_string();
            let due_text = w.widget_due_by(kassa_app::dates::date_in(lang, i.due_date));
            WidgetLine {
                label: widget_pay::invoice_line(lang, i),
                currency: currency.to_string(),
                amount_due: i.collectable.amount_string(),
                amount_due_text: money(i.collectable),
                status: i.status.as_str(),
                status_text: kassa_app::words::status_in(lang, i.status),
                due_text,
                number,
            }
        })
        .collect();
    let totals = totals
        .into_iter()
        .map(|total| WidgetTotal {
            currency: total.currency().to_string(),
            pay_all: w.widget_pay_all(money(total)),
            page_url: format!("{page_url}&all={}", total.currency()),
        })
        .collect();
    let words = WidgetListWords {
        heading: w.widget_invoices_heading(&payer.merchant.name),
        none: w.widget_invoices_none(),
        pay_selected: w.widget_pay_selected(),
        choose_first: w.widget_choose_first(),
        overlay: read.overlay(w.widget_invoices_overlay_label()),
    };
    let body =
        WidgetInvoices { lang: lang.code(), merchant: payer.merchant.name.clone(), invoices, totals, words, page_url };
    read.answer(body)
}

#[derive(Deserialize)]
pub struct BadgeQuery {
    /// A language other than the customer's.
    lang: Option<String>,
}

/// The entity tag of `badge` drawn as a PNG (`png`) or an SVG, known before drawing it, so a
/// revalidation that changes nothing costs no rendering. `DRAWING` is bumped when the drawing
/// changes, so caches holding the old picture fetch the new one.
fn badge_etag(badge: &kassa_app::badge::Badge, png: bool) -> String {
    use sha2::Digest;
    const DRAWING: u32 = 1;
    let mut hash = sha2::Sha256::new();
    hash.update(format!("{DRAWING}|{png}|{:?}|", badge.tone));
    hash.update(&badge.text);
    format!("\"{}\"", hash.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect::<String>())
}

/// `GET /w/v1/badge/{token}.svg` (or `.png`): the status badge of an email token's invoice, in
/// the customer's language, drawn now. Cached for 30 seconds at most, so an email opened again
/// shows "paid" within a minute of the payment; revalidated by its `ETag`. Fetching it records
/// nothing.
async fn badge(
    State(ctx): State<Ctx>,
    Extension(request_lang): Extension<Lang>,
    Query(query): Query<BadgeQuery>,
    axum::extract::Path(file): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let (token, png) = match (file.strip_suffix(".svg"), file.strip_suffix(".png")) {
        (Some(token), _) => (token, false),
        (_, Some(token)) => (token, true),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let payer = match widget::payer(&ctx, token).await {
        // Only an email token draws one: a site's token reads only from its sites.
        Ok(payer) if payer.opened.origins.is_empty() => payer,
        Ok(_) | Err(Error::NotFound) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "widget badge");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let asked = query.lang.as_deref().and_then(Lang::from_code);
    let lang = widget_pay::language(&ctx, asked, &payer, request_lang).await;
    let Some(invoice) = &payer.invoice else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let badge = kassa_app::badge::badge(lang, invoice);
    let etag = badge_etag(&badge, png);
    let cache = [
        (header::CACHE_CONTROL, "public, max-age=30, must-revalidate".to_string()),
        (header::ETAG, etag.clone()),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'".to_string()),
    ];
    let seen = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    if seen.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag)) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    let (body, kind) = match png {
        true => (kassa_app::badge::png(&badge), "image/png"),
        false => (kassa_app::badge::svg(&badge).into_bytes(), "image/svg+xml"),
    };
    let mut response = (cache, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}
