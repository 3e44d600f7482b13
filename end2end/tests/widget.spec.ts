import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessible, freshDemo, inEnglish, kassaUrl, payInSandbox, shopUrl, staffSignIn } from './helpers';

test.beforeEach(async ({ context }) => inEnglish(context));

test('the widget on the demo shop pays in its overlay, turns paid and says so', async ({ page }) => {
  // The shop sends a strict policy of its own, as a merchant's page should: nothing the
  // widget does may be blocked by it (no inline styles allowed, nothing third-party).
  const consoleErrors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} ${msg.location().url}`));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  const response = await page.goto(`${shopUrl()}/`);
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).not.toContain('unsafe-inline');
  const widget = page.locator('kassa-pay');
  await expect(widget.locator('.amount')).toHaveText('€55.95');
  await expect(widget).toHaveAttribute('data-status', 'open');
  await expect(page.locator('#log li').first()).toHaveText('kassa:ready open NL-2026-0107');
  // First render after the script loaded, as the Performance API sees it (reported only).
  const firstRender = await page.evaluate(() => {
    const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/w/v1/kassa.js')) as PerformanceResourceTiming;
    return Math.round((window as unknown as { kassaReadyAt: number }).kassaReadyAt - script.responseEnd);
  });
  test.info().annotations.push({ type: 'first render after kassa.js loaded (ms)', description: String(firstRender) });
  console.log(`<kassa-pay> first render: ${firstRender} ms after kassa.js arrived`);
  await accessible(page);

  // Pay opens Kassa's pay page over the shop; its Close button takes the focus.
  await widget.getByRole('link', { name: 'Pay €55.95' }).click();
  const dialog = widget.getByRole('dialog', { name: 'Pay invoice NL-2026-0107' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  const overlay = page.frameLocator('kassa-pay iframe');
  await expect(overlay.getByRole('heading', { name: /Invoice NL-2026-0107/ })).toBeVisible();
  await accessible(page);
  await overlay.getByRole('button', { name: 'Pay €55.95' }).click();
  await overlay.locator('form.sandbox-form button[type="submit"]').click();
  await expect(overlay.getByRole('heading', { name: 'Paid. Thank you!' })).toBeVisible();
  // The page in the overlay tells the element, which asks Kassa and turns paid at once.
  await expect(widget).toHaveAttribute('data-status', 'paid', { timeout: 5_000 });
  await expect(widget.getByRole('status')).toHaveText('Paid. Thank you!');
  await expect(page.locator('#events')).toHaveText('kassa:paid received for invoice NL-2026-0107');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.locator('#log')).toContainText('kassa:closed NL-2026-0107');
  await page.reload();
  await expect(page.locator('kassa-pay')).toHaveAttribute('data-status', 'paid');
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('<kassa-invoices> on the shop’s account page pays two invoices at once in its overlay', async ({ page }) => {
  const consoleErrors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} ${msg.location().url}`));
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(`${shopUrl()}/account`);
  const list = page.locator('kassa-invoices');
  await expect(list).toHaveAttribute('data-status', 'open');
  await expect(list.getByRole('group', { name: /Open invoices/ })).toBeVisible();
  // Two of the oldest open invoices, as Kassa tells the element (the tests before may have paid,
  // disputed or credited some of this customer's): their lines, and what both come to.
  const token = (await list.getAttribute('token'))!;
  const shown = await page.evaluate(
    async ([kassa, t]) => (await fetch(`${kassa}/w/v1/invoices?lang=en&token=${encodeURIComponent(t)}`)).json(),
    [kassaUrl(), token],
  );
  // (Not NL-2026-0303: the email button's test below pays that one.)
  const [one, two] = (shown.invoices as { number: string; label: string; amount_due: string }[])
    .filter((i) => i.number !== 'NL-2026-0303');
  const cents = (amount: string) => Number(amount.replace('.', ''));
  const total = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' })
    .format((cents(one.amount_due) + cents(two.amount_due)) / 100);
  expect(one.label).toMatch(new RegExp(`^Invoice ${one.number}, €[0-9.,]+, Due `));
  const first = list.getByRole('checkbox', { name: one.label, exact: true });
  const second = list.getByRole('checkbox', { name: two.label, exact: true });
  await expect(first).toBeVisible();
  await expect(list.getByRole('link', { name: /^Pay all €/ })).toBeVisible();
  await accessible(page);
  // Nothing chosen: the element says so, and opens nothing.
  await list.getByRole('button', { name: 'Pay selected' }).click();
  await expect(list.getByRole('alert')).toHaveText('Choose the invoices to pay first.');
  await expect(list.getByRole('dialog')).toHaveCount(0);
  // Two chosen, from the keyboard: one payment in the overlay for both.
  await first.check();
  await second.focus();
  await page.keyboard.press('Space');
  await expect(second).toBeChecked();
  await list.getByRole('button', { name: 'Pay selected' }).click();
  const dialog = list.getByRole('dialog', { name: 'Pay your invoices' });
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  const overlay = page.frameLocator('kassa-invoices iframe');
  await expect(overlay.getByRole('heading', { name: 'You are paying these invoices' })).toBeVisible();
  await expect(overlay.getByText(`Total: ${total}`)).toBeVisible();
  await accessible(page);
  await overlay.getByRole('button', { name: `Pay ${total}` }).click();
  await overlay.locator('form.sandbox-form button[type="submit"]').click();
  await expect(overlay.getByRole('status')).toHaveText(`Thank you: ${total} paid for ${one.number}, ${two.number}.`);
  // The element asks Kassa again: both are gone from the list, and it says which were paid.
  await expect(first).toHaveCount(0, { timeout: 5_000 });
  await expect(second).toHaveCount(0);
  await expect(page.locator('#events')).toHaveText(`kassa:paid received for invoices ${one.number},${two.number}`);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(list.getByRole('checkbox').first()).toBeVisible();
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('a widget with a bad token explains itself, in its language', async ({ page }) => {
  await page.goto(`${shopUrl()}/`);
  const token = await page.locator('kassa-pay').first().getAttribute('token');
  await expect(page.locator('kassa-pay').first()).toHaveAttribute('data-status', /.+/);
  // A token changed by one character is not Kassa's.
  const tampered = token!.slice(0, -2) + (token!.endsWith('AA') ? 'BB' : 'AA');
  await page.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML(
      'beforeend',
      `<kassa-pay id="bad" token="not-a-token"></kassa-pay><kassa-pay id="tampered" lang="nl" token="${t}"></kassa-pay>`,
    );
  }, tampered);
  await expect(page.locator('#bad').getByRole('alert')).toHaveText(/expired or is not valid/);
  await expect(page.locator('#tampered').getByRole('alert')).toHaveText(/verlopen of ongeldig/);
  await expect(page.locator('#tampered')).toHaveAttribute('data-status', 'error');
  await expect(page.locator('#log')).toContainText('kassa:error invalid_token');
});

