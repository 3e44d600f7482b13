//! The portal's first page kept as rendered (server/src/http/page_cache.rs): served again
//! only while nothing it shows can have changed, each time with a fresh nonce; and the
//! database's page versions (migrations 0037, 0038) moved by every table a portal page reads.

mod common;
use common::{client, on_postgres, TestApp};

fn nonce_of(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    let start = csp.find("'nonce-").unwrap() + "'nonce-".len();
    let len = csp[start..].find('\'').unwrap();
    csp[start..start + len].to_string()
}

/// The page, its nonce put back as `NONCE`; the nonce must be the one its policy names.
async fn page(c: &reqwest::Client, url: &str) -> String {
    let res = c.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let nonce = nonce_of(&res);
    let length = res.headers().get("content-length").map(|l| l.to_str().unwrap().parse::<usize>().unwrap());
    let html = res.text().await.unwrap();
    assert_eq!(length, Some(html.len()), "a page's length is sent before it (not chunked)");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the policy's nonce");
    html.replace(&nonce, "NONCE")
}

async fn versions(app: &TestApp, customer: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT customer_id, version FROM page_versions WHERE merchant_id = $1 AND customer_id IN ('', $2) \
         ORDER BY customer_id",
    )
    .bind(app.demo_merchant().await.as_str())
    .bind(customer)
    .fetch_all(&app.ctx.pool)
    .await
    .unwrap()
}

