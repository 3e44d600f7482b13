//! Requests from elsewhere: a form post or server function call that changes something must
//! come from Kassa's own pages. `SameSite=Lax` cookies already keep a signed-in session off
//! most cross-site posts, but not off posts from a sibling origin of the same site (another
//! subdomain, another port); the origin check closes that.
//!
//! A browser says where a request comes from in `Origin` (every cross-origin POST, and
//! same-origin ones in current browsers), else in `Sec-Fetch-Site`, else in `Referer`. The
//! first of these present decides: it must name Kassa's public URL or the host the request was
//! sent to. A request with none of them does not come from a browser page, so it cannot be a
//! forged one (and scripts and tests keep working). The merchant API (`/api/v1`, a key in a
//! header, no cookie) is not behind this check; the widget endpoints are, but take GET only
//! (their reads are guarded by their own per-token CORS).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderMap, Method, StatusCode};

use crate::http::pages;

/// Where Kassa's own pages live: the public URL's origin (`https://pay.example.com`).
/// Cloned for every request (the middleware's state): shared, not copied.
#[derive(Clone, Debug)]
pub struct OwnOrigin(pub std::sync::Arc<str>);

impl OwnOrigin {
    pub fn of_public_url(public_url: &str) -> OwnOrigin {
        let origin = url::Url::parse(public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| public_url.trim_end_matches('/').to_string());
        OwnOrigin(origin.into())
    }
}

pub async fn check(State(own): State<OwnOrigin>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    // HTTP/2 carries the host in the request line (`:authority`), not in a `Host` header.
    let authority = req.uri().authority().map(|a| a.as_str().to_string());
    match verdict(req.headers(), authority.as_deref(), &own) {
        Ok(()) => next.run(req).await,
        Err(from) => {
            tracing::warn!(from, path = %req.uri().path(), "refused a state-changing request from another origin");
            let lang = crate::http::locale::from_headers(req.headers());
            let w = lang.words();
            pages::message(pages::Page {
                lang,
                status: StatusCode::FORBIDDEN,
                title: &w.origin_refused_title(),
                lines: &[&w.origin_refused_explained(), &w.origin_refused_advice()],
                here: "/",
            })
        }
    }
}

/// `Err` with where the request says it comes from, when that is not Kassa.
fn verdict(headers: &HeaderMap, authority: Option<&str>, own: &OwnOrigin) -> Result<(), String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let host = text(header::HOST.as_str()).or(authority);
    let ours = |origin: &str| {
        origin == &*own.0
            || url::Url::parse(origin).is_ok_and(|u| {
                let named = u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                });
                named.is_some() && named.as_deref() == host
            })
    };
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        return if ours(origin) { Ok(()) } else { Err(format!("Origin {origin}")) };
    }
    if let Some(site) = text("sec-fetch-site") {
        // `none`: typed, bookmarked or from outside any page (never a forged post).
        return if matches!(site, "same-origin" | "none") { Ok(()) } else { Err(format!("Sec-Fetch-Site {site}")) };
    }
    if let Some(referer) = text(header::REFERER.as_str()) {
        let from = url::Url::parse(referer).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        return if ours(&from) { Ok(()) } else { Err(format!("Referer from {from}")) };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    #[test]
    fn own_pages_pass_and_other_origins_do_not() {
        let own = OwnOrigin::of_public_url("https://pay.example.com/");
        assert_eq!(&*own.0, "https://pay.example.com");
        let host = ("host", "pay.example.com");
        for good in [
            headers(&[host, ("origin", "https://pay.example.com")]),
            // Reached at another name than the public URL (the demo at localhost).
            headers(&[("host", "localhost:3000"), ("origin", "http://localhost:3000")]),
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("referer", "https://pay.example.com/admin/login")]),
            // Not from a browser page at all.
            headers(&[host]),
        ] {
            assert_eq!(verdict(&good, None, &own), Ok(()), "{good:?}");
        }
        for bad in [
            headers(&[host, ("origin", "http://evil.example")]),
            headers(&[host, ("origin", "https://shop.pay.example.com")]),
            headers(&[host, ("origin", "https://pay.example.com:8443")]),
            headers(&[host, ("origin", "null")]),
            // Origin decides, even beside a same-origin Referer.
            headers(&[host, ("origin", "http://evil.example"), ("referer", "https://pay.example.com/")]),
            headers(&[host, ("sec-fetch-site", "same-site")]),
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[host, ("referer", "http://evil.example/page")]),
        ] {
            assert!(verdict(&bad, None, &own).is_err(), "{bad:?}");
        }
        // Over HTTP/2 the host comes in the request line.
        let h2 = headers(&[("origin", "http://localhost:3000")]);
        assert_eq!(verdict(&h2, Some("localhost:3000"), &own), Ok(()));
        assert!(verdict(&h2, Some("pay.example.com"), &own).is_err());
    }
}

/// A form that fails without JavaScript comes back to its page with the error in the URL
/// (`?__path=<server function>&__err=<the error, encoded>`: Leptos' progressive forms), and the
/// page shows it. Anyone can write such a URL, so a link from elsewhere could put words of its
/// choosing on a Kassa page under the merchant's name. The error is kept only on a request the
/// browser says came from Kassa's own pages (`Sec-Fetch-Site: same-origin`, which the redirect
/// after the form's post carries); from anywhere else, or with no such header, the two
/// parameters are dropped before the page renders.
pub async fn drop_foreign_form_errors(mut req: Request, next: Next) -> Response {
    let same_origin = req.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"same-origin");
    if !same_origin {
        if let Some(stripped) = req.uri().query().and_then(without_form_error) {
            let path = req.uri().path();
            let rebuilt = if stripped.is_empty() { path.to_string() } else { format!("{path}?{stripped}") };
            if let Ok(uri) = rebuilt.parse() {
                *req.uri_mut() = uri;
            }
        }
    }
    next.run(req).await
}

/// `query` without `__path` and `__err`, or `None` when it has neither.
fn without_form_error(query: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    if !pairs.iter().any(|(k, _)| k == "__err" || k == "__path") {
        return None;
    }
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| k != "__err" && k != "__path") {
        kept.append_pair(k, v);
    }
    Some(kept.finish())
}

#[cfg(test)]
mod form_error_tests {
    use super::without_form_error;

    #[test]
    fn only_the_form_error_parameters_go() {
        assert_eq!(without_form_error("show=open&page=2"), None);
        assert_eq!(without_form_error("__path=%2Fapi%2Fpay_invoice&__err=eyJ9"), Some(String::new()));
        assert_eq!(without_form_error("invoice=A&__err=x&invoice=B&__path=y").as_deref(), Some("invoice=A&invoice=B"));
    }
}
