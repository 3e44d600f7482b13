//! `<kassa-pay token="...">`: the pay widget merchants put on their own pages. It shows what
//! is due on one invoice and opens Kassa's pay page; it fires `kassa:status` (and `kassa:paid`)
//! DOM events for the host page. Built without a framework and without serde, reading JSON
//! through `js_sys`, to keep the download small (see docs/measurements.md).
//!
//! The custom element itself is defined by a few lines of JS (`js/kassa.js`) that call
//! [`render`]; everything the element shows is built here, in a shadow root.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CustomEvent, CustomEventInit, HtmlElement, Request, RequestInit, RequestMode, Response, ShadowRoot, ShadowRootInit,
    ShadowRootMode,
};

const STYLE: &str = "<style>\
:host{display:block;font-family:var(--kassa-font,system-ui,sans-serif);color:var(--kassa-text,#1b1f24)}\
.card{border:1px solid var(--kassa-border,#c9d0da);border-radius:var(--kassa-radius,8px);padding:12px 16px;background:var(--kassa-surface,#fff);max-width:22rem}\
.merchant{margin:0;color:var(--kassa-muted,#4a5260);font-size:.9rem}\
.amount{margin:4px 0;font-size:1.5rem;font-weight:600;font-variant-numeric:tabular-nums}\
.status{margin:0 0 8px}\
a{display:inline-block;background:var(--kassa-brand,#0b5cad);color:var(--kassa-brand-contrast,#fff);padding:8px 16px;border-radius:6px;text-decoration:none;font-weight:600}\
a:focus-visible{outline:3px solid var(--kassa-brand,#0b5cad);outline-offset:2px}\
.paid{color:#1b6b3a;font-weight:600}.error{color:#a4161a}\
</style>";

fn shadow(host: &HtmlElement) -> Result<ShadowRoot, JsValue> {
    match host.shadow_root() {
        Some(root) => Ok(root),
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)),
    }
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

fn emit(host: &HtmlElement, name: &str, status: &str, number: &str) -> Result<(), JsValue> {
    let detail = Object::new();
    Reflect::set(&detail, &"status".into(), &status.into())?;
    Reflect::set(&detail, &"invoice".into(), &number.into())?;
    let init = CustomEventInit::new();
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    let event = CustomEvent::new_with_event_init_dict(name, &init)?;
    host.dispatch_event(&event)?;
    Ok(())
}

fn show_error(root: &ShadowRoot, message: &str) -> Result<(), JsValue> {
    root.set_inner_html(&format!(
        "{STYLE}<div class=\"card\" part=\"card\"><p class=\"error\" role=\"alert\"></p></div>"
    ));
    set_text(root, ".error", message)
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

/// Renders the element for its `token` attribute from `endpoint` (Kassa's `/w/v1/invoice`);
/// resolves to the invoice status (`open`, `partly_paid`, `overdue`, `in_plan`, `disputed`,
/// `promised`, `paid`, `credited`, `written_off`) or `error`.
#[wasm_bindgen]
pub async fn render(host: HtmlElement, endpoint: String) -> Result<JsValue, JsValue> {
    let root = shadow(&host)?;
    if root.child_element_count() == 0 {
        root.set_inner_html(&format!("{STYLE}<div class=\"card\" part=\"card\" aria-busy=\"true\">Loading…</div>"));
    }
    let Some(token) = host.get_attribute("token").filter(|t| !t.is_empty()) else {
        show_error(&root, "This payment button is missing its token.")?;
        return Ok("error".into());
    };
    let url = format!("{endpoint}?token={}", String::from(js_sys::encode_uri_component(&token)));
    let (http_status, body) = match fetch_json(&url).await {
        Ok(answer) => answer,
        Err(_) => {
            show_error(&root, "Kassa could not be reached. Check your connection and reload the page.")?;
            return Ok("error".into());
        }
    };
    if http_status != 200 {
        let message = field(&body, "error");
        show_error(&root, if message.is_empty() { "This invoice cannot be shown." } else { &message })?;
        return Ok("error".into());
    }
    let status = field(&body, "status");
    let number = field(&body, "number");
    let paid = status == "paid";
    let action = if paid {
        "<p class=\"paid\" role=\"status\">Paid. Thank you!</p>"
    } else {
        "<a part=\"button\" target=\"_blank\" rel=\"noopener\"></a>"
    };
    root.set_inner_html(&format!(
        "{STYLE}<div class=\"card\" part=\"card\"><p class=\"merchant\"></p>\
         <p class=\"amount\"></p><p class=\"status\"></p>{action}</div>"
    ));
    set_text(&root, ".merchant", &format!("{} · invoice {}", field(&body, "merchant"), number))?;
    let status_text = match status.as_str() {
        "paid" => "Paid",
        "overdue" => "Overdue",
        "partly_paid" => "Partly paid",
        "in_plan" => "In a payment plan",
        "disputed" => "Disputed",
        "promised" => "Promised",
        "credited" => "Credited",
        "written_off" => "Written off",
        _ => "Open",
    };
    if paid {
        set_text(&root, ".amount", &field(&body, "total_text"))?;
    } else {
        set_text(&root, ".amount", &field(&body, "amount_due_text"))?;
    }
    set_text(&root, ".status", &format!("Status: {status_text}"))?;
    if let Some(link) = root.query_selector("a")? {
        link.set_attribute("href", &field(&body, "pay_url"))?;
        link.set_text_content(Some(&format!("Pay {}", field(&body, "amount_due_text"))));
    }
    host.set_attribute("data-status", &status)?;
    emit(&host, "kassa:status", &status, &number)?;
    if paid {
        emit(&host, "kassa:paid", &status, &number)?;
    }
    Ok(status.into())
}
