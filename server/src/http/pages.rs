//! Plain HTML pages for the few answers that come before Leptos renders anything (a used
//! sign-in link, an unknown merchant), in the request's language. They share the portal's
//! stylesheet, its test banner and its language menu.

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use kassa_app::i18n::Lang;
use kassa_core::principal::Mode;
use kassa_core::services::records::Merchant;

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What a page says and where it is.
pub struct Page<'a> {
    pub lang: Lang,
    pub status: StatusCode,
    pub title: &'a str,
    pub lines: &'a [&'a str],
    /// The page's own path, for the language menu to come back to.
    pub here: &'a str,
}

pub fn message(page: Page<'_>) -> Response {
    render(page, false, "", Menu::Cookie)
}

/// How a page's language menu switches language.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Menu {
    /// Through `/lang/<code>`, which remembers the choice in a cookie.
    Cookie,
    /// In the page's own address (`?lang=<code>`): a page framed by another site, where a
    /// cookie Kassa sets is not kept.
    Address,
}

/// A message on one merchant's portal: under the test banner while the merchant is in test
/// mode, as on every portal page.
pub fn merchant_message(merchant: &Merchant, page: Page<'_>) -> Response {
    render(page, merchant.mode == Mode::Test, "", Menu::Cookie)
}

/// A merchant's page with one button that posts back to `action`: what a sign-in link shows
/// when it is opened, so that opening it (a person, or a mail scanner) signs nobody in. A
/// plain form: it works without JavaScript.
pub fn continue_page(merchant: &Merchant, page: Page<'_>, action: &str, button: &str) -> Response {
    let form = format!(
        "<form method=\"post\" action=\"{}\"><button type=\"submit\" class=\"button-primary\">{}</button></form>",
        escape(action),
        escape(button)
    );
    render(page, merchant.mode == Mode::Test, &form, Menu::Cookie)
}

/// A merchant's page with `html` (forms made and escaped by the caller) under its lines.
pub fn merchant_page_with(merchant: &Merchant, page: Page<'_>, html: &str) -> Response {
    render(page, merchant.mode == Mode::Test, html, Menu::Cookie)
}

/// A merchant's message with a link onwards (`href`, a path on this site) under it.
pub fn merchant_message_onwards(merchant: &Merchant, page: Page<'_>, href: &str, link: &str) -> Response {
    let onwards = format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(link));
    render(page, merchant.mode == Mode::Test, &onwards, Menu::Cookie)
}

/// A merchant's page with `html` under its lines, made to be shown in `<kassa-pay>`'s overlay
/// on the merchant's site (or opened in a tab from there): only the sites `frame_ancestors`
/// names (a CSP source list) may frame it, and its language menu keeps the language in the
/// address. It loads nothing from elsewhere; its one script talks to the element.
pub fn framed(merchant: &Merchant, page: Page<'_>, html: &str, frame_ancestors: &str) -> Response {
    // Tells the element each page is shown (it then asks Kassa), and passes Escape on.
    let html = format!("{html}<script src=\"{}\"></script>", escape(&crate::http::widget_pay::SCRIPT.0));
    framed_by(render(page, merchant.mode == Mode::Test, &html, Menu::Address), frame_ancestors)
}

/// `response` with the policy of a page that `frame_ancestors` may frame ([`framed_policy`]).
pub fn framed_by(mut response: Response, frame_ancestors: &str) -> Response {
    if let Ok(policy) = http::HeaderValue::from_str(&framed_policy(frame_ancestors)) {
        response.headers_mut().insert(http::header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// The policy of a page [`framed`] by `frame_ancestors`: Kassa's own files only.
pub fn framed_policy(frame_ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         form-action 'self'; frame-ancestors {frame_ancestors}; base-uri 'none'; object-src 'none'"
    )
}

/// A form that asks for one email address and posts it to `action`.
pub struct EmailForm<'a> {
    pub action: &'a str,
    pub label: &'a str,
    pub button: &'a str,
    /// What was typed, shown again with `error` when it was refused.
    pub value: &'a str,
    pub error: Option<&'a str>,
}

/// A merchant's page with an [`EmailForm`]: plain HTML, it works without JavaScript; a refused
/// address is marked invalid and the error is read out with it.
pub fn email_page(merchant: &Merchant, page: Page<'_>, form: EmailForm<'_>) -> Response {
    let (invalid, error) = match form.error {
        Some(e) => (" aria-invalid=\"true\"", escape(e)),
        None => ("", String::new()),
    };
    let html = format!(
        "<form method=\"post\" action=\"{action}\" class=\"email-form\"><label for=\"email\">{label}</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" inputmode=\"email\" required \
         maxlength=\"254\" value=\"{value}\" aria-describedby=\"email-error\"{invalid}>\
         <p id=\"email-error\" class=\"form-error\" role=\"alert\">{error}</p>\
         <button type=\"submit\" class=\"button-primary\">{button}</button></form>",
        action = escape(form.action),
        label = escape(form.label),
        value = escape(form.value),
        button = escape(form.button),
    );
    render(page, merchant.mode == Mode::Test, &html, Menu::Cookie)
}

/// The stylesheet's path as the site's manifest names it: set by the first router built in the
/// process (a server builds one), read by every page made here.
static STYLESHEET: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub fn set_stylesheet(path: &str) {
    let _ = STYLESHEET.set(path.to_string());
}

fn stylesheet() -> &'static str {
    STYLESHEET.get().map(String::as_str).unwrap_or("/pkg/kassa.css")
}

fn render(page: Page<'_>, test_banner: bool, form: &str, menu: Menu) -> Response {
    let w = page.lang.words();
    let banner = if test_banner {
        format!(
            "<p class=\"test-banner\" role=\"note\" data-testid=\"test-banner\"><strong>{}</strong> · {}</p>",
            escape(&w.test_mode()),
            escape(&w.test_mode_explained())
        )
    } else {
        String::new()
    };
    let paragraphs: String = page.lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    let languages: String = Lang::iter()
        .map(|l| {
            let current = if *l == page.lang { " aria-current=\"true\"" } else { "" };
            let href = match menu {
                Menu::Cookie => kassa_app::components::language_link(*l, page.here),
                Menu::Address => format!("{}?lang={}", page.here, l.code()),
            };
            format!(
                "<li><a href=\"{}\" lang=\"{code}\" hreflang=\"{code}\"{current}>{}</a></li>",
                escape(&href),
                escape(l.own_name()),
                code = l.code(),
            )
        })
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Kassa</title><link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\">\
         <link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body>{banner}<main id=\"main\" class=\"error-page\"><h1>{title}</h1>{paragraphs}{form}\
         <nav class=\"language-menu\" aria-label=\"{menu}\"><ul>{languages}</ul></nav></main></body></html>",
        lang = page.lang.code(),
        title = escape(page.title),
        css = escape(stylesheet()),
        menu = escape(&w.language_menu()),
    );
    (page.status, Html(body)).into_response()
}

pub fn not_found(lang: Lang) -> Response {
    let w = lang.words();
    message(Page {
        lang,
        status: StatusCode::NOT_FOUND,
        title: &w.page_not_found(),
        lines: &[&w.error_not_found(), &w.page_not_found_advice()],
        here: "/",
    })
}

/// Something failed on Kassa's side: a 500 that says so (the cause is logged by the caller).
pub fn went_wrong(lang: Lang) -> Response {
    let w = lang.words();
    message(Page {
        lang,
        status: StatusCode::INTERNAL_SERVER_ERROR,
        title: &w.page_went_wrong(),
        lines: &[&w.error_internal()],
        here: "/",
    })
}
