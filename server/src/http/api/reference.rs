//! The API reference page, `/api/docs`: Swagger UI over `/api/v1/openapi.json`, entirely
//! served by Kassa. Its assets come from the `utoipa-swagger-ui-vendored` crate (Swagger UI's
//! release zip inside a crate from the registry, embedded into the binary at build time), so
//! the page works offline and nothing is fetched from a CDN or downloaded while building.
//!
//! The page is Kassa's own HTML rather than Swagger UI's `index.html`: its two scripts carry
//! this response's CSP nonce, so the policy allows no other script at all (not even `'self'`).

use axum::extract::Path;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use http::{header, HeaderValue, StatusCode};
use rand::RngCore;

/// Swagger UI's files the page uses; nothing else of the bundle is served.
const ASSETS: [&str; 3] = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"];

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/api/docs", get(page)).route("/api/docs/assets/{file}", get(asset))
}

async fn page() -> Response {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kassa merchant API reference</title>
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/api/docs/assets/kassa-reference.css">
</head>
<body>
<main id="swagger-ui" data-testid="api-reference"><h1>Kassa merchant API reference</h1>
<p>The reference needs JavaScript; the same document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></main>
<script nonce="{nonce}" src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script nonce="{nonce}">
window.ui = SwaggerUIBundle({{
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // Deep links put an anchor inside each operation's button (nested controls, axe).
  deepLinking: false,
  validatorUrl: null,
  persistAuthorization: false,
  onComplete: function () {{
    // Swagger UI's server picker has an empty label.
    var servers = document.getElementById("servers");
    if (servers) servers.setAttribute("aria-label", "Server");
    document.body.setAttribute("data-reference-ready", "");
  }}
}});
</script>
</body>
</html>"##
    );
    // Swagger UI draws a few icons as data: images and sets some inline style attributes; it
    // calls only this server ("Try it out" sends the key typed into its Authorize dialog).
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    let mut res = Html(html).into_response();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    res
}

/// Kassa's own corrections to Swagger UI's colours (contrast).
const KASSA_CSS: &str = include_str!("reference.css");

async fn asset(Path(file): Path<String>) -> Response {
    if file == "kassa-reference.css" {
        return ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], KASSA_CSS).into_response();
    }
    if !ASSETS.contains(&file.as_str()) {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let config = std::sync::Arc::new(utoipa_swagger_ui::Config::default());
    match utoipa_swagger_ui::serve(&file, config) {
        Ok(Some(found)) => (
            [
                (header::CONTENT_TYPE, found.content_type),
                // The files change only with Kassa's version; a day is safe either way.
                (header::CACHE_CONTROL, "public, max-age=86400".to_string()),
            ],
            found.bytes.into_owned(),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such file").into_response(),
        Err(e) => {
            tracing::error!(error = %e, file, "cannot serve a Swagger UI asset");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
