//! The browser's files from memory (server/src/http/assets.rs), on SQLite and PostgreSQL: the
//! body the client asks for (brotli, gzip or none), the brotli copy made at build time when
//! there is one, `ETag` and 304, `Vary`, the caching of each folder, no session.

mod common;
use std::io::{Read, Write};

use common::{client, TestApp};

const CSS: &str = ".invoices { color: #0b5cad; } /* long enough to be worth compressing: padding padding padding padding padding padding padding padding padding */";

/// A site root with a stylesheet (no brotli copy: compressed at start-up), a script with its
/// brotli copy made beforehand (as build_assets makes them), an image and a widget file.
fn site() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for folder in ["pkg", "assets", "w"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    std::fs::write(root.join("pkg/kassa.css"), CSS).unwrap();
    let js = "export function hydrate() { /* the portal */ }\n".repeat(20);
    std::fs::write(root.join("pkg/kassa.js"), &js).unwrap();
    let mut packed = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut packed, 4096, 11, 22);
        w.write_all(js.as_bytes()).unwrap();
    }
    std::fs::write(root.join("pkg/kassa.js.br"), &packed).unwrap();
    std::fs::write(root.join("assets/logo.png"), [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();
    std::fs::write(root.join("w/kassa.js"), "customElements.define('kassa-pay', class {});").unwrap();
    (dir, packed)
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = client().get(format!("{}{path}", app.url));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn files_are_served_from_memory_compressed_as_the_browser_asks() {
    let (dir, packed) = site();
    let root = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.site_root = root).await;

    // Brotli, made at start-up for the stylesheet.
    let res = get(&app, "/pkg/kassa.css", &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "text/css");
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(h["vary"], "accept-encoding");
    assert_eq!(h["cache-control"], "no-cache");
    assert!(h.get("set-cookie").is_none());
    let etag = h["etag"].to_str().unwrap().to_string();
    assert_eq!(etag.len(), 66, "a quoted SHA-256: {etag}");
    let mut css = String::new();
    brotli::Decompressor::new(&res.bytes().await.unwrap()[..], 4096).read_to_string(&mut css).unwrap();
    assert_eq!(css, CSS);

    // Gzip for a client that takes only gzip; the file itself for one that takes neither.
    let res = get(&app, "/pkg/kassa.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let mut css = String::new();
    flate2::read::GzDecoder::new(&res.bytes().await.unwrap()[..]).read_to_string(&mut css).unwrap();
    assert_eq!(css, CSS);
    let res = get(&app, "/pkg/kassa.css", &[]).await;
    assert!(res.headers().get("content-encoding").is_none());
    assert_eq!(res.text().await.unwrap(), CSS);

    // Unchanged since the browser's copy: 304, no body.
    let res = get(&app, "/pkg/kassa.css", &[("if-none-match", &etag)]).await;
    assert_eq!(res.status(), 304);
    assert!(res.bytes().await.unwrap().is_empty());

    // The brotli copy made at build time is sent as it is.
    let res = get(&app, "/pkg/kassa.js", &[("accept-encoding", "br")]).await;
    assert_eq!(res.headers()["content-type"], "text/javascript");
    assert_eq!(res.bytes().await.unwrap(), packed);

    // Images a day; the widget's files five minutes, for any site.
    let res = get(&app, "/assets/logo.png", &[("accept-encoding", "br")]).await;
    assert_eq!(
        (res.headers()["content-type"].to_str().unwrap(), res.headers()["cache-control"].to_str().unwrap()),
        ("image/png", "public, max-age=86400")
    );
    assert!(res.headers().get("content-encoding").is_none(), "a PNG is not compressed again");
    let res = get(&app, "/w/v1/kassa.js", &[]).await;
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert_eq!(res.headers()["cache-control"], "public, max-age=300");
    // Beside them, the widget's data still answers, and a file that is not there is a 404.
    assert_eq!(get(&app, "/w/v1/invoice?token=made-up", &[]).await.status(), 404);
    assert_eq!(get(&app, "/pkg/nothing.js", &[]).await.status(), 404);
}

#[tokio::test]
async fn files_named_by_their_content_are_kept_a_year_and_pages_name_them() {
    let (dir, _) = site();
    let pkg = dir.path().join("pkg");
    std::fs::write(pkg.join("kassa-0123456789abcdef.css"), CSS).unwrap();
    std::fs::write(pkg.join("kassa-fedcba9876543210.js"), "export default function init() {}").unwrap();
    let manifest = r#"{"bundle":"kassa-fedcba9876543210","stylesheet":"/pkg/kassa-0123456789abcdef.css"}"#;
    std::fs::write(pkg.join("manifest.json"), manifest).unwrap();
    let root = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.site_root = root).await;

    let res = get(&app, "/pkg/kassa-0123456789abcdef.css", &[("accept-encoding", "br")]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    // The pages name the files the manifest lists: the stylesheet, and the bundle Leptos loads.
    let page = get(&app, "/admin/login", &[]).await.text().await.unwrap();
    assert!(page.contains(r#"href="/pkg/kassa-0123456789abcdef.css""#), "{page}");
    assert!(page.contains("/pkg/kassa-fedcba9876543210.js"), "{page}");
    assert!(!page.contains("/pkg/kassa.css"), "{page}");
}

#[tokio::test]
async fn the_widgets_script_and_wasm_named_by_their_content_are_kept_a_year_and_snippets_pin_them() {
    let (dir, _) = site();
    let w = dir.path().join("w");
    let newest = "customElements.define('kassa-invoices', class {});";
    std::fs::write(w.join("kassa-00112233445566ff.js"), newest).unwrap();
    std::fs::write(w.join("kassa_widgets_bg-0123456789abcdef.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let pinned = r#"{"script":"/w/v1/kassa-00112233445566ff.js","integrity":"sha384-AAAA"}"#;
    std::fs::write(w.join("kassa.json"), pinned).unwrap();
    let root = dir.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| c.site_root = root).await;

    for (path, cache) in [
        ("/w/v1/kassa-00112233445566ff.js", "public, max-age=31536000, immutable"),
        ("/w/v1/kassa_widgets_bg-0123456789abcdef.wasm", "public, max-age=31536000, immutable"),
        ("/w/v1/kassa.js", "public, max-age=300"),
        ("/w/v1/kassa.json", "public, max-age=300"),
    ] {
        let res = get(&app, path, &[]).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], cache, "{path}");
        assert_eq!(res.headers()["access-control-allow-origin"], "*", "{path}");
    }
    assert_eq!(get(&app, "/w/v1/kassa.json", &[]).await.text().await.unwrap(), pinned);
    // `kassa.js` is the pinned script's bytes (not an older file of that name), same ETag.
    let (unpinned, pinned_js) =
        (get(&app, "/w/v1/kassa.js", &[]).await, get(&app, "/w/v1/kassa-00112233445566ff.js", &[]).await);
    assert_eq!(unpinned.headers()["etag"], pinned_js.headers()["etag"]);
    assert_eq!(unpinned.text().await.unwrap(), newest);

    // The admin's snippet names the pinned script with its integrity hash.
    let staff = app.staff_member("widgets@demo.example", kassa_core::principal::StaffRole::Admin).await;
    let res = app
        .server_fn(&staff, "issue_widget_token", &[("invoice", "NL-2026-0107"), ("origins", "https://shop.example")])
        .await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let listed = app.server_fn(&staff, "load_widgets", &[]).await.text().await.unwrap();
    assert!(
        listed.contains(r#"src=\"http"#)
            && listed
                .contains(r#"/w/v1/kassa-00112233445566ff.js\" integrity=\"sha384-AAAA\" crossorigin=\"anonymous\""#),
        "{listed}"
    );
}
