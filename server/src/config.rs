//! One typed configuration from flags and `KASSA_*` environment variables, with defaults that
//! run the demo. A bad value stops start-up with clap's message naming the flag and variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

#[derive(clap::Args, Clone)]
pub struct DbArgs {
    /// sqlite://path/to/kassa.db (created if missing) or postgres://user@host:port/database.
    #[arg(long, env = "KASSA_DATABASE_URL", default_value = "sqlite://data/kassa.db", hide_env_values = true)]
    pub database_url: String,
}

/// Debug output (logs, panics) never shows a database password.
impl std::fmt::Debug for DbArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbArgs").field("database_url", &crate::db::redact_password(&self.database_url)).finish()
    }
}

#[derive(clap::Args, Clone, Debug)]
pub struct Config {
    #[command(flatten)]
    pub db: DbArgs,

    /// Address the portal, admin, API and widgets listen on.
    #[arg(long, env = "KASSA_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The URL people reach Kassa at (links in emails and widgets). Defaults to http://ADDR.
    #[arg(long, env = "KASSA_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Folder with the built browser assets (pkg/, assets/, w/).
    #[arg(long, env = "KASSA_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Also serve the demo merchant's web shop (a different origin, for the widget) here.
    #[arg(long, env = "KASSA_DEMO_SHOP_ADDR")]
    pub demo_shop_addr: Option<SocketAddr>,

    /// Key that signs widget tokens (32+ characters). Generated and stored in the database
    /// when not set.
    #[arg(long, env = "KASSA_SECRET", hide_env_values = true, value_parser = parse_secret)]
    pub secret: Option<SecretString>,

    /// Requests per minute each API key may make; more are answered 429 with `Retry-After`.
    #[arg(long, env = "KASSA_API_RATE_LIMIT", default_value_t = 1200, value_parser = clap::value_parser!(u32).range(1..))]
    pub api_rate_limit: u32,

    /// Let webhook endpoints be loopback or private addresses, and plain http in live mode
    /// (development and tests; never in production: it opens Kassa's network to anyone with
    /// an API key).
    #[arg(long, env = "KASSA_WEBHOOK_ALLOW_PRIVATE_TARGETS")]
    pub webhook_allow_private_targets: bool,

    /// How many background jobs (webhook deliveries, imports, event dispatch) this process
    /// runs at once; four per core (between 4 and 32) when not set.
    #[arg(long, env = "KASSA_JOB_CONCURRENCY", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub job_concurrency: Option<u16>,

    /// Reverse proxies in front of Kassa (addresses or networks, like 10.0.0.0/8; repeat the
    /// flag or separate with commas): from these, the client's address is read from
    /// `X-Forwarded-For`, for the per-address sign-in limits and the audit log. Without it
    /// every request counts as coming from its connection's peer.
    #[arg(long = "trusted-proxy", env = "KASSA_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The SMTP server mail goes out through: `smtps://user:password@smtp.example.com:465`, or
    /// `smtp://host:587?tls=required` for STARTTLS. Without it, mail stays in the mail catcher,
    /// which staff read at /admin/mail (the demo's choice).
    #[arg(long, env = "KASSA_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Stripe's API (its root, ending in `/`): Stripe's own unless a test points it at a
    /// stand-in.
    #[arg(long, env = "KASSA_STRIPE_API_URL", default_value = "https://api.stripe.com/")]
    pub stripe_api_url: String,

    /// Where the pay page loads Stripe.js from (Stripe's own unless a test points it at a
    /// stand-in); the page's Content-Security-Policy allows that origin and Stripe's.
    #[arg(long, env = "KASSA_STRIPE_JS_URL", default_value = "https://js.stripe.com/v3/")]
    pub stripe_js_url: String,

    /// The address mail is sent from (with `--smtp-url`), like invoices@example.com; the
    /// merchant's name is the sender's name.
    #[arg(long, env = "KASSA_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// Memory (MiB) for debtors' first portal pages kept as rendered, served again while
    /// nothing they show changed (server/src/http/page_cache.rs); 0 renders every request.
    #[arg(long, env = "KASSA_PAGE_CACHE_MB", default_value_t = 64)]
    pub page_cache_mb: u32,
}

impl Config {
    /// Checks what clap cannot without echoing it: a secret's value never appears in errors.
    pub fn validate(&self) -> anyhow::Result<()> {
        crate::db::Backend::of_url(&self.db.database_url)?;
        if let Some(secret) = &self.secret {
            if secret.expose_secret().len() < 32 {
                anyhow::bail!(
                    "--secret / KASSA_SECRET must be at least 32 characters (for example: openssl rand -hex 32)"
                );
            }
        }
        Ok(())
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{}", self.addr),
        }
    }

    /// Session cookies are `Secure` whenever Kassa is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    pub fn demo_shop_url(&self) -> Option<String> {
        self.demo_shop_addr.map(|a| format!("http://{a}"))
    }
}

fn parse_network(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| "must be an IP address or a network such as 10.0.0.0/8 or fd00::/8".into())
}

fn parse_secret(s: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(s))
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim_end_matches('/');
    if !(s.starts_with("http://") || s.starts_with("https://")) || s.len() < 10 {
        return Err("must be an absolute http(s) URL such as https://pay.example.com".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    #[test]
    fn debug_output_shows_no_secret_and_no_database_password() {
        let cli = Cli::parse_from([
            "kassa",
            "--secret",
            "correct-horse-battery-staple-0123456789",
            "--database-url",
            "postgres://kassa:hunter2@db.example:5432/kassa",
        ]);
        let shown = format!("{:?}", cli.config);
        assert!(!shown.contains("correct-horse") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example"), "{shown}");
    }
}
