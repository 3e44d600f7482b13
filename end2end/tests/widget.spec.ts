import { expect, test } from '@playwright/test';
import { accessible, freshDemo, inEnglish, kassaUrl, payInSandbox, shopUrl, staffSignIn } from './helpers';

test.beforeEach(async ({ context }) => inEnglish(context));

test('the widget on the demo shop shows the amount, and paid after paying', async ({ page }) => {
  // The shop sends a strict policy of its own, as a merchant's page should: nothing the
  // widget does may be blocked by it.
  const consoleErrors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} ${msg.location().url}`));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  const response = await page.goto(`${shopUrl()}/`);
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("'wasm-unsafe-eval'");
  const widget = page.locator('kassa-pay');
  await expect(widget.locator('.amount')).toHaveText('EUR 55.95');
  await expect(widget).toHaveAttribute('data-status', 'open');

  const [popup] = await Promise.all([page.waitForEvent('popup'), widget.getByRole('link', { name: 'Pay EUR 55.95' }).click()]);
  // Opening the pay link signs nobody in: Continue does.
  await popup.getByRole('button', { name: 'Continue' }).click();
  await expect(popup.getByRole('heading', { name: /Invoice NL-2026-0107/ })).toBeVisible();
  // A pay link shows its own invoice only.
  await popup.getByRole('button', { name: 'Pay now' }).click();
  await payInSandbox(popup);
  await expect(popup.getByTestId('receipt-title')).toBeVisible();
  await popup.close();

  // The widget checks back by itself after the pay link was opened.
  await expect(widget).toHaveAttribute('data-status', 'paid', { timeout: 15_000 });
  await expect(widget.getByRole('status')).toHaveText('Paid. Thank you!');
  await expect(page.locator('#events')).toHaveText('kassa:paid received for invoice NL-2026-0107');
  await page.reload();
  await expect(page.locator('kassa-pay')).toHaveAttribute('data-status', 'paid');
  expect(consoleErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('a widget with a bad token explains itself', async ({ page }) => {
  await page.goto(`${shopUrl()}/`);
  await expect(page.locator('kassa-pay').first()).toHaveAttribute('data-status', /.+/);
  await page.evaluate(() => {
    document.querySelector('main')!.insertAdjacentHTML('beforeend', '<kassa-pay id="bad" token="not-a-token"></kassa-pay>');
  });
  await expect(page.locator('#bad').getByRole('alert')).toHaveText(/expired or is not valid/);
});

test('staff issue a pay button for the shop, its snippet works there, and revoking it stops it', async ({ page, browser }) => {
  const demo = freshDemo();
  await staffSignIn(page, demo);
  await page.goto(`${kassaUrl()}/admin/widgets`);
  await expect(page.getByRole('heading', { name: 'Pay buttons', level: 1 })).toBeVisible();
  await accessible(page);
  // A site that is not an origin is refused with what to write instead.
  await page.getByLabel('Invoice number').fill('NL-2026-0107');
  await page.getByLabel('Websites that may show it').fill('http://shop.example/pay');
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(page.getByRole('alert')).toContainText('is not a website’s origin');
  await page.getByLabel('Invoice number').fill('NL-2026-0107');
  await page.getByLabel('Websites that may show it').fill(shopUrl());
  await page.getByRole('button', { name: 'Issue pay button' }).click();
  await expect(page.getByRole('status')).toHaveText('Pay button issued: copy its snippet below.');
  const row = page.locator('tr.just-issued');
  await expect(row).toContainText('NL-2026-0107');
  await expect(row).toContainText('Active');
  const snippet = await row.getByLabel('For your website').inputValue();
  expect(snippet).toContain(`${kassaUrl()}/w/v1/kassa.js`);
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
