//! The portal's first page (`/p/{merchant}`: the overview and the invoice list), kept as
//! rendered for each signed-in debtor and served again without rendering or reading the
//! account (issue 19: a debtor returns to it from every other page).
//!
//! A kept page is served only while nothing it shows can have changed:
//! - the request is the same: the same debtor (merchant, customer, and the one invoice of a
//!   pay link's session), the same language, the same path and query;
//! - the data is the same: the versions of the customer's and the merchant's records, which
//!   the database itself moves on every change to a table a portal page reads (migration
//!   0037, `page_versions`), are what they were, read before the page was rendered
//!   (`portal::page_stamp`);
//! - the day is the same in the merchant's time zone (what is overdue).
//!
//! The session is still read on every request (a signed-out or expired session gets no
//! page; a pay link's session ends when its link does), and its idle end still moves. A
//! kept page costs one read: the session store keeps the signed-in debtor beside the
//! session, so the session and the versions of that debtor's pages come in one query
//! (`DbSessionStore::debtor_page`), and a pay link's session one more, its link's check. A
//! sign-in due to be noted again (once a minute), to end, or whose link has ended goes the
//! session layer's way (which reads the session again and saves or ends it), then reads the
//! versions. Each response gets a fresh Content Security Policy nonce: a kept page is cut
//! where its nonce was. Only complete 200 pages are kept, in memory bounded by `kassa serve
//! --page-cache-mb` (64 MiB by default; 0 keeps none; quick_cache drops the least used
//! first). Each server process keeps its own: several servers on one PostgreSQL database
//! check theirs against the same versions.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderMap, Method, StatusCode};
use kassa_app::backend::ResponseSlot;
use kassa_app::i18n::Lang;
use kassa_core::principal::{Debtor, Principal};
use kassa_core::services::portal::{self, PageStamp};
use kassa_core::services::widget;
use kassa_core::{db, Ctx};
use tower_sessions::Session;

use crate::http::locale;
use crate::sessions::{DbSessionStore, DebtorPage};

/// A page heavier than this is served but not kept.
const LARGEST_PAGE: usize = 512 * 1024;

/// The kept pages, shared by the server's handlers (cloned for every request: one `Arc`).
#[derive(Clone)]
pub struct PageCache(Arc<Shared>);

struct Shared {
    ctx: Ctx,
    store: DbSessionStore,
    /// `None`: none kept.
    pages: Option<quick_cache::sync::Cache<String, Arc<Kept>, ByBytes>>,
}