async fn set_versions(app: &TestApp, to: &[(String, i64)]) {
    let merchant = app.demo_merchant().await;
    for (customer, version) in to {
        sqlx::query("UPDATE page_versions SET version = $1 WHERE merchant_id = $2 AND customer_id = $3")
            .bind(version)
            .bind(merchant.as_str())
            .bind(customer)
            .execute(&app.ctx.pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_first_page_is_kept_while_its_versions_stay_and_each_answer_has_a_fresh_nonce() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    let url = format!("{}/p/demo", app.url);
    let first = c.get(&url).send().await.unwrap();
    let second = c.get(&url).send().await.unwrap();
    assert_ne!(nonce_of(&first), nonce_of(&second), "a nonce is never sent twice");
    let (first, second) = (page(&c, &url).await, page(&c, &url).await);
    assert_eq!(first, second, "the same page, but for its nonce");
    assert!(first.contains("Studio Grachten") && first.contains("NL-2026-0301"));

    // Renamed behind the page's back, the versions then put back: the kept page is what is
    // served (which proves it is kept) ...
    let (_, customer) = app.demo_customer("C-1003").await;
    let before = versions(&app, customer.as_str()).await;
    sqlx::query("UPDATE customers SET name = 'Studio Keizersgracht' WHERE id = $1")
        .bind(customer.as_str())
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    let after = versions(&app, customer.as_str()).await;
    assert_ne!(before, after, "a customer's rename moves their page's version");
    set_versions(&app, &before).await;
    assert_eq!(page(&c, &url).await, first, "kept while the versions stay");
    // ... and with the version the rename gave, the page is rendered again.
    set_versions(&app, &after).await;
    let renamed = page(&c, &url).await;
    assert!(renamed.contains("Studio Keizersgracht") && !renamed.contains("Studio Grachten"), "{renamed}");
}

#[tokio::test]
async fn what_changes_through_kassa_shows_on_the_next_first_page() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    let url = format!("{}/p/demo", app.url);
    let kept = page(&c, &url).await;
    assert!(!kept.contains("NL-2026-0999"));

    // A new invoice through the API.
    let body = serde_json::json!({ "customer_number": "C-1003", "number": "NL-2026-0999", "currency": "EUR",
        "issue_date": "2026-11-02", "lines": [ { "description": "Passe-partout", "quantity": "2", "unit_price": "12.50" } ] });
    let (status, _) = app.api_keyed(&app.demo.api_key, "/invoices", "page-cache-1", body).await;
    assert_eq!(status, 201);
    let page_now = page(&c, &url).await;
    assert!(page_now.contains("NL-2026-0999"), "a new invoice shows at once");

    // The merchant's name, changed in the database (as a settings page or a migration would).
    sqlx::query("UPDATE merchants SET name = 'Kassa Demo Winkel' WHERE slug = 'demo'")
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert!(page(&c, &url).await.contains("Kassa Demo Winkel"), "the merchant's new name shows at once");

    // Another language is another page.
    assert!(page(&c, &url).await.contains("<html lang=\"nl\">"));
    let switched = c.get(format!("{}/lang/da?to=/p/demo", app.url)).send().await.unwrap();
    assert!(switched.status().is_redirection());
    assert!(page(&c, &url).await.contains("<html lang=\"da\">"));

    // Another debtor never gets this one's page.
    let other = app.debtor("Fjordkaffe ApS").await;
    let theirs = page(&other, &url).await;
    assert!(!theirs.contains("NL-2026-0301") && !theirs.contains("Studio Grachten") && theirs.contains("Fjordkaffe"));

    // Signed out, no page at all.
    let fresh = client();
    let anonymous = fresh.get(&url).send().await.unwrap();
    assert_ne!(anonymous.status(), 200);
}

/// The debtor signed in with a session and their language, kept in its JSON, and the
/// versions of their pages, read in one query by the session store (what a kept page costs);
/// a staff member's session holds no debtor.
#[tokio::test]
async fn the_session_store_reads_a_debtors_sign_in_with_their_pages_versions() {
    use kassa_core::principal::{Debtor, Principal};
    use kassa_server::sessions::DbSessionStore;
    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(app.ctx.pool.clone());
    let (merchant, customer) = app.demo_customer("C-1003").await;
    let debtor = Debtor { merchant: merchant.clone(), customer: customer.clone(), invoice: None };
    let session = tower_sessions::Session::new(None, std::sync::Arc::new(store.clone()), None);
    kassa_app::backend::sign_in(&session, &Principal::Debtor(debtor.clone())).await.unwrap();
    kassa_app::backend::keep_language(&session, "da").await.unwrap();
    session.save().await.unwrap();
    let id = session.id().unwrap();

    let read = store.debtor_page(&id).await.unwrap().expect("a debtor's session");
    assert_eq!(read.debtor.debtor, debtor);
    assert!(read.debtor.settled(kassa_core::db::now()), "just signed in");
    assert_eq!(read.language, Some(kassa_app::i18n::Lang::Da));
    let stamp = kassa_core::services::portal::page_stamp(&app.ctx.pool, &debtor).await.unwrap();
    assert_eq!(read.stamp, Some(stamp.clone()));
    assert_eq!(stamp.time_zone, "Europe/Amsterdam");

    // Kept beside the JSON: a session saved before the store did so is read without versions.
    let kept: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT merchant_id, customer_id FROM sessions").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(kept, (Some(merchant.to_string()), Some(customer.to_string())));
    sqlx::query("UPDATE sessions SET merchant_id = NULL, customer_id = NULL").execute(&app.ctx.pool).await.unwrap();
    assert_eq!(store.debtor_page(&id).await.unwrap().unwrap().stamp, None);

    // Signed out (the session layer deletes it), or someone else's sign-in: no debtor.
    session.delete().await.unwrap();
    assert!(store.debtor_page(&id).await.unwrap().is_none());
    let staff = tower_sessions::Session::new(None, std::sync::Arc::new(store.clone()), None);
    let member = kassa_core::principal::Staff {
        merchant,
        staff: kassa_domain::StaffId::from_raw("staff-page-test"),
        role: kassa_core::principal::StaffRole::Admin,
        email: "ar@example.com".into(),
    };
    kassa_app::backend::sign_in(&staff, &Principal::Staff(member)).await.unwrap();
    staff.save().await.unwrap();
    assert!(store.debtor_page(&staff.id().unwrap()).await.unwrap().is_none());
}

/// A kept page reads the session itself: it is served only while the sign-in lasts, and a
/// sign-in due to be noted again, or a session saved before the store kept its debtor beside
/// it, goes the session layer's way (and is saved with its debtor).
#[tokio::test]
async fn a_kept_page_is_served_only_while_the_sign_in_lasts() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    let url = format!("{}/p/demo", app.url);
    let kept = page(&c, &url).await;
    assert_eq!(page(&c, &url).await, kept);

    // Saved before the store kept the debtor beside it, and due to be noted again.
    let now = kassa_core::db::now();
    edit_sign_in(&app, |signed_in| signed_in["seen"] = (now - 120).into()).await;
    sqlx::query("UPDATE sessions SET merchant_id = NULL, customer_id = NULL").execute(&app.ctx.pool).await.unwrap();
    assert_eq!(page(&c, &url).await, kept);
    let (_, customer) = app.demo_customer("C-1003").await;
    let beside: Option<String> =
        sqlx::query_scalar("SELECT customer_id FROM sessions").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(beside.as_deref(), Some(customer.as_str()), "noted, and saved with its debtor");
    assert_eq!(page(&c, &url).await, kept);

    // The sign-in ended (its twelve hours): no page, kept or not.
    edit_sign_in(&app, |signed_in| signed_in["until"] = (now - 1).into()).await;
    let ended = c.get(&url).send().await.unwrap();
    assert_ne!(ended.status(), 200);
}

/// Edits the one session's debtor sign-in as stored.
async fn edit_sign_in(app: &TestApp, edit: impl Fn(&mut serde_json::Value)) {
    let data: String = sqlx::query_scalar("SELECT data FROM sessions").fetch_one(&app.ctx.pool).await.unwrap();
    let mut data: serde_json::Value = serde_json::from_str(&data).unwrap();
    edit(&mut data["data"]["kassa.debtor"]);
    sqlx::query("UPDATE sessions SET data = $1").bind(data.to_string()).execute(&app.ctx.pool).await.unwrap();
}

