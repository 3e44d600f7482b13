//! Emails to debtors (a sign-in link, a receipt with its PDF, a payment that failed after
//! all, staff's answer to a dispute, a payment plan's news and reminders), in the customer's language, and to the merchant's staff
//! (a payment that failed), in the language they signed in with; with the merchant's name and
//! colour: a plain-text part and an HTML part (inline styles and a table layout, as mail programs need; nothing loads
//! from the web). Sent from the job queue through `ctx.mailer` (SMTP, or the mail catcher).

use async_trait::async_trait;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use kassa_core::jobs::{Handler, Job};
use kassa_core::mail::{Attachment, Message};
use kassa_core::services::{auth, disputes, notices, plans, records};
use kassa_core::Ctx;
use kassa_domain::{CustomerId, MerchantId, Money};

use crate::i18n::Lang;
use crate::money::money_in;

/// What every email says around its own words.
struct Frame<'a> {
    lang: Lang,
    merchant: &'a records::Merchant,
    greeting: String,
    footer: String,
}

impl<'a> Frame<'a> {
    /// A debtor's email: greeted by name, from the merchant.
    fn to_debtor(lang: Lang, merchant: &'a records::Merchant, name: &str) -> Frame<'a> {
        let w = lang.words();
        Frame { lang, merchant, greeting: w.email_greeting(name), footer: w.email_footer(&merchant.name) }
    }
}

/// Black or white, whichever reads better on the merchant's colour (WCAG relative luminance).
pub(crate) fn ink_on(color: &str) -> &'static str {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(color.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0)) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    if luminance > 0.179 {
        "#000000"
    } else {
        "#ffffff"
    }
}

/// An email with one button: `lines` before it, `after` below it.
fn with_button(
    frame: &Frame<'_>,
    subject: String,
    lines: &[String],
    button: (&str, &str),
    after: &[String],
) -> Message {
    let merchant = &frame.merchant.name;
    let (greeting, footer) = (&frame.greeting, &frame.footer);
    let (label, href) = button;

    let mut plain = format!("{greeting}\n\n");
    for l in lines {
        plain.push_str(&format!("{l}\n"));
    }
    plain.push_str(&format!("\n{href}\n\n"));
    for l in after {
        plain.push_str(&format!("{l}\n"));
    }
    plain.push_str(&format!("\n-- \n{footer}\n"));

    let color = frame.merchant.brand_color.as_str();
    let paragraph = |l: &String| format!("<p style=\"margin:0 0 16px\">{}</p>", text(l));
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{subject}</title></head>\
         <body style=\"margin:0;padding:0;background:#f4f5f7\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f5f7\"><tr><td align=\"center\" style=\"padding:24px 12px\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1b1f24\">\
         <tr><td style=\"background:{color};color:{ink};padding:16px 24px;border-radius:8px 8px 0 0;font-size:18px;font-weight:bold\">{merchant}</td></tr>\
         <tr><td style=\"padding:24px\"><p style=\"margin:0 0 16px\">{greeting}</p>{before}\
         <p style=\"margin:24px 0\"><a href=\"{href_attr}\" style=\"display:inline-block;background:{color};color:{ink};padding:12px 24px;border-radius:6px;text-decoration:none;font-weight:bold\">{label}</a></p>\
         <p style=\"margin:0 0 16px;font-size:14px;color:#4a5260;word-break:break-all\">{href_text}</p>{after}</td></tr>\
         <tr><td style=\"padding:16px 24px;font-size:13px;color:#4a5260;border-top:1px solid #e3e6ea\">{footer}</td></tr>\
         </table></td></tr></table></body></html>",
        lang = frame.lang.code(),
        subject = text(&subject),
        ink = ink_on(color),
        merchant = text(merchant),
        greeting = text(greeting),
        before = lines.iter().map(paragraph).collect::<String>(),
        href_attr = attr(href),
        label = text(label),
        href_text = text(href),
        after = after.iter().map(paragraph).collect::<String>(),
        footer = text(footer),
    );
    Message { to: String::new(), from_name: merchant.clone(), subject, text: plain, html, attachments: Vec::new() }
}

