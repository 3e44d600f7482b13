//! `<kassa-pay token="..." lang="nl">`: the pay widget merchants put on their own pages. It
//! shows what is due on one invoice, in the element's language, and opens Kassa's pay page in
//! an overlay (an iframe only the token's sites may frame) or, as the fallback, a new tab. It
//! fires DOM events for the host page: `kassa:ready` (first shown), `kassa:status` (every time
//! it is shown), `kassa:paid` (it turned paid while the page was open), `kassa:closed` (the
//! overlay was closed) and `kassa:error`. Built without a framework and without serde, reading
//! JSON through `js_sys`, to keep the download small (see docs/measurements.md); the words and
//! formatted amounts come from Kassa, in the language asked for.
//!
//! Its styles are a constructed stylesheet adopted by its shadow root: no `<style>` element and
//! no `style` attribute, so a host page's strict `style-src` has nothing to allow. The custom
//! element itself is defined by a few lines of JS (`js/kassa.js`) that call into this crate.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CssStyleSheet, CustomEvent, CustomEventInit, Element, HtmlElement, Request, RequestInit, RequestMode, Response,
    ShadowRoot, ShadowRootInit, ShadowRootMode,
};

/// Documented custom properties (`--kassa-*`) and parts (`card`, `heading`, `amount`, `due`,
/// `status`, `button`, `paid`, `error`, `overlay`, `dialog`, `close`, `frame`; for
/// `<kassa-invoices>` also `list`, `invoice`, `checkbox`) theme it.
const STYLE: &str = ":host{display:block;font-family:var(--kassa-font,system-ui,sans-serif);color:var(--kassa-text,#1b1f24)}\
.card{border:1px solid var(--kassa-border,#c9d0da);border-radius:var(--kassa-radius,8px);padding:12px 16px;background:var(--kassa-surface,#fff);max-width:22rem}\
.heading,.due{margin:0;color:var(--kassa-muted,#4a5260);font-size:.9rem}\
.amount{margin:4px 0;font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}\
.status{margin:0 0 8px}\
.pay{display:inline-block;background:var(--kassa-brand,#0b5cad);color:var(--kassa-brand-contrast,#fff);padding:8px 16px;border-radius:6px;text-decoration:none;font-weight:600}\
a:focus-visible,button:focus-visible{outline:3px solid var(--kassa-brand,#0b5cad);outline-offset:2px}\
.paid{color:#1b6b3a;font-weight:600}.error{color:#a4161a}\
.overlay{position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:var(--kassa-backdrop,rgba(15,20,25,.6))}\
.dialog{display:flex;flex-direction:column;width:min(30rem,100vw);height:min(44rem,100vh);background:var(--kassa-surface,#fff);border-radius:var(--kassa-radius,8px);overflow:hidden}\
.bar{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:8px 12px;border-bottom:1px solid var(--kassa-border,#c9d0da)}\
.bar a{color:var(--kassa-link,#0b5cad);font-size:.9rem}\
.close{font:inherit;font-weight:600;padding:6px 12px;border:1px solid var(--kassa-border,#c9d0da);border-radius:6px;background:var(--kassa-surface,#fff);color:var(--kassa-text,#1b1f24);cursor:pointer}\
iframe{flex:1;width:100%;border:0}\
fieldset{border:0;margin:0;padding:0}legend{padding:0;margin:0 0 4px}\
.line{display:flex;align-items:center;gap:8px;min-height:44px;cursor:pointer}.line input{width:20px;height:20px;margin:0;flex:none}\
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 0}\
button.pay{font:inherit;border:0;cursor:pointer}";

