//! The merchant API under load, on SQLite or PostgreSQL, each figure beside the same server's
//! `/healthz` in the same run: create-invoice throughput (every request with its own
//! Idempotency-Key, as an ERP sync would send them) and list-invoices latency (p50, p99) with
//! 64 connections at once; and the portal's invoice list (`GET /p/demo`, server-rendered HTML)
//! of a signed-in customer with 50 invoices (issue 19's target: >= 0.30 of `/healthz`, p99 <=
//! 15 ms).
//!
//! ```sh
//! cargo bench -p kassa-server --bench api -- [--requests 4000] [--database-url URL] [--portal-only]
//!     [--page-cache-mb 0]   # the portal's first page rendered for every request
//!     [--wrk 5]             # /healthz and the portal also loaded by wrk for 5 s each
//! bench/api    # both backends, PostgreSQL in a throwaway cluster
//! ```
//!
//! The figures' client is reqwest in this process, on the same two cores as the server, and it
//! spends a large share of them. `--wrk SECS` loads `/healthz` and the portal's page again with
//! wrk (Debian's `wrk`, a load generator in C: `apt-get install wrk`), 64 connections on one
//! thread, so that what is measured is closer to the server's own cost, as in a deployment
//! whose clients are elsewhere. Both are printed; neither replaces the other.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Mutex;

const CONNECTIONS: usize = 64;