/// The sign-in email: a single-use link to the merchant's portal.
pub fn sign_in(lang: Lang, merchant: &records::Merchant, customer_name: &str, to: &str, link: &str) -> Message {
    let w = lang.words();
    let frame = Frame::to_debtor(lang, merchant, customer_name);
    let mut message = with_button(
        &frame,
        w.email_sign_in_subject(&merchant.name),
        &[w.email_sign_in_body(&merchant.name)],
        (&w.email_sign_in_button(), link),
        &[w.email_sign_in_expires(), w.email_sign_in_not_you()],
    );
    message.to = to.to_string();
    message
}

/// Job `mail.sign_in_link`: makes a fresh sign-in link for the customer and mails it to the
/// address the merchant has for them, in their language. Run twice, it sends two links, each
/// good on its own.
pub struct SignInLinkMail;

#[async_trait]
impl Handler for SignInLinkMail {
    fn kind(&self) -> &'static str {
        auth::SIGN_IN_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let field = |name: &str| {
            job.payload[name].as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("job without a {name}"))
        };
        let merchant = MerchantId::from_raw(field("merchant")?);
        let customer = CustomerId::from_raw(field("customer")?);
        let Some(mail) = auth::sign_in_mail(ctx, &merchant, &customer).await? else {
            tracing::info!(customer = customer.as_str(), "sign-in mail dropped: the customer has no address any more");
            return Ok(());
        };
        let lang = Lang::from_code(&mail.language).unwrap_or_default();
        let message = sign_in(lang, &mail.merchant, &mail.customer_name, &mail.email, &mail.link);
        ctx.mailer.send(&ctx.pool, &merchant, &message).await
    }
}

/// The receipt of a payment made through Kassa: what was received, how, and what it paid,
/// with the receipt's PDF attached.
pub fn receipt(lang: Lang, mail: &notices::ReceiptMail) -> Message {
    let w = lang.words();
    let r = &mail.receipt;
    let amount = money_in(lang, r.amount);
    let mut lines = vec![w.email_receipt_body(
        &r.merchant.name,
        &amount,
        crate::dates::moment_in(lang, r.at, &r.merchant.time_zone),
        crate::words::method_in(lang, &r.method),
    )];
    let mut applied = Money::zero(r.amount.currency());
    for (invoice, paid) in &r.applied {
        applied = applied.checked_add(*paid).unwrap_or(applied);
        let (number, paid) = (invoice.number.to_string(), money_in(lang, *paid));
        lines.push(if invoice.balance.is_positive() {
            w.email_receipt_invoice(&number, &paid, money_in(lang, invoice.balance))
        } else {
            w.email_receipt_invoice_settled(&number, &paid)
        });
    }
    if let Ok(credit) = r.amount.checked_sub(applied) {
        if credit.is_positive() {
            lines.push(w.email_receipt_credit(money_in(lang, credit)));
        }
    }
    if !r.reference.is_empty() {
        lines.push(w.email_receipt_reference(&r.reference));
    }
    let frame = Frame::to_debtor(lang, &r.merchant, &mail.to.name);
    let mut message = with_button(
        &frame,
        w.email_receipt_subject(&amount, &r.merchant.name),
        &lines,
        (&w.email_portal_button(), &mail.portal_url),
        &[w.email_receipt_attached()],
    );
    message.to = mail.to.email.clone();
    message.attachments.push(Attachment {
        filename: format!("receipt-{}.pdf", r.payment),
        content_type: "application/pdf".into(),
        bytes: crate::pdf::receipt(lang, r, mail.logo.as_ref()),
    });
    message
}

/// A payment the debtor was told is on its way failed after all (a direct debit the bank
/// refused): what, why, and where to pay another way.
pub fn payment_failed(lang: Lang, failed: &notices::FailedPayment, to: &notices::Addressee) -> Message {
    let w = lang.words();
    let merchant = &failed.merchant;
    let reason = crate::words::decline_in(lang, failed.decline_code.as_deref().unwrap_or_default());
    let body = w.email_payment_failed_body(
        money_in(lang, failed.amount),
        crate::words::method_in(lang, &failed.method),
        &reason,
    );
    let frame = Frame::to_debtor(lang, merchant, &to.name);
    let mut message = with_button(
        &frame,
        w.email_payment_failed_subject(&merchant.name),
        &[body, w.email_payment_failed_invoices(failed.invoices.join(", "))],
        (&w.email_pay_button(), &failed.portal_url),
        &[],
    );
    message.to = to.email.clone();
    message
}