thread_local! {
    /// One stylesheet for every element on the page.
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

fn sheet() -> Result<CssStyleSheet, JsValue> {
    SHEET.with(|cell| {
        if let Some(sheet) = cell.borrow().as_ref() {
            return Ok(sheet.clone());
        }
        let sheet = CssStyleSheet::new()?;
        sheet.replace_sync(STYLE)?;
        *cell.borrow_mut() = Some(sheet.clone());
        Ok(sheet)
    })
}

fn shadow(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    if let Some(root) = host.shadow_root() {
        return Ok(root);
    }
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let sheet: JsValue = sheet()?.into();
    root.set_adopted_style_sheets(&Array::of1(&sheet));
    Ok(root)
}

fn field(obj: &JsValue, name: &str) -> String {
    Reflect::get(obj, &JsValue::from_str(name)).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn set_text(root: &ShadowRoot, selector: &str, text: &str) -> Result<(), JsValue> {
    if let Some(el) = root.query_selector(selector)? {
        el.set_text_content(Some(text));
    }
    Ok(())
}

fn emit(host: &HtmlElement, name: &str, detail: &[(&str, &str)]) -> Result<(), JsValue> {
    let object = Object::new();
    for (key, value) in detail {
        Reflect::set(&object, &(*key).into(), &(*value).into())?;
    }
    let init = CustomEventInit::new();
    init.set_detail(&object);
    init.set_bubbles(true);
    init.set_composed(true);
    let event = CustomEvent::new_with_event_init_dict(name, &init)?;
    host.dispatch_event(&event)?;
    Ok(())
}

/// The element's language: its own `lang`, else the nearest one around it (the page's).
fn language(host: &HtmlElement) -> String {
    let lang = match host.get_attribute("lang") {
        Some(lang) => lang,
        None => host.closest("[lang]").ok().flatten().and_then(|el| el.get_attribute("lang")).unwrap_or_default(),
    };
    lang.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase()
}

/// What the element says before Kassa answers, or when it cannot: the only words it carries.
fn own_words(lang: &str) -> [&'static str; 3] {
    match lang {
        "nl" => [
            "Laden…",
            "Deze betaalknop mist zijn token.",
            "Kassa is niet bereikbaar. Controleer uw verbinding en laad de pagina opnieuw.",
        ],
        "da" => [
            "Indlæser…",
            "Denne betalingsknap mangler sit token.",
            "Kassa kunne ikke nås. Tjek din forbindelse, og genindlæs siden.",
        ],
        _ => [
            "Loading…",
            "This payment button is missing its token.",
            "Kassa could not be reached. Check your connection and reload the page.",
        ],
    }
}

/// The element's card (the shadow root's first child; an open overlay is its sibling, left
/// alone when the card is drawn again, so that its frame does not reload).
fn card(root: &ShadowRoot) -> Result<Element, JsValue> {
    if let Some(card) = root.query_selector(".card")? {
        return Ok(card);
    }
    root.set_inner_html("<div class=\"card\" part=\"card\" tabindex=\"-1\" aria-busy=\"true\"></div>");
    root.query_selector(".card")?.ok_or_else(|| "no card".into())
}

fn show_error(host: &HtmlElement, root: &ShadowRoot, code: &str, message: &str) -> Result<(), JsValue> {
    let card = card(root)?;
    card.remove_attribute("aria-busy")?;
    card.set_inner_html("<p class=\"error\" part=\"error\" role=\"alert\"></p>");
    set_text(root, ".error", message)?;
    host.set_attribute("data-status", "error")?;
    emit(host, "kassa:error", &[("code", code), ("message", message)])
}

async fn fetch_json(url: &str) -> Result<(u16, JsValue), JsValue> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::Cors);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await?.dyn_into()?;
    let body = JsFuture::from(response.json()?).await?;
    Ok((response.status(), body))
}

/// Kassa's answer at `endpoint` for the element's `token` attribute, in its language; `None`
/// once the element shows why there is none (and fired `kassa:error`).
async fn load(host: &HtmlElement, root: &ShadowRoot, endpoint: &str) -> Result<Option<JsValue>, JsValue> {
    let lang = language(host);
    let [loading, missing, unreachable] = own_words(&lang);
    if root.child_element_count() == 0 {
        card(root)?.set_text_content(Some(loading));
    }
    let Some(token) = host.get_attribute("token").filter(|t| !t.is_empty()) else {
        show_error(host, root, "missing_token", missing)?;
        return Ok(None);
    };
    let encode = |text: &str| String::from(js_sys::encode_uri_component(text));
    let url = format!("{endpoint}?token={}&lang={}", encode(&token), encode(&lang));
    let (http_status, body) = match fetch_json(&url).await {
        Ok(answer) => answer,
        Err(_) => {
            show_error(host, root, "unreachable", unreachable)?;
            return Ok(None);
        }
    };
    if http_status != 200 {
        let message = field(&body, "error");
        show_error(host, root, error_code(http_status), if message.is_empty() { unreachable } else { &message })?;
        return Ok(None);
    }
    Ok(Some(body))
}