test('a token past its expiry shows the error state, and its pay page opens nothing', async ({ page }) => {
  const demo = freshDemo();
  const api = (path: string, init?: { data: object }) => {
    const headers = { authorization: `Bearer ${demo.api_key}` };
    const url = `${kassaUrl()}/api/v1${path}`;
    return init ? page.request.post(url, { headers, data: init.data }) : page.request.get(url, { headers });
  };
  const issued = await (await api('/widget-tokens', {
    data: { invoice_number: 'NL-2026-0104', origins: [shopUrl()], expires_in_days: 1 },
  })).json();
  // Two days pass: the token's row says it expired yesterday (the database's clock, not ours).
  execFileSync('python3', ['-c', `import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE widget_tokens SET expires_at = expires_at - 2 * 86400 WHERE id = ?", (sys.argv[2],))
db.commit()`, `${process.env.KASSA_E2E_DIR}/kassa.db`, issued.id]);
  // What the merchant's page holds once that day came: the token as Kassa signs it now.
  const expired = (await (await api(`/widget-tokens/${issued.id}`)).json()).token;
  expect(Date.parse((await (await api(`/widget-tokens/${issued.id}`)).json()).expires_at)).toBeLessThan(Date.now());
  await page.goto(`${shopUrl()}/`);
  await expect(page.locator('kassa-pay').first()).toHaveAttribute('data-status', /.+/);
  await page.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', `<kassa-pay id="expired" token="${t}"></kassa-pay>`);
  }, expired);
  await expect(page.locator('#expired').getByRole('alert')).toHaveText(/expired or is not valid/);
  await expect(page.locator('#expired')).toHaveAttribute('data-status', 'error');
  await expect(page.locator('#log')).toContainText('kassa:error invalid_token');
  const payPage = await page.request.get(`${kassaUrl()}/w/v1/pay/${expired}`);
  expect(payPage.status()).toBe(404);
});

