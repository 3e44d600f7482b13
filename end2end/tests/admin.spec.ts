import { expect, test } from '@playwright/test';
import { inEnglish, accessible, freshDemo, kassaUrl, linkFor, payInSandbox, signIn, staffSignIn } from './helpers';

test.beforeEach(async ({ context }) => inEnglish(context));

test('staff log in and see an invoice the debtor just paid', async ({ page, browser }) => {
  // The debtor pays in their own browser.
  const debtor = await browser.newPage();
  await inEnglish(debtor.context());
  await signIn(debtor, linkFor('Studio Grachten'));
  await debtor.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0302`);
  await debtor.getByRole('button', { name: 'Pay now' }).click();
  await payInSandbox(debtor);
  await expect(debtor.getByTestId('receipt-title')).toBeVisible();
  await debtor.close();

  const demo = freshDemo();
  await page.goto(demo.staff_login_url);
  await accessible(page);
  await page.getByLabel('Email').fill(demo.staff_email);
  await page.getByLabel('Password').fill(demo.staff_password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible();
  await expect(page.locator('tr[data-invoice="NL-2026-0302"] [data-status]')).toHaveText('Paid');
  await expect(page.locator('tr[data-invoice="DK-2026-0201"] [data-status]')).toHaveText('Overdue');
  await accessible(page);
});

test('a wrong password is refused', async ({ page }) => {
  const demo = freshDemo();
  await page.goto(demo.staff_login_url);
  await page.getByLabel('Email').fill(demo.staff_email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  const response = await page.goto(`${kassaUrl()}/admin`);
  expect(response?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
});

test('staff add a webhook endpoint, see its secret once, and disable it', async ({ page }) => {
  await staffSignIn(page, freshDemo());
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await accessible(page);

  // Kassa refuses what it cannot send to, in words.
  await page.getByLabel('Address (https)').fill('https://localhost/hooks');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'public addresses only' })).toBeVisible();

  await page.getByLabel('Address (https)').fill('https://erp.example.com/kassa/webhooks');
  await page.getByLabel('Events').fill('invoice.paid, payment.*');
  await page.getByLabel('Description (optional)').fill('ERP sync');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(page.getByTestId('webhook-secret')).toContainText('whsec_');
  const row = page.locator('tr', { hasText: 'https://erp.example.com/kassa/webhooks' });
  await expect(row.locator('[data-status]')).toHaveText('Enabled');
  await expect(row).toContainText('invoice.paid, payment.*');
  await accessible(page);

  await row.getByRole('button', { name: 'Disable https://erp.example.com/kassa/webhooks' }).click();
  await expect(row.locator('[data-status]')).toHaveText('Disabled');
  // Reloaded, the secret is gone for good.
  await page.reload();
  await expect(page.locator('tr', { hasText: 'erp.example.com' }).locator('[data-status]')).toHaveText('Disabled');
  await expect(page.getByTestId('webhook-secret')).toHaveCount(0);
});

test('an admin finds the jobs that gave up', async ({ page }) => {
  await staffSignIn(page, freshDemo());
  await page.getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('heading', { name: 'Jobs that gave up', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Jobs' })).toHaveAttribute('aria-current', 'page');
  // The demo's jobs all ran (a dead one and its Retry are covered by server/tests/outbox.rs).
  await expect(page.getByText('None: every job ran or is still trying.')).toBeVisible();
  await accessible(page);
  // On a phone the header wraps: nothing is wider than the screen.
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test('an admin sets the time zone in Danish, keyboard only, and the choice stays', async ({ page, context }) => {
  await staffSignIn(page, freshDemo());
  // The menu's plain link, as a Danish colleague would choose it.
  await context.addCookies([{ name: 'kassa_lang', value: 'da', url: kassaUrl() }]);
  await page.goto(`${kassaUrl()}/admin/settings`);
  await expect(page.getByRole('heading', { name: 'Indstillinger', level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
  const zone = page.getByLabel('Tidszone');
  await expect(zone).toHaveValue('Europe/Amsterdam');
  await accessible(page);
  await zone.focus();
  await zone.selectOption('Europe/Copenhagen');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Gem indstillinger' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status')).toHaveText('Indstillingerne er gemt.');
  await expect(page.getByLabel('Tidszone')).toHaveValue('Europe/Copenhagen');
  await accessible(page);
  await page.setViewportSize({ width: 375, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  // Put back for the other tests of this demo.
  await page.getByLabel('Tidszone').selectOption('Europe/Amsterdam');
  await page.getByRole('button', { name: 'Gem indstillinger' }).click();
  await expect(page.getByLabel('Tidszone')).toHaveValue('Europe/Amsterdam');
});

test('an admin uploads a logo in Dutch: a wrong file is refused in words, a PNG shows in the portal', async ({ page, context, browser }) => {
  await staffSignIn(page, freshDemo());
  await context.addCookies([{ name: 'kassa_lang', value: 'nl', url: kassaUrl() }]);
  await page.goto(`${kassaUrl()}/admin/settings`);
  await expect(page.getByRole('heading', { name: 'Logo', level: 2 })).toBeVisible();
  await accessible(page);

  const file = page.getByLabel('Logobestand (PNG of JPEG)');
  await file.setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') });
  await page.getByRole('button', { name: 'Logo uploaden' }).click();
  await expect(page.locator('#logo-error')).toHaveText('Het logo moet een PNG- of JPEG-bestand zijn.');
  await expect(page.getByLabel('Logobestand (PNG of JPEG)')).toHaveAttribute('aria-invalid', 'true');
  await accessible(page);

  // A wide PNG drawn by the browser itself.
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 150;
    canvas.height = 50;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#1b6b3a';
    g.fillRect(0, 0, 150, 50);
    return canvas.toDataURL('image/png');
  });
  const png = Buffer.from(dataUrl.split(',')[1], 'base64');
  await page.getByLabel('Logobestand (PNG of JPEG)').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: 'Logo uploaden' }).click();
  await expect(page.getByRole('status')).toHaveText('Instellingen opgeslagen.');
  const preview = page.locator('.brand-preview img');
  await expect(preview).toHaveAttribute('width', '120');
  // Loaded under the page's CSP (img-src 'self'), not a broken image.
  await expect.poll(() => preview.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(150);

  // The debtor's portal shows it in its header.
  const debtor = await browser.newPage();
  await signIn(debtor, linkFor('Studio Grachten'));
  const logo = debtor.locator('.portal-header img.brand-logo');
  await expect(logo).toHaveAttribute('width', '120');
  await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(150);
  await debtor.close();

  // Put the demo's own logo back for the other tests.
  await page.getByLabel('Logobestand (PNG of JPEG)').setInputFiles(`${__dirname}/../../server/src/demo-logo.png`);
  await page.getByRole('button', { name: 'Logo uploaden' }).click();
  await expect(page.locator('.brand-preview img')).toHaveAttribute('width', '40');
});

test('an admin connects Stripe and keeps the bank account: a wrong key is refused in words, the secret never shown again', async ({ page }) => {
  await staffSignIn(page, freshDemo());
  await page.goto(`${kassaUrl()}/admin/settings`);
  await expect(page.getByRole('heading', { name: 'Bank account for transfers', level: 2 })).toBeVisible();
  // The demo's bank account, as it was seeded.
  await expect(page.getByLabel('IBAN')).toHaveValue('NL91ABNA0417164300');
  await expect(page.getByLabel('Payment reference on new invoices')).toHaveValue('rf');
  await expect(page.getByText('No Stripe account connected')).toBeVisible();
  await expect(page.getByText(/add a webhook endpoint at http:\/\/127\.0\.0\.1:\d+\/webhooks\/stripe\/demo/)).toBeVisible();
  await accessible(page);

  await page.getByLabel('Secret key (sk_test_… or sk_live_…)').fill('pk_test_51NotTheSecretKey000');
  await page.getByLabel('Publishable key (pk_test_… or pk_live_…)').fill('pk_test_51AdminPublishable000');
  await page.getByLabel('Webhook signing secret (whsec_…)').fill('whsec_adminadminadmin00');
  await page.getByRole('button', { name: 'Connect Stripe' }).click();
  await expect(page.getByText(/^That is not a Stripe secret key/)).toBeVisible();

  await page.getByLabel('Secret key (sk_test_… or sk_live_…)').fill('sk_test_51AdminSecretKey0004242');
  await page.getByLabel('Publishable key (pk_test_… or pk_live_…)').fill('pk_test_51AdminPublishable000');
  await page.getByLabel('Webhook signing secret (whsec_…)').fill('whsec_adminadminadmin00');
  await page.getByLabel(/Payment methods to offer/).fill('card, ideal');
  await page.getByRole('button', { name: 'Connect Stripe' }).click();
  const connected = page.getByTestId('stripe-test');
  await expect(connected).toContainText('test keys: sk_test_...4242 and pk_test_51AdminPublishable000');
  await expect(connected).toContainText('Offered: card, ideal');
  await expect(page.locator('body')).not.toContainText('sk_test_51AdminSecretKey0004242');
  await expect(page.locator('body')).not.toContainText('whsec_adminadminadmin00');
  await accessible(page);
  await page.getByRole('button', { name: 'Disconnect the test keys' }).click();
  await expect(page.getByText('No Stripe account connected')).toBeVisible();
});
