//! `kassa`: serve, migrate, seed the demo, and manage merchants, staff and the ledger.

use clap::{Parser, Subcommand};
use kassa_server::cli;
use kassa_server::config::{Config, DbArgs};

#[derive(Parser)]
#[command(name = "kassa", version, about = "Kassa: accounts-receivable payment portal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve HTTP.
    Serve(Config),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Seed the demo merchant (idempotent) and print fresh demo links.
    Demo(DemoArgs),
    /// Merchants.
    #[command(subcommand)]
    Merchant(cli::MerchantCommand),
    /// A merchant's staff.
    #[command(subcommand)]
    Staff(cli::StaffCommand),
    /// The ledger.
    #[command(subcommand)]
    Ledger(cli::LedgerCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(cli::AuditCommand),
    /// A merchant's API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(cli::ApiKeyCommand),
    /// The keys that sign widget tokens and pay links.
    #[command(subcommand, name = "widget-keys")]
    WidgetKeys(cli::WidgetKeyCommand),
    /// Import a file.
    #[command(subcommand)]
    Import(cli::ImportCommand),
    /// The job queue: what is queued, running or dead, and a second chance for dead jobs.
    #[command(subcommand)]
    Jobs(cli::JobsCommand),
    /// Print the merchant API's OpenAPI 3.1 document (what `/api/v1/openapi.json` serves), for
    /// client generators and checks; needs no database.
    Openapi,
}

#[derive(clap::Args)]
struct DemoArgs {
    #[command(flatten)]
    config: Config,
    /// Print the links as JSON (for scripts and tests).
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve(config) => kassa_server::serve(config).await,
        Command::Migrate(db) => {
            let pool = kassa_server::db::connect(&db.database_url).await?;
            kassa_server::db::migrate(&pool).await?;
            println!("migrated {}", kassa_server::db::redact_password(&db.database_url));
            Ok(())
        }
        Command::Demo(DemoArgs { config, json }) => {
            let ctx = kassa_server::context(&config).await?;
            let links = kassa_server::demo::seed(&ctx, &config).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&links)?);
            } else {
                print!("{links}");
            }
            Ok(())
        }
        Command::Merchant(command) => {
            println!("{}", cli::merchant(command).await?);
            Ok(())
        }
        Command::Staff(command) => {
            println!("{}", cli::staff(command).await?);
            Ok(())
        }
        Command::Ledger(command) => {
            println!("{}", cli::ledger(command).await?);
            Ok(())
        }
        Command::Audit(command) => {
            println!("{}", cli::audit(command).await?);
            Ok(())
        }
        Command::ApiKey(command) => {
            println!("{}", cli::api_key(command).await?);
            Ok(())
        }
        Command::WidgetKeys(command) => {
            println!("{}", cli::widget_key(command).await?);
            Ok(())
        }
        Command::Import(command) => {
            println!("{}", cli::import(command).await?);
            Ok(())
        }
        Command::Jobs(command) => {
            println!("{}", cli::jobs(command).await?);
            Ok(())
        }
        Command::Openapi => {
            println!("{}", serde_json::to_string_pretty(&kassa_server::http::api::openapi_json())?);
            Ok(())
        }
    }
}
