// <kassa-pay token="...">: Kassa's pay widget. This file only defines the custom element;
// the widget itself is Rust compiled to wasm (kassa_widgets.js + kassa_widgets_bg.wasm).
import init, { render } from './kassa_widgets.js';

const endpoint = new URL('invoice', import.meta.url).href;
const ready = init({ module_or_path: new URL('kassa_widgets_bg.wasm', import.meta.url) });

class KassaPay extends HTMLElement {
  static get observedAttributes() { return ['token']; }

  connectedCallback() {
    this.refresh();
    // After the debtor opens the pay page, check back until the invoice shows paid.
    this.addEventListener('click', (event) => {
      if (event.composedPath().some((n) => n.tagName === 'A')) this.watch();
    });
  }

  disconnectedCallback() { clearInterval(this.timer); }

  attributeChangedCallback() { if (this.isConnected) this.refresh(); }

  async refresh() {
    await ready;
    const status = await render(this, endpoint);
    if (status === 'paid') clearInterval(this.timer);
    return status;
  }

  watch() {
    clearInterval(this.timer);
    let rounds = 0;
    this.timer = setInterval(() => { if (++rounds > 200) clearInterval(this.timer); this.refresh(); }, 3000);
  }
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) document.querySelectorAll('kassa-pay').forEach((el) => el.refresh && el.refresh());
});

if (!customElements.get('kassa-pay')) customElements.define('kassa-pay', KassaPay);
