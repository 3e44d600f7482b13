//! The `kassa` binary's library: configuration, HTTP (pages through `kassa-app`, sign-in
//! links, widget endpoints), the session store, the demo seeder and the CLI's commands. The
//! use cases live in `kassa-core`, the AR rules in `kassa-domain`, the pages in `kassa-app`.

pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod sessions;

pub use kassa_core::db;

use std::sync::Arc;

use anyhow::Context;

use kassa_core::{gateways, secrets, services, Ctx};

use crate::config::Config;

/// Every binary built on this library (`kassa`, its tests and benches) allocates with
/// mimalloc: under load glibc's malloc spent a fifth of the portal's CPU in its own locks and
/// consolidation (docs/measurements.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A built Kassa: its routers and services' context, ready to be served (by `serve` or by
/// tests).
pub struct Kassa {
    pub router: axum::Router,
    pub shop: Option<axum::Router>,
    pub ctx: Ctx,
}

/// Connects to the database, applies migrations and assembles the services' context: what
/// every command (serve, demo, and the CLI's others) starts from.
pub async fn context(config: &Config) -> anyhow::Result<Ctx> {
    config.validate()?;
    let pool = db::connect(&config.db.database_url).await?;
    db::migrate(&pool).await.context("applying database migrations")?;
    let key_file = db::sqlite_file(&config.db.database_url).map(|f| f.with_file_name("kassa.key"));
    let secret = config.secret.as_ref().map(secrecy::ExposeSecret::expose_secret);
    let key = secrets::widget_key(&pool, db::backend(&pool), secret, key_file.as_deref()).await?;
    Ok(Ctx::new(
        kassa_core::Shared {
            gateways: gateways::Gateways::standard(&pool, &config.public_url(), &key, &config.stripe_api_url),
            pool,
            tokens: services::widget::TokenSigner::new(&key),
            public_url: config.public_url(),
            allow_private_webhooks: config.webhook_allow_private_targets,
            webhook_secrets: secrets::Sealer::new(&key, "webhook-secrets"),
            gateway_secrets: secrets::Sealer::new(&key, "gateway-secrets"),
            mailer: kassa_core::mail::mailer(config.smtp_url.as_deref(), config.mail_from.as_deref())?,
            senders: Default::default(),
            labels: Arc::new(kassa_app::words::RecordLabels),
        },
        kassa_core::audit::Origin::of("cli"),
    ))
}

/// Every job handler: the core's, and the mail the pages' words are needed for.
pub fn handlers() -> Vec<Arc<dyn kassa_core::jobs::Handler>> {
    let mut all = kassa_core::jobs::handlers();
    all.push(Arc::new(kassa_app::emails::SignInLinkMail));
    all.push(Arc::new(kassa_app::emails::ReceiptMail));
    all.push(Arc::new(kassa_app::emails::PaymentFailedMail));
    all.push(Arc::new(kassa_app::emails::StaffPaymentFailedMail));
    all.push(Arc::new(kassa_app::emails::DisputeMail));
    all.push(Arc::new(kassa_app::emails::PlanMail));
    all
}

pub async fn build(config: &Config) -> anyhow::Result<Kassa> {
    let ctx = context(config).await?;
    let router = http::router(config, ctx.clone());
    let shop = config.demo_shop_url().map(|shop_url| http::shop::router(ctx.clone(), shop_url));
    Ok(Kassa { router, shop, ctx })
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    // Listen for the stop signals first: one that arrives while Kassa starts up (after it
    // listens, before it serves) then stops it gracefully instead of killing it.
    let stop_signals = shutdown();
    let kassa = build(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on KASSA_ADDR {}", config.addr))?;
    if let (Some(shop), Some(addr)) = (kassa.shop, config.demo_shop_addr) {
        let shop_listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on KASSA_DEMO_SHOP_ADDR {addr}"))?;
        tracing::info!("demo shop on http://{addr}");
        tokio::spawn(async move { axum::serve(shop_listener, shop).await });
    }
    // Jobs (event dispatch, the hourly sweep of expired sessions and links) run in every
    // process; the queue hands each job to one of them.
    kassa_core::jobs::ensure_recurring(&kassa.ctx, kassa_core::maintenance::SWEEP, 3600).await?;
    kassa_core::jobs::ensure_recurring(&kassa.ctx, kassa_core::overdue::CHECK, 3600).await?;
    kassa_core::jobs::ensure_recurring(&kassa.ctx, kassa_core::services::promises::REVIEW, 3600).await?;
    kassa_core::jobs::ensure_recurring(&kassa.ctx, kassa_core::services::plans::REVIEW, 3600).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut worker = kassa_core::jobs::Worker::new(kassa.ctx.clone(), handlers());
    if kassa.ctx.mailer.catches() {
        tracing::warn!("no --smtp-url: outgoing mail stays in the mail catcher, read by staff at /admin/mail");
    }
    if let Some(n) = config.job_concurrency {
        worker.concurrency = usize::from(n);
    }
    let worker = tokio::spawn(worker.run(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|s| *s).await;
    }));
    tracing::info!("Kassa on {} (public URL {})", config.addr, config.public_url());
    axum::serve(listener, kassa.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(stop_signals)
        .await?;
    let _ = stop.send(true);
    let _ = worker.await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what service managers and container runtimes send), after
/// which the server stops accepting and finishes the requests in flight. The signals are
/// registered when this is called, not when it is first awaited.
fn shutdown() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        let listen = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for {name}; it will not stop the server gracefully");
                None
            }
        };
        (listen(SignalKind::terminate(), "SIGTERM"), listen(SignalKind::interrupt(), "SIGINT"))
    };
    async move {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            let (term, int) = signals;
            tokio::select! {
                _ = next(term) => {},
                _ = next(int) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
