//! The outbox, the job queue and the audit log, on SQLite and PostgreSQL: events are written
//! with the change that causes them (or not at all), jobs run once each across competing
//! workers with retries and backoff, and the audit log's hash chain shows any edit.

mod common;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::TestApp;
use kassa_core::jobs::{self, Handler, Job, NewJob, Worker};
use kassa_core::{audit, db, Ctx};

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.ctx.pool).await.unwrap()
}

async fn drain(worker: &Worker) {
    while worker.run_once().await.unwrap() > 0 {}
}

#[tokio::test]
async fn a_payment_and_its_events_are_written_together_and_dispatched_once() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Bakkerij De Molen B.V.").await;
    let events = || async {
        sqlx::query_as::<_, (String, String)>("SELECT id, type FROM events").fetch_all(&app.ctx.pool).await.unwrap()
    };
    let before = events().await;
    assert_eq!(app.pay(&c, "NL-2026-0104", "310", "full").await.status(), 200);
    let mut new: Vec<String> = events().await.into_iter().filter(|e| !before.contains(e)).map(|(_, t)| t).collect();
    new.sort();
    assert_eq!(new, ["invoice.paid", "payment.succeeded"]);
    // Whichever service settled it, `invoice.paid` says the same.
    let data: String = sqlx::query_scalar(
        "SELECT data FROM events WHERE type = 'invoice.paid' \
         AND subject_id = (SELECT id FROM invoices WHERE number = 'NL-2026-0104')",
    )
    .fetch_one(&app.ctx.pool)
    .await
    .unwrap();
    let data: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!((data["total"].as_str(), data["currency"].as_str()), (Some("310.00"), Some("EUR")), "{data}");
    // A refused request writes nothing: no event, no audit entry, no job.
    let (events, audits, queued) = (
        count(&app, "SELECT COUNT(*) FROM events").await,
        count(&app, "SELECT COUNT(*) FROM audit_log").await,
        count(&app, "SELECT COUNT(*) FROM jobs").await,
    );
    assert_eq!(app.pay(&c, "NL-2026-0101", "99999", "too-much").await.status(), 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events").await, events);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, audits);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM jobs").await, queued);

    let worker = Worker::new(app.ctx.clone(), jobs::handlers());
    drain(&worker).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM events WHERE dispatched_at IS NULL").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'event.dispatch' AND state <> 'done'").await, 0);
    // The attempt's audit entries name who moved it and from where: the debtor on the portal
    // (sent to the sandbox's checkout), then the system on the gateway's word (the sandbox's
    // page, where the test card was chosen).
    let moves: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT actor, origin, after_state FROM audit_log WHERE action = 'payment_attempt.settled' ORDER BY seq",
    )
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap();
    let moves: Vec<(&str, &str, String)> = moves
        .iter()
        .map(|(actor, origin, after)| {
            let state =
                serde_json::from_str::<serde_json::Value>(after).unwrap()["state"].as_str().unwrap().to_string();
            (actor.split(':').next().unwrap(), origin.split(' ').next().unwrap(), state)
        })
        .collect();
    assert_eq!(
        moves,
        [("debtor", "portal", "requires_action".to_string()), ("system", "sandbox", "succeeded".to_string())],
        "{moves:?}"
    );
    assert!(sqlx::query_scalar::<_, String>("SELECT origin FROM audit_log WHERE action = 'payment_attempt.settled'")
        .fetch_all(&app.ctx.pool)
        .await
        .unwrap()
        .iter()
        .all(|o| o.ends_with("127.0.0.1")));
}

/// Fails the first `failures` runs of each job, then succeeds; counts runs per job.
struct Flaky {
    failures: i64,
    runs: Mutex<HashMap<String, i64>>,
}

#[async_trait]
impl Handler for Flaky {
    fn kind(&self) -> &'static str {
        "test.flaky"
    }
    async fn run(&self, _ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let mut runs = self.runs.lock().unwrap();
        let n = runs.entry(job.id.clone()).or_default();
        *n += 1;
        if *n <= self.failures {
            anyhow::bail!("run {n} fails on purpose");
        }
        Ok(())
    }
}