struct Kept {
    stamp: PageStamp,
    day: time::Date,
    headers: HeaderMap,
    /// The page cut where its nonce was: joined again with a fresh one for each response.
    pieces: Vec<Bytes>,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<String, Arc<Kept>> for ByBytes {
    fn weight(&self, key: &String, kept: &Arc<Kept>) -> u64 {
        (key.len() + kept.pieces.iter().map(Bytes::len).sum::<usize>()) as u64
    }
}

impl PageCache {
    /// Pages kept in at most `mib` MiB (0: none); sessions read from `store`.
    pub fn new(ctx: Ctx, store: DbSessionStore, mib: u32) -> PageCache {
        let bytes = u64::from(mib) * 1024 * 1024;
        // About 40 KB a page: the estimate sizes the cache's tables, the weight bounds it.
        let pages =
            (bytes > 0).then(|| quick_cache::sync::Cache::with_weighter((bytes / 40_000) as usize, bytes, ByBytes));
        PageCache(Arc::new(Shared { ctx, store, pages }))
    }
}

/// `/p/{merchant}` and nothing below it.
fn is_first_page(path: &str) -> bool {
    path.strip_prefix("/p/").is_some_and(|slug| !slug.is_empty() && !slug.contains('/'))
}

fn key(debtor: &Debtor, lang: Lang, req: &Request) -> String {
    let invoice = debtor.invoice.as_ref().map(|i| i.as_str()).unwrap_or("");
    let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    format!("{}\n{}\n{invoice}\n{}\n{target}", debtor.merchant.as_str(), debtor.customer.as_str(), lang.code())
}

/// Middleware (inside the session layer, before the language is chosen): answers the
/// portal's first page from a kept copy while it is current, and keeps the page it renders
/// otherwise.
pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let Shared { ctx, store, pages } = &*cache.0;
    let Some(pages) = pages.as_ref().filter(|_| req.method() == Method::GET && is_first_page(req.uri().path())) else {
        return next.run(req).await;
    };
    let Some(session) = req.extensions().get::<Session>().cloned() else {
        return next.run(req).await;
    };
    let Some(id) = session.id() else {
        return next.run(req).await;
    };
    let DebtorPage { debtor: kept, language, stamp } = match store.debtor_page(&id).await {
        Ok(Some(read)) => read,
        Ok(None) => return next.run(req).await,
        Err(e) => {
            tracing::warn!(error = %e, "reading a portal page's session; rendering it");
            return next.run(req).await;
        }
    };
    // One read: the session with the versions of its debtor's pages (and a pay link's
    // session its link's check). The session layer never loads it, so it is not saved either.
    let settled = match stamp {
        Some(stamp) if kept.settled(db::now()) => match kept.link() {
            None => Some(stamp),
            Some(link) => matches!(widget::still_open(ctx, link).await, Ok(true)).then_some(stamp),
        },
        _ => None,
    };
    let (debtor, stamp, lang) = match settled {
        Some(stamp) => (kept.debtor, stamp, locale::with_kept(req.headers(), language)),
        // Its sign-in is to be noted or ended (or its link is): the session layer's way, then
        // the versions.
        None => {
            let Some(Principal::Debtor(debtor)) = kassa_app::backend::signed_in_debtor(ctx, &session).await else {
                return next.run(req).await;
            };
            let stamp = match portal::page_stamp(&ctx.pool, &debtor).await {
                Ok(stamp) => stamp,
                Err(e) => {
                    tracing::warn!(error = ?e, "reading a portal page's versions; rendering it");
                    return next.run(req).await;
                }
            };
            (debtor, stamp, locale::with_kept(req.headers(), kassa_app::backend::kept_language(&session).await))
        }
    };
    let Some(day) = stamp.today() else {
        return next.run(req).await;
    };
    let key = key(&debtor, lang, &req);
    if let Some(kept) = pages.get(&key) {
        if kept.stamp == stamp && kept.day == day {
            return kept.response();
        }
    }
    let slot = req.extensions().get::<ResponseSlot>().cloned();
    let res = next.run(req).await;
    let decided = slot.map(|s| s.peek()).unwrap_or_default();
    if res.status() != StatusCode::OK || decided.status.is_some_and(|s| s != StatusCode::OK) {
        return res;
    }
    let Some(nonce) = decided.content_security_policy.as_ref().and_then(|csp| nonce_in(csp.to_str().ok()?)) else {
        return res;
    };
    let (parts, body) = res.into_parts();
    let page = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "rendering the portal's first page");
            return crate::http::pages::went_wrong(lang);
        }
    };
    if page.len() <= LARGEST_PAGE {
        if let Ok(text) = std::str::from_utf8(&page) {
            let pieces = text.split(nonce.as_str()).map(|p| page.slice_ref(p.as_bytes())).collect();
            let kept = Kept { stamp, day, headers: parts.headers.clone(), pieces };
            pages.insert(key, Arc::new(kept));
        }
    }
    Response::from_parts(parts, Body::from(page))
}

/// The nonce a Content Security Policy allows scripts with (`'nonce-…'`).
fn nonce_in(csp: &str) -> Option<String> {
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    Some(csp[start..start + len].to_string()).filter(|n| !n.is_empty())
}

impl Kept {
    /// The kept page with a fresh nonce where its own was. The pieces are sent as they are
    /// kept (shared, not copied), the nonce between them.
    fn response(&self) -> Response {
        let nonce = leptos::nonce::Nonce::new();
        let fresh = Bytes::from(nonce.to_string());
        let mut chunks = std::collections::VecDeque::with_capacity(self.pieces.len() * 2);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                chunks.push_back(fresh.clone());
            }
            chunks.push_back(piece.clone());
        }
        let left = chunks.iter().map(|c| c.len() as u64).sum();
        let mut res = Response::new(Body::new(Pieces { chunks, left }));
        *res.headers_mut() = self.headers.clone();
        if let Some(csp) = kassa_app::backend::content_security_policy(&nonce) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        res
    }
}

/// A body sent as the chunks it is made of, its length known (so `Content-Length`, not
/// chunked).
struct Pieces {
    chunks: std::collections::VecDeque<Bytes>,
    left: u64,
}

impl http_body::Body for Pieces {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let chunk = self.chunks.pop_front();
        if let Some(chunk) = &chunk {
            self.left -= chunk.len() as u64;
        }
        std::task::Poll::Ready(chunk.map(|c| Ok(http_body::Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_page_of_a_merchant_is_kept() {
        assert!(is_first_page("/p/demo"));
        for other in ["/p/", "/p/demo/", "/p/demo/invoices/1", "/admin", "/p"] {
            assert!(!is_first_page(other), "{other}");
        }
    }

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        let csp = "default-src 'self'; script-src 'self' 'nonce-AbC+/9==' 'wasm-unsafe-eval'";
        assert_eq!(nonce_in(csp).as_deref(), Some("AbC+/9=="));
        assert_eq!(nonce_in("default-src 'self'"), None);
        assert_eq!(nonce_in("script-src 'nonce-'"), None);
    }
}
