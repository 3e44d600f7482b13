//! HTTP: the portal and admin pages (Leptos, via leptos_axum), sign-in links, the widget
//! endpoints, the health check and the demo shop. Sessions are stored in the database.

pub mod api;
pub mod assets;
pub mod client_ip;
pub mod disputes;
pub mod documents;
pub mod gateway_events;
pub mod links;
pub mod locale;
pub mod logos;
pub mod origin;
pub mod page_cache;
pub mod pages;
pub mod paying;
pub mod sandbox;
pub mod shop;
pub mod widget;
pub mod widget_pay;

use axum::extract::{FromRef, State};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderValue};
use kassa_core::Ctx;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use memory_serve::CacheControl;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub ctx: Ctx,
}

pub fn router(config: &Config, ctx: Ctx) -> Router {
    let files = assets::Manifest::read(&config.site_root);
    pages::set_stylesheet(&files.stylesheet);
    let leptos = LeptosOptions::builder()
        .output_name(files.bundle.clone())
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build();
    let state = AppState { leptos: leptos.clone(), ctx: ctx.clone() };

    let store = crate::sessions::DbSessionStore::new(ctx.pool.clone());
    // Over https the cookie is `__Host-` prefixed: browsers then take it only from a secure
    // origin, for this host and every path, never set by a sibling subdomain.
    let cookie = if config.secure_cookies() { "__Host-kassa_session" } else { "kassa_session" };
    let sessions = SessionManagerLayer::new(store.clone())
        .with_name(cookie)
        .with_path("/")
        .with_secure(config.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(2)));

    let stylesheet = kassa_app::StylesheetHref(files.stylesheet.clone());
    let widget_script = widget::script(&config.site_root);
    let pinned_widget_script = widget_script.script.clone();
    // One `Arc` in the closure: the router clones its handlers, this closure in them, for
    // every request, and a kept page never renders.
    let provided = std::sync::Arc::new((ctx.clone(), stylesheet, widget_script));
    let context = move || {
        let (ctx, stylesheet, widget_script) = &*provided;
        provide_context(ctx.clone());
        provide_context(stylesheet.clone());
        provide_context(widget_script.clone());
        // The language locale::choose picked for this request.
        let lang = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<kassa_app::i18n::Lang>().copied())
            .unwrap_or_default();
        provide_context(lang);
    };
    let routes = route_list();

    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/p/{merchant}/login/{token}", get(links::magic_login_page).post(links::magic_login))
        .route("/p/{merchant}/sign-in", get(links::sign_in_page).post(links::sign_in_request))
        .route("/p/{merchant}/sign-in/sent", get(links::sign_in_sent))
        .route("/p/{merchant}/pay/{token}", get(links::pay_link_page).post(links::pay_link))
        .route("/p/{merchant}/theme.css", get(links::theme_css))
        .route("/p/{merchant}/invoices/{number}/pdf", get(documents::invoice))
        .route("/p/{merchant}/payments/{payment}/pdf", get(documents::receipt))
        .route("/p/{merchant}/statement/pdf", get(documents::statement))
        .route("/p/{merchant}/plans/{id}/pdf", get(documents::plan))
        .route("/p/{merchant}/pay/return/{attempt}", get(paying::returned))
        .route(
            "/p/{merchant}/pay/form/{attempt}",
            get(paying::form)
                .layer(axum::Extension(paying::StripeJs::new(&config.stripe_js_url, &config.stripe_api_url))),
        )
        .route(
            "/p/{merchant}/plans/{plan}/debit",
            get(paying::debit_form)
                .layer(axum::Extension(paying::StripeJs::new(&config.stripe_js_url, &config.stripe_api_url))),
        )
        .route("/p/{merchant}/plans/{plan}/debit/return", get(paying::debit_returned))
        .route("/sandbox/{reference}", get(sandbox::page).post(sandbox::choose))
        .route("/lang/{code}", {
            let secure = config.secure_cookies();
            get(move |code, back, headers| locale::switch(code, back, headers, secure))
        })
        .merge(logos::router())
        .merge(disputes::router())
        .nest("/w/v1", widget::router(paying::StripeJs::new(&config.stripe_js_url, &config.stripe_api_url)))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || kassa_app::shell(leptos.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, kassa_app::shell))
        .layer(axum::middleware::from_fn(locale::choose))
        // Inside the session, before the language (which it reads in its one read of the
        // session): a debtor's first page, kept as rendered.
        .layer(axum::middleware::from_fn_with_state(
            page_cache::PageCache::new(state.ctx.clone(), store.clone(), config.page_cache_mb),
            page_cache::serve,
        ))
        .layer(axum::middleware::from_fn(origin::drop_foreign_form_errors))
        .layer(sessions)
        // What changes something must come from Kassa's own pages (origin.rs).
        .layer(axum::middleware::from_fn_with_state(
            origin::OwnOrigin::of_public_url(&config.public_url()),
            origin::check,
        ))
        // The API authenticates every request with its key: no session, no cookie.
        .nest("/api/v1", api::router(state.clone(), config.api_rate_limit))
        // Gateways' events carry their own signature: no session either.
        .route("/webhooks/{gateway}/{merchant}", axum::routing::post(gateway_events::receive))
        // Files from memory, no session either (assets.rs).
        .route(&paying::FORM_SCRIPT.0, get(paying::form_script))
        .route(&widget_pay::SCRIPT.0, get(widget_pay::script))
        .route(&kassa_app::portal::copy_script_path(), get(|| async { paying::script(kassa_app::portal::COPY_JS) }))
        .merge(assets::router(&config.site_root.join("pkg"), "/pkg", files.cache()))
        .merge(assets::router(
            &config.site_root.join("assets"),
            "/assets",
            CacheControl::Custom("public, max-age=86400"),
        ))
        .merge(widget::files(&config.site_root, &pinned_widget_script))
        .merge(api::reference::router());
    with_security_headers(router, config.secure_cookies())
        .layer(CatchPanicLayer::custom(panic_response))
        // No request may hang for ever (a stuck client upload, a render that never ends):
        // after two minutes it is answered 503 and its work dropped.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            http::StatusCode::SERVICE_UNAVAILABLE,
            std::time::Duration::from_secs(120),
        ))
        .layer(TraceLayer::new_for_http())
        // Outermost: every layer and handler sees the client's address (client_ip.rs).
        .layer(axum::middleware::from_fn_with_state(
            client_ip::TrustedProxies(config.trusted_proxies.clone()),
            client_ip::mark,
        ))
        .with_state(state)
}

