//! "Email me a sign-in link", end to end: the form, the neutral answer, the rate limits, the
//! job that sends the mail through a real SMTP server (aiosmtpd, pinned in
//! scripts/versions.env, which `./scripts/test` installs) and the link in the mail signing in.
//! Without an SMTP server the mail lands in the mail catcher, read by admins at /admin/mail.

mod common;
use common::smtp::{part, SmtpServer};
use common::{client, TestApp};
use kassa_core::principal::StaffRole;

async fn ask(app: &TestApp, c: &reqwest::Client, email: &str) -> (u16, String, String) {
    let res = c.post(format!("{}/p/demo/sign-in", app.url)).form(&[("email", email)]).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

#[tokio::test]
async fn a_debtor_gets_a_sign_in_link_by_email_and_it_signs_them_in() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some(smtp.url());
        c.mail_from = Some("invoices@kassa.example".into());
    })
    .await;
    let visitor = client();
    let page = visitor.get(format!("{}/p/demo/sign-in", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(r#"<label for="email">Email address</label>"#) && page.contains("Email me a sign-in link"));

    // A known address, typed loosely: "check your email".
    let (status, location, _) = ask(&app, &visitor, "  Administratie@Demolen.example ").await;
    assert_eq!((status, location.as_str()), (303, "/p/demo/sign-in/sent"));
    // An unknown one: exactly the same answer, and no mail.
    let (status, location, _) = ask(&app, &visitor, "nobody@nowhere.example").await;
    assert_eq!((status, location.as_str()), (303, "/p/demo/sign-in/sent"));
    let sent = visitor.get(format!("{}{location}", app.url)).send().await.unwrap().text().await.unwrap();
    assert!(sent.contains("Check your email") && sent.contains("If that address is one Noorderlicht Supplies has"));
    // Not an address at all: said on the form, with what was typed kept.
    let (status, _, form) = ask(&app, &visitor, "administratie at demolen").await;
    assert_eq!(status, 422);
    assert!(form.contains("'administratie at demolen' is not an email address."), "{form}");
    assert!(form.contains(r#"value="administratie at demolen""#) && form.contains(r#"aria-invalid="true""#), "{form}");

    // Each ask, known address or not, did the same: one job queued, nothing looked up yet.
    let queued: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM jobs WHERE kind LIKE '%sign_in%' AND state = 'queued' ORDER BY kind")
            .fetch_all(&app.ctx.pool)
            .await
            .unwrap();
    assert_eq!(queued, ["auth.sign_in_asked", "auth.sign_in_asked"]);
    // The jobs send one mail, to the known address only, through the SMTP server.
    assert!(smtp.received().is_empty(), "mail goes out from the job queue, not the request");
    app.run_jobs().await;
    let received = smtp.received_by(&["administratie@demolen.example"]);
    assert_eq!(received.len(), 1, "one mail, for the known address");
    let mail = mailparse::parse_mail(&received[0]).unwrap();
    use mailparse::MailHeaderMap;
    let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
    // The bakery's customer record says Dutch.
    assert_eq!(header("Subject"), "Uw aanmeldlink voor Noorderlicht Supplies");
    assert_eq!(header("From"), "\"Noorderlicht Supplies\" <invoices@kassa.example>");
    assert_eq!(header("To"), "administratie@demolen.example");
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let text = part(&mail, "text/plain");
    let html = part(&mail, "text/html");
    assert!(text.starts_with("Beste Bakkerij De Molen B.V.,"), "{text}");
    assert!(html.contains(r#"<html lang="nl">"#) && html.contains("background:#0b5cad"), "{html}");
    let start = text.find(&format!("{}/p/demo/login/", app.url)).expect("the link in the text");
    let link = text[start..].split_whitespace().next().unwrap().to_string();
    assert!(html.contains(&format!("href=\"{link}\"")), "the same link behind the button");

    // The link opens "Continue"; only its POST signs in, once.
    let debtor = client();
    let opened = debtor.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert!(opened.text().await.unwrap().contains("Verder"));
    let res = debtor.post(&link).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let home = debtor.get(format!("{}/p/demo", app.url)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Bakkerij De Molen B.V."));
    assert_eq!(client().post(&link).send().await.unwrap().status(), 410, "used once");

    // Five asks per address an hour, known or not: the sixth is refused, in words, and the
    // limit looks the same for an address nobody has.
    for email in ["administratie@demolen.example", "nobody@nowhere.example"] {
        for _ in 0..4 {
            assert_eq!(ask(&app, &visitor, email).await.0, 303, "{email}");
        }
        let (status, _, page) = ask(&app, &visitor, email).await;
        assert_eq!(status, 429, "{email}");
        assert!(page.contains("Too many attempts. Wait 60 minutes, then try again."), "{page}");
    }
    // Twenty an hour from one client address, whatever the addresses: ten counted so far.
    for n in 0..10 {
        assert_eq!(ask(&app, &visitor, &format!("someone{n}@elsewhere.example")).await.0, 303);
    }
    assert_eq!(ask(&app, &visitor, "one-more@elsewhere.example").await.0, 429);
    app.run_jobs().await;
    assert_eq!(
        smtp.received_by(&["administratie@demolen.example"]).len(),
        5,
        "the known address's four accepted asks sent four more"
    );
}

#[tokio::test]
async fn without_smtp_the_mail_waits_in_the_catcher_for_admins() {
    let app = TestApp::spawn().await;
    let (status, _, _) = ask(&app, &client(), "bogholderi@fjordkaffe.example").await;
    assert_eq!(status, 303);
    app.run_jobs().await;
    let admin = app.staff_member("mail-admin@demo.kassa.test", StaffRole::Admin).await;
    let page = admin.get(format!("{}/admin/mail", app.url)).send().await.unwrap().text().await.unwrap();
    // The Danish roaster's mail, in Danish, with its link.
    assert!(page.contains("Dit loginlink til Noorderlicht Supplies"), "{page}");
    assert!(page.contains("To bogholderi@fjordkaffe.example") && page.contains(&format!("{}/p/demo/login/", app.url)));
    assert!(page.contains("No mail server is set up"));
    // A collector reads no sign-in links.
    let collector = app.staff_member("mail-collector@demo.kassa.test", StaffRole::Collector).await;
    let res = collector.get(format!("{}/admin/mail", app.url)).send().await.unwrap();
    assert_ne!(res.status(), 200);
    assert!(!res.text().await.unwrap().contains("/p/demo/login/"));
}
