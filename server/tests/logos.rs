//! A merchant's logo, as its admin uploads it from the settings page (a plain multipart form),
//! then sees it in the portal's header, on the PDFs and at its own address; files that are
//! not a PNG or JPEG of a sensible size are refused with words that say why, and nothing
//! changes. On SQLite, and on PostgreSQL when the suite runs there.

mod common;
use common::{client, png, TestApp};
use kassa_core::principal::StaffRole;

async fn upload(app: &TestApp, c: &reqwest::Client, bytes: Vec<u8>, name: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    c.post(format!("{}/admin/settings/logo", app.url)).multipart(form).send().await.unwrap()
}

async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> String {
    let res = c.get(format!("{}{path}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The `src` of the first `<img ... class="brand-logo">` in `html`.
fn logo_src(html: &str) -> Option<String> {
    let tag =
        html.split("<img ").skip(1).map(|t| t.split('>').next().unwrap_or("")).find(|t| t.contains("brand-logo"))?;
    Some(tag.split("src=\"").nth(1)?.split('"').next()?.to_string())
}

async fn pdf(c: &reqwest::Client, url: &str) -> String {
    let res = c.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "{url}");
    String::from_utf8_lossy(&res.bytes().await.unwrap()).into_owned()
}

#[tokio::test]
async fn an_admin_uploads_a_logo_that_the_portal_and_its_pdfs_show() {
    let app = TestApp::spawn().await;
    let admin = app.staff_member("logo-admin@demo.kassa.test", StaffRole::Admin).await;
    let debtor = app.debtor("Studio Grachten").await;
    let invoice_pdf = format!("{}/p/demo/invoices/NL-2026-0301/pdf", app.url);
    let demo_logo = logo_src(&page(&app, &debtor, "/p/demo").await).expect("the demo has a logo");
    assert!(demo_logo.starts_with("/p/demo/logo/") && demo_logo.ends_with(".png"), "{demo_logo}");
    assert!(pdf(&debtor, &invoice_pdf).await.contains("/Subtype/Image"), "the demo's logo is on its PDFs");

    // A wide logo: sent, saved, said so.
    let wide = png(120, 40);
    let res = upload(&app, &admin, wide.clone(), "logo.png").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/admin/settings");
    let settings = page(&app, &admin, "/admin/settings").await;
    assert!(settings.contains("Settings saved."), "{settings}");
    let src = logo_src(&settings).expect("the settings page shows the logo");
    assert_ne!(src, demo_logo);
    assert!(settings.contains(r#"width="120" height="40""#), "in its own proportions: {settings}");

    // Served by Kassa, for a year, as exactly the bytes sent; nothing in it may run.
    let res = client().get(format!("{}{src}", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.headers()["content-security-policy"], "default-src 'none'; sandbox");
    assert_eq!(res.bytes().await.unwrap().to_vec(), wide);
    // The one it replaced is gone; a made-up name is nothing.
    for gone in [demo_logo.as_str(), "/p/demo/logo/0000000000000000.png", "/p/nobody/logo/x.png"] {
        assert_eq!(client().get(format!("{}{gone}", app.url)).send().await.unwrap().status(), 404, "{gone}");
    }

    // The portal's header and the PDFs show the new one.
    let portal = page(&app, &debtor, "/p/demo").await;
    assert_eq!(logo_src(&portal).as_deref(), Some(src.as_str()));
    assert!(portal.contains(r#"width="120" height="40""#));
    assert!(pdf(&debtor, &invoice_pdf).await.contains("/Subtype/Image"));
    assert!(pdf(&debtor, &format!("{}/p/demo/statement/pdf", app.url)).await.contains("/Subtype/Image"));

    // Refused, each with its reason on the page, and the logo stays as it was.
    let mut too_big = png(100, 100);
    too_big.resize(300 * 1024, 0);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let mut cut = png(60, 60);
    cut.truncate(cut.len() - 30);
    for (bytes, says) in [
        (svg, "The logo must be a PNG or JPEG file."),
        (cut, "The logo must be a PNG or JPEG file."),
        (png(8, 8), "The logo is 8 × 8 pixels: each side must be between 16 and 2000."),
        (too_big, "The logo file is too large: at most 256 KB."),
    ] {
        let res = upload(&app, &admin, bytes, "logo.png").await;
        assert_eq!(res.status(), 303);
        let settings = page(&app, &admin, "/admin/settings").await;
        assert!(settings.contains(says), "{says}: {settings}");
        assert!(settings.contains(r#"aria-invalid="true""#));
        assert!(!settings.contains("Settings saved."));
        assert_eq!(logo_src(&settings).as_deref(), Some(src.as_str()));
        // Said once: the next visit is a clean form.
        assert!(!page(&app, &admin, "/admin/settings").await.contains(says));
    }

    // Removed: the name stands alone, the PDFs have no image, the file is gone.
    let res = admin.post(format!("{}/admin/settings/logo/remove", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let settings = page(&app, &admin, "/admin/settings").await;
    assert!(settings.contains("No logo yet"), "{settings}");
    assert_eq!(logo_src(&page(&app, &debtor, "/p/demo").await), None);
    assert!(!pdf(&debtor, &invoice_pdf).await.contains("/Subtype/Image"));
    assert_eq!(client().get(format!("{}{src}", app.url)).send().await.unwrap().status(), 404);

    // Each change is in the audit log, with what it was before.
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'merchant.logo_%' ORDER BY seq")
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(actions, ["merchant.logo_changed", "merchant.logo_removed"]);
}

#[tokio::test]
async fn only_an_admin_signed_in_changes_the_logo() {
    let app = TestApp::spawn().await;
    let before = logo_src(&page(&app, &app.debtor("Studio Grachten").await, "/p/demo").await);

    // A viewer sees the logo, no form, and a post anyway is refused.
    let viewer = app.staff_member("logo-viewer@demo.kassa.test", StaffRole::Viewer).await;
    let settings = page(&app, &viewer, "/admin/settings").await;
    assert!(!settings.contains(r#"action="/admin/settings/logo""#), "{settings}");
    assert_eq!(upload(&app, &viewer, png(64, 64), "logo.png").await.status(), 303);
    assert!(!page(&app, &viewer, "/admin/settings").await.contains("Settings saved."));
    let res = viewer.post(format!("{}/admin/settings/logo/remove", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 303);

    // Nobody signed in, or a debtor: sent to sign in, nothing kept.
    for c in [client(), app.debtor("Studio Grachten").await] {
        let res = upload(&app, &c, png(64, 64), "logo.png").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/admin");
    }
    let after = logo_src(&page(&app, &app.debtor("Studio Grachten").await, "/p/demo").await);
    assert_eq!(before, after);
}
