//! The role matrix (docs/security.md), on SQLite and PostgreSQL: what owner, admin, collector
//! and viewer may do with staff and API keys, and what each API key scope allows.

mod common;
use common::TestApp;
use http::Method;
use kassa_core::principal::{Mode, Principal, Scopes, Staff, StaffRole};
use kassa_core::services::{api_keys, staff};
use kassa_core::Error;
use kassa_domain::{MerchantId, Problem, StaffId};
use serde_json::json;

/// A staff member of the demo merchant who has chosen a password, as a principal.
async fn member(app: &TestApp, email: &str, role: StaffRole) -> (StaffId, Principal) {
    let merchant = app.demo_merchant().await;
    let cmd = staff::AddStaff { merchant: merchant.clone(), email: email.into(), role };
    let added = staff::add(&app.ctx, &Principal::System, cmd).await.unwrap();
    let signed_in =
        staff::set_password(&app.ctx, &added.password_token, "a long enough sentence", "a long enough sentence")
            .await
            .unwrap();
    assert_eq!(signed_in.staff().unwrap().role, role, "{email}");
    (added.staff, signed_in)
}

fn add(merchant: &MerchantId, email: &str, role: StaffRole) -> staff::AddStaff {
    staff::AddStaff { merchant: merchant.clone(), email: email.into(), role }
}

fn forbidden<T: std::fmt::Debug>(result: Result<T, Error>) -> bool {
    matches!(result, Err(Error::Forbidden))
}

