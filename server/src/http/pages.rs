//! Plain HTML pages for the few answers that come before Leptos renders anything (a used
//! sign-in link, an unknown merchant). They share the portal's stylesheet.

use axum::response::{Html, IntoResponse, Response};
use http::StatusCode;
use kassa_core::principal::Mode;
use kassa_core::services::records::Merchant;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn message(status: StatusCode, title: &str, lines: &[&str]) -> Response {
    page(status, title, lines, false, "")
}

/// A message on one merchant's portal: under the test banner while the merchant is in test
/// mode, as on every portal page.
pub fn merchant_message(merchant: &Merchant, status: StatusCode, title: &str, lines: &[&str]) -> Response {
    page(status, title, lines, merchant.mode == Mode::Test, "")
}

/// A merchant's page with one button that posts back to `action`: what a sign-in link shows
/// when it is opened, so that opening it (a person, or a mail scanner) signs nobody in. A
/// plain form: it works without JavaScript.
pub fn continue_page(merchant: &Merchant, title: &str, lines: &[&str], action: &str, button: &str) -> Response {
    let form = format!(
        "<form method=\"post\" action=\"{}\"><button type=\"submit\" class=\"button-primary\">{}</button></form>",
        escape(action),
        escape(button)
    );
    page(StatusCode::OK, title, lines, merchant.mode == Mode::Test, &form)
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

fn page(status: StatusCode, title: &str, lines: &[&str], test_banner: bool, form: &str) -> Response {
    let banner = if test_banner {
        "<p class=\"test-banner\" role=\"note\" data-testid=\"test-banner\"><strong>Test mode</strong> \
         · no real money moves; payments go to the sandbox.</p>"
    } else {
        ""
    };
    let paragraphs: String = lines.iter().map(|l| format!("<p>{}</p>", escape(l))).collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Kassa</title><link rel=\"icon\" type=\"image/svg+xml\" href=\"/assets/favicon.svg\">\
         <link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body>{banner}<main id=\"main\" class=\"error-page\"><h1>{title}</h1>{paragraphs}{form}</main></body></html>",
        title = escape(title),
        css = escape(stylesheet()),
    );
    (status, Html(body)).into_response()
}

pub fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        &["We could not find that page.", "Check the link you followed, or ask the sender for a new one."],
    )
}
