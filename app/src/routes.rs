//! The HTML document around every page and the routes of the portal and the admin.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::{
    accessibility, admin, components, customers_admin, disputes_admin, jobs, mailbox, payments_admin, plans,
    plans_admin, portal, promises_admin, settings, statement, webhooks, widgets_admin,
};

/// Where the stylesheet is (`/pkg/kassa-<hash>.css`), as the server found it in the site's
/// manifest; provided to every render.
#[derive(Debug, Clone)]
pub struct StylesheetHref(pub String);

/// The widgets' script as a merchant's page names it: `/w/v1/kassa-<hash>.js` and its
/// Subresource Integrity hash (`sha384-...`), as the server found them in the site's
/// `w/kassa.json`; provided to every render (the admin's snippets).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct WidgetScript {
    /// The path on Kassa (`/w/v1/kassa-<hash>.js`).
    pub script: String,
    /// `None` when the site has no pinned script.
    pub integrity: Option<String>,
}

impl WidgetScript {
    /// The newest script, not pinned.
    pub fn unpinned() -> WidgetScript {
        WidgetScript { script: "/w/v1/kassa.js".into(), integrity: None }
    }

    /// The `<script>` tag that loads it from Kassa at `root` (`https://kassa.example`).
    pub fn tag(&self, root: &str) -> String {
        match &self.integrity {
            Some(hash) => format!(
                "<script type=\"module\" src=\"{root}{}\" integrity=\"{hash}\" crossorigin=\"anonymous\"></script>",
                self.script
            ),
            None => format!("<script type=\"module\" src=\"{root}{}\"></script>", self.script),
        }
    }
}

/// The HTML document around the app, rendered on the server. Its type is erased (`AnyView`):
/// the whole app's view type would otherwise be spelled out in every generic function the
/// server instantiates with it (docs/decisions.md, "Erased view types").
pub fn shell(options: LeptosOptions) -> AnyView {
    crate::backend::set_content_security_policy();
    let css = use_context::<StylesheetHref>().map(|s| s.0).unwrap_or_else(|| "/pkg/kassa.css".into());
    view! {
        <!DOCTYPE html>
        <html lang=crate::i18n::lang().code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" type="image/svg+xml" href="/assets/favicon.svg"/>
                <link rel="stylesheet" id="kassa" href=css/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
    .into_any()
}

#[component]
pub fn App() -> AnyView {
    provide_meta_context();
    view! {
        <Title formatter=|text| format!("{text} · Kassa")/>
        <a class="skip-link" href="#main">{crate::i18n::t().skip_to_content()}</a>
        <Router>
            <Routes fallback=components::NotFound>
                <Route path=path!("/p/:merchant") view=portal::PortalHome ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/invoices/:number") view=portal::InvoicePage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/checkout") view=portal::PayPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/payments/:payment") view=portal::ReceiptPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/statement") view=statement::StatementPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/plan") view=plans::PlanPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/plans/:id") view=plans::AgreementPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:merchant/signed-out") view=portal::SignedOut/>
                <Route path=path!("/p/:merchant/accessibility") view=accessibility::AccessibilityPage ssr=SsrMode::Async/>
                <Route path=path!("/admin") view=admin::AdminHome ssr=SsrMode::Async/>
                <Route path=path!("/admin/login") view=admin::LoginPage/>
                <Route path=path!("/admin/webhooks") view=webhooks::WebhooksPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/jobs") view=jobs::JobsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/settings") view=settings::SettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/mail") view=mailbox::MailPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/payments") view=payments_admin::PaymentsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/promises") view=promises_admin::PromisesPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/widgets") view=widgets_admin::WidgetsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/disputes") view=disputes_admin::DisputesPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/disputes/:id") view=disputes_admin::DisputePage ssr=SsrMode::Async/>
                <Route path=path!("/admin/customers/:id") view=customers_admin::CustomerPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/plans") view=plans_admin::PlansPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/plans/:id") view=plans_admin::PlanPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/set-password/:token") view=admin::SetPasswordPage/>
            </Routes>
        </Router>
    }
    .into_any()
}