/// The pages' routes, generated once per process. Generating them renders the app with
/// resource loading suppressed through a process-wide flag (`leptos_server`'s
/// `SuppressResourceLoad`; leptos#4773): a page rendering meanwhile in another server of the
/// same process, as the integration tests run several, would wait for ever on a resource that
/// first polled inside that window. Once per process, before anything is served, no render can
/// overlap it.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(kassa_app::App)).clone()
}

/// The last guard: a handler that panics answers a plain 500 (and the panic is logged)
/// instead of dropping the connection. No input is meant to get here.
fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "a request handler panicked");
    // The request is gone with the panic: the page is in English.
    pages::went_wrong(kassa_app::i18n::Lang::En)
}

/// Headers every response gets unless it set its own. Leptos pages leave a stricter CSP with
/// their per-response nonce (and their status) in the request's `ResponseSlot`
/// (`kassa_app::backend::set_content_security_policy`), which `apply_response_slot` puts on the response.
/// Reached over https, browsers are told to come back only that way (HSTS, two years; not
/// for subdomains, which may be the merchant's).
fn with_security_headers(router: Router<AppState>, https: bool) -> Router<AppState> {
    let default_csp =
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'";
    let router = match https {
        true => router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000"),
        )),
        false => router,
    };
    router
        .layer(axum::middleware::from_fn(apply_response_slot))
        .layer(axum::middleware::from_fn(no_store_for_pages_and_data))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(default_csp),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

async fn apply_response_slot(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let slot = kassa_app::backend::ResponseSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let decided = slot.take();
    if let Some(policy) = decided.content_security_policy {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if let Some(status) = decided.status {
        *res.status_mut() = status;
    }
    res
}

/// Pages and server functions' answers may show a signed-in person's invoices: no browser or
/// proxy keeps them (`no-store`) unless the handler chose otherwise. Files (the wasm, the
/// stylesheet, images) keep their own caching.
async fn no_store_for_pages_and_data(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut res = next.run(req).await;
    let personal = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if personal && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// 200 while the database answers.
async fn healthz(State(ctx): State<Ctx>) -> (http::StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&ctx.pool).await {
        Ok(_) => (http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (http::StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
