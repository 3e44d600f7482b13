//! CSV import throughput: a generated file of `--rows` invoice lines (four lines per invoice,
//! over `--customers` customers described in the file, semicolons and decimal commas as a
//! Dutch spreadsheet writes them) imported through `imports::run`, on SQLite or PostgreSQL;
//! then the same file again (everything unchanged), and rows per second for both.
//!
//! ```sh
//! cargo bench -p kassa-core --bench imports -- [--rows 100000] [--customers 5000] [--database-url URL]
//! bench/imports    # both backends, PostgreSQL in a throwaway cluster
//! ```

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use kassa_core::gateways::sandbox::Sandbox;
use kassa_core::imports::{self, Format, OnError};
use kassa_core::services::merchants::{self, CreateMerchant};
use kassa_core::services::widget::TokenSigner;
use kassa_core::{audit, db, Ctx, Principal};
use kassa_domain::MerchantSlug;

fn file(rows: usize, customers: usize) -> String {
    let mut csv = String::from(
        "invoice_number;customer_number;customer_name;customer_email;currency;issue_date;due_date;description;quantity;unit_price\n",
    );
    for row in 0..rows {
        let invoice = row / 4;
        let customer = invoice % customers;
        let day = 1 + invoice % 28;
        let _ = writeln!(
            csv,
            "B-{invoice:07};DEB-{customer:05};Klant {customer} B.V.;debiteuren{customer}@klant.example;EUR;{day:02}-11-2026;\
             {day:02}-12-2026;Artikel {} omschrijving;{};{},{:02}",
            row % 4,
            1 + row % 12,
            3 + row % 400,
            row % 100
        );
    }
    csv
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut rows = 100_000;
    let mut customers = 5_000;
    let mut database_url = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--rows" => rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--customers" => customers = it.next().and_then(|v| v.parse().ok()).expect("--customers N"),
            "--database-url" => database_url = it.next(),
            "--bench" => {}
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    let dir = tempfile::tempdir()?;
    let url = database_url.unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let pool = db::connect(&url).await?;
    db::migrate(&pool).await?;
    let key = b"bench key bench key bench key 32";
    let ctx = Ctx {
        pool,
        gateway: Arc::new(Sandbox::default()),
        tokens: TokenSigner::new(key),
        public_url: "http://127.0.0.1:3000".into(),
        origin: audit::Origin::of("bench"),
        allow_private_webhooks: false,
        webhook_secrets: kassa_core::secrets::Sealer::new(key, "webhook-secrets"),
    };
    let slug = MerchantSlug::parse(&format!("bench-{}", &db::new_id()[..8]))?;
    let cmd = CreateMerchant { slug, name: "Bench B.V.".into(), brand_color: None, logo_url: None };
    let merchant = merchants::create(&ctx, &Principal::System, cmd).await?;
    let csv = file(rows, customers);
    println!(
        "{backend}: {rows} rows ({} invoices, {customers} customers), {:.1} MB",
        rows.div_ceil(4),
        csv.len() as f64 / 1e6
    );
    for pass in ["first import", "same file again"] {
        let started = Instant::now();
        let report = imports::run(
            &ctx,
            &Principal::System,
            Some(&merchant.id),
            Format::Csv,
            csv.as_bytes(),
            OnError::RejectFile,
            &|_, _| {},
        )
        .await?;
        let secs = started.elapsed().as_secs_f64();
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..report.problems.len().min(3)]);
        println!(
            "{backend} {pass}: {:.1} s, {:.0} rows/s ({} created, {} unchanged)",
            secs,
            rows as f64 / secs,
            report.created,
            report.unchanged
        );
    }
    Ok(())
}