/// Every table with a customer's rows moves their page's version, or is named here as one the
/// kept page does not show (the pay pages read attempts, but are never kept; the session is
/// read on every request): a new table must choose.
#[tokio::test]
async fn every_table_with_a_customers_rows_moves_their_page_version() {
    let app = TestApp::spawn().await;
    const NOT_SHOWN: &[&str] = &["magic_links", "payment_attempts", "sessions", "widget_tokens"];
    let (with_customer, with_trigger): (Vec<String>, Vec<String>) = match on_postgres() {
        true => (
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.columns \
                 WHERE column_name = 'customer_id' AND table_schema = current_schema() ORDER BY 1",
            )
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap(),
            sqlx::query_scalar(
                "SELECT DISTINCT event_object_table::text FROM information_schema.triggers \
                 WHERE trigger_name LIKE '%\\_page' ORDER BY 1",
            )
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap(),
        ),
        false => (
            sqlx::query_scalar(
                "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND p.name = 'customer_id' ORDER BY 1",
            )
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap(),
            sqlx::query_scalar(
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_page\\_%' \
                 ESCAPE '\\' ORDER BY 1",
            )
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap(),
        ),
    };
    let missing: Vec<&String> = with_customer
        .iter()
        .filter(|t| *t != "page_versions" && !with_trigger.contains(t) && !NOT_SHOWN.contains(&t.as_str()))
        .collect();
    assert!(missing.is_empty(), "tables with a customer's rows that move no page version: {missing:?}");
    for t in ["customers", "merchants", "merchant_logos", "invoice_lines", "plan_instalments", "plan_invoices"] {
        assert!(with_trigger.iter().any(|w| w == t), "{t} moves no page version");
    }

    // And they do move it: a line of an invoice (through its invoice), a payment, a merchant.
    let (merchant, customer) = app.demo_customer("C-1003").await;
    let version = |who: String| {
        let (pool, merchant) = (app.ctx.pool.clone(), merchant.clone());
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT version FROM page_versions WHERE merchant_id = $1 AND customer_id = $2",
            )
            .bind(merchant.as_str())
            .bind(who)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for (change, who) in [
        (
            "UPDATE invoice_lines SET description = description || '.' WHERE merchant_id = $2 AND invoice_id IN \
             (SELECT id FROM invoices WHERE customer_id = $1 AND number = 'NL-2026-0301')",
            customer.as_str().to_string(),
        ),
        (
            "UPDATE invoices SET updated_at = updated_at + 1 WHERE customer_id = $1 AND merchant_id = $2",
            customer.as_str().to_string(),
        ),
        ("UPDATE merchants SET brand_color = brand_color WHERE id = $2 AND $1 <> ''", String::new()),
    ] {
        let before = version(who.clone()).await;
        sqlx::query(change).bind(customer.as_str()).bind(merchant.as_str()).execute(&app.ctx.pool).await.unwrap();
        assert!(version(who).await > before, "{change}");
    }

    // A row of a dispute, a plan or a promise moves the version of the customer its parent
    // belongs to, and a merchant's logo that of the merchant (the demo seeds each but a
    // dispute's file, uploaded here: a megabyte, as a row the triggers must not copy around).
    sqlx::query(
        "INSERT INTO dispute_files (id, merchant_id, dispute_id, position, filename, content_type, size_bytes, \
         sha256, content, uploaded_by, created_at) \
         SELECT 'file-page-test', merchant_id, id, 99, 'proof.pdf', 'application/pdf', 1048576, '', $1, 'test', 0 \
         FROM disputes WHERE merchant_id = $2 ORDER BY id LIMIT 1",
    )
    .bind(vec![7u8; 1 << 20])
    .bind(merchant.as_str())
    .execute(&app.ctx.pool)
    .await
    .unwrap();
    for (child, parent, key) in [
        ("dispute_lines", "disputes", "dispute_id"),
        ("dispute_messages", "disputes", "dispute_id"),
        ("dispute_files", "disputes", "dispute_id"),
        ("plan_invoices", "payment_plans", "plan_id"),
        ("plan_instalments", "payment_plans", "plan_id"),
        ("promise_invoices", "promises", "promise_id"),
    ] {
        let (customer, parent_id): (String, String) = sqlx::query_as(&format!(
            "SELECT p.customer_id, p.id FROM {child} c JOIN {parent} p \
             ON p.merchant_id = c.merchant_id AND p.id = c.{key} WHERE p.merchant_id = $1 ORDER BY p.id LIMIT 1"
        ))
        .bind(merchant.as_str())
        .fetch_optional(&app.ctx.pool)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("the demo seeds no {child}"));
        let before = version(customer.clone()).await;
        sqlx::query(&format!("UPDATE {child} SET {key} = {key} WHERE merchant_id = $1 AND {key} = $2"))
            .bind(merchant.as_str())
            .bind(&parent_id)
            .execute(&app.ctx.pool)
            .await
            .unwrap();
        assert!(version(customer).await > before, "a row of {child} moves no page version");
    }
    let before = version(String::new()).await;
    let logos = sqlx::query("UPDATE merchant_logos SET updated_at = updated_at + 1 WHERE merchant_id = $1")
        .bind(merchant.as_str())
        .execute(&app.ctx.pool)
        .await
        .unwrap();
    assert_eq!(logos.rows_affected(), 1, "the demo's merchant has a logo");
    assert!(version(String::new()).await > before, "a logo moves no page version");
}
