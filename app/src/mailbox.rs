//! `/admin/mail`: the mail catcher. Without an SMTP server (`--smtp-url`) Kassa keeps the mail
//! it would send in the database, and staff read the merchant's here: the demo's sign-in emails,
//! a developer's outbox. The messages hold sign-in links, so admins and the owner only.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::t;
use crate::model::MailOverview;

#[server(endpoint = "load_mail")]
pub async fn load_mail() -> Result<MailOverview, AppError> {
    use crate::backend as edge;
    use crate::model::MailRow;
    use kassa_core::services::records;
    edge::with_status(
        async {
            let (ctx, who) = edge::staff().await?;
            let caught = kassa_core::mail::caught(&ctx.pool, &who).await?;
            let staff = who.staff()?;
            let merchant = records::merchant_by_id(&ctx.pool, &staff.merchant).await?;
            let zone = merchant.time_zone;
            Ok(MailOverview {
                merchant_name: merchant.name,
                staff_email: staff.email.clone(),
                catching: ctx.mailer.catches(),
                messages: caught
                    .into_iter()
                    .map(|m| MailRow {
                        to: m.to,
                        subject: m.subject,
                        at: crate::dates::moment(m.at, &zone),
                        text: m.text,
                        attachments: m.attachments,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

#[component]
pub fn MailPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_mail());
    crate::admin::staff_page(overview, move |o| view! { <MailView overview=o/> })
}

#[component]
fn MailView(overview: MailOverview) -> impl IntoView {
    let w = t();
    view! {
        <Title text=w.admin_page_title(w.nav_mail())/>
        <crate::admin::AdminHeader merchant_name=overview.merchant_name staff_email=overview.staff_email/>
        <main id="main" class="admin-main">
            <h1>{w.mail_heading()}</h1>
            <p>{if overview.catching { w.mail_catching() } else { w.mail_smtp() }}</p>
            {if overview.messages.is_empty() {
                view! { <p>{w.mail_none()}</p> }.into_any()
            } else {
                overview.messages.into_iter().map(|m| view! {
                    <article class="caught-mail" data-testid="caught-mail">
                        <h2>{m.subject}</h2>
                        <p class="hint">{w.mail_to(&m.to, &m.at)}</p>
                        <pre>{m.text}</pre>
                        {(!m.attachments.is_empty()).then(|| view! {
                            <p class="hint">{w.mail_attached(m.attachments.join(", "))}</p>
                        })}
                    </article>
                }).collect_view().into_any()
            }}
        </main>
    }
}
