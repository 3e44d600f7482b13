//! The CLI's commands beyond serve/migrate/demo. Each resolves its principal (the system: whoever
//! runs `kassa` on the server's machine holds the database), calls one service, and prints the
//! answer — or the problem in words, exiting non-zero.

use kassa_core::principal::{Scopes, StaffRole};
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
    /// Logo: a PNG or JPEG file (at most 256 KB, 16 to 2000 pixels a side). Staff can change
    /// it later under Settings.
    #[arg(long, value_name = "FILE")]
    pub logo: Option<std::path::PathBuf>,
    /// Time zone (IANA name): its midnight makes invoices overdue. Default Europe/Amsterdam.
    #[arg(long)]
    pub time_zone: Option<String>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum StaffCommand {
    /// Add a staff member; prints a single-use link on which they choose their password. A
    /// merchant's first admin becomes its owner.
    Add(AddStaffArgs),
    /// List a merchant's staff and their roles.
    List(MerchantArgs),
    /// Give a staff member another role (`owner` hands the ownership to them).
    SetRole(AddStaffArgs),
    /// Remove a staff member: their sessions end at their next request.
    Remove(StaffMemberArgs),
}

#[derive(clap::Args)]
pub struct AddStaffArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    #[arg(long)]
    pub email: String,
    /// owner (admin, and makes admins), admin (settings and staff), collector (works the
    /// ledger) or viewer (reads).
    #[arg(long, default_value = "admin", value_parser = parse_role)]
    pub role: StaffRole,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Args)]
pub struct StaffMemberArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    #[arg(long)]
    pub email: String,
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

#[derive(clap::Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key; it is printed this once (only a hash is kept).
    Create(CreateKeyArgs),
    /// List a merchant's keys (never the keys themselves).
    List(MerchantArgs),
    /// Revoke a key at once.
    Revoke(RevokeKeyArgs),
}

#[derive(clap::Args)]
pub struct CreateKeyArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    /// What the key is for, e.g. "ERP sync".
    #[arg(long)]
    pub name: String,
    /// A live key (real data); without it, a test key that sees test data only.
    #[arg(long)]
    pub live: bool,
    /// What the key may do: read (always), write (records and money), settings (webhook
    /// endpoints, jobs); comma-separated.
    #[arg(long, default_value = "read,write", value_parser = parse_scopes)]
    pub scopes: Scopes,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Args)]
pub struct MerchantArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Args)]
pub struct RevokeKeyArgs {
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    /// The key's id (from `kassa api-key list`).
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum WidgetKeyCommand {
    /// The keys that sign widget tokens and pay links: which is newest, which are retired.
    List(ConfigArgs),
    /// Make a new signing key: tokens issued from now on use it; every token already out keeps
    /// working.
    Rotate(ConfigArgs),
    /// Retire every key but the newest: the tokens they signed stop working at once (a key
    /// that may have leaked). Rotate first.
    RetireOlder(ConfigArgs),
}

#[derive(clap::Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Import invoices, credit notes and the customers they name from CSV files, UBL 2.1 /
    /// Peppol BIS 3 XML documents, zip archives of those, or folders of them (docs/imports.md).
    /// Re-importing a file changes nothing.
    Invoices(ImportArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The files: CSV with a header row (comma or semicolon, UTF-8), UBL Invoice or CreditNote
    /// XML, zip archives of those; a folder stands for the .csv, .xml and .zip files in it.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
    /// The merchant's slug.
    #[arg(long)]
    pub merchant: String,
    /// Import the valid invoices and report the others; without it, a file with any problem
    /// imports nothing.
    #[arg(long)]
    pub skip_invalid: bool,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Subcommand)]
pub enum JobsCommand {
    /// The newest jobs (most recently changed first), with their last error.
    List(ListJobsArgs),
    /// Queue a dead job again now, with its attempts anew.
    Retry(RetryJobArgs),
}

#[derive(clap::Args)]
pub struct ListJobsArgs {
    /// queued, running, done or dead.
    #[arg(long, value_parser = parse_job_state)]
    pub state: Option<kassa_core::jobs::State>,
    /// Only this merchant's jobs (by slug).
    #[arg(long)]
    pub merchant: Option<String>,
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub limit: i64,
    #[command(flatten)]
    pub config: Config,
}

#[derive(clap::Args)]
pub struct RetryJobArgs {
    /// The job's id (from `kassa jobs list --state dead`).
    pub id: String,
    #[command(flatten)]
    pub config: Config,
}

