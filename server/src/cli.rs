//! The CLI's commands beyond serve/migrate/demo. Each resolves its principal (the system: whoever
//! runs `kassa` on the server's machine holds the database), calls one service, and prints the
//! answer — or the problem in words, exiting non-zero.

use kassa_core::principal::StaffRole;
use kassa_core::services::records::merchant_by_slug;
use kassa_core::services::{ledger, merchants, staff};
use kassa_core::{Error, Principal};
use kassa_domain::MerchantSlug;

use crate::config::Config;

#[derive(clap::Subcommand)]
pub enum MerchantCommand {
    /// Create a merchant (it starts in test mode).
    Create(CreateMerchantArgs),
}

#[derive(clap::Args)]
pub struct CreateMerchantArgs {
    /// The merchant's address in portal links: /p/SLUG (lowercase letters, digits, dashes).
    #[arg(long)]
    pub slug: String,
    /// The name debtors see.
    #[arg(long)]
    pub name: String,
    /// Brand colour, like #0b5cad.
    #[arg(long)]
    pub color: Option<String>,
    /// Logo: an https:// URL or a path on this site.
    #[arg(long)]
    pub logo: Option<String>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum StaffCommand {
    /// Add a staff member; prints a single-use link on which they choose their password.
    Add(AddStaffArgs),
}

#[derive(clap::Args)]
pub struct AddStaffArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    #[arg(long)]
    pub email: String,
    /// admin (everything), collector (works the ledger) or viewer (reads).
    #[arg(long, default_value = "admin", value_parser = parse_role)]
    pub role: StaffRole,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum LedgerCommand {
    /// Load and check every customer's ledger (the invariants in domain/src/account.rs).
    Verify(VerifyArgs),
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute every hash chain of the audit log; fails naming the first entry that was
    /// edited, inserted or deleted.
    Verify(AuditVerifyArgs),
    /// Print each chain's newest entry (chain, number, hash), to keep outside the database
    /// (for example appended to a file on another machine by cron); `verify --anchors` then
    /// also finds entries cut off the end of a chain.
    Head(VerifyArgs),
}

#[derive(clap::Args)]
pub struct AuditVerifyArgs {
    /// A file of anchors as `kassa audit head` printed them: every one must still be in the
    /// log, unchanged.
    #[arg(long)]
    pub anchors: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub config: Config,
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    StaffRole::parse(text).ok_or_else(|| "must be admin, collector or viewer".into())
}

/// A service error as the CLI says it.
fn words(e: Error) -> anyhow::Error {
    match e {
        Error::Problem(p) => anyhow::anyhow!(kassa_app::words::problem(&p)),
        Error::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::Error::new(other),
    }
}

pub async fn merchant(command: MerchantCommand) -> anyhow::Result<String> {
    let MerchantCommand::Create(args) = command;
    let slug = MerchantSlug::parse(&args.slug).map_err(|p| words(p.into()))?;
    let ctx = crate::context(&args.config).await?;
    let cmd = merchants::CreateMerchant { slug, name: args.name, brand_color: args.color, logo_url: args.logo };
    let merchant = merchants::create(&ctx, &Principal::System, cmd).await.map_err(words)?;
    Ok(format!(
        "Created merchant \"{}\" (test mode). Portal: {}/p/{}\nAdd staff with: kassa staff add --merchant {} --email EMAIL",
        merchant.name, ctx.public_url, merchant.slug, merchant.slug
    ))
}

pub async fn staff(command: StaffCommand) -> anyhow::Result<String> {
    let StaffCommand::Add(args) = command;
    let slug = MerchantSlug::parse(&args.merchant).map_err(|p| words(p.into()))?;
    let ctx = crate::context(&args.config).await?;
    let merchant = merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| {
        if matches!(e, Error::NotFound) {
            anyhow::anyhow!("no merchant '{slug}'")
        } else {
            words(e)
        }
    })?;
    let cmd = staff::AddStaff { merchant: merchant.id, email: args.email, role: args.role };
    let added = staff::add(&ctx, &Principal::System, cmd).await.map_err(words)?;
    Ok(format!(
        "Added {} to {}. Send them this link to choose a password (it works once, for 24 hours):\n{}/admin/set-password/{}",
        args.role.as_str(),
        merchant.name,
        ctx.public_url,
        added.password_token
    ))
}

pub async fn ledger(command: LedgerCommand) -> anyhow::Result<String> {
    let LedgerCommand::Verify(args) = command;
    let ctx = crate::context(&args.config).await?;
    let checked = ledger::verify_all(&ctx).await.map_err(words)?;
    Ok(format!("{checked} customer ledgers checked: every invariant holds."))
}

pub async fn audit(command: AuditCommand) -> anyhow::Result<String> {
    use kassa_core::audit;
    let args = match command {
        AuditCommand::Head(args) => {
            let ctx = crate::context(&args.config).await?;
            let heads = audit::heads(&ctx.pool).await.map_err(words)?;
            return Ok(heads.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
        }
        AuditCommand::Verify(args) => args,
    };
    let anchors = match &args.anchors {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the anchors file {}: {e}", path.display()))?;
            audit::parse_anchors(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    let ctx = crate::context(&args.config).await?;
    let found = audit::verify(&ctx.pool, &anchors).await.map_err(words)?;
    match found.broken {
        None if anchors.is_empty() => {
            Ok(format!("The audit log is intact: {} entries in {} chains.", found.entries, found.chains))
        }
        None => Ok(format!(
            "The audit log is intact: {} entries in {} chains, all {} anchors found.",
            found.entries,
            found.chains,
            anchors.len()
        )),
        Some(why) => anyhow::bail!("The audit log has been tampered with: {why}."),
    }
}