test('on a site its token does not name, the widget refuses and its pay page will not be framed', async ({ page }) => {
  await page.goto(`${shopUrl()}/`);
  const token = await page.locator('kassa-pay').first().getAttribute('token');
  // The same shop on another origin (localhost, not 127.0.0.1): not one the token names.
  const elsewhere = shopUrl().replace('127.0.0.1', 'localhost');
  const refused = page.waitForEvent('console', (msg) => /frame-ancestors/.test(msg.text()));
  await page.goto(`${elsewhere}/`);
  await expect(page.locator('kassa-pay').getByRole('alert')).toHaveText('This payment button is not allowed on this website.');
  await expect(page.locator('#log')).toContainText('kassa:error origin_refused');
  await page.evaluate(
    ([kassa, t]) => {
      document.querySelector('main')!.insertAdjacentHTML('beforeend', `<iframe title="framed" src="${kassa}/w/v1/pay/${t}"></iframe>`);
    },
    [kassaUrl(), token!],
  );
  await refused;
});

/** The admin's form for a site's pay button (the page also has one for emails). */
const siteForm = (page: Page) => page.getByRole('region', { name: 'New pay button', exact: true });

/** The pay buttons page's own message: each live preview below it has a status of its own
 * (an earlier test paid NL-2026-0107, so its previews say so once they have loaded). */
const pageStatus = (page: Page) => page.locator('main > p[role="status"]');

test('staff issue a pay button for the shop, its snippet works there, and revoking it stops it', async ({ page, browser }) => {
  const demo = freshDemo();
  await staffSignIn(page, demo);
  await page.goto(`${kassaUrl()}/admin/widgets`);
  await expect(page.getByRole('heading', { name: 'Pay buttons', level: 1 })).toBeVisible();
  await accessible(page);
  // A site that is not an origin is refused with what to write instead.
  const form = siteForm(page);
  await form.getByLabel('Invoice number').fill('NL-2026-0107');
  await form.getByLabel('Websites that may show it').fill('http://shop.example/pay');
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(form.getByRole('alert')).toContainText('is not a website’s origin');
  await form.getByLabel('Invoice number').fill('NL-2026-0107');
  await form.getByLabel('Websites that may show it').fill(shopUrl());
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(pageStatus(page)).toHaveText('Pay button issued: copy its snippet below.');
  const row = page.locator('tr.just-issued');
  await expect(row).toContainText('NL-2026-0107');
  await expect(row).toContainText('Active');
  const snippet = await row.getByLabel('For your website').inputValue();
  expect(snippet).toContain(`src="${kassaUrl()}/w/v1/kassa-`);
  const token = /token="([^"]+)"/.exec(snippet)![1];
  await accessible(page);
  // On a phone the table becomes cards, and nothing scrolls sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // The snippet's token works on the shop's origin: the element reads the invoice there.
  const shop = await browser.newPage();
  await shop.goto(`${shopUrl()}/`);
  await expect(shop.locator('kassa-pay').first()).toHaveAttribute('data-status', /.+/);
  await shop.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', `<kassa-pay id="issued" token="${t}"></kassa-pay>`);
  }, token);
  // (Open, or paid if the test before paid it: either way the invoice, not an error.)
  await expect(shop.locator('#issued')).toHaveAttribute('data-status', /^(open|paid)$/);

  // Revoked, it shows that it is no longer valid.
  const id = await row.getAttribute('data-token');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.locator(`tr[data-token="${id}"]`)).toContainText('Revoked');
  await shop.reload();
  await shop.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', `<kassa-pay id="issued" token="${t}"></kassa-pay>`);
  }, token);
  await expect(shop.locator('#issued').getByRole('alert')).toHaveText(/expired or is not valid/);
  await shop.close();
});

