// <kassa-pay token="..." lang="nl">: Kassa's pay widget. This file only defines the custom
// element and wires its events; the widget itself is Rust compiled to wasm
// (kassa_widgets.js + kassa_widgets_bg.wasm).
import init, { render, open_overlay, close_overlay, frames } from './kassa_widgets.js';

const kassa = new URL(import.meta.url).origin;
const endpoint = new URL('invoice', import.meta.url).href;
const ready = init({ module_or_path: new URL('kassa_widgets_bg.wasm', import.meta.url) });
// After Pay, the element asks Kassa again: soon, then less and less often (at most every
// 30 s), not while the page is hidden, and for 20 minutes at most. No request storms.
const FIRST_CHECK_MS = 2000;
const LONGEST_WAIT_MS = 30000;
const WATCH_FOR_MS = 20 * 60 * 1000;

class KassaPay extends HTMLElement {
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

  async refresh() {
    await ready;
    return render(this, endpoint);
  }

  clicked(event) {
    const path = event.composedPath();
    if (path.some((n) => n.classList && n.classList.contains('close'))) return this.close();
    if (!path.some((n) => n.classList && n.classList.contains('pay'))) return;
    // A click meant for a new tab or window keeps the link's own way; so does a page that
    // cannot show the overlay.
    const elsewhere = event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0;
    if (!elsewhere && open_overlay(this)) event.preventDefault();
    this.watch();
  }

  close() {
    if (close_overlay(this)) this.refresh();
  }

  watch() {
    clearTimeout(this.timer);
    const until = Date.now() + WATCH_FOR_MS;
    let wait = FIRST_CHECK_MS;
    const check = async () => {
      if (!document.hidden && ['paid', 'error'].includes(await this.refresh())) return;
      wait = Math.min(wait * 1.5, LONGEST_WAIT_MS);
      if (Date.now() + wait < until) this.timer = setTimeout(check, wait);
    };
    this.timer = setTimeout(check, wait);
  }
}

// Kassa's pay page in an overlay says when one of its pages is shown (the invoice may have
// changed: the element asks Kassa, whose answer counts, not the message) and when Escape was
// pressed in it (the overlay closes).
window.addEventListener('message', (event) => {
  if (event.origin !== kassa || !event.data || !event.data.kassa) return;
  document.querySelectorAll('kassa-pay').forEach((el) => {
    if (!el.refresh || !frames(el, event.source)) return;
    if (event.data.kassa === 'close') el.close();
    else el.refresh();
  });
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) document.querySelectorAll('kassa-pay').forEach((el) => el.refresh && el.refresh());
});

if (!customElements.get('kassa-pay')) customElements.define('kassa-pay', KassaPay);
