//! Aging and a customer's balance over a large ledger, each timed beside a raw scan of the
//! same invoices table in the same run, on SQLite or PostgreSQL.
//!
//! ```sh
//! cargo bench -p kassa-core --bench aging -- [--invoices 1000000] [--customers 50000] [--database-url URL]
//! bench/aging    # both backends, PostgreSQL in a throwaway cluster
//! ```
//!
//! It bulk-loads a merchant with `--customers` customers and `--invoices` invoices (due dates
//! spread over the last 200 days and the next 30, 30 % of them partly paid through real
//! payments and applications; every invoice open, the worst case for aging), runs ANALYZE
//! (VACUUM ANALYZE on PostgreSQL, as autovacuum would), then reports the median of 5 runs of
//! each query after one warm-up, and the ratios. Target (issue 12): aging <= 2x the raw scan.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kassa_core::gateways::Gateways;
use kassa_core::principal::{Staff, StaffRole};
use kassa_core::services::merchants::{self, CreateMerchant};
use kassa_core::services::reports;
use kassa_core::services::widget::TokenSigner;
use kassa_core::{audit, db, Ctx, Principal};
use kassa_domain::{CustomerId, MerchantSlug, StaffId};
use time::{Duration as Days, OffsetDateTime};

struct Args {
    invoices: usize,
    customers: usize,
    database_url: Option<String>,
}