test('staff issue a pay button for a customer’s open invoices: the snippet is <kassa-invoices>', async ({ page, browser }) => {
  await staffSignIn(page, freshDemo());
  await page.goto(`${kassaUrl()}/admin/widgets`);
  const form = siteForm(page);
  // An invoice or a customer, not both.
  await form.getByLabel('Invoice number').fill('NL-2026-0107');
  await form.getByLabel('Or a customer number').fill('C-1003');
  await form.getByLabel('Websites that may show it').fill(shopUrl());
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(form.getByRole('alert')).toHaveText('Give either an invoice number or a customer number.');
  await form.getByLabel('Invoice number').fill('');
  await form.getByLabel('Or a customer number').fill('C-1003');
  await form.getByLabel('Websites that may show it').fill(shopUrl());
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(pageStatus(page)).toHaveText('Pay button issued: copy its snippet below.');
  const row = page.locator('tr.just-issued');
  await expect(row).toContainText('C-1003');
  const snippet = await row.getByLabel('For your website').inputValue();
  expect(snippet).toContain('<kassa-invoices token="');
  expect(await row.getByLabel('Pay link').inputValue()).toContain('/w/v1/pay/');
  await accessible(page);
  const token = /token="([^"]+)"/.exec(snippet)![1];
  const shop = await browser.newPage();
  await shop.goto(`${shopUrl()}/account`);
  await shop.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', `<kassa-invoices id="issued" token="${t}"></kassa-invoices>`);
  }, token);
  await expect(shop.locator('#issued')).toHaveAttribute('data-status', 'open');
  await expect(shop.locator('#issued').getByRole('checkbox').first()).toBeVisible();

  // The admin shows the element live, as the shop does (inert: a preview does not pay).
  const preview = row.locator('kassa-invoices');
  await expect(preview).toHaveAttribute('data-status', 'open');
  await expect(preview.getByRole('checkbox').first()).toBeAttached();
  await expect(row.getByText('Live: what your website shows now')).toBeVisible();

  // Its websites change after it was issued: the shop, taken off, gets nothing.
  const id = await row.getAttribute('data-token');
  const sites = row.getByLabel('Websites that may show it');
  await sites.fill('shop.example/pay');
  await row.getByRole('button', { name: 'Save websites' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'is not a website’s origin' })).toBeVisible();
  await page.locator(`tr[data-token="${id}"]`).getByLabel('Websites that may show it').fill('https://elsewhere.example');
  await page.locator(`tr[data-token="${id}"]`).getByRole('button', { name: 'Save websites' }).click();
  await expect(page.locator(`tr[data-token="${id}"]`).getByLabel('Websites that may show it')).toHaveValue('https://elsewhere.example');
  await accessible(page);
  await shop.reload();
  await shop.evaluate((t) => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', `<kassa-invoices id="issued" token="${t}"></kassa-invoices>`);
  }, token);
  await expect(shop.locator('#issued').getByRole('alert')).toHaveText('This payment button is not allowed on this website.');
  await shop.close();
});

