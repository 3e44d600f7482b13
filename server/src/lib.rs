//! The `kassa` server: configuration, persistence, the use cases (`services`), payment
//! gateways and HTTP. The AR rules themselves live in `kassa-domain`; the pages in `kassa-app`.

pub mod backend;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod gateways;
pub mod http;
pub mod secrets;
pub mod services;

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use crate::services::Services;

/// A built Kassa: its routers and services, ready to be served (by `serve` or by tests).
pub struct Kassa {
    pub router: axum::Router,
    pub shop: Option<axum::Router>,
    pub services: Services,
}

pub async fn build(config: &Config) -> anyhow::Result<Kassa> {
    config.validate()?;
    let pool = db::connect(&config.db.database_url).await?;
    db::migrate(&pool).await.context("applying database migrations")?;
    let key = secrets::widget_key(&pool, config.secret.as_deref()).await?;
    let services = Services {
        pool,
        gateway: Arc::new(gateways::sandbox::Sandbox::default()),
        tokens: services::widget::TokenSigner::new(&key),
        public_url: config.public_url(),
    };
    let router = http::router(config, services.clone());
    let shop = config.demo_shop_url().map(|shop_url| http::shop::router(services.clone(), shop_url));
    Ok(Kassa { router, shop, services })
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
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
    // Expired sessions are removed hourly; the task ends with the process.
    let store = tower_sessions_sqlx_store::SqliteStore::new(kassa.services.pool.clone());
    tokio::spawn(tower_sessions::ExpiredDeletion::continuously_delete_expired(
        store,
        std::time::Duration::from_secs(3600),
    ));
    tracing::info!("Kassa on {} (public URL {})", config.addr, config.public_url());
    axum::serve(listener, kassa.router).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
