//! Webhook ingest (issue 20): Stripe's events into Kassa over HTTP, each one verified (its
//! `Stripe-Signature`), stored once and applied (the attempt moved, a success recorded in the
//! ledger) in one transaction, on SQLite or PostgreSQL, beside the same server's `/healthz`.
//! The issue's target: >= 1,000 events/s on SQLite, >= 3,000/s on PostgreSQL, on 2 cores.
//!
//! The replay at full size: `--payments` payments (2,000) waiting for Stripe, each with five
//! events (`payment_intent.requires_action`, `.processing`, `charge.succeeded`,
//! `payment_intent.succeeded`, `charge.updated`: 10,000 events), every event delivered three
//! times (`--deliveries 1`: once each, only new events) in a shuffled order, plus one forged
//! delivery for every twenty (5%), 16 at a time.
//! Afterwards: every payment succeeded and is in the ledger once, every forgery was refused,
//! every ledger checks out. Events are signed with the stand-in's signer (stripe-standin/), not
//! Kassa's own.
//!
//! ```sh
//! cargo bench -p kassa-server --bench webhooks -- [--payments 2000] [--deliveries 3] [--database-url URL]
//! bench/webhooks    # both backends, PostgreSQL in a throwaway cluster
//! ```
//!
//! Each run seeds the demo into the database it is given, so `--database-url` wants an empty
//! database: a second run on the same one fails (`bench/webhooks` starts a new cluster).

mod common;

use std::sync::Arc;
use std::time::Instant;

use kassa_core::principal::Principal;
use kassa_core::services::stripe_accounts::{self, StripeKeys};
use rand::seq::SliceRandom;
use serde_json::json;

const CONNECTIONS: usize = 16;
const CUSTOMERS: usize = 100;
const WEBHOOK_SECRET: &str = "whsec_benchbenchbenchbench00";

/// A PaymentIntent as Stripe's API reference prints it, made this payment's.
fn intent(id: &str, attempt: &str, status: &str) -> serde_json::Value {
    let mut intent: serde_json::Value =
        serde_json::from_str(include_str!("../../core/src/gateways/fixtures/stripe_payment_intent.json")).unwrap();
    intent["id"] = id.into();
    intent["currency"] = "eur".into();
    intent["amount"] = 1_000.into();
    intent["status"] = status.into();
    intent["metadata"] = json!({ "kassa_attempt": attempt });
    if status == "succeeded" {
        intent["amount_received"] = 1_000.into();
        intent["latest_charge"] = format!("ch_{id}").into();
    }
    intent
}