/// Renders the element for its `token` attribute from `endpoint` (Kassa's `/w/v1/invoice`);
/// resolves to the invoice status (`open`, `partly_paid`, `overdue`, `in_plan`, `disputed`,
/// `promised`, `paid`, `credited`, `written_off`) or `error`. An open overlay stays open.
#[wasm_bindgen]
pub async fn render(host: HtmlElement, endpoint: String) -> Result<JsValue, JsValue> {
    let root = shadow(&host)?;
    let Some(body) = load(&host, &root, &endpoint).await? else {
        return Ok("error".into());
    };
    let words = Reflect::get(&body, &"words".into())?;
    let said = |name: &str| field(&words, name);
    let status = field(&body, "status");
    let number = field(&body, "number");
    let paid = status == "paid";
    let pay = said("pay");
    let action = if paid {
        "<p class=\"paid\" part=\"paid\" role=\"status\"></p>"
    } else if pay.is_empty() {
        ""
    } else {
        "<a class=\"pay\" part=\"button\" target=\"_blank\" rel=\"noopener\"></a>"
    };
    let card = card(&root)?;
    card.remove_attribute("aria-busy")?;
    card.set_inner_html(&format!(
        "<p class=\"heading\" part=\"heading\"></p><p class=\"amount\" part=\"amount\"></p>\
         <p class=\"due\" part=\"due\"></p><p class=\"status\" part=\"status\"></p>{action}"
    ));
    set_text(&root, ".heading", &said("heading"))?;
    set_text(&root, ".amount", &field(&body, if paid { "total_text" } else { "amount_due_text" }))?;
    let due = if paid { String::new() } else { said("due") };
    set_text(&root, ".due", &due)?;
    set_text(&root, ".status", &said("status"))?;
    set_text(&root, ".paid", &said("paid"))?;
    if let Some(link) = root.query_selector("a.pay")? {
        link.set_attribute("href", &field(&body, "page_url"))?;
        link.set_text_content(Some(&pay));
    }
    overlay_words(&card, &words)?;
    let before = host.get_attribute("data-status");
    host.set_attribute("data-status", &status)?;
    host.set_attribute("data-invoice", &number)?;
    let detail = [("status", status.as_str()), ("invoice", number.as_str())];
    if !host.has_attribute("data-ready") {
        host.set_attribute("data-ready", "")?;
        emit(&host, "kassa:ready", &detail)?;
    }
    emit(&host, "kassa:status", &detail)?;
    if paid && before.is_some_and(|b| b != "paid" && b != "error") {
        emit(&host, "kassa:paid", &detail)?;
    }
    Ok(status.into())
}

