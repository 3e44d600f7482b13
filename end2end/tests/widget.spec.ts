import { expect, test } from '@playwright/test';
import { inEnglish, payInSandbox, shopUrl } from './helpers';

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