/// The same failure told to the merchant's staff, and whether the debtor was told.
pub fn staff_payment_failed(lang: Lang, failed: &notices::FailedPayment, debtor_told: bool, to: &str) -> Message {
    let w = lang.words();
    let merchant = &failed.merchant;
    let amount = money_in(lang, failed.amount);
    let reason = crate::words::decline_in(lang, failed.decline_code.as_deref().unwrap_or_default());
    let lines = [
        w.email_staff_payment_failed_body(
            &amount,
            crate::words::method_in(lang, &failed.method),
            &failed.customer_name,
            &reason,
        ),
        w.email_staff_payment_failed_invoices(failed.invoices.join(", ")),
        if debtor_told { w.email_staff_payment_failed_told() } else { w.email_staff_payment_failed_no_address() },
    ];
    let frame =
        Frame { lang, merchant, greeting: w.email_staff_greeting(), footer: w.email_staff_footer(&merchant.name) };
    let mut message = with_button(
        &frame,
        w.email_staff_payment_failed_subject(&failed.customer_name, &amount),
        &lines,
        (&w.email_staff_button(), &failed.admin_url),
        &[],
    );
    message.to = to.to_string();
    message
}

/// What staff wrote in a debtor's dispute (an answer, or the resolution and what it did to the
/// invoice), with a button to the invoice's page.
pub fn dispute(lang: Lang, mail: &disputes::DisputeMail) -> Message {
    use kassa_domain::dispute::Outcome;
    let w = lang.words();
    let merchant = &mail.merchant;
    let d = &mail.dispute;
    let invoice = d.invoice.to_string();
    let what = match (d.outcome, &d.credit_note) {
        (Some(Outcome::CreditedInFull | Outcome::CreditedInPart), Some((number, amount))) => {
            w.email_dispute_credited(&merchant.name, &invoice, number.to_string(), money_in(lang, *amount))
        }
        (Some(Outcome::Adjusted), _) => w.email_dispute_adjusted(&merchant.name, &invoice),
        (Some(_), _) => w.email_dispute_rejected(&merchant.name, &invoice, money_in(lang, d.amount)),
        (None, _) => w.email_dispute_answered(&merchant.name, &invoice),
    };
    let lines = if d.outcome.is_some() {
        vec![what, w.email_dispute_their_words(), mail.body.clone()]
    } else {
        vec![what, mail.body.clone()]
    };
    let frame = Frame::to_debtor(lang, merchant, &mail.to.name);
    let mut message =
        with_button(&frame, w.email_dispute_subject(&invoice), &lines, (&w.email_dispute_button(), &mail.url), &[]);
    message.to = mail.to.email.clone();
    message
}

/// Job `mail.dispute`: what staff wrote in a dispute, to the debtor in their language. Run
/// twice, it sends twice.
pub struct DisputeMail;

#[async_trait]
impl Handler for DisputeMail {
    fn kind(&self) -> &'static str {
        disputes::DISPUTE_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let Some(mail) = disputes::mail(ctx, &job.payload).await? else {
            tracing::info!("no dispute answer mailed: the customer has no address");
            return Ok(());
        };
        let lang = Lang::from_code(&mail.to.language).unwrap_or_default();
        ctx.mailer.send(&ctx.pool, &mail.merchant.id, &dispute(lang, &mail)).await
    }
}

