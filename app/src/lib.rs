//! Kassa's web UI in Leptos: the debtor portal (`/p/{merchant}/...`) and the staff admin
//! (`/admin/...`). Every page renders completely on the server, in the visitor's language
//! (`i18n`), and its forms are plain posts, so everything works without wasm; in the browser
//! only the `#[island]` components hydrate (docs/decisions.md, "Islands"): the browser's build
//! holds `islands` and the `model` they use, nothing else.
//! Server functions are thin: they resolve the principal from the session, call one
//! `kassa-core` service and map its answer to a view model (`backend`, server only).

#[cfg(feature = "ssr")]
pub mod accessibility;
#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod backend;
#[cfg(feature = "ssr")]
pub mod badge;
#[cfg(feature = "ssr")]
pub mod components;
#[cfg(feature = "ssr")]
pub mod customers_admin;
#[cfg(feature = "ssr")]
pub mod dates;
#[cfg(feature = "ssr")]
pub mod disputes_admin;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod i18n;
pub mod islands;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod mailbox;
pub mod model;
#[cfg(feature = "ssr")]
pub mod money;
#[cfg(feature = "ssr")]
pub mod payments_admin;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod plans;
#[cfg(feature = "ssr")]
pub mod plans_admin;
#[cfg(feature = "ssr")]
pub mod portal;
#[cfg(feature = "ssr")]
pub mod promises_admin;
#[cfg(feature = "ssr")]
mod routes;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod statement;
#[cfg(feature = "ssr")]
pub mod webhooks;
#[cfg(feature = "ssr")]
pub mod widgets_admin;
#[cfg(feature = "ssr")]
pub mod words;

#[cfg(feature = "ssr")]
pub use routes::{shell, App, StylesheetHref, WidgetScript};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