fn parse_job_state(text: &str) -> Result<kassa_core::jobs::State, String> {
    kassa_core::jobs::State::parse(text).ok_or_else(|| "must be queued, running, done or dead".into())
}

fn parse_role(text: &str) -> Result<StaffRole, String> {
    StaffRole::parse(text).ok_or_else(|| "must be owner, admin, collector or viewer".into())
}

fn parse_scopes(text: &str) -> Result<Scopes, String> {
    Scopes::parse(text).map_err(|word| format!("'{word}' is not a scope: use read, write and settings"))
}

/// A service error as the CLI says it.
fn words(e: Error) -> anyhow::Error {
    match e {
        Error::Problem(p) => anyhow::anyhow!(kassa_app::words::problem(&p)),
        Error::Invalid(problems) => anyhow::anyhow!(problems
            .iter()
            .map(|f| format!("{}: {}", f.field, kassa_app::words::problem(&f.problem)))
            .collect::<Vec<_>>()
            .join("\n")),
        Error::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::Error::new(other),
    }
}

pub async fn merchant(command: MerchantCommand) -> anyhow::Result<String> {
    let MerchantCommand::Create(args) = command;
    let slug = MerchantSlug::parse(&args.slug).map_err(|p| words(p.into()))?;
    let logo = match &args.logo {
        Some(file) => Some(
            std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read the logo file {}: {e}", file.display()))?,
        ),
        None => None,
    };
    let ctx = crate::context(&args.config).await?;
    let cmd =
        merchants::CreateMerchant { slug, name: args.name, brand_color: args.color, logo, time_zone: args.time_zone };
    let merchant = merchants::create(&ctx, &Principal::System, cmd).await.map_err(words)?;
    Ok(format!(
        "Created merchant \"{}\" (test mode). Portal: {}/p/{}\nAdd staff with: kassa staff add --merchant {} --email EMAIL",
        merchant.name, ctx.public_url, merchant.slug, merchant.slug
    ))
}

/// The merchant at `slug`, or a sentence saying there is none.
async fn merchant_at(ctx: &kassa_core::Ctx, slug: &str) -> anyhow::Result<kassa_core::services::records::Merchant> {
    let slug = MerchantSlug::parse(slug).map_err(|p| words(p.into()))?;
    merchant_by_slug(&ctx.pool, &slug).await.map_err(|e| {
        if matches!(e, Error::NotFound) {
            anyhow::anyhow!("no merchant '{slug}'")
        } else {
            words(e)
        }
    })
}