/// What became of a debtor's payment plan (received, agreed with the agreement's PDF
/// attached, not accepted, ended, paid), or a reminder of an instalment, to `to`.
pub fn plan(lang: Lang, mail: &plans::PlanMail, to: &notices::Addressee) -> Message {
    use kassa_core::services::mandates::MandateStatus;
    use plans::MailKind;
    let w = lang.words();
    let merchant = &mail.merchant;
    let p = &mail.plan;
    let (total, schedule) = (money_in(lang, p.total), crate::words::plan_summary(lang, &p.schedule()));
    let schedule_lines = || {
        p.instalments
            .iter()
            .map(|i| w.email_plan_instalment(i.seq, crate::dates::date_in(lang, i.due), money_in(lang, i.amount)))
    };
    let mut lines = Vec::new();
    let mut subject = w.email_plan_subject(&merchant.name);
    match mail.kind {
        MailKind::Proposed => {
            lines.push(w.email_plan_proposed(&merchant.name, &total, &schedule));
            lines.extend(schedule_lines());
        }
        MailKind::Accepted => {
            lines.push(w.email_plan_accepted(&merchant.name, &total, &schedule));
            lines.extend(schedule_lines());
        }
        MailKind::Rejected => {
            lines.push(w.email_plan_rejected(&merchant.name, &total, &schedule));
            if let Some(reason) = &p.decision_reason {
                lines.push(w.email_plan_reason(reason));
            }
        }
        MailKind::Reminder => {
            if let Some(i) = &mail.instalment {
                let date = crate::dates::date_in(lang, i.due);
                subject = w.email_plan_reminder_subject(&date);
                // Collected from the mandate while one is active (SEPA's notice before a debit).
                let mandate = p.direct_debit.as_ref().filter(|d| d.status == MandateStatus::Active);
                lines.push(match mandate.and_then(|d| d.last4.as_deref()) {
                    Some(last4) => {
                        w.email_plan_reminder_debit(i.seq, money_in(lang, i.amount), &merchant.name, last4, &date)
                    }
                    None => w.email_plan_reminder(i.seq, money_in(lang, i.amount), &merchant.name, &date),
                });
            }
        }
        MailKind::Broken => lines.push(w.email_plan_broken(&merchant.name, money_in(lang, p.remaining()))),
        MailKind::Completed => lines.push(w.email_plan_completed(&merchant.name)),
    }
    let frame = Frame::to_debtor(lang, merchant, &to.name);
    let mut message = with_button(&frame, subject, &lines, (&w.email_plan_button(), &mail.url), &[]);
    message.to = to.email.clone();
    if mail.kind == MailKind::Accepted {
        message.attachments.push(Attachment {
            filename: format!("{}-{}.pdf", w.plan_pdf_file(), p.id),
            content_type: "application/pdf".into(),
            bytes: crate::pdf::plan(lang, merchant, p, mail.logo.as_ref()),
        });
    }
    message
}

/// Staff told of a plan that needs them: a proposal outside the policy waiting for approval,
/// or a plan broken by a missed instalment; with a button to its page in the admin.
pub fn staff_plan(lang: Lang, mail: &plans::PlanMail, to: &str) -> Message {
    use plans::MailKind;
    let w = lang.words();
    let merchant = &mail.merchant;
    let p = &mail.plan;
    let customer = format!("{} ({})", p.customer_name, p.customer_number);
    let currency = p.total.currency();
    let (subject, body) = if mail.kind == MailKind::Broken {
        (
            w.email_staff_plan_broken_subject(&customer),
            w.email_staff_plan_broken(&customer, money_in(lang, p.remaining())),
        )
    } else {
        let breaches = p.breaches.iter().map(|b| crate::words::plan_breach(lang, *b, currency)).collect::<Vec<_>>();
        let body = w.email_staff_plan_proposed(
            &customer,
            money_in(lang, p.total),
            crate::words::plan_summary(lang, &p.schedule()),
            breaches.join("; "),
        );
        (w.email_staff_plan_proposed_subject(&customer), body)
    };
    let mut lines = vec![body];
    if mail.to.is_none() {
        lines.push(w.email_staff_plan_no_address());
    }
    let frame =
        Frame { lang, merchant, greeting: w.email_staff_greeting(), footer: w.email_staff_footer(&merchant.name) };
    let mut message = with_button(&frame, subject, &lines, (&w.email_staff_button(), &mail.admin_url), &[]);
    message.to = to.to_string();
    message
}