fn args() -> Args {
    let mut a = Args { invoices: 1_000_000, customers: 50_000, database_url: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--invoices" => a.invoices = it.next().and_then(|v| v.parse().ok()).expect("--invoices N"),
            "--customers" => a.customers = it.next().and_then(|v| v.parse().ok()).expect("--customers N"),
            "--database-url" => a.database_url = it.next(),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

/// A small deterministic generator, so every run loads the same ledger.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Inserts `rows` with one multi-row statement per chunk, in one transaction.
async fn bulk(pool: &db::Pool, table_and_columns: &str, columns: usize, rows: &[Vec<Value>]) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(1000) {
        let mut sql = format!("INSERT INTO {table_and_columns} VALUES ");
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..columns {
                if c > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", r * columns + c + 1));
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s.clone()),
                    Value::Int(i) => q.bind(*i),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

enum Value {
    Text(String),
    Int(i64),
}

fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

async fn median<F, Fut>(mut run: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    run().await?; // warm-up
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        run().await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times[2])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let pool = db::connect(&url).await?;
    db::migrate(&pool).await?;
    let ctx = Ctx::new(
        kassa_core::Shared {
            pool: pool.clone(),
            gateways: Gateways::standard(
                &pool,
                "http://127.0.0.1:3000",
                b"bench key bench key bench key 32",
                kassa_core::gateways::stripe::API_URL,
            ),
            tokens: TokenSigner::new(b"bench key bench key bench key 32"),
            public_url: "http://127.0.0.1:3000".into(),
            allow_private_webhooks: false,
            webhook_secrets: kassa_core::secrets::Sealer::new(b"bench key bench key bench key 32", "webhook-secrets"),
            gateway_secrets: kassa_core::secrets::Sealer::new(b"bench key bench key bench key 32", "gateway-secrets"),
            mailer: Arc::new(kassa_core::mail::Catcher),
            labels: Arc::new(kassa_core::labels::English),
            senders: Default::default(),
        },
        audit::Origin::of("bench"),
    );
    let slug = MerchantSlug::parse(&format!("bench-{}", &db::new_id()[..8]))?;
    let cmd = CreateMerchant { slug, name: "Bench B.V.".into(), brand_color: None, logo: None, time_zone: None };
    let merchant = merchants::create(&ctx, &Principal::System, cmd).await?;
    let m = merchant.id.to_string();

    let load = Instant::now();
    let now = db::now();
    let customers: Vec<String> = (0..a.customers).map(|_| db::new_id()).collect();
    let rows: Vec<Vec<Value>> = customers
        .iter()
        .enumerate()
        .map(|(i, id)| {
            vec![
                t(id.clone()),
                t(m.clone()),
                t(format!("C{i:06}")),
                t(format!("Customer {i}")),
                t("ap@example.com"),
                Value::Int(now),
            ]
        })
        .collect();
    bulk(&pool, "customers (id, merchant_id, number, name, email, created_at)", 6, &rows).await?;

    let today = OffsetDateTime::now_utc().date();
    let mut rng = Lcg(42);
    let mut invoices = Vec::with_capacity(a.invoices);
    let mut payments = Vec::new();
    let mut applications = Vec::new();
    for i in 0..a.invoices {
        let id = db::new_id();
        let customer = customers[rng.next(customers.len() as u64) as usize].clone();
        let total = 1_000 + rng.next(500_000) as i64;
        let due = today - Days::days(rng.next(230) as i64 - 30);
        let issue = due - Days::days(30);
        let paid = if rng.next(10) < 3 { total / 2 } else { 0 };
        if paid > 0 {
            let payment = db::new_id();
            payments.push(vec![
                t(payment.clone()),
                t(m.clone()),
                t(customer.clone()),
                t("EUR"),
                Value::Int(paid),
                t("Bank transfer"),
                t("bench"),
                t(format!("ref-{i}")),
                t("succeeded"),
                t(payment.clone()),
                Value::Int(now),
            ]);
            applications.push(vec![
                t(db::new_id()),
                t(m.clone()),
                t(customer.clone()),
                t(id.clone()),
                t("EUR"),
                t(payment),
                Value::Int(paid),
                Value::Int(now),
            ]);
        }
        let fmt = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day());
        invoices.push(vec![
            t(id),
            t(m.clone()),
            t(customer),
            t(format!("INV-{i:07}")),
            t("EUR"),
            t(fmt(issue)),
            t(fmt(due)),
            Value::Int(total),
            Value::Int(total - paid),
            Value::Int(now),
        ]);
    }
    bulk(
        &pool,
        "invoices (id, merchant_id, customer_id, number, currency, issue_date, due_date, total_minor, open_minor, created_at)",
        10,
        &invoices,
    )
    .await?;
    bulk(
        &pool,
        "payments (id, merchant_id, customer_id, currency, amount_minor, method, gateway, gateway_reference, status, \
         idempotency_key, created_at)",
        11,
        &payments,
    )
    .await?;
    bulk(
        &pool,
        "applications (id, merchant_id, customer_id, invoice_id, currency, payment_id, amount_minor, created_at)",
        8,
        &applications,
    )
    .await?;
    // Statistics for the planner. On PostgreSQL also VACUUM, which sets the visibility map
    // that index-only scans need: the steady state autovacuum keeps on a live database.
    let settle = if backend == "PostgreSQL" { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::query(settle).execute(&pool).await?;
    let loaded = load.elapsed();

    let raw = median(|| async {
        let _: (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), CAST(SUM(total_minor) AS BIGINT) FROM invoices").fetch_one(&pool).await?;
        Ok(())
    })
    .await?;
    let staff = Principal::Staff(Staff {
        merchant: merchant.id.clone(),
        staff: StaffId::from_raw("bench"),
        role: StaffRole::Viewer,
        email: "bench@example.com".into(),
    });
    let aging = median(|| async {
        let buckets = reports::aging(&ctx, &staff, today).await?;
        assert_eq!(buckets.len(), 1);
        Ok(())
    })
    .await?;
    let one = CustomerId::from_raw(customers[customers.len() / 2].clone());
    let balance = median(|| async {
        reports::customer_balance(&ctx, &staff, &one).await?;
        Ok(())
    })
    .await?;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{backend}: {} invoices, {} customers, {} payments; bulk load {:.1} s",
        a.invoices,
        a.customers,
        payments.len(),
        loaded.as_secs_f64()
    );
    println!("  raw scan   SELECT count(*), sum(total) FROM invoices   {:>9.2} ms", ms(raw));
    println!(
        "  aging by bucket (reports::aging)                       {:>9.2} ms  = {:.2}x raw",
        ms(aging),
        ms(aging) / ms(raw)
    );
    println!(
        "  one customer's balance (reports::customer_balance)     {:>9.2} ms  = {:.4}x raw",
        ms(balance),
        ms(balance) / ms(raw)
    );
    Ok(())
}
