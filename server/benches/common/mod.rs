//! What the benchmarks share: Kassa's configuration for a benchmark run, and a Kassa started
//! for one.

use std::net::SocketAddr;
use std::path::PathBuf;

use kassa_server::config::{Config, DbArgs};
use kassa_server::demo::DemoLinks;

/// A release Kassa at `addr` on the database at `url`, serving its files from `site_root`:
/// no rate limit, no demo shop, mail in the catcher, Stripe's own addresses (nothing calls
/// them).
pub fn config(url: &str, addr: SocketAddr, site_root: PathBuf) -> Config {
    Config {
        db: DbArgs { database_url: url.to_string() },
        addr,
        public_url: None,
        site_root,
        demo_shop_addr: None,
        secret: Some("bench-secret-bench-secret-bench-secret-0".to_string().into()),
        api_rate_limit: u32::MAX,
        webhook_allow_private_targets: false,
        job_concurrency: None,
        trusted_proxies: Vec::new(),
        smtp_url: None,
        mail_from: None,
        stripe_api_url: "https://api.stripe.com/".into(),
        stripe_js_url: "https://js.stripe.com/v3/".into(),
        page_cache_mb: 64,
    }
}

/// A Kassa serving HTTP on a free loopback port, the demo seeded.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub ctx: kassa_core::Ctx,
    pub demo: DemoLinks,
    /// "SQLite" or "PostgreSQL", for the report.
    pub backend: &'static str,
    /// Holds the SQLite file (when no database URL was given) until the run ends.
    _dir: tempfile::TempDir,
}

/// Starts Kassa on the database at `database_url` (a SQLite file in a temporary folder when
/// none), serving its files from `site_root` (an empty folder when none), its configuration
/// changed by `adjust` first (the page cache off, say).
pub async fn start(
    database_url: Option<String>,
    site_root: Option<PathBuf>,
    adjust: impl FnOnce(&mut Config),
) -> anyhow::Result<Running> {
    let dir = tempfile::tempdir()?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let site_root = site_root.unwrap_or_else(|| dir.path().join("site"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let mut config = config(&url, addr, site_root);
    adjust(&mut config);
    let kassa = kassa_server::build(&config).await?;
    let ctx = kassa.ctx.clone();
    let demo = kassa_server::demo::seed(&kassa.ctx, &config).await?;
    tokio::spawn(async move {
        axum::serve(listener, kassa.router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap()
    });
    Ok(Running { base: format!("http://{addr}"), ctx, demo, backend, _dir: dir })
}