#[tokio::test]
async fn admins_manage_collectors_and_viewers_and_only_the_owner_manages_admins() {
    let app = TestApp::spawn().await;
    let ctx = &app.ctx;
    let m = app.demo_merchant().await;
    // The demo's staff member was the merchant's first admin, so its owner.
    let all = staff::list(ctx, &Principal::System, &m).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].email.as_str(), all[0].role), (app.demo.staff_email.as_str(), StaffRole::Owner));
    let owner_id = all[0].id.clone();
    let owner = Principal::Staff(Staff {
        merchant: m.clone(),
        staff: owner_id.clone(),
        role: StaffRole::Owner,
        email: app.demo.staff_email.clone(),
    });

    let (admin_id, admin) = member(&app, "admin2@demo.kassa.test", StaffRole::Admin).await;
    let (collector_id, collector) = member(&app, "collector@demo.kassa.test", StaffRole::Collector).await;
    let (viewer_id, viewer) = member(&app, "viewer@demo.kassa.test", StaffRole::Viewer).await;

    // Adding: an admin adds collectors and viewers, not admins or owners; lower roles nobody.
    assert!(staff::add(ctx, &admin, add(&m, "c2@demo.kassa.test", StaffRole::Collector)).await.is_ok());
    assert!(forbidden(staff::add(ctx, &admin, add(&m, "a2@demo.kassa.test", StaffRole::Admin)).await));
    assert!(forbidden(staff::add(ctx, &owner, add(&m, "o2@demo.kassa.test", StaffRole::Owner)).await));
    for lower in [&collector, &viewer] {
        assert!(forbidden(staff::add(ctx, lower, add(&m, "v2@demo.kassa.test", StaffRole::Viewer)).await));
        assert!(forbidden(staff::list(ctx, lower, &m).await));
    }
    assert!(staff::add(ctx, &owner, add(&m, "a2@demo.kassa.test", StaffRole::Admin)).await.is_ok());

    // Changing roles: an admin moves collectors and viewers, never to admin, never an admin.
    staff::set_role(ctx, &admin, &m, &viewer_id, StaffRole::Collector).await.unwrap();
    assert!(forbidden(staff::set_role(ctx, &admin, &m, &viewer_id, StaffRole::Admin).await));
    assert!(forbidden(staff::set_role(ctx, &admin, &m, &admin_id, StaffRole::Viewer).await));
    assert!(forbidden(staff::set_role(ctx, &collector, &m, &viewer_id, StaffRole::Viewer).await));
    // The owner stays the owner until they hand it on; nobody demotes or removes them.
    for who in [&owner, &admin, &Principal::System] {
        let demoted = staff::set_role(ctx, who, &m, &owner_id, StaffRole::Admin).await;
        assert!(matches!(demoted, Err(Error::Problem(Problem::OwnerStays)) | Err(Error::Forbidden)), "{demoted:?}");
        let removed = staff::remove(ctx, who, &m, &owner_id).await;
        assert!(matches!(removed, Err(Error::Problem(Problem::OwnerStays)) | Err(Error::Forbidden)), "{removed:?}");
    }
    // Removing: an admin removes a collector, not an admin; the owner removes an admin.
    assert!(forbidden(staff::remove(ctx, &admin, &m, &admin_id).await));
    staff::remove(ctx, &admin, &m, &collector_id).await.unwrap();
    assert!(matches!(staff::remove(ctx, &admin, &m, &collector_id).await, Err(Error::NotFound)));

    // Handing over: only the owner, only to someone who can sign in; the former owner stays an admin.
    assert!(forbidden(staff::hand_over(ctx, &admin, &m, &admin_id).await));
    let waiting = staff::list(ctx, &owner, &m).await.unwrap().into_iter().find(|s| !s.can_sign_in).unwrap();
    let refused = staff::hand_over(ctx, &owner, &m, &waiting.id).await;
    assert!(matches!(refused, Err(Error::Problem(Problem::OwnerNeedsPassword))), "{refused:?}");
    staff::set_role(ctx, &owner, &m, &admin_id, StaffRole::Owner).await.unwrap();
    let roles: Vec<(String, StaffRole)> =
        staff::list(ctx, &Principal::System, &m).await.unwrap().into_iter().map(|s| (s.email, s.role)).collect();
    assert!(roles.contains(&("admin2@demo.kassa.test".into(), StaffRole::Owner)), "{roles:?}");
    assert!(roles.contains(&(app.demo.staff_email.clone(), StaffRole::Admin)), "{roles:?}");
    assert_eq!(roles.iter().filter(|(_, r)| *r == StaffRole::Owner).count(), 1);
    // The former owner's principal is read again on the next request: an admin now.
    let now = staff::current(ctx, &owner).await.unwrap();
    assert_eq!(now.staff().unwrap().role, StaffRole::Admin);
    let other_admin = staff::list(ctx, &now, &m).await.unwrap().into_iter().find(|s| s.email == "a2@demo.kassa.test");
    assert!(forbidden(staff::remove(ctx, &now, &m, &other_admin.unwrap().id).await));

    // Nobody reaches another merchant's staff: not found, not forbidden.
    let elsewhere = Principal::Staff(Staff {
        merchant: MerchantId::from_raw("another-merchant"),
        staff: viewer_id.clone(),
        role: StaffRole::Owner,
        email: "x@elsewhere.example".into(),
    });
    assert!(matches!(staff::list(ctx, &elsewhere, &m).await, Err(Error::NotFound)));
    assert!(matches!(staff::remove(ctx, &elsewhere, &m, &viewer_id).await, Err(Error::NotFound)));

    // API keys: admins and the owner make and revoke them; collectors and viewers do not.
    let key = |scopes| api_keys::CreateKey { merchant: m.clone(), name: "ERP".into(), mode: Mode::Test, scopes };
    let made = api_keys::create(ctx, &admin, key(Scopes::READ)).await.unwrap();
    assert!(forbidden(api_keys::create(ctx, &viewer, key(Scopes::READ)).await));
    assert!(forbidden(api_keys::revoke(ctx, &viewer, &m, &made.key.id).await));
    api_keys::revoke(ctx, &admin, &m, &made.key.id).await.unwrap();

    // Every change is in the audit log.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'staff.%' ORDER BY at, seq")
            .fetch_all(&ctx.pool)
            .await
            .unwrap();
    for action in ["staff.added", "staff.role_changed", "staff.removed", "staff.ownership_handed_over"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn an_api_key_does_what_its_scopes_allow() {
    let app = TestApp::spawn().await;
    let read = app.key(Mode::Test, Scopes::READ).await;
    let write = app.key(Mode::Test, Scopes::READ_WRITE).await;
    let customer = json!({ "number": "ERP-S1", "name": "Scoped B.V.", "email": "ap@scoped.example" });
    let hook = json!({ "url": "https://erp.example.com/hook", "events": ["*"] });

    // Reading: every key.
    for key in [&read, &write, &app.demo.api_key] {
        assert_eq!(app.api(key, Method::GET, "/invoices", None).await.0, 200);
    }
    // Writing: `write`; the refusal names the scope.
    let (status, body) = app.api(&read, Method::POST, "/customers", Some(customer.clone())).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "scope_missing");
    assert_eq!(body["error"]["scope"], "write");
    assert!(body["error"]["message"].as_str().unwrap().contains("`write` scope"), "{body}");
    assert_eq!(app.api(&write, Method::POST, "/customers", Some(customer)).await.0, 201);
    // Settings: changing webhook endpoints, and jobs, need `settings`; reading endpoints does not.
    for key in [&read, &write] {
        let (status, body) = app.api(key, Method::POST, "/webhook_endpoints", Some(hook.clone())).await;
        assert_eq!((status, body["error"]["scope"].as_str()), (403, Some("settings")), "{body}");
        assert_eq!(app.api(key, Method::GET, "/webhook_endpoints", None).await.0, 200);
        assert_eq!(app.api(key, Method::GET, "/jobs", None).await.0, 403);
    }
    assert_eq!(app.api(&app.demo.api_key, Method::POST, "/webhook_endpoints", Some(hook)).await.0, 201);
    let endpoints: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints").fetch_one(&app.ctx.pool).await.unwrap();
    assert_eq!(endpoints, 1, "only the key with `settings` added one");
}
