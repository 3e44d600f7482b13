//! One typed configuration from flags and `KASSA_*` environment variables, with defaults that
//! run the demo. A bad value stops start-up with clap's message naming the flag and variable.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct DbArgs {
    /// SQLite database (created if missing).
    #[arg(long, env = "KASSA_DATABASE_URL", default_value = "sqlite://data/kassa.db")]
    pub database_url: String,
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
    #[arg(long, env = "KASSA_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
}

impl Config {
    /// Checks what clap cannot without echoing it: a secret's value never appears in errors.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(secret) = &self.secret {
            if secret.len() < 32 {
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

fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim_end_matches('/');
    if !(s.starts_with("http://") || s.starts_with("https://")) || s.len() < 10 {
        return Err("must be an absolute http(s) URL such as https://pay.example.com".into());
    }
    Ok(s.to_string())
}