test('the embedding guide’s example works as written, under the policy it gives', async ({ page }) => {
  // The guide's snippet and policy, exactly as docs/widgets.md has them.
  const guide = readFileSync(`${__dirname}/../../docs/widgets.md`, 'utf8');
  const block = (name: string) => {
    const found = new RegExp(`<!-- example:${name} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\`\\n<!-- /example:${name} -->`).exec(guide);
    if (!found) throw new Error(`docs/widgets.md has no example:${name} block`);
    return found[1].replaceAll('https://kassa.example', kassaUrl());
  };
  // A shop being built on this machine (its own little web server, serving the guide's page
  // under the policy the guide gives): a token for it from the admin, as the guide says.
  let html = '';
  let policy = '';
  const shop = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy });
    res.end(html);
  });
  await new Promise<void>((done) => shop.listen(0, '127.0.0.1', done));
  const site = `http://localhost:${(shop.address() as AddressInfo).port}`;
  const demo = freshDemo();
  await staffSignIn(page, demo);
  await page.goto(`${kassaUrl()}/admin/widgets`);
  await siteForm(page).getByLabel('Invoice number').fill('DK-2026-0209');
  await siteForm(page).getByLabel('Websites that may show it').fill(site);
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  const snippet = await page.locator('tr.just-issued').getByLabel('For your website').inputValue();
  const token = /token="([^"]+)"/.exec(snippet)![1];

  html = block('site').replace('YOUR_WIDGET_TOKEN', token);
  policy = `default-src 'none'; ${block('csp').trim()}; style-src 'none'; img-src 'none'; base-uri 'none'`;
  const blocked: string[] = [];
  page.on('console', (msg) => /Content Security Policy|Refused to/.test(msg.text()) && blocked.push(msg.text()));
  await page.goto(`${site}/order`);
  const widget = page.locator('kassa-pay');
  // The page is Dutch (`<html lang="nl">`): so is the element.
  await expect(widget).toHaveAttribute('data-status', /^(open|overdue|partly_paid|promised)$/);
  const pay = widget.locator('a.pay');
  await expect(pay).toHaveText(/ betalen$/);
  await pay.click();
  const overlay = page.frameLocator('kassa-pay iframe');
  await expect(overlay.getByRole('heading', { name: /Factuur DK-2026-0209/ })).toBeVisible();
  await overlay.getByRole('button', { name: / betalen$/ }).click();
  await overlay.locator('form.sandbox-form button[type="submit"]').click();
  await expect(overlay.getByRole('heading', { name: 'Betaald. Dank u wel!' })).toBeVisible();
  await expect(widget).toHaveAttribute('data-status', 'paid', { timeout: 5_000 });
  await widget.getByRole('button', { name: 'Sluiten' }).click();
  await expect(widget.getByRole('dialog')).toBeHidden();
  expect(blocked).toEqual([]);

  // The admin's snippet as it is: the script pinned by its address and integrity hash.
  expect(snippet).toMatch(/src="[^"]+\/w\/v1\/kassa-[0-9a-f]{16}\.js" integrity="sha384-[A-Za-z0-9+/=]{64}" crossorigin="anonymous"/);
  html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Pinned</title></head><body>${snippet}</body></html>`;
  await page.goto(`${site}/pinned`);
  await expect(page.locator('kassa-pay')).toHaveAttribute('data-status', 'paid');
  expect(blocked).toEqual([]);
  // A script that is not the one pinned does not run.
  html = html.replace(/integrity="sha384-[^"]+"/, `integrity="sha384-${'A'.repeat(64)}"`);
  const refused = page.waitForEvent('console', (msg) => /integrity/i.test(msg.text()));
  await page.goto(`${site}/tampered`);
  await refused;
  await expect(page.locator('kassa-pay')).not.toHaveAttribute('data-status', /.+/);
  shop.close();
});

test('staff make an email button: its badge shows what is due, the button pays, then the badge says paid', async ({ page, browser }) => {
  const demo = freshDemo();
  await staffSignIn(page, demo);
  await page.goto(`${kassaUrl()}/admin/widgets`);
  const form = page.getByRole('region', { name: 'New pay button for an email' });
  await form.getByLabel('Invoice number').fill('NL-2026-0303');
  await form.getByRole('button', { name: 'Issue email button' }).click();
  const row = page.locator('tr.just-issued');
  await expect(row).toContainText('NL-2026-0303');
  await expect(row).toContainText('In emails');
  await expect(row).toContainText('Never (until revoked)');
  // The preview: the badge itself, drawn for sharp screens.
  const preview = row.locator('.badge-preview img');
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(720);
  await accessible(page);
  const snippet = await row.getByLabel('For your email template').inputValue();
  const payLink = /href="([^"]+)"/.exec(snippet)![1];
  const badgeUrl = /src="([^"]+)"/.exec(snippet)![1];
  expect(badgeUrl).toMatch(/\/w\/v1\/badge\/[^/]+\.png$/);
  const svg = async () => (await page.request.get(badgeUrl.replace(/\.png$/, '.svg'))).text();
  const green = async () => {
    const png = PNG.sync.read(Buffer.from(await (await page.request.get(badgeUrl)).body()));
    const at = (40 * png.width + 20) * 4;
    return [png.data[at], png.data[at + 1], png.data[at + 2]].join(',') === '22,101,52';
  };
  // Due, in the customer's language (Dutch).
  expect(await svg()).toMatch(/Betaal €\u00a0[\d.]+,\d\d/);
  expect(await green()).toBe(false);

  // The snippet as a mail program shows it (a page on another origin): the image and the button.
  const mail = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="nl"><title>Factuur</title><body>${snippet}</body></html>`);
  });
  await new Promise<void>((done) => mail.listen(0, '127.0.0.1', done));
  const reader = await browser.newPage();
  await inEnglish(reader.context());
  await reader.goto(`http://localhost:${(mail.address() as AddressInfo).port}/`);
  const image = reader.getByRole('img', { name: 'Betaalstatus van factuur NL-2026-0303' });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(720);
  await reader.getByRole('link', { name: 'Factuur NL-2026-0303 betalen' }).click();
  await expect(reader).toHaveURL(payLink);
  await reader.getByRole('button', { name: 'Continue' }).click();
  await expect(reader.locator('h1')).toContainText('NL-2026-0303');
  await reader.getByRole('button', { name: 'Pay now' }).click();
  await payInSandbox(reader);
  await expect(reader.getByRole('heading', { name: 'Thank you, payment received' })).toBeVisible();
  await expect(reader.getByRole('row', { name: /NL-2026-0303/ })).toContainText('Paid');

  // The badge says so at the next look, the PNG in green.
  expect(await svg()).toContain('Betaald, dank u');
  expect(await green()).toBe(true);
  await reader.close();
  mail.close();
});