/// Job `mail.plan`: a payment plan's news or reminder, to the debtor in their language. Run
/// twice, it sends twice; a reminder of an instalment paid meanwhile is dropped.
pub struct PlanMail;

#[async_trait]
impl Handler for PlanMail {
    fn kind(&self) -> &'static str {
        plans::PLAN_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let Some(mail) = plans::mail(ctx, &job.payload).await? else {
            tracing::info!("no reminder sent: the instalment was paid meanwhile");
            return Ok(());
        };
        match &mail.to {
            Some(to) => {
                let lang = Lang::from_code(&to.language).unwrap_or_default();
                ctx.mailer.send(&ctx.pool, &mail.merchant.id, &plan(lang, &mail, to)).await?;
            }
            None => tracing::info!("no plan mail to the debtor: the customer has no address"),
        }
        for staff in &mail.staff {
            let lang = Lang::from_code(&staff.language).unwrap_or_default();
            ctx.mailer.send(&ctx.pool, &mail.merchant.id, &staff_plan(lang, &mail, &staff.email)).await?;
        }
        Ok(())
    }
}

/// Job `mail.receipt`: the receipt of a payment, to the address the merchant has for its
/// debtor, in their language. Run twice, it sends the receipt twice.
pub struct ReceiptMail;

#[async_trait]
impl Handler for ReceiptMail {
    fn kind(&self) -> &'static str {
        notices::RECEIPT_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let ids = notices::JobIds::of(&job.payload)?;
        let Some(mail) = notices::receipt_mail(ctx, &ids).await? else {
            tracing::info!(customer = ids.customer.as_str(), "no receipt mailed: the customer has no address");
            return Ok(());
        };
        let lang = Lang::from_code(&mail.to.language).unwrap_or_default();
        ctx.mailer.send(&ctx.pool, &ids.merchant, &receipt(lang, &mail)).await
    }
}

/// Job `mail.payment_failed`: tells the debtor that a payment on its way failed, in their
/// language.
pub struct PaymentFailedMail;

#[async_trait]
impl Handler for PaymentFailedMail {
    fn kind(&self) -> &'static str {
        notices::PAYMENT_FAILED_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let ids = notices::JobIds::of(&job.payload)?;
        let failed = notices::failed_payment(ctx, &ids).await?;
        let Some(to) = notices::debtor_of(ctx, &failed).await? else {
            tracing::info!(customer = ids.customer.as_str(), "no failure mailed: the customer has no address");
            return Ok(());
        };
        let lang = Lang::from_code(&to.language).unwrap_or_default();
        ctx.mailer.send(&ctx.pool, &ids.merchant, &payment_failed(lang, &failed, &to)).await
    }
}

/// Job `mail.staff.payment_failed`: tells the merchant's admins and collectors, each in the
/// language they last signed in with. Run again after a failure half-way, the first
/// recipients hear it twice.
pub struct StaffPaymentFailedMail;

#[async_trait]
impl Handler for StaffPaymentFailedMail {
    fn kind(&self) -> &'static str {
        notices::STAFF_PAYMENT_FAILED_MAIL
    }

    async fn run(&self, ctx: &Ctx, job: &Job) -> anyhow::Result<()> {
        let ids = notices::JobIds::of(&job.payload)?;
        let failed = notices::failed_payment(ctx, &ids).await?;
        let told = notices::debtor_of(ctx, &failed).await?.is_some();
        for staff in notices::payment_staff(ctx, &failed.merchant).await? {
            let lang = Lang::from_code(&staff.language).unwrap_or_default();
            ctx.mailer.send(&ctx.pool, &ids.merchant, &staff_payment_failed(lang, &failed, told, &staff.email)).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_reads_on_the_merchants_colour() {
        assert_eq!(ink_on("#0b5cad"), "#ffffff");
        assert_eq!(ink_on("#1f4e79"), "#ffffff");
        assert_eq!(ink_on("#ffd400"), "#000000");
        assert_eq!(ink_on("#ffffff"), "#000000");
    }
}
