//! The portal's accessibility statement (`/p/{merchant}/accessibility`), as GOV.UK Pay
//! publishes one: the standard aimed at, how it is tested, the gaps known, whom to tell. Anyone
//! may read it, signed in or not; linked from every portal page's footer.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::PortalFrame;
use crate::i18n::t;
use crate::model::Branding;

/// When the statement was last checked against what Kassa does.
const REVIEWED: time::Date = time::macros::date!(2026 - 12 - 02);

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let branding =
        Resource::new(move || params.read().get("merchant").unwrap_or_default(), crate::portal::load_branding);
    crate::portal::portal_page(branding, t().loading(), |b| view! { <AccessibilityStatement branding=b/> })
}

#[component]
fn AccessibilityStatement(branding: Branding) -> impl IntoView {
    let w = t();
    let merchant = branding.name.clone();
    view! {
        <Title text=w.accessibility_title()/>
        <PortalFrame branding public=true>
            <h1>{w.accessibility_title()}</h1>
            <p>{w.accessibility_intro(&merchant)}</p>
            <h2>{w.accessibility_standard_heading()}</h2>
            <p>{w.accessibility_standard()}</p>
            <h2>{w.accessibility_tested_heading()}</h2>
            <ul>
                <li>{w.accessibility_tested_axe()}</li>
                <li>{w.accessibility_tested_keyboard()}</li>
                <li>{w.accessibility_tested_no_js()}</li>
            </ul>
            <p>{w.accessibility_tested_limits()}</p>
            <h2>{w.accessibility_gaps_heading()}</h2>
            <ul>
                <li>{w.accessibility_gap_pdf()}</li>
                <li>{w.accessibility_gap_audit()}</li>
            </ul>
            <h2>{w.accessibility_contact_heading()}</h2>
            <p>{w.accessibility_contact(&merchant)}</p>
            <p>{w.accessibility_enforcement()}</p>
            <p>{w.accessibility_reviewed(crate::dates::date(REVIEWED))}</p>
        </PortalFrame>
    }
}
