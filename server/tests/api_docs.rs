//! The integration guide's examples (docs/api.md) work as written: every ```sh block is run
//! with bash and curl, in order, against a fresh demo server, and each `# => STATUS` comment is
//! checked against what the server answered. The guide's `export KASSA_URL=...` and
//! `export KASSA_KEY=...` lines are left out: the test sets both to its own server and the
//! demo's test key, as a reader would to theirs.

mod common;
use common::TestApp;

/// The `sh` blocks of a Markdown file, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```sh") => current = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[tokio::test]
async fn every_curl_example_in_the_guide_answers_as_documented() {
    let app = TestApp::spawn().await;
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md")).unwrap();
    let blocks = sh_blocks(&guide);
    assert!(blocks.len() >= 5, "the guide has its examples");
    for block in blocks {
        let expected: Vec<u16> = block
            .lines()
            .filter_map(|l| l.trim().strip_prefix("# => "))
            .map(|s| s.trim().parse().expect("# => STATUS"))
            .collect();
        assert_eq!(expected.len(), 1, "one request and one `# =>` per block:\n{block}");
        let script: String = block.lines().filter(|l| !l.starts_with("export KASSA_")).collect::<Vec<_>>().join("\n");
        let mut command = std::process::Command::new("bash");
        command
            .arg("-c")
            .arg(format!("set -e\ncurl() {{ command curl -w '\\n%{{http_code}}' \"$@\"; }}\n{script}"))
            // From the repository's root, as a reader runs them (files are named from there).
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env("KASSA_URL", &app.url)
            .env("KASSA_KEY", &app.demo.api_key);
        // Off the runtime's thread: the server answering curl runs on it.
        let out = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{block}\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        let status: u16 = stdout.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
        assert_eq!(status, expected[0], "{block}\nanswered: {stdout}");
    }
}