async fn enqueue(app: &TestApp, max_attempts: i64) -> String {
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    let job = NewJob { max_attempts, ..NewJob::now("test.flaky", serde_json::json!({}), None) };
    let id = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn failed_jobs_are_retried_with_backoff_then_given_up() {
    let app = TestApp::spawn().await;
    let flaky = Arc::new(Flaky { failures: 2, runs: Mutex::default() });
    let worker = Worker::new(app.ctx.clone(), vec![flaky.clone()]);
    let id = enqueue(&app, 5).await;
    let state = |id: String| {
        let pool = app.ctx.pool.clone();
        async move {
            sqlx::query_as::<_, (String, i64, i64, Option<String>)>(
                "SELECT state, attempts, run_at, last_error FROM jobs WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    worker.run_once().await.unwrap();
    let (s, attempts, run_at, error) = state(id.clone()).await;
    assert_eq!((s.as_str(), attempts), ("queued", 1));
    assert!(run_at >= db::now() + 9, "backs off about 10 s");
    assert!(error.unwrap().contains("fails on purpose"));
    assert_eq!(worker.run_once().await.unwrap(), 0, "not due yet");
    for expected_attempts in [2, 3] {
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE id = $1").bind(&id).execute(&app.ctx.pool).await.unwrap();
        worker.run_once().await.unwrap();
        assert_eq!(state(id.clone()).await.1, expected_attempts);
    }
    assert_eq!(state(id.clone()).await.0, "done");

    // A job that keeps failing is dead after its attempts, kept for an operator.
    let always = Arc::new(Flaky { failures: i64::MAX, runs: Mutex::default() });
    let worker = Worker::new(app.ctx.clone(), vec![always]);
    let id = enqueue(&app, 2).await;
    for _ in 0..2 {
        sqlx::query("UPDATE jobs SET run_at = 0 WHERE id = $1").bind(&id).execute(&app.ctx.pool).await.unwrap();
        worker.run_once().await.unwrap();
    }
    assert_eq!(state(id).await.0, "dead");
}

#[tokio::test]
async fn competing_workers_run_each_job_once() {
    let app = TestApp::spawn().await;
    let counter = Arc::new(Flaky { failures: 0, runs: Mutex::default() });
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    for _ in 0..120 {
        jobs::enqueue(&mut tx, NewJob::now("test.flaky", serde_json::json!({}), None)).await.unwrap();
    }
    tx.commit().await.unwrap();
    let workers: Vec<_> = (0..4).map(|_| Worker::new(app.ctx.clone(), vec![counter.clone()])).collect();
    // Each in its own task, as the server runs them.
    let mut running = tokio::task::JoinSet::new();
    for worker in workers {
        running.spawn(async move { drain(&worker).await });
    }
    running.join_all().await;
    let runs = counter.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 120);
    assert!(runs.values().all(|n| *n == 1), "a job ran twice");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'test.flaky' AND state <> 'done'").await, 0);
}

/// Panics when its job's payload says so; keeps what it ran and what it gave up on.
#[derive(Default)]
struct Explosive {
    runs: Mutex<Vec<String>>,
    given_up: Mutex<Vec<String>>,
}

#[async_trait]
impl Handler for Explosive {
    fn kind(&self) -> &'static str {
        "test.explosive"
    }
    async fn run(&self, _ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        self.runs.lock().unwrap().push(job.id.clone());
        if job.payload["panic"].as_bool() == Some(true) {
            panic!("the due date overflowed");
        }
        if job.payload["hang"].as_bool() == Some(true) {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
    async fn given_up(&self, _ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        self.given_up.lock().unwrap().push(job.id.clone());
        Ok(())
    }
}

async fn enqueue_explosive(app: &TestApp, panics: bool, max_attempts: i64, group: Option<&str>) -> String {
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    let job = NewJob {
        max_attempts,
        group: group.map(str::to_string),
        ..NewJob::now("test.explosive", serde_json::json!({ "panic": panics }), None)
    };
    let id = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn job_state(app: &TestApp, id: &str) -> (String, i64, Option<String>) {
    sqlx::query_as("SELECT state, attempts, last_error FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(&app.ctx.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_panicking_job_is_a_failed_attempt_and_the_others_run_on() {
    let app = TestApp::spawn().await;
    let handler = Arc::new(Explosive::default());
    let worker = Worker::new(app.ctx.clone(), vec![handler.clone()]);
    let bad = enqueue_explosive(&app, true, 2, None).await;
    let mut good = Vec::new();
    for _ in 0..3 {
        good.push(enqueue_explosive(&app, false, 2, None).await);
    }
    assert_eq!(worker.run_once().await.unwrap(), 4);
    let (state, attempts, error) = job_state(&app, &bad).await;
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert_eq!(error.as_deref(), Some("panicked: the due date overflowed"));
    for id in &good {
        assert_eq!(job_state(&app, id).await.0, "done");
    }
    // The worker is alive: the retry runs, panics again, and that was its last attempt.
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE id = $1").bind(&bad).execute(&app.ctx.pool).await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(job_state(&app, &bad).await.0, "dead");
    assert_eq!(*handler.given_up.lock().unwrap(), std::slice::from_ref(&bad));
    let dead = jobs::list(&app.ctx, Some(jobs::State::Dead), None, None, 10).await.unwrap();
    assert_eq!(dead.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), [bad.as_str()]);

    // An operator gives it another chance: queued now, with its attempts anew.
    assert!(jobs::retry(&app.ctx, &bad).await.unwrap());
    assert!(!jobs::retry(&app.ctx, &bad).await.unwrap(), "only a dead job can be retried");
    assert!(!jobs::retry(&app.ctx, &good[0]).await.unwrap());
    assert_eq!(job_state(&app, &bad).await.0, "queued");
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(job_state(&app, &bad).await.1, 1);
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_over_and_dead_after_its_last_attempt() {
    let app = TestApp::spawn().await;
    let handler = Arc::new(Explosive::default());
    let worker = Worker::new(app.ctx.clone(), vec![handler.clone()]);
    let last_try = enqueue_explosive(&app, false, 1, None).await;
    let more_tries = enqueue_explosive(&app, false, 3, None).await;
    // Another process claims both and dies: its leases run out.
    let claimed = jobs::claim(&app.ctx, "a-process-that-died", &["test.explosive"], 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(worker.run_once().await.unwrap(), 0, "leased to the other process");
    sqlx::query("UPDATE jobs SET locked_until = $1").bind(db::now() - 1).execute(&app.ctx.pool).await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (state, attempts, error) = job_state(&app, &last_try).await;
    assert_eq!((state.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap().contains("worker stopped"));
    assert_eq!(*handler.given_up.lock().unwrap(), std::slice::from_ref(&last_try));
    assert_eq!(*handler.runs.lock().unwrap(), std::slice::from_ref(&more_tries), "a dead job does not run again");
    let (state, attempts, _) = job_state(&app, &more_tries).await;
    assert_eq!((state.as_str(), attempts), ("done", 2));
}

#[tokio::test]
async fn jobs_of_one_group_hold_at_most_two_slots() {
    let app = TestApp::spawn().await;
    let mut grouped = Vec::new();
    for _ in 0..5 {
        grouped.push(enqueue_explosive(&app, false, 3, Some("webhook:slow-receiver")).await);
    }
    let mut others = Vec::new();
    for _ in 0..3 {
        others.push(enqueue_explosive(&app, false, 3, None).await);
    }
    let kinds = ["test.explosive"];
    let first = jobs::claim(&app.ctx, "w", &kinds, 10).await.unwrap();
    let ids = |jobs: &[Job], of: &[String]| jobs.iter().filter(|j| of.contains(&j.id)).count();
    assert_eq!((ids(&first, &grouped), ids(&first, &others)), (2, 3), "the rest of the group waits");
    assert!(jobs::claim(&app.ctx, "w", &kinds, 10).await.unwrap().is_empty());
    let done = first.iter().find(|j| grouped.contains(&j.id)).unwrap();
    jobs::succeed(&app.ctx, "w", done).await.unwrap();
    let next = jobs::claim(&app.ctx, "w", &kinds, 10).await.unwrap();
    assert_eq!(ids(&next, &grouped), 1, "a slot of the group freed: one more");
}

/// Entries written at once by several transactions, with words beyond ASCII (lengths are
/// bytes), a missing state and a new chain, verify as one line per chain.
#[tokio::test]
async fn entries_with_any_words_verify_whoever_hashed_them() {
    let app = TestApp::spawn().await;
    let merchant = app.demo_merchant().await;
    let write = |n: usize| {
        let (pool, merchant) = (app.ctx.pool.clone(), merchant.clone());
        async move {
            let mut tx = db::begin_write(&pool).await.unwrap();
            let entry = |merchant| audit::Entry {
                merchant,
                action: "customer.renamed",
                subject_type: "customer",
                subject_id: "Ærø Kaffebønner",
                before: n.is_multiple_of(2).then(|| serde_json::json!({ "name": "Café Zoë €" })),
                after: Some(serde_json::json!({ "name": format!("Møller & Søn {n} 🙂") })),
            };
            let origin = audit::Origin { surface: "portal", ip: Some("::1".into()) };
            audit::record(&mut tx, &kassa_core::Principal::System, &origin, entry(Some(&merchant))).await.unwrap();
            audit::record(&mut tx, &kassa_core::Principal::System, &origin, entry(None)).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    let before = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    // Each in its own task, as requests run.
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..8 {
        writers.spawn(write(n));
    }
    writers.join_all().await;
    let found = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert!(found.broken.is_none(), "{found:?}");
    assert_eq!(found.entries, before.entries + 16);
}

#[tokio::test]
async fn the_audit_chain_shows_an_edit_or_a_deletion() {
    let app = TestApp::spawn().await;
    let found = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert!(found.entries > 10 && found.broken.is_none(), "{found:?}");
    // The database itself refuses edits.
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&app.ctx.pool).await;
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    let refused = sqlx::query("DELETE FROM audit_log").execute(&app.ctx.pool).await;
    assert!(refused.is_err());

    // Someone with the database's owner rights switches the guard off and edits an entry.
    disable_guards(&app).await;
    sqlx::query(
        "UPDATE audit_log SET after_state = '{\"amount\":\"1.00\"}' \
         WHERE id = (SELECT id FROM audit_log WHERE action = 'payment.recorded' ORDER BY seq LIMIT 1)",
    )
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    let found = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert!(found.broken.as_deref().unwrap_or_default().contains("changed after it was written"), "{found:?}");

    let url = app.config.db.database_url.clone();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
        .args(["audit", "verify", "--database-url", &url])
        .env("KASSA_SECRET", "test-secret-test-secret-test-secret-00")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tampered"));
}

/// What someone with the database owner's rights could do: switch the append-only guard off.
async fn disable_guards(app: &TestApp) {
    let statements: &[&str] = if common::on_postgres() {
        &["ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"]
    } else {
        &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    };
    for sql in statements {
        sqlx::query(sql).execute(&app.ctx.pool).await.unwrap();
    }
}

#[tokio::test]
async fn a_deleted_audit_entry_leaves_a_gap_the_check_finds() {
    let app = TestApp::spawn().await;
    disable_guards(&app).await;
    sqlx::query("DELETE FROM audit_log WHERE id = (SELECT id FROM audit_log WHERE seq = 3 ORDER BY chain LIMIT 1)")
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    let found = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert!(found.broken.as_deref().unwrap_or_default().contains("one is missing"), "{found:?}");
}

#[tokio::test]
async fn entries_cut_off_a_chain_show_against_its_anchor() {
    let app = TestApp::spawn().await;
    let url = app.config.db.database_url.clone();
    let kassa = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kassa"))
            .args(args)
            .args(["--database-url", &url])
            .env("KASSA_SECRET", "test-secret-test-secret-test-secret-00")
            .output()
            .unwrap()
    };
    let head = kassa(&["audit", "head"]);
    assert!(head.status.success(), "{}", String::from_utf8_lossy(&head.stderr));
    let printed = String::from_utf8(head.stdout).unwrap();
    let anchors = audit::parse_anchors(&printed).unwrap();
    assert_eq!(anchors, audit::heads(&app.ctx.pool).await.unwrap());
    let demo = anchors.iter().find(|a| a.chain.starts_with("merchant:")).expect("the demo merchant's chain").clone();
    assert!(demo.seq > 2, "{demo}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.txt");
    std::fs::write(&file, format!("# kept elsewhere\n{printed}\n")).unwrap();
    let file = file.to_str().unwrap();
    let verified = kassa(&["audit", "verify", "--anchors", file]);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    assert!(String::from_utf8_lossy(&verified.stdout).contains("anchors found"));

    // The newest two entries of the demo chain are cut off: the rest still fits together...
    disable_guards(&app).await;
    sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq >= $2")
        .bind(&demo.chain)
        .bind(demo.seq - 1)
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    let alone = audit::verify(&app.ctx.pool, &[]).await.unwrap();
    assert_eq!(alone.broken, None, "a chain alone cannot show its end is gone");
    // ...but not with its anchor.
    let anchored = audit::verify(&app.ctx.pool, &anchors).await.unwrap();
    let why = anchored.broken.unwrap_or_default();
    assert!(why.contains(&format!("entry {} of {}", demo.seq, demo.chain)) && why.contains("cut off"), "{why}");
    let refused = kassa(&["audit", "verify", "--anchors", file]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cut off"));

    // A malformed anchors file is named, with its line.
    std::fs::write(dir.path().join("bad.txt"), "merchant:x 0 abc\n").unwrap();
    let bad = kassa(&["audit", "verify", "--anchors", dir.path().join("bad.txt").to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&bad.stderr));
}

#[tokio::test]
async fn a_dead_job_shows_in_the_api_of_its_mode_and_can_be_retried_there() {
    let app = TestApp::spawn().await;
    let handler = Arc::new(Explosive::default());
    let worker = Worker::new(app.ctx.clone(), vec![handler]);
    let merchant = app.demo_merchant().await;
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    let job = NewJob {
        max_attempts: 1,
        mode: Some(kassa_core::principal::Mode::Test),
        ..NewJob::now("test.explosive", serde_json::json!({ "panic": true }), Some(merchant))
    };
    let id = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    worker.run_once().await.unwrap();

    let (test, live) = (app.demo.api_key.clone(), app.live_key().await);
    let (status, dead) = app.api(&test, http::Method::GET, "/jobs?state=dead", None).await;
    assert_eq!(status, 200, "{dead}");
    let listed = &dead["data"][0];
    assert_eq!((listed["id"].as_str(), listed["state"].as_str()), (Some(id.as_str()), Some("dead")), "{dead}");
    assert_eq!(listed["last_error"], "panicked: the due date overflowed");
    // The live key sees live jobs only.
    let (_, seen) = app.api(&live, http::Method::GET, "/jobs?state=dead", None).await;
    assert_eq!(seen["data"], serde_json::json!([]));
    let retry = format!("/jobs/{id}/retry");
    assert_eq!(app.api(&live, http::Method::POST, &retry, None).await.0, 404);

    let (status, queued) = app.api(&test, http::Method::POST, &retry, None).await;
    assert_eq!((status, queued["state"].as_str(), queued["attempts"].as_i64()), (202, Some("queued"), Some(0)));
    let (status, again) = app.api(&test, http::Method::POST, &retry, None).await;
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("job_not_dead")), "{again}");
    let (status, bad) = app.api(&test, http::Method::GET, "/jobs?state=asleep", None).await;
    assert_eq!((status, bad["error"]["code"].as_str()), (400, Some("invalid_query")));

    // Dead again, and seen by an admin on /admin/jobs (the demo is in test mode), who queues it again.
    worker.run_once().await.unwrap();
    assert_eq!(job_state(&app, &id).await.0, "dead");
    let admin = common::client();
    let login = [("email", app.demo.staff_email.as_str()), ("password", app.demo.staff_password.as_str())];
    assert_eq!(app.server_fn(&admin, "staff_login", &login).await.status(), 200);
    let page = admin.get(format!("{}/admin/jobs", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("data-job=\"{id}\"")) && page.contains("panicked: the due date overflowed"),
        "{page}"
    );
    let shown: serde_json::Value = app.server_fn(&admin, "load_jobs", &[]).await.json().await.unwrap();
    assert_eq!(shown["dead"][0]["id"].as_str(), Some(id.as_str()), "{shown}");
    assert_eq!(app.server_fn(&admin, "retry_job", &[("id", id.as_str())]).await.status(), 200);
    assert_eq!(job_state(&app, &id).await.0, "queued");
    let again = app.server_fn(&admin, "retry_job", &[("id", id.as_str())]).await;
    assert_eq!(common::problem(again).await["code"], "job_not_dead");
}

#[tokio::test]
async fn a_job_that_hangs_is_stopped_at_its_deadline() {
    let app = TestApp::spawn().await;
    let mut worker = Worker::new(app.ctx.clone(), vec![Arc::new(Explosive::default())]);
    worker.deadline = std::time::Duration::from_secs(1);
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    let job = NewJob { max_attempts: 2, ..NewJob::now("test.explosive", serde_json::json!({ "hang": true }), None) };
    let id = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    let started = std::time::Instant::now();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert!(started.elapsed().as_secs() < 10);
    let (state, attempts, error) = job_state(&app, &id).await;
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert_eq!(error.as_deref(), Some("still running after 1 s: stopped"));
}

/// A change with more events than one statement takes, and jobs of its own (its mails): every
/// event is written with exactly one dispatch job and the change's jobs once each, in its
/// transaction (none of it once that is rolled back), on either backend's statements.
#[tokio::test]
async fn a_change_with_many_events_writes_each_with_its_dispatch_job_and_its_own_jobs() {
    use kassa_core::events::{self, EventType};
    use kassa_core::principal::Mode;
    let app = TestApp::spawn().await;
    let merchant = app.demo_merchant().await;
    let batch = |n: usize| {
        (0..n).map(|i| (EventType::InvoiceOverdue, format!("many-{i}"), serde_json::json!({ "i": i }))).collect()
    };
    let own = || {
        vec![
            NewJob::now("test.own", serde_json::json!({ "n": 1 }), Some(merchant.clone())),
            NewJob::now("test.own", serde_json::json!({ "n": 2 }), None),
        ]
    };
    let totals =
        || async { (count(&app, "SELECT COUNT(*) FROM events").await, count(&app, "SELECT COUNT(*) FROM jobs").await) };
    let before = totals().await;
    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    events::emit_all(&mut tx, &merchant, Mode::Test, batch(450), own()).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(totals().await, before, "rolled back, nothing stays");

    let mut tx = db::begin_write(&app.ctx.pool).await.unwrap();
    let ids = events::emit_all(&mut tx, &merchant, Mode::Test, batch(450), own()).await.unwrap();
    events::emit_all(&mut tx, &merchant, Mode::Test, Vec::new(), own()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids.len(), 450);
    assert_eq!(totals().await, (before.0 + 450, before.1 + 450 + 4));
    for (i, id) in [(0, &ids[0]), (199, &ids[199]), (200, &ids[200]), (449, &ids[449])] {
        let (subject, mode): (String, String) = sqlx::query_as("SELECT subject_id, mode FROM events WHERE id = $1")
            .bind(id)
            .fetch_one(&app.ctx.pool)
            .await
            .unwrap();
        assert_eq!((subject, mode.as_str()), (format!("many-{i}"), "test"), "the ids come back in order");
    }
    let dispatched = count(
        &app,
        "SELECT COUNT(*) FROM events e WHERE e.subject_id LIKE 'many-%' AND (SELECT COUNT(*) FROM jobs j \
         WHERE j.kind = 'event.dispatch' AND j.mode = 'test' AND j.state = 'queued' \
         AND j.payload = '{\"event\":\"' || e.id || '\"}') = 1",
    )
    .await;
    assert_eq!(dispatched, 450, "each event has one dispatch job");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'test.own'").await, 4);
}

/// A writer reads and writes on its own connection (`db::begin_write`): while it holds its
/// lock, the writers queued behind it hold theirs, and a second connection from the pool
/// might never come (CI met it: a plan rejected through the API waited ten seconds for one).
/// Debug builds, which every test runs, make the mistake loud.
#[tokio::test]
#[should_panic(expected = "a task holding a write transaction asked the pool for another connection")]
async fn a_writer_that_asks_the_pool_for_a_second_connection_fails_loudly() {
    let app = TestApp::spawn().await;
    let _tx = db::begin_write(&app.ctx.pool).await.unwrap();
    count(&app, "SELECT COUNT(*) FROM merchants").await;
}

/// The check follows the transaction: committed, rolled back or dropped, the task may use
/// the pool again; and many writers at once (more than the pool's connections, each reading
/// in its transaction before it writes) all get their turn.
#[tokio::test]
async fn after_its_transaction_a_task_uses_the_pool_and_many_writers_all_get_their_turn() {
    let app = TestApp::spawn().await;
    let tx = db::begin_write(&app.ctx.pool).await.unwrap();
    tx.commit().await.unwrap();
    count(&app, "SELECT COUNT(*) FROM merchants").await;
    let tx = db::begin_write(&app.ctx.pool).await.unwrap();
    tx.rollback().await.unwrap();
    count(&app, "SELECT COUNT(*) FROM merchants").await;
    drop(db::begin_write(&app.ctx.pool).await.unwrap());
    count(&app, "SELECT COUNT(*) FROM merchants").await;

    let mut writers = tokio::task::JoinSet::new();
    for n in 0..40 {
        let pool = app.ctx.pool.clone();
        writers.spawn(async move {
            let mut tx = db::begin_write(&pool).await.unwrap();
            // PostgreSQL's writers lock what they decide on; SQLite's hold the database.
            db::lock_key(&mut tx, "test.turns").await.unwrap();
            let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'test.turns'")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            jobs::enqueue(&mut tx, NewJob::now("test.turns", serde_json::json!({ "n": n }), None)).await.unwrap();
            tx.commit().await.unwrap();
            before
        });
    }
    let mut seen = Vec::new();
    while let Some(writer) = writers.join_next().await {
        seen.push(writer.unwrap());
    }
    // One after another: each saw all those before it, none the same count.
    seen.sort();
    assert_eq!(seen, (0..40).collect::<Vec<i64>>());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'test.turns'").await, 40);
}