test('an admin lowers how long a website’s pay button may live, and the pay buttons page follows', async ({ page }) => {
  await staffSignIn(page, freshDemo());
  await page.goto(`${kassaUrl()}/admin/settings`);
  const cap = page.getByLabel('Longest a pay button on a website stays valid (days)');
  await expect(cap).toHaveValue('90');
  await cap.fill('120');
  await page.getByRole('button', { name: 'Save pay button rules' }).click();
  await expect(page.getByRole('region', { name: 'Pay buttons' }).getByRole('alert')).toHaveText('A button may stay valid from 1 to 90 days.');
  await cap.fill('14');
  await page.getByRole('button', { name: 'Save pay button rules' }).click();
  await expect(page.getByRole('status')).toHaveText('Settings saved.');
  await expect(page.getByLabel('Longest a pay button on a website stays valid (days)')).toHaveValue('14');
  await accessible(page);
  await page.goto(`${kassaUrl()}/admin/widgets`);
  await expect(siteForm(page).getByText('From 1 to 14 days.')).toBeVisible();
  await expect(siteForm(page).getByLabel('Valid for (days)')).toHaveValue('14');
  // Words where a number belongs are refused with the merchant's cap, not Kassa's.
  await siteForm(page).getByLabel('Invoice number').fill('NL-2026-0107');
  await siteForm(page).getByLabel('Websites that may show it').fill(shopUrl());
  await siteForm(page).getByLabel('Valid for (days)').fill('two weeks');
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(siteForm(page).getByRole('alert')).toHaveText('A button may stay valid from 1 to 14 days.');
  // Put back for the other tests of this demo.
  await page.goto(`${kassaUrl()}/admin/settings`);
  await page.getByLabel('Longest a pay button on a website stays valid (days)').fill('90');
  await page.getByRole('button', { name: 'Save pay button rules' }).click();
  await expect(page.getByLabel('Longest a pay button on a website stays valid (days)')).toHaveValue('90');
});
