//! Outgoing mail. A [`Message`] (subject, plain text and HTML, rendered by the caller in the
//! recipient's language) goes out through a [`Mailer`]: SMTP (lettre) when the operator gives
//! `--smtp-url`, else the mail catcher, which keeps each message in the database for staff to
//! read at `/admin/mail` (the demo's and a developer's mailbox). Mail is sent from jobs, never
//! from a request: a slow or failing mail server delays a message and retries it, and answers
//! no visitor late.

use std::sync::Arc;

use async_trait::async_trait;
use kassa_domain::MerchantId;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::db::{self, Pool};
use crate::error::Result;
use crate::principal::Principal;

/// One email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The recipient's address.
    pub to: String,
    /// Who it is from, as the recipient reads it (`Noorderlicht Supplies`); the address is the
    /// operator's (`--mail-from`).
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Files sent with it (a receipt's PDF).
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// As the recipient's mail program shows it: `receipt-01J....pdf`.
    pub filename: String,
    /// Its MIME type: `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `message` on behalf of `merchant`. An error leaves the job to try again.
    async fn send(&self, pool: &Pool, merchant: &MerchantId, message: &Message) -> anyhow::Result<()>;
    /// Whether mail stays in Kassa's catcher instead of leaving.
    fn catches(&self) -> bool;
}

/// Builds the mailer the configuration asks for: SMTP at `smtp_url` (`smtps://user:pass@host`,
/// `smtp://host:port?tls=required`, ... as lettre reads them), sending from `from`; without a
/// URL, the catcher.
pub fn mailer(smtp_url: Option<&str>, from: Option<&str>) -> anyhow::Result<Arc<dyn Mailer>> {
    let Some(url) = smtp_url else {
        return Ok(Arc::new(Catcher));
    };
    let from = from.ok_or_else(|| {
        anyhow::anyhow!("--smtp-url needs --mail-from: the address mail is sent from, like invoices@example.com")
    })?;
    let from: lettre::Address =
        from.parse().map_err(|e| anyhow::anyhow!("--mail-from {from:?} is not an email address: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| anyhow::anyhow!("--smtp-url is not an SMTP URL (smtps://user:password@host:465): {e}"))?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    Ok(Arc::new(Smtp { transport, from }))
}

/// Sends through an SMTP server.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::Address,
}

/// `message` as the MIME email lettre sends: plain text and HTML as alternatives, and any
/// attachments beside them (`multipart/mixed`).
pub fn mime(message: &Message, from: &lettre::Address) -> anyhow::Result<lettre::Message> {
    let to: Mailbox = message.to.parse().map_err(|e| anyhow::anyhow!("recipient {:?}: {e}", message.to))?;
    let from = Mailbox::new(Some(message.from_name.clone()), from.clone());
    let body = MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
    let body = match message.attachments.as_slice() {
        [] => body,
        files => {
            let mut mixed = MultiPart::mixed().multipart(body);
            for file in files {
                let content_type = ContentType::parse(&file.content_type)
                    .map_err(|e| anyhow::anyhow!("attachment type {:?}: {e}", file.content_type))?;
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(file.filename.clone()).body(file.bytes.clone(), content_type),
                );
            }
            mixed
        }
    };
    Ok(lettre::Message::builder().from(from).to(to).subject(&message.subject).multipart(body)?)
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, _pool: &Pool, _merchant: &MerchantId, message: &Message) -> anyhow::Result<()> {
        self.transport.send(mime(message, &self.from)?).await?;
        Ok(())
    }

    fn catches(&self) -> bool {
        false
    }
}

/// Keeps mail in the database, per merchant, for staff to read at `/admin/mail`.
pub struct Catcher;

#[async_trait]
impl Mailer for Catcher {
    async fn send(&self, pool: &Pool, merchant: &MerchantId, message: &Message) -> anyhow::Result<()> {
        let mut tx = db::begin_write(pool).await?;
        sqlx::query(
            "INSERT INTO caught_mail (id, merchant_id, recipient, from_name, subject, text_body, html_body, \
             attachments, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(db::new_id())
        .bind(merchant.as_str())
        .bind(&message.to)
        .bind(&message.from_name)
        .bind(&message.subject)
        .bind(&message.text)
        .bind(&message.html)
        .bind(message.attachments.iter().map(|a| a.filename.as_str()).collect::<Vec<_>>().join("\n"))
        .bind(db::now())
        .execute(&mut *tx)
        .await?;
        // The catcher keeps the newest messages only: it is a mailbox to look in, not an archive.
        sqlx::query(
            "DELETE FROM caught_mail WHERE merchant_id = $1 AND id NOT IN \
             (SELECT id FROM caught_mail WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(merchant.as_str())
        .bind(KEPT)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(merchant = merchant.as_str(), subject = message.subject, "mail kept in the mail catcher");
        Ok(())
    }

    fn catches(&self) -> bool {
        true
    }
}

/// The messages the catcher keeps per merchant.
pub const KEPT: i64 = 200;

/// A message the catcher kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The names of the files it carried.
    pub attachments: Vec<String>,
    pub at: i64,
}

/// The mail the catcher kept for `who`'s merchant, newest first. It holds sign-in links, so
/// only staff who may change settings (admins, the owner) read it.
pub async fn caught(pool: &Pool, who: &Principal) -> Result<Vec<Caught>> {
    who.may_change_settings()?;
    let staff = who.staff()?;
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT recipient, subject, text_body, attachments, created_at FROM caught_mail WHERE merchant_id = $1 \
         ORDER BY created_at DESC, id DESC",
    )
    .bind(staff.merchant.as_str())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(to, subject, text, files, at)| {
            let attachments = files.lines().map(str::to_string).collect();
            Caught { to, subject, text, attachments, at }
        })
        .collect())
}