/// Renders `<kassa-invoices>` for its `token` attribute from `endpoint` (Kassa's
/// `/w/v1/invoices`): the customer's open invoices, each with a checkbox (the ones checked
/// before stay checked), "Pay selected" and "Pay all" per currency. Resolves to `open`, `paid`
/// (nothing left to pay) or `error`; the numbers shown are in `data-invoices`, and those gone
/// since the last render fire `kassa:paid`.
#[wasm_bindgen]
pub async fn render_list(host: HtmlElement, endpoint: String) -> Result<JsValue, JsValue> {
    let root = shadow(&host)?;
    let Some(body) = load(&host, &root, &endpoint).await? else {
        return Ok("error".into());
    };
    let words = Reflect::get(&body, &"words".into())?;
    let said = |name: &str| field(&words, name);
    let invoices = Array::from(&Reflect::get(&body, &"invoices".into())?);
    let totals = Array::from(&Reflect::get(&body, &"totals".into())?);
    // What was checked stays checked when the list is drawn again.
    let mut checked = Vec::new();
    for input in list(&root, "input:checked")? {
        checked.push(input.get_attribute("value").unwrap_or_default());
    }
    let card = card(&root)?;
    card.remove_attribute("aria-busy")?;
    let numbers: Vec<String> = invoices.iter().map(|i| field(&i, "number")).collect();
    if numbers.is_empty() {
        card.set_inner_html(
            "<p class=\"heading\" part=\"heading\"></p><p class=\"paid\" part=\"paid\" role=\"status\"></p>",
        );
        set_text(&root, ".paid", &said("none"))?;
    } else {
        let mut html = String::from("<fieldset part=\"list\"><legend class=\"heading\" part=\"heading\"></legend>");
        for _ in &numbers {
            html.push_str("<label class=\"line\" part=\"invoice\"><input type=\"checkbox\" part=\"checkbox\"><span></span></label>");
        }
        html.push_str(
            "</fieldset><p class=\"error\" part=\"error\" role=\"alert\"></p><p class=\"actions\">\
                       <button type=\"button\" class=\"pay pay-selected\" part=\"button\"></button>",
        );
        for _ in 0..totals.length() {
            html.push_str("<a class=\"pay pay-all\" part=\"button\" target=\"_blank\" rel=\"noopener\"></a>");
        }
        html.push_str("</p>");
        card.set_inner_html(&html);
        let lines = list(&root, "label.line")?;
        for ((line, invoice), number) in lines.iter().zip(invoices.iter()).zip(&numbers) {
            if let Some(input) = line.query_selector("input")? {
                input.set_attribute("value", number)?;
                if checked.contains(number) {
                    input.set_attribute("checked", "")?;
                }
            }
            if let Some(text) = line.query_selector("span")? {
                text.set_text_content(Some(&field(&invoice, "label")));
            }
        }
        for (link, total) in list(&root, "a.pay-all")?.iter().zip(totals.iter()) {
            link.set_attribute("href", &field(&total, "page_url"))?;
            link.set_text_content(Some(&field(&total, "pay_all")));
        }
        set_text(&root, ".pay-selected", &said("pay_selected"))?;
        card.set_attribute("data-page", &field(&body, "page_url"))?;
        card.set_attribute("data-choose-first", &said("choose_first"))?;
    }
    set_text(&root, ".heading", &said("heading"))?;
    overlay_words(&card, &words)?;
    let status = if numbers.is_empty() { "paid" } else { "open" };
    let before = host.get_attribute("data-invoices");
    let shown = numbers.join(",");
    host.set_attribute("data-status", status)?;
    host.set_attribute("data-invoices", &shown)?;
    let detail = [("status", status), ("invoices", shown.as_str())];
    if !host.has_attribute("data-ready") {
        host.set_attribute("data-ready", "")?;
        emit(&host, "kassa:ready", &detail)?;
    }
    emit(&host, "kassa:status", &detail)?;
    if let Some(before) = before {
        let gone: Vec<&str> = before.split(',').filter(|n| !n.is_empty() && !numbers.iter().any(|m| m == n)).collect();
        if !gone.is_empty() {
            emit(&host, "kassa:paid", &[("status", status), ("invoices", &gone.join(","))])?;
        }
    }
    Ok(status.into())
}

/// The pay page for the invoices checked in `<kassa-invoices>`, or `""` when none is (the
/// element then says to choose first).
#[wasm_bindgen]
pub fn chosen_url(host: HtmlElement) -> Result<String, JsValue> {
    let root = shadow(&host)?;
    let card = card(&root)?;
    let mut url = card.get_attribute("data-page").unwrap_or_default();
    let chosen = list(&root, "input:checked")?;
    if chosen.is_empty() {
        set_text(&root, ".error", &card.get_attribute("data-choose-first").unwrap_or_default())?;
        return Ok(String::new());
    }
    set_text(&root, ".error", "")?;
    for input in chosen {
        let number = input.get_attribute("value").unwrap_or_default();
        url.push_str(&format!("&invoice={}", String::from(js_sys::encode_uri_component(&number))));
    }
    Ok(url)
}

/// The elements in `root` that `selector` picks.
fn list(root: &ShadowRoot, selector: &str) -> Result<Vec<Element>, JsValue> {
    let found = root.query_selector_all(selector)?;
    Ok((0..found.length()).filter_map(|n| found.item(n)).filter_map(|node| node.dyn_into::<Element>().ok()).collect())
}

