//! A real SMTP server for tests that send mail: aiosmtpd (pinned in scripts/versions.env,
//! which `./scripts/test` installs), keeping what it receives in a Maildir.

use std::process::{Child, Command, Stdio};

/// aiosmtpd on a free port, keeping what it receives in a Maildir.
pub struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut server = SmtpServer { child, dir, port };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "aiosmtpd stopped ({status}): is it installed? ./scripts/test installs it \
                     (aiosmtpd==AIOSMTPD_VERSION from scripts/versions.env, in ~/.cache/kassa-venv)"
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd does not listen on port {port}");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, as raw bytes.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let new = self.dir.path().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(new) else { return Vec::new() };
        entries.map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect()
    }

    /// The messages received so far to any of `addresses` (the demo's own history mails
    /// others: its dispute's answer goes to Fjordkaffe).
    pub fn received_by(&self, addresses: &[&str]) -> Vec<Vec<u8>> {
        use mailparse::MailHeaderMap;
        self.received()
            .into_iter()
            .filter(|raw| {
                let to = mailparse::parse_mail(raw).unwrap().headers.get_first_value("To").unwrap_or_default();
                addresses.iter().any(|a| to.contains(a))
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The decoded body of `mail`'s part (at any depth) of MIME type `mime`.
pub fn part(mail: &mailparse::ParsedMail<'_>, mime: &str) -> String {
    find(mail, mime).unwrap_or_else(|| panic!("no {mime} part")).get_body().unwrap()
}

/// `mail`'s part (at any depth) of MIME type `mime`.
pub fn find<'a>(mail: &'a mailparse::ParsedMail<'a>, mime: &str) -> Option<&'a mailparse::ParsedMail<'a>> {
    if mail.ctype.mimetype == mime {
        return Some(mail);
    }
    mail.subparts.iter().find_map(|p| find(p, mime))
}