fn event(id: String, kind: &str, object: serde_json::Value) -> String {
    json!({ "id": id, "object": "event", "api_version": "2025-10-29.clover", "created": 1_764_000_000,
        "data": { "object": object }, "livemode": false, "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null }, "type": kind })
    .to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut payments = 2_000usize;
    let mut times = 3usize;
    let mut database_url = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--payments" => payments = it.next().and_then(|v| v.parse().ok()).expect("--payments N"),
            "--deliveries" => times = it.next().and_then(|v| v.parse().ok()).expect("--deliveries N"),
            "--database-url" => database_url = it.next(),
            "--bench" => {}
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    let running = common::start(database_url, None, |_| {}).await?;
    let (base, ctx, demo, backend) = (&running.base, &running.ctx, &running.demo, running.backend);
    let merchant = kassa_core::services::records::merchant_by_slug(
        &ctx.pool,
        &kassa_domain::MerchantSlug::parse(kassa_server::demo::MERCHANT_SLUG).map_err(|e| anyhow::anyhow!("{e:?}"))?,
    )
    .await?;
    let keys = StripeKeys {
        secret_key: "sk_test_51BenchBenchBenchBench".to_string().into(),
        publishable_key: "pk_test_51BenchBenchBenchBench".into(),
        webhook_secret: WEBHOOK_SECRET.to_string().into(),
        methods: Vec::new(),
    };
    stripe_accounts::connect(ctx, &Principal::System, Some(&merchant.id), keys).await?;

    // Customers, and one attempt per payment waiting for Stripe, as the pay form leaves them.
    let http = reqwest::Client::new();
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for i in 0..CUSTOMERS {
        let made: serde_json::Value = http
            .post(format!("{base}/api/v1/customers"))
            .bearer_auth(&demo.api_key)
            .json(&json!({ "number": format!("WH-{i}"), "name": format!("Webhook Klant {i}"),
                "email": format!("klant{i}@bench.example") }))
            .send()
            .await?
            .json()
            .await?;
        customers.push(made["id"].as_str().expect("a customer id").to_string());
    }
    let now = kassa_core::db::now();
    for i in 0..payments {
        sqlx::query(
            "INSERT INTO payment_attempts (id, merchant_id, customer_id, idempotency_key, principal, request_hash, \
             currency, amount_minor, gateway, gateway_reference, state, next_url, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'bench', 'bench', 'EUR', 1000, 'stripe', $5, 'requires_action', NULL, $6, $6)",
        )
        .bind(format!("att_bench_{i}"))
        .bind(merchant.id.as_str())
        .bind(&customers[i % CUSTOMERS])
        .bind(format!("bench-{i}"))
        .bind(format!("pi_bench_{i}"))
        .bind(now)
        .execute(&ctx.pool)
        .await?;
    }

    // Five events per payment, each delivered three times (`--deliveries`), shuffled; one
    // forgery in twenty.
    let mut deliveries: Vec<(String, bool)> = Vec::new();
    for i in 0..payments {
        let (pi, attempt) = (format!("pi_bench_{i}"), format!("att_bench_{i}"));
        let charge = json!({ "id": format!("ch_{pi}"), "object": "charge", "payment_intent": pi });
        let events = [
            event(format!("evt_{i}_1"), "payment_intent.requires_action", intent(&pi, &attempt, "requires_action")),
            event(format!("evt_{i}_2"), "payment_intent.processing", intent(&pi, &attempt, "processing")),
            event(format!("evt_{i}_3"), "charge.succeeded", charge.clone()),
            event(format!("evt_{i}_4"), "payment_intent.succeeded", intent(&pi, &attempt, "succeeded")),
            event(format!("evt_{i}_5"), "charge.updated", charge),
        ];
        for body in events {
            for _ in 0..times {
                deliveries.push((body.clone(), true));
            }
        }
    }
    let forged = deliveries.len() / 20;
    for i in 0..forged {
        let body =
            event(format!("evt_forged_{i}"), "payment_intent.succeeded", intent("pi_forged", "att_x", "succeeded"));
        deliveries.push((body, false));
    }
    deliveries.shuffle(&mut rand::thread_rng());
    let total = deliveries.len();
    let deliveries = Arc::new(tokio::sync::Mutex::new(deliveries));
    let endpoint = Arc::new(format!("{base}/webhooks/stripe/{}", kassa_server::demo::MERCHANT_SLUG));

    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (deliveries, endpoint) = (deliveries.clone(), endpoint.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                let (mut refused, mut wrong) = (0usize, 0usize);
                loop {
                    let Some((body, genuine)) = deliveries.lock().await.pop() else { break };
                    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                    let secret = if genuine { WEBHOOK_SECRET } else { "whsec_forgedforgedforged00" };
                    let signature = kassa_stripe_standin::sign(secret, body.as_bytes(), stamp as i64);
                    let status = client
                        .post(endpoint.as_str())
                        .header("stripe-signature", signature)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    match (genuine, status) {
                        (true, 200) => {}
                        (false, 400) => refused += 1,
                        _ => wrong += 1,
                    }
                }
                (refused, wrong)
            })
        })
        .collect();
    let (mut refused, mut wrong) = (0, 0);
    for w in workers {
        let (r, x) = w.await?;
        refused += r;
        wrong += x;
    }
    let secs = started.elapsed().as_secs_f64();

    // /healthz the same way, for the ratio.
    let health = Arc::new(tokio::sync::Mutex::new(total));
    let started_health = Instant::now();
    let probes: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (health, url) = (health.clone(), format!("{base}/healthz"));
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                loop {
                    {
                        let mut left = health.lock().await;
                        if *left == 0 {
                            break;
                        }
                        *left -= 1;
                    }
                    client.get(&url).send().await.unwrap();
                }
            })
        })
        .collect();
    for p in probes {
        p.await?;
    }
    let health_per_sec = total as f64 / started_health.elapsed().as_secs_f64();

    // The ledger afterwards: each payment succeeded and recorded once, nothing else.
    let succeeded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payment_attempts WHERE state = 'succeeded' AND id LIKE 'att_bench_%'")
            .fetch_one(&ctx.pool)
            .await?;
    let recorded: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM payments WHERE gateway = 'stripe'").fetch_one(&ctx.pool).await?;
    let ledgers = kassa_core::services::ledger::verify_all(&ctx.pool).await?;
    let per_sec = total as f64 / secs;
    println!(
        "webhook ingest ({backend}, {CONNECTIONS} connections): {total} deliveries ({} events, {forged} forged) in {secs:.1} s",
        payments * 5
    );
    println!(
        "  {per_sec:>7.0} deliveries/s ({:.0} new events/s), /healthz {health_per_sec:.0} req/s ({:.2}x)",
        (payments * 5) as f64 / secs,
        per_sec / health_per_sec
    );
    println!(
        "  afterwards: {succeeded}/{payments} payments succeeded, {recorded} recorded, {refused}/{forged} forgeries refused, \
         {wrong} unexpected answers, {ledgers} ledgers check out"
    );
    anyhow::ensure!(succeeded as usize == payments && recorded as usize == payments, "payments lost or doubled");
    anyhow::ensure!(refused == forged && wrong == 0, "a delivery was answered wrongly");
    Ok(())
}
