//! What the benchmarks share: Kassa's configuration for a benchmark run.

use std::net::SocketAddr;
use std::path::PathBuf;

use kassa_server::config::{Config, DbArgs};

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
    }
}