/// The `kassa:error` code of an answer with HTTP status `status`.
fn error_code(status: u16) -> &'static str {
    match status {
        400 => "wrong_element",
        403 => "origin_refused",
        404 => "invalid_token",
        _ => "unavailable",
    }
}

/// Keeps the overlay's words (from Kassa's answer) on the card, for [`open_overlay`].
fn overlay_words(card: &Element, words: &JsValue) -> Result<(), JsValue> {
    for name in ["dialog", "close", "frame", "open_in_tab"] {
        card.set_attribute(&format!("data-{}", name.replace('_', "-")), &field(words, name))?;
    }
    Ok(())
}

/// Opens Kassa's pay page at `url` in an overlay over the host page, its Close button focused;
/// `false` when the element shows nothing to pay (the caller then lets the link open its tab).
#[wasm_bindgen]
pub fn open_overlay(host: HtmlElement, url: String) -> Result<bool, JsValue> {
    let root = shadow(&host)?;
    if root.query_selector(".overlay")?.is_some() {
        return Ok(true);
    }
    let card = card(&root)?;
    if url.is_empty() || !card.has_attribute("data-dialog") {
        return Ok(false);
    }
    let data = |name: &str| card.get_attribute(&format!("data-{name}")).unwrap_or_default();
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let overlay = document.create_element("div")?;
    overlay.set_class_name("overlay");
    overlay.set_attribute("part", "overlay")?;
    overlay.set_inner_html(
        "<div class=\"dialog\" part=\"dialog\" role=\"dialog\" aria-modal=\"true\"><div class=\"bar\">\
         <a class=\"tab\" target=\"_blank\" rel=\"noopener\"></a>\
         <button type=\"button\" class=\"close\" part=\"close\"></button></div><iframe part=\"frame\"></iframe></div>",
    );
    let set = |selector: &str, attribute: Option<(&str, &str)>, text: Option<&str>| -> Result<(), JsValue> {
        if let Some(el) = overlay.query_selector(selector)? {
            if let Some((name, value)) = attribute {
                el.set_attribute(name, value)?;
            }
            if let Some(text) = text {
                el.set_text_content(Some(text));
            }
        }
        Ok(())
    };
    set(".dialog", Some(("aria-label", &data("dialog"))), None)?;
    set(".tab", Some(("href", &url)), Some(&data("open-in-tab")))?;
    set(".close", None, Some(&data("close")))?;
    set("iframe", Some(("title", &data("frame"))), None)?;
    set("iframe", Some(("src", &url)), None)?;
    root.append_child(&overlay)?;
    if let Some(close) = overlay.query_selector(".close")? {
        close.dyn_into::<HtmlElement>()?.focus()?;
    }
    Ok(true)
}

/// Closes the overlay, if open: focus back on the Pay button, and `kassa:closed`.
#[wasm_bindgen]
pub fn close_overlay(host: HtmlElement) -> Result<bool, JsValue> {
    let root = shadow(&host)?;
    let Some(overlay) = root.query_selector(".overlay")? else {
        return Ok(false);
    };
    overlay.remove();
    // Focus back where it was (the Pay button), or on the card once nothing is left to pay.
    if let Some(back) = root.query_selector(".pay")?.or(root.query_selector(".card")?) {
        back.dyn_into::<HtmlElement>()?.focus()?;
    }
    let number = host.get_attribute("data-invoice").unwrap_or_default();
    emit(&host, "kassa:closed", &[("invoice", number.as_str())])?;
    Ok(true)
}

/// Whether `source` (a message's `event.source`) is this element's overlay's frame.
#[wasm_bindgen]
pub fn frames(host: HtmlElement, source: JsValue) -> Result<bool, JsValue> {
    let root = shadow(&host)?;
    let Some(frame) = root.query_selector("iframe")? else {
        return Ok(false);
    };
    let frame: Element = frame;
    let window = Reflect::get(&frame, &"contentWindow".into())?;
    Ok(!window.is_null() && !window.is_undefined() && window == source)
}