pub async fn staff(command: StaffCommand) -> anyhow::Result<String> {
    match command {
        StaffCommand::Add(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let cmd = staff::AddStaff { merchant: merchant.id.clone(), email: args.email, role: args.role };
            let added = staff::add(&ctx, &Principal::System, cmd).await.map_err(words)?;
            Ok(format!(
                "Added {} to {}. Send them this link to choose a password (it works once, for 24 hours):\n{}/admin/set-password/{}",
                added.role.as_str(),
                merchant.name,
                ctx.public_url,
                added.password_token
            ))
        }
        StaffCommand::List(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let members = staff::list(&ctx, &Principal::System, &merchant.id).await.map_err(words)?;
            if members.is_empty() {
                return Ok(format!("{} has no staff.", merchant.name));
            }
            Ok(members
                .iter()
                .map(|m| {
                    let waiting = if m.can_sign_in { "" } else { "  (has not chosen a password yet)" };
                    format!("{}  {}{}", m.role.as_str(), m.email, waiting)
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        StaffCommand::SetRole(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let member = member_by_email(&ctx, &merchant, &args.email).await?;
            staff::set_role(&ctx, &Principal::System, &merchant.id, &member.id, args.role).await.map_err(words)?;
            Ok(format!("{}: {} is now {}.", merchant.name, member.email, with_article(args.role)))
        }
        StaffCommand::Remove(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let member = member_by_email(&ctx, &merchant, &args.email).await?;
            staff::remove(&ctx, &Principal::System, &merchant.id, &member.id).await.map_err(words)?;
            Ok(format!("Removed {} from {}; their sessions end at their next request.", member.email, merchant.name))
        }
    }
}

fn with_article(role: StaffRole) -> String {
    match role {
        StaffRole::Owner => "the owner".into(),
        StaffRole::Admin => "an admin".into(),
        other => format!("a {}", other.as_str()),
    }
}

async fn member_by_email(
    ctx: &kassa_core::Ctx,
    merchant: &kassa_core::services::records::Merchant,
    email: &str,
) -> anyhow::Result<staff::Member> {
    let email = staff::parse_email(email).map_err(words)?;
    let members = staff::list(ctx, &Principal::System, &merchant.id).await.map_err(words)?;
    members
        .into_iter()
        .find(|m| m.email == email)
        .ok_or_else(|| anyhow::anyhow!("{} has no staff member {email}", merchant.name))
}

pub async fn widget_key(command: WidgetKeyCommand) -> anyhow::Result<String> {
    let (WidgetKeyCommand::List(args) | WidgetKeyCommand::Rotate(args) | WidgetKeyCommand::RetireOlder(args)) =
        &command;
    let ctx = crate::context(&args.config).await?;
    match command {
        WidgetKeyCommand::List(_) => {
            let keys = ctx.tokens.keys(&ctx.pool).await.map_err(words)?;
            if keys.is_empty() {
                return Ok("No widget key yet: the first token issued makes one.".into());
            }
            let when = kassa_core::services::records::rfc3339;
            Ok(keys
                .iter()
                .enumerate()
                .map(|(n, k)| {
                    let state = match (k.retired_at, n) {
                        (Some(t), _) => format!("retired {}", when(t)),
                        (None, 0) => "newest: signs new tokens".into(),
                        (None, _) => "verifies the tokens it signed".into(),
                    };
                    format!("{}  created {}  {}  {} tokens", k.id, when(k.created_at), state, k.tokens)
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        WidgetKeyCommand::Rotate(_) => {
            let (id, _) = ctx.tokens.rotate(&ctx.pool).await.map_err(words)?;
            Ok(format!(
                "Made widget key {id}: new tokens are signed with it; tokens already out keep working until \
                 `kassa widget-keys retire-older`."
            ))
        }
        WidgetKeyCommand::RetireOlder(_) => {
            let retired = ctx.tokens.retire_before(&ctx.pool).await.map_err(words)?;
            Ok(format!("Retired {retired} older widget key(s): the tokens they signed no longer work."))
        }
    }
}

pub async fn api_key(command: ApiKeyCommand) -> anyhow::Result<String> {
    use kassa_core::principal::Mode;
    use kassa_core::services::api_keys;
    use secrecy::ExposeSecret;
    match command {
        ApiKeyCommand::Create(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let mode = if args.live { Mode::Live } else { Mode::Test };
            let cmd = api_keys::CreateKey { merchant: merchant.id, name: args.name, mode, scopes: args.scopes };
            let created = api_keys::create(&ctx, &Principal::System, cmd).await.map_err(words)?;
            Ok(format!(
                "Created {} API key \"{}\" ({}, may {}) for {}. It is shown this once; keep it secret:\n{}",
                mode.as_str(),
                created.key.name,
                created.key.id,
                created.key.scopes.as_text().replace(' ', ", "),
                merchant.name,
                created.secret.expose_secret()
            ))
        }
        ApiKeyCommand::List(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            let keys = api_keys::list(&ctx, &Principal::System, &merchant.id).await.map_err(words)?;
            if keys.is_empty() {
                return Ok(format!("{} has no API keys.", merchant.name));
            }
            let when = |t: Option<i64>| t.map(kassa_core::services::records::rfc3339).unwrap_or_else(|| "-".into());
            Ok(keys
                .iter()
                .map(|k| {
                    format!(
                        "{}  {}...  {}  {}  {:?}  created {}  last used {}{}",
                        k.id,
                        k.prefix,
                        k.mode.as_str(),
                        k.scopes.as_text().replace(' ', ","),
                        k.name,
                        when(Some(k.created_at)),
                        when(k.last_used_at),
                        k.revoked_at.map(|t| format!("  REVOKED {}", when(Some(t)))).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        ApiKeyCommand::Revoke(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = merchant_at(&ctx, &args.merchant).await?;
            api_keys::revoke(&ctx, &Principal::System, &merchant.id, &args.id).await.map_err(|e| match e {
                Error::NotFound => anyhow::anyhow!("{} has no API key {}", merchant.name, args.id),
                e => words(e),
            })?;
            Ok(format!("Revoked API key {}. Requests with it are refused from now on.", args.id))
        }
    }
}

pub async fn ledger(command: LedgerCommand) -> anyhow::Result<String> {
    let LedgerCommand::Verify(args) = command;
    let ctx = crate::context(&args.config).await?;
    let checked = ledger::verify_all(&ctx.pool).await.map_err(words)?;
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

/// Imports a file with a progress bar on the terminal (none when output is not a terminal);
/// fails, listing every problem with its line, when anything was not imported.
pub async fn import(command: ImportCommand) -> anyhow::Result<String> {
    use kassa_core::imports::{self, OnError, Upload};
    let ImportCommand::Invoices(args) = command;
    let files = files_of(&args.files)?;
    let uploads = files
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            Ok(Upload { name: path.display().to_string(), bytes })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let ctx = crate::context(&args.config).await?;
    let merchant = merchant_at(&ctx, &args.merchant).await?;
    let on_error = if args.skip_invalid { OnError::SkipInvalid } else { OnError::RejectFile };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} importing {pos}/{len} documents [{bar:40}] {per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let report = imports::run(&ctx, &Principal::System, Some(&merchant.id), &uploads, on_error, &progress)
        .await
        .map_err(words)?;
    bar.finish_and_clear();
    let named = match uploads.as_slice() {
        [one] => one.name.clone(),
        many => format!("{} files", many.len()),
    };
    let summary = format!(
        "{named}: {} invoices and credit notes, {} created, {} unchanged, {} not imported.",
        report.invoices, report.created, report.unchanged, report.rejected
    );
    let said = |found: &[imports::RowProblem], prefix: &str| -> Vec<String> {
        found
            .iter()
            .map(|p| {
                // The file, unless it is the one file named on the command line.
                let only = (uploads.len() == 1).then(|| uploads[0].name.as_str());
                let file = p.file.as_deref().filter(|f| Some(*f) != only).map(|f| format!("{f}, ")).unwrap_or_default();
                format!("{prefix}{file}line {}, {}: {}", p.line, p.field, kassa_app::words::problem(&p.problem))
            })
            .collect()
    };
    let summary = match report.warnings.is_empty() {
        true => summary,
        false => format!("{summary}\n{}", said(&report.warnings, "warning: ").join("\n")),
    };
    if report.problems.is_empty() {
        return Ok(summary);
    }
    let lines = said(&report.problems, "");
    let verdict = if args.skip_invalid || report.invoices == 0 {
        ""
    } else {
        "\nNothing was imported: fix these and import the file again (or pass --skip-invalid)."
    };
    anyhow::bail!("{summary}\n{}{verdict}", lines.join("\n"))
}

/// The files named, a folder standing for its `.csv`, `.xml` and `.zip` files (by name).
fn files_of(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let mut found = Vec::new();
        for entry in entries {
            let p = entry.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?.path();
            let importable = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["csv", "xml", "zip"].contains(&e.to_ascii_lowercase().as_str()));
            if p.is_file() && importable {
                found.push(p);
            }
        }
        if found.is_empty() {
            anyhow::bail!("{} has no .csv, .xml or .zip files to import.", path.display());
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

pub async fn jobs(command: JobsCommand) -> anyhow::Result<String> {
    use kassa_core::jobs;
    use kassa_core::services::records::rfc3339;
    match command {
        JobsCommand::List(args) => {
            let ctx = crate::context(&args.config).await?;
            let merchant = match &args.merchant {
                Some(slug) => Some(merchant_at(&ctx, slug).await?.id),
                None => None,
            };
            let found = jobs::list(&ctx, args.state, merchant.as_ref(), None, args.limit).await.map_err(words)?;
            if found.is_empty() {
                return Ok("No such jobs.".into());
            }
            Ok(found
                .iter()
                .map(|j| {
                    let error = j.last_error.as_deref().map(|e| format!("\n    last error: {e}")).unwrap_or_default();
                    format!(
                        "{}  {}  {}  attempts {}/{}  next {}  changed {}{error}",
                        j.id,
                        j.kind,
                        j.state,
                        j.attempts,
                        if j.max_attempts == i64::MAX { "-".to_string() } else { j.max_attempts.to_string() },
                        rfc3339(j.run_at),
                        rfc3339(j.updated_at),
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"))
        }
        JobsCommand::Retry(args) => {
            let ctx = crate::context(&args.config).await?;
            if jobs::retry(&ctx, &args.id).await.map_err(words)? {
                Ok(format!("Job {} is queued again; a worker of a running `kassa serve` takes it.", args.id))
            } else {
                anyhow::bail!("There is no dead job {} (`kassa jobs list --state dead` lists them).", args.id)
            }
        }
    }
}
