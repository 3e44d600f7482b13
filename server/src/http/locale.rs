//! Which language a request is answered in: the one the visitor chose on a page (the
//! `kassa_lang` cookie, set by `/lang/<code>`), else the signed-in debtor's (their customer
//! record's, kept in the session at sign-in), else the browser's `Accept-Language`, else
//! English. The choice goes into the request's extensions as a [`Lang`], where the pages
//! (through Leptos' context) and the link pages read it.

use axum::extract::{Path, Query, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, HeaderMap, HeaderValue};
use kassa_app::i18n::Lang;
use tower_sessions::Session;

use crate::http::pages;

const COOKIE: &str = "kassa_lang";

/// The language the visitor chose with the language menu, if any.
#[derive(Debug, Clone, Copy)]
pub struct Chosen(pub Lang);

fn cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('=').and_then(Lang::from_code))
}

fn accepted(headers: &HeaderMap) -> Option<Lang> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
}

/// The language for a request that has no session to ask (pages made before the session
/// layer, such as a refused cross-site form): the cookie, the browser's, or English.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    with_kept(headers, None)
}

/// The language of a request whose session keeps `kept` (the signed-in debtor's): the
/// visitor's choice (the cookie), else `kept`, else the browser's, else English.
pub fn with_kept(headers: &HeaderMap, kept: Option<Lang>) -> Lang {
    cookie(headers).or(kept).or_else(|| accepted(headers)).unwrap_or_default()
}

/// Middleware (inside the session layer): decides the request's language. The session is
/// read only when the visitor has not chosen.
pub async fn choose(mut req: Request, next: Next) -> Response {
    let chosen = cookie(req.headers());
    let kept = match (chosen, req.extensions().get::<Session>().cloned()) {
        (None, Some(session)) => kassa_app::backend::kept_language(&session).await,
        _ => None,
    };
    let lang = with_kept(req.headers(), kept);
    if let Some(chosen) = chosen {
        req.extensions_mut().insert(Chosen(chosen));
    }
    req.extensions_mut().insert(lang);
    next.run(req).await
}

#[derive(serde::Deserialize)]
pub struct Back {
    to: Option<String>,
}

/// `GET /lang/<code>?to=<path>`: remembers the language for a year and goes back to the page
/// (a path on this site; anything else goes to `/`). A plain link: it works without JavaScript.
/// `secure`: Kassa is served over https, so the cookie is sent only there.
pub async fn switch(Path(code): Path<String>, Query(back): Query<Back>, headers: HeaderMap, secure: bool) -> Response {
    let Some(lang) = Lang::from_code(&code).filter(|l| l.code() == code) else {
        return pages::not_found(from_headers(&headers));
    };
    let to = back.to.filter(|to| local_path(to)).unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
        lang.code(),
        if secure { "; Secure" } else { "" }
    );
    let mut res = Redirect::to(&to).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, value);
    }
    res
}

/// A path on this site that is safe in a `Location` header: no other host (`//host`, `/\host`),
/// no control characters.
fn local_path(to: &str) -> bool {
    to.starts_with('/')
        && !to.starts_with("//")
        && !to.contains('\\')
        && !to.chars().any(char::is_control)
        && HeaderValue::from_str(to).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_beats_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("da-DK,da;q=0.9"));
        assert_eq!(from_headers(&headers), Lang::Da);
        headers.insert(header::COOKIE, HeaderValue::from_static("kassa_session=abc; kassa_lang=nl"));
        assert_eq!(from_headers(&headers), Lang::Nl);
        headers.insert(header::COOKIE, HeaderValue::from_static("kassa_lang=xx"));
        assert_eq!(from_headers(&headers), Lang::Da, "an unknown cookie value is no choice");
    }

    #[test]
    fn only_local_paths_are_gone_back_to() {
        assert!(local_path("/p/demo/invoices/NL-1?x=1"));
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "/a\nb", "p/demo"] {
            assert!(!local_path(bad), "{bad}");
        }
    }
}