struct Run {
    secs: f64,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_sec(&self) -> f64 {
        self.latencies.len() as f64 / self.secs
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l[((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1]
    }

    fn line(&self, what: &str) -> String {
        figure(
            what,
            self.per_sec(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
        )
    }
}

/// One figure's line, whichever client measured it.
fn figure(what: &str, per_sec: f64, p50_ms: f64, p99_ms: f64) -> String {
    format!("{what:<36} {per_sec:>7.0} req/s   p50 {p50_ms:>7.2} ms   p99 {p99_ms:>7.2} ms")
}

/// A figure from wrk: its rate and latency percentiles (`--latency`).
struct Wrk {
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl Wrk {
    fn line(&self, what: &str) -> String {
        figure(what, self.per_sec, self.p50_ms, self.p99_ms)
    }
}

/// `url` loaded by wrk for `secs` seconds over `CONNECTIONS` connections on one thread, with
/// `cookie` if given; every answer must be a 2xx (wrk counts the others).
async fn wrk(url: &str, cookie: Option<&str>, secs: u32) -> anyhow::Result<Wrk> {
    let mut cmd = std::process::Command::new("wrk");
    cmd.args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{secs}s"), "--latency"]);
    if let Some(cookie) = cookie {
        cmd.args(["-H", &format!("Cookie: {cookie}")]);
    }
    cmd.arg(url);
    // Off the runtime's threads, which serve the requests.
    let out = tokio::task::spawn_blocking(move || cmd.output()).await?;
    let out = out.map_err(|e| anyhow::anyhow!("wrk: {e} (apt-get install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    anyhow::ensure!(out.status.success(), "wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    anyhow::ensure!(!text.contains("Non-2xx") && !text.contains("Socket errors"), "wrk saw errors: {text}");
    let field = |prefix: &str| {
        text.lines().map(str::trim).find_map(|l| l.strip_prefix(prefix)).map(str::trim).map(str::to_string)
    };
    let ms = |value: String| -> anyhow::Result<f64> {
        let split = value.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(value.len());
        let (number, unit) = value.split_at(split);
        let n: f64 = number.parse()?;
        Ok(match unit {
            "us" => n / 1e3,
            "ms" => n,
            "s" => n * 1e3,
            other => anyhow::bail!("wrk latency unit {other}"),
        })
    };
    let missing = || anyhow::anyhow!("wrk's output lacks a figure: {text}");
    Ok(Wrk {
        per_sec: field("Requests/sec:").ok_or_else(missing)?.parse()?,
        p50_ms: ms(field("50%").ok_or_else(missing)?)?,
        p99_ms: ms(field("99%").ok_or_else(missing)?)?,
    })
}

/// `total` requests from `CONNECTIONS` workers, each with an HTTP client of its own (its own
/// connection); `request(client, i)` sends request number `i`.
async fn load<F, Fut>(total: usize, request: F) -> Run
where
    F: Fn(reqwest::Client, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(Mutex::new(0usize));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (request, next) = (request.clone(), next.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                let mut latencies = Vec::new();
                loop {
                    let i = {
                        let mut n = next.lock().await;
                        if *n >= total {
                            break;
                        }
                        *n += 1;
                        *n
                    };
                    let t = Instant::now();
                    request(client.clone(), i).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    Run { secs: started.elapsed().as_secs_f64(), latencies }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut requests = 4000;
    let mut database_url = None;
    let mut site_root = None;
    let mut only_portal = false;
    let mut page_cache_mb = None;
    let mut wrk_secs = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--requests" => requests = it.next().and_then(|v| v.parse().ok()).expect("--requests N"),
            "--database-url" => database_url = it.next(),
            "--site-root" => site_root = it.next().map(std::path::PathBuf::from),
            "--portal-only" => only_portal = true,
            "--page-cache-mb" => {
                page_cache_mb = Some(it.next().and_then(|v| v.parse().ok()).expect("--page-cache-mb N"))
            }
            "--wrk" => wrk_secs = Some(it.next().and_then(|v| v.parse().ok()).expect("--wrk SECONDS")),
            "--bench" => {}
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    let running = common::start(database_url, site_root.clone(), |config| {
        if let Some(mb) = page_cache_mb {
            config.page_cache_mb = mb;
        }
    })
    .await?;
    let (kassa_ctx, backend) = (running.ctx.clone(), running.backend);
    let key = Arc::new(running.demo.api_key.clone());
    let base = Arc::new(running.base.clone());
    let customer = reqwest::Client::new()
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(key.as_str())
        .json(&json!({ "number": "BENCH-1", "name": "Bench Klant B.V.", "email": "bench@klant.example" }))
        .send()
        .await?;
    anyhow::ensure!(customer.status().is_success(), "customer: {}", customer.status());

    // A customer with 50 invoices, signed in to the portal: every worker sends its cookie.
    let portal_customer = reqwest::Client::new()
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(key.as_str())
        .json(&json!({ "number": "BENCH-50", "name": "Fifty Invoices B.V.", "email": "fifty@klant.example",
            "language": "nl" }))
        .send()
        .await?;
    anyhow::ensure!(portal_customer.status().is_success(), "customer: {}", portal_customer.status());
    for i in 0..50 {
        let body = json!({ "customer_number": "BENCH-50", "number": format!("FIFTY-{i:02}"), "currency": "EUR",
            "issue_date": "2026-11-02", "lines": [ { "description": "Gouda", "quantity": "3", "unit_price": "84.50" } ] });
        let res = reqwest::Client::new()
            .post(format!("{base}/api/v1/invoices"))
            .bearer_auth(key.as_str())
            .header("Idempotency-Key", format!("fifty-{i}"))
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(res.status() == 201, "invoice: {}", res.status());
    }
    let cookie = Arc::new(portal_cookie(&kassa_ctx, &base).await?);

    println!("{backend}: {requests} requests per figure, {CONNECTIONS} connections");
    let b = base.clone();
    let health = load(requests, move |c, _| {
        let url = format!("{b}/healthz");
        async move {
            assert!(c.get(url).send().await.unwrap().status().is_success());
        }
    })
    .await;
    println!("{}", health.line("GET /healthz"));
    if let Some(site_root) = &site_root {
        let names = kassa_server::http::assets::Manifest::read(site_root);
        let wasm = format!("/pkg/{}_bg.wasm", names.bundle);
        for file in [names.stylesheet.as_str(), wasm.as_str()] {
            let url = Arc::new(format!("{base}{file}"));
            let run = load(requests, move |c, _| {
                let url = url.clone();
                async move {
                    let res = c.get(url.as_str()).header("accept-encoding", "br").send().await.unwrap();
                    assert_eq!(res.headers()["content-encoding"], "br");
                    res.bytes().await.unwrap();
                }
            })
            .await;
            println!(
                "{}   = {:.2}x the /healthz rate",
                run.line(&format!("GET {file} (br)")),
                run.per_sec() / health.per_sec()
            );
        }
    }
    let (b, page_cookie) = (base.clone(), cookie.clone());
    let portal = load(requests, move |c, i| {
        let (url, cookie) = (format!("{b}/p/demo"), page_cookie.clone());
        async move {
            let res = c.get(url).header("cookie", cookie.as_str()).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let html = res.bytes().await.unwrap();
            // Every page is read in full; some are checked for their 25 invoices (checking
            // every one would spend the bench's CPU, shared with the server, on the client).
            if i % 64 == 1 {
                let rows = String::from_utf8_lossy(&html).matches("<tr data-invoice=").count();
                assert_eq!(rows, 25, "a page of 25 invoices");
            }
        }
    })
    .await;
    println!(
        "{}   = {:.2}x the /healthz rate",
        portal.line("GET /p/demo (50 invoices, HTML)"),
        portal.per_sec() / health.per_sec()
    );
    if let Some(secs) = wrk_secs {
        let health = wrk(&format!("{base}/healthz"), None, secs).await?;
        println!("{}", health.line("GET /healthz (wrk)"));
        let portal = wrk(&format!("{base}/p/demo"), Some(cookie.as_str()), secs).await?;
        println!("{}   = {:.2}x the /healthz rate", portal.line("GET /p/demo (wrk)"), portal.per_sec / health.per_sec);
    }
    if only_portal {
        return Ok(());
    }
    let (b, k) = (base.clone(), key.clone());
    let create = load(requests, move |c, i| {
        let (url, key) = (format!("{b}/api/v1/invoices"), k.clone());
        async move {
            let body = json!({ "customer_number": "BENCH-1", "number": format!("BENCH-{i:07}"), "currency": "EUR",
                "issue_date": "2026-11-02",
                "lines": [ { "description": "Gouda", "quantity": "3", "unit_price": "84.50" },
                           { "description": "Delivery", "quantity": "1", "unit_price": "12.50" } ] });
            let res = c
                .post(url)
                .bearer_auth(key.as_str())
                .header("Idempotency-Key", format!("bench-{i}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 201);
        }
    })
    .await;
    println!(
        "{}   = {:.2}x the /healthz rate",
        create.line("POST /api/v1/invoices (idempotent)"),
        create.per_sec() / health.per_sec()
    );
    let (b, k) = (base.clone(), key.clone());
    let list = load(requests, move |c, _| {
        let (url, key) = (format!("{b}/api/v1/invoices?limit=50"), k.clone());
        async move {
            assert!(c.get(url).bearer_auth(key.as_str()).send().await.unwrap().status().is_success());
        }
    })
    .await;
    println!(
        "{}   p99 = {:.1}x the /healthz p99",
        list.line("GET /api/v1/invoices?limit=50"),
        list.percentile(0.99).as_secs_f64() / health.percentile(0.99).as_secs_f64()
    );
    Ok(())
}

/// Signs the bench's portal customer in through a magic link and its Continue button, and
/// returns the session cookie (`name=value`) the server set.
async fn portal_cookie(ctx: &kassa_core::Ctx, base: &str) -> anyhow::Result<String> {
    let (merchant, customer): (String, String) = sqlx::query_as(
        "SELECT m.id, c.id FROM merchants m JOIN customers c ON c.merchant_id = m.id \
         WHERE m.slug = 'demo' AND c.number = 'BENCH-50'",
    )
    .fetch_one(&ctx.pool)
    .await?;
    let token = kassa_core::services::auth::issue_magic_link(
        &ctx.pool,
        &kassa_domain::MerchantId::from_raw(merchant),
        &kassa_domain::CustomerId::from_raw(customer),
    )
    .await?;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let res = client.post(format!("{base}/p/demo/login/{token}")).send().await?;
    anyhow::ensure!(res.status() == 303, "sign-in: {}", res.status());
    let set = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok(set.split(';').next().unwrap_or_default().to_string())
}
