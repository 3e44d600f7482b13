//! Invoice lists stay small whatever the count: a customer with 15,000 invoices gets a portal
//! page of 25 and staff an admin page of 50, with filters (open, overdue, settled) counted by
//! the database and plain links to the pages before and after.

mod common;
use common::TestApp;
use kassa_core::principal::StaffRole;
use serde_json::Value;

const BULK: usize = 15_000;

/// Gives Studio Grachten (EUR) `BULK` more open invoices: even ones past due, odd ones not.
async fn bulk_invoices(app: &TestApp) {
    let due = |n: usize| if n.is_multiple_of(2) { "2026-01-15" } else { "2999-01-15" };
    app.bulk_invoices("C-1003", "BULK", BULK, 1000, "2026-01-01", due).await;
}

async fn get(c: &reqwest::Client, url: &str) -> String {
    let res = c.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    res.text().await.unwrap()
}

fn rows(html: &str) -> usize {
    html.matches("<tr data-invoice=").count()
}

#[tokio::test]
async fn a_customer_with_fifteen_thousand_invoices_gets_small_pages_and_filters() {
    let app = TestApp::spawn().await;
    let c = app.debtor("Studio Grachten").await;
    // In English (the studio's record says Dutch), as the language menu chooses it.
    let chosen = c.get(format!("{}/lang/en?to=/p/demo", app.url)).send().await.unwrap();
    assert_eq!(chosen.status(), 303);
    let before: Value = app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let (all, open, overdue, settled) = (
        before["list"]["all"].as_u64().unwrap(),
        before["list"]["open"].as_u64().unwrap(),
        before["list"]["overdue"].as_u64().unwrap(),
        before["list"]["settled"].as_u64().unwrap(),
    );
    assert_eq!(all, open + settled);
    bulk_invoices(&app).await;
    let bulk = BULK as u64;

    let list: Value = app.server_fn(&c, "load_portal", &[("merchant", "demo")]).await.json().await.unwrap();
    let l = &list["list"];
    assert_eq!(
        (l["all"].as_u64(), l["open"].as_u64(), l["overdue"].as_u64(), l["settled"].as_u64()),
        (Some(all + bulk), Some(open + bulk), Some(overdue + bulk / 2), Some(settled)),
        "{l}"
    );
    let pages = (all + bulk).div_ceil(25);
    assert_eq!((l["page"].as_u64(), l["pages"].as_u64()), (Some(1), Some(pages)));
    // What is due sums every invoice, not just the page's.
    let due = list["totals"].as_array().unwrap().iter().find(|t| t["due"]["currency"] == "EUR").unwrap().clone();
    let due_before =
        before["totals"].as_array().unwrap().iter().find(|t| t["due"]["currency"] == "EUR").unwrap().clone();
    assert_eq!(
        due["due"]["minor"].as_i64().unwrap() - due_before["due"]["minor"].as_i64().unwrap(),
        1000 * BULK as i64
    );

    // The first page: 25 invoices, open ones first, and a page of HTML that stays small.
    let first = get(&c, &format!("{}/p/demo", app.url)).await;
    assert_eq!(rows(&first), 25);
    assert!(first.len() < 150_000, "the first page is {} bytes", first.len());
    println!("portal list of {} invoices: first page {} bytes of HTML", all + bulk, first.len());
    assert!(
        first.contains(&format!("Page 1 of {pages}")) && first.contains(r#"href="/p/demo?page=2" rel="next""#),
        "{}",
        &first[first.len().saturating_sub(3000)..]
    );
    assert!(first.contains(&format!(">All ({})</a>", all + bulk)), "{first}");
    // Overdue only, page 2: the filter and the page in plain links, every row overdue.
    let overdue_page = get(&c, &format!("{}/p/demo?show=overdue&page=2", app.url)).await;
    assert_eq!(rows(&overdue_page), 25);
    assert_eq!(overdue_page.matches(r#"data-status="overdue""#).count(), 25);
    // Recent activity is the overview's: on the first page, not on the ones after.
    assert!(first.contains(r#"id="activity-title">Recent activity</h2>"#));
    assert!(!overdue_page.contains("activity-title"));
    assert!(overdue_page.contains(r#"href="/p/demo?show=overdue" aria-current="page""#), "{overdue_page}");
    assert!(
        overdue_page.contains(r#"href="/p/demo?show=overdue&amp;page=1" rel="prev""#)
            || overdue_page.contains(r#"href="/p/demo?show=overdue" rel="prev""#)
    );
    // Settled only: none of the open bulk.
    let settled_page = get(&c, &format!("{}/p/demo?show=settled", app.url)).await;
    assert_eq!(rows(&settled_page) as u64, settled.min(25));
    assert!(!settled_page.contains("BULK-"));
    // A page past the end shows the last one; nonsense is the first.
    let last = get(&c, &format!("{}/p/demo?page=999999", app.url)).await;
    assert!(last.contains(&format!("Page {pages} of {pages}")) && !last.contains(r#"rel="next""#));
    let odd = get(&c, &format!("{}/p/demo?page=-3&show=%3Cscript%3E", app.url)).await;
    assert!(odd.contains(&format!("Page 1 of {pages}")) && !odd.contains("<script>"));

    // "Pay all EUR invoices" still refuses more than one payment can settle, in words.
    let res = c.get(format!("{}/p/demo/checkout?currency=EUR", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 422);

    // Staff: 50 to a page, the same filters across every customer.
    let admin = app.staff_member("paging-admin@demo.kassa.test", StaffRole::Viewer).await;
    let page = get(&admin, &format!("{}/admin?show=overdue", app.url)).await;
    assert_eq!(rows(&page), 50);
    assert!(page.contains(r#"href="/admin?show=overdue&amp;page=2" rel="next""#), "{page}");
    assert!(page.len() < 200_000, "the admin page is {} bytes", page.len());
    println!("admin list, overdue: {} bytes of HTML for 50 invoices", page.len());
}
