//! The `kassa` binary itself: a bad setting stops start-up with a message naming it, and
//! `migrate` + `demo` work against a fresh database file.

use std::process::Command;

fn kassa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kassa"))
}

#[test]
fn a_bad_setting_stops_start_up_naming_it() {
    let out = kassa().arg("serve").env("KASSA_ADDR", "not-an-address").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--addr") && err.contains("not-an-address"), "{err}");

    let out = kassa().args(["serve", "--public-url", "pay.example.com"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--public-url") && err.contains("absolute http(s) URL"), "{err}");

    let out = kassa().arg("serve").env("KASSA_SECRET", "xyzzy-secret").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--secret") && err.contains("at least 32 characters"), "{err}");
    assert!(!err.contains("xyzzy"), "the secret must not be echoed: {err}");
}

#[test]
fn migrate_and_demo_on_a_fresh_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/sub/kassa.db", dir.path().display());
    let out = kassa().args(["migrate", "--database-url", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = kassa()
        .args(["demo", "--json", "--database-url", &url, "--demo-shop-addr", "127.0.0.1:3001"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let links: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(links["customers"].as_array().unwrap().len(), 3);
    assert!(links["customers"][0]["magic_link"].as_str().unwrap().starts_with("http://127.0.0.1:3000/p/demo/login/"));
    assert_eq!(links["shop_url"], "http://127.0.0.1:3001");
    assert_eq!(links["staff_login_url"], "http://127.0.0.1:3000/admin/login");

    let out = kassa().args(["demo", "--database-url", &url]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Portal sign-in links") && text.contains("Staff admin:"), "{text}");

    // The pay-link key is beside the database, for its owner only, and not inside it.
    let key = dir.path().join("sub/kassa.key");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let key_text = std::fs::read_to_string(&key).unwrap();
    for file in ["sub/kassa.db", "sub/kassa.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!bytes.windows(key_text.trim().len()).any(|w| w == key_text.trim().as_bytes()), "the key is in {file}");
    }
}

#[test]
fn a_database_url_kassa_cannot_serve_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["postgres:", "mysql://kassa:hunter2@db/kassa", "kassa.db"] {
        let out = kassa().args(["migrate", "--database-url", url]).current_dir(dir.path()).output().unwrap();
        assert!(!out.status.success(), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("KASSA_DATABASE_URL") && err.contains("postgres://"), "{url}: {err}");
        assert!(!err.contains("hunter2"), "a password is echoed: {err}");
    }
    // Nothing was created on the way (the old behaviour made a SQLite file in `postgres:/`).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = kassa()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--database-url", &format!("sqlite://{}/kassa.db", dir.path().display())])
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed().as_secs() < 30, "kassa serve did not start listening");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    let log = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("shutting down"), "{log}");
}

#[test]
fn a_merchant_and_its_staff_without_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kassa.db", dir.path().display());
    let run = |args: &[&str]| {
        let out = kassa().args(args).args(["--database-url", &url]).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) =
        run(&["merchant", "create", "--slug", "fietsen", "--name", "Fietsen Jansen", "--color", "#C0392B"]);
    assert!(ok, "{err}");
    assert!(out.contains("Fietsen Jansen") && out.contains("/p/fietsen"), "{out}");
    let (ok, _, err) = run(&["merchant", "create", "--slug", "fietsen", "--name", "Another"]);
    assert!(!ok && err.contains("'fietsen' is taken"), "{err}");
    let (ok, _, err) = run(&["merchant", "create", "--slug", "Bad Slug", "--name", "X"]);
    assert!(!ok && err.contains("lowercase letters"), "{err}");
    let (ok, _, err) = run(&["merchant", "create", "--slug", "x2", "--name", "X", "--color", "red"]);
    assert!(!ok && err.contains("not a colour"), "{err}");

    let (ok, out, err) =
        run(&["staff", "add", "--merchant", "fietsen", "--email", "Anna@Fietsen.example", "--role", "collector"]);
    assert!(ok, "{err}");
    assert!(out.contains("/admin/set-password/") && !out.to_lowercase().contains("password:"), "{out}");
    let (ok, _, err) = run(&["staff", "add", "--merchant", "fietsen", "--email", "anna@fietsen.example"]);
    assert!(!ok && err.contains("already signs in"), "{err}");
    let (ok, _, err) = run(&["staff", "add", "--merchant", "nobody", "--email", "x@y.example"]);
    assert!(!ok && err.contains("no merchant 'nobody'"), "{err}");
    let (ok, _, err) = run(&["staff", "add", "--merchant", "fietsen", "--email", "not-an-email"]);
    assert!(!ok && err.contains("not an email address"), "{err}");

    let (ok, out, err) = run(&["ledger", "verify"]);
    assert!(ok && out.contains("every invariant holds"), "{out}{err}");
}

/// Runs `kassa` with `args` against the database at `url`; its output, or a failure naming it.
fn run(url: &str, args: &[&str]) -> Result<String, String> {
    let out = kassa().args(args).args(["--database-url", url]).output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(text(&out.stderr))
    }
}

#[test]
fn staff_and_their_roles_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kassa.db", dir.path().display());
    run(&url, &["merchant", "create", "--slug", "acme", "--name", "Acme B.V."]).unwrap();
    // The first admin becomes the owner.
    let added = run(&url, &["staff", "add", "--merchant", "acme", "--email", "Eva@Acme.example"]).unwrap();
    assert!(added.starts_with("Added owner to Acme B.V.") && added.contains("/admin/set-password/"), "{added}");
    let added = run(&url, &["staff", "add", "--merchant", "acme", "--email", "jan@acme.example", "--role", "viewer"]);
    assert!(added.unwrap().starts_with("Added viewer"));
    let list = run(&url, &["staff", "list", "--merchant", "acme"]).unwrap();
    assert!(list.contains("owner  eva@acme.example  (has not chosen a password yet)"), "{list}");
    assert!(list.contains("viewer  jan@acme.example"), "{list}");

    let changed =
        run(&url, &["staff", "set-role", "--merchant", "acme", "--email", "jan@acme.example", "--role", "admin"]);
    assert_eq!(changed.unwrap().trim(), "Acme B.V.: jan@acme.example is now an admin.");
    let refused = run(&url, &["staff", "remove", "--merchant", "acme", "--email", "eva@acme.example"]).unwrap_err();
    assert!(refused.contains("hand the ownership to someone else first"), "{refused}");
    let refused =
        run(&url, &["staff", "set-role", "--merchant", "acme", "--email", "jan@acme.example", "--role", "owner"]);
    assert!(refused.unwrap_err().contains("someone who has chosen their password"));
    let refused = run(&url, &["staff", "remove", "--merchant", "acme", "--email", "nobody@acme.example"]).unwrap_err();
    assert!(refused.contains("Acme B.V. has no staff member nobody@acme.example"), "{refused}");
    let removed = run(&url, &["staff", "remove", "--merchant", "acme", "--email", "jan@acme.example"]).unwrap();
    assert!(removed.starts_with("Removed jan@acme.example from Acme B.V."), "{removed}");
    let refused = run(&url, &["staff", "add", "--merchant", "acme", "--email", "x@acme.example", "--role", "boss"]);
    assert!(refused.unwrap_err().contains("must be owner, admin, collector or viewer"));

    // API keys carry scopes: read and write unless told.
    let made = run(&url, &["api-key", "create", "--merchant", "acme", "--name", "ERP"]).unwrap();
    assert!(made.contains("may read, write"), "{made}");
    let made =
        run(&url, &["api-key", "create", "--merchant", "acme", "--name", "Ops", "--scopes", "settings"]).unwrap();
    assert!(made.contains("may read, settings"), "{made}");
    let refused = run(&url, &["api-key", "create", "--merchant", "acme", "--name", "X", "--scopes", "read,admin"]);
    assert!(refused.unwrap_err().contains("'admin' is not a scope"));
    let list = run(&url, &["api-key", "list", "--merchant", "acme"]).unwrap();
    assert!(list.contains("test  read,write  \"ERP\"") && list.contains("test  read,settings  \"Ops\""), "{list}");
}

#[test]
fn widget_keys_rotate_and_retire_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/kassa.db", dir.path().display());
    let none = run(&url, &["widget-keys", "list"]).unwrap();
    assert!(none.contains("No widget key yet"), "{none}");
    let first = run(&url, &["widget-keys", "rotate"]).unwrap();
    assert!(first.starts_with("Made widget key wk_"), "{first}");
    run(&url, &["widget-keys", "rotate"]).unwrap();
    let list = run(&url, &["widget-keys", "list"]).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].contains("newest: signs new tokens") && lines[1].contains("verifies"), "{list}");
    let retired = run(&url, &["widget-keys", "retire-older"]).unwrap();
    assert!(retired.starts_with("Retired 1 older widget key(s)"), "{retired}");
    let list = run(&url, &["widget-keys", "list"]).unwrap();
    assert!(list.lines().nth(1).unwrap().contains("retired "), "{list}");
}
