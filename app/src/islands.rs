//! Every island: the only components whose code reaches the browser (docs/decisions.md,
//! "Islands"). Islands take no props: Leptos would serialise them as JSON and every island
//! would bring a JSON parser into the one bundle all pages share (+23 KB br, measured), so
//! each reads what it needs (words, amounts, formats, all made on the server in the page's
//! language) from the `data-*` attributes of the server-rendered HTML around it. An island
//! never calls a server function or a router hook, marks its root `data-island="<name>"` and
//! adds `data-ready` once it is live, so browser tests wait for it. Everything here also
//! works, less conveniently, as the plain HTML it renders on the server.

use leptos::prelude::*;
use leptos::web_sys::Element;

use crate::model::MoneyFormat;

/// One chosen invoice, as its checkbox describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Picked {
    number: String,
    minor: i64,
    format: MoneyFormat,
}

/// What a selection checkbox says of its invoice: `value` (the number), `data-minor` (the
/// balance in minor units) and its currency's format (`data-currency`, `data-decimals`,
/// `data-prefix`, `data-suffix`, `data-group`, `data-decimal`).
fn picked(input: &Element) -> Option<Picked> {
    let attr = |name: &str| input.get_attribute(name);
    Some(Picked {
        number: attr("value")?,
        minor: attr("data-minor")?.parse().ok()?,
        format: MoneyFormat {
            currency: attr("data-currency")?,
            decimals: attr("data-decimals")?.parse().ok()?,
            prefix: attr("data-prefix")?,
            suffix: attr("data-suffix")?,
            group: attr("data-group")?,
            decimal: attr("data-decimal")?,
        },
    })
}

/// The sentence for the chosen invoices, from the words on `form` (`data-none`, `data-one`
/// with `{total}`, `data-many` with `{count}` and `{total}`, `data-mixed`).
fn summary(form: &Element, all: &[Picked]) -> String {
    let word = |name: &str| form.get_attribute(name).unwrap_or_default();
    let Some(first) = all.first() else {
        return word("data-none");
    };
    if all.iter().any(|p| p.format.currency != first.format.currency) {
        return word("data-mixed");
    }
    let total = first.format.format(all.iter().map(|p| p.minor).sum());
    let template = if all.len() == 1 { word("data-one") } else { word("data-many") };
    template.replace("{count}", &all.len().to_string()).replace("{total}", &total)
}

/// Around the open invoices' checkboxes (server-rendered children) inside a `<form>` that
/// carries the words: says live how many are chosen and what they come to. Without it the
/// form still works: its next page shows the total.
#[island]
pub fn PickInvoices(children: Children) -> impl IntoView {
    let chosen = StoredValue::new(Vec::<Picked>::new());
    let said = RwSignal::new(String::new());
    let ready = RwSignal::new(false);
    // Effects run in the browser only, once the island is hydrated.
    Effect::new(move || ready.set(true));
    let on_change = move |ev: leptos::ev::Event| {
        let input = event_target::<Element>(&ev);
        let (Some(this), Ok(Some(form))) = (picked(&input), input.closest("form")) else {
            return;
        };
        let checked = event_target_checked(&ev);
        chosen.update_value(|all| {
            all.retain(|p| p.number != this.number);
            if checked {
                all.push(this);
            }
        });
        said.set(chosen.with_value(|all| summary(&form, all)));
    };
    view! {
        <div data-island="pick-invoices" data-ready=move || ready.get().then_some("") on:change=on_change>
            {children()}
            <p class="selection-total" role="status" aria-live="polite" data-testid="selection-total">{said}</p>
        </div>
    }
}
