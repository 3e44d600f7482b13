// <kassa-pay token="..." lang="nl"> (one invoice) and <kassa-invoices token="..."> (a
// customer's open invoices): Kassa's pay widgets. This file only defines the custom elements
// and wires their events; the widgets themselves are Rust compiled to wasm. build_assets
// makes this file and wasm-bindgen's glue one script (scripts/widget-bundle.mjs), which names
// the wasm by its content and gives its SHA-384 here.
import init, { render, render_list, chosen_url, open_overlay, close_overlay, frames } from './kassa_widgets.js';

const WASM = { file: 'kassa_widgets_bg.wasm', sha384: '' };
const kassa = new URL(import.meta.url).origin;
const base64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
// The wasm runs only if it is the one this script was built with: a page that pins this script
// by its integrity hash then runs nothing else.
const ready = (async () => {
  const response = await fetch(new URL(WASM.file, import.meta.url));
  if (!response.ok) throw new Error(`Kassa's widget code is missing (${response.status})`);
  const bytes = await response.arrayBuffer();
  if (base64(await crypto.subtle.digest('SHA-384', bytes)) !== WASM.sha384) {
    throw new Error("Kassa's widget code failed its integrity check");
  }
  return init({ module_or_path: bytes });
})();
// After Pay, the element asks Kassa again: soon, then less and less often (at most every
// 30 s), not while the page is hidden, and for 20 minutes at most. No request storms.
const FIRST_CHECK_MS = 2000;
const LONGEST_WAIT_MS = 30000;
const WATCH_FOR_MS = 20 * 60 * 1000;
const ELEMENTS = 'kassa-pay, kassa-invoices';

const has = (path, name) => path.some((n) => n.classList && n.classList.contains(name));

class KassaElement extends HTMLElement {
  static get observedAttributes() { return ['token', 'lang']; }

  connectedCallback() {
    if (!this.wired) {
      this.wired = true;
      this.addEventListener('click', (event) => this.clicked(event));
      this.addEventListener('keydown', (event) => { if (event.key === 'Escape') this.close(); });
    }
    this.refresh();
  }

  disconnectedCallback() { clearTimeout(this.timer); }

  attributeChangedCallback() { if (this.isConnected) this.refresh(); }

  // The page `event` asks to pay, or nothing.
  payUrl(event, path) {
    const link = path.find((n) => n.classList && n.classList.contains('pay') && n.href);
    return link ? link.href : '';
  }

  clicked(event) {
    const path = event.composedPath();
    if (has(path, 'close')) return this.close();
    if (!has(path, 'pay')) return;
    const url = this.payUrl(event, path);
    if (!url) return;
    // A click meant for a new tab or window keeps the link's own way; so does a page that
    // cannot show the overlay.
    const elsewhere = event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0;
    if (!elsewhere && open_overlay(this, url)) event.preventDefault();
    this.watch();
  }

  close() {
    if (close_overlay(this)) this.refresh();
  }

  // Whether what the element shows settled since Pay was pressed (`shown` then).
  settled(status, shown) { return ['paid', 'error'].includes(status); }

  watch() {
    clearTimeout(this.timer);
    const until = Date.now() + WATCH_FOR_MS;
    const shown = this.getAttribute('data-invoices');
    let wait = FIRST_CHECK_MS;
    const check = async () => {
      if (!document.hidden && this.settled(await this.refresh(), shown)) return;
      wait = Math.min(wait * 1.5, LONGEST_WAIT_MS);
      if (Date.now() + wait < until) this.timer = setTimeout(check, wait);
    };
    this.timer = setTimeout(check, wait);
  }
}

class KassaPay extends KassaElement {
  async refresh() {
    await ready;
    return render(this, new URL('invoice', import.meta.url).href);
  }
}

class KassaInvoices extends KassaElement {
  async refresh() {
    await ready;
    return render_list(this, new URL('invoices', import.meta.url).href);
  }

  payUrl(event, path) {
    // "Pay selected" pays the invoices checked (none: the element says to choose first).
    return has(path, 'pay-selected') ? chosen_url(this) : super.payUrl(event, path);
  }

  settled(status, shown) {
    return super.settled(status, shown) || this.getAttribute('data-invoices') !== shown;
  }
}

// Kassa's pay page in an overlay says when one of its pages is shown (the invoices may have
// changed: the element asks Kassa, whose answer counts, not the message) and when Escape was
// pressed in it (the overlay closes).
window.addEventListener('message', (event) => {
  if (event.origin !== kassa || !event.data || !event.data.kassa) return;
  document.querySelectorAll(ELEMENTS).forEach((el) => {
    if (!el.refresh || !frames(el, event.source)) return;
    if (event.data.kassa === 'close') el.close();
    else el.refresh();
  });
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) document.querySelectorAll(ELEMENTS).forEach((el) => el.refresh && el.refresh());
});

if (!customElements.get('kassa-pay')) customElements.define('kassa-pay', KassaPay);
if (!customElements.get('kassa-invoices')) customElements.define('kassa-invoices', KassaInvoices);
