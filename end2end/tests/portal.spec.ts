import { expect, test, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { inEnglish, accessible, freshDemo, islandReady, kassaUrl, linkFor, payInSandbox, signIn, staffSignIn } from './helpers';

test.beforeEach(async ({ context }) => inEnglish(context));

test('a debtor opens a magic link, sees invoices, pays one and sees it paid', async ({ page }) => {
  // Hydration under the strict CSP: any blocked script or wasm shows up as a console error.
  const consoleErrors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(`${msg.text()} ${msg.location().url}`));
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  await expect(page).toHaveURL(/\/p\/demo$/);
  await expect(page.getByRole('heading', { name: 'Hello Bakkerij De Molen B.V.' })).toBeVisible();
  await expect(page.getByTestId('total-due')).toContainText('€');
  await expect(page.locator('tr[data-invoice="NL-2026-0101"] [data-status]')).toHaveText('Overdue');
  await expect(page.locator('tr[data-invoice="NL-2026-0103"] [data-status]')).toHaveText('Paid');
  // The demo merchant is in test mode, and every page says so.
  await expect(page.getByTestId('test-banner')).toContainText('Test mode');
  // The seeded credit note settled NL-2026-0108.
  await expect(page.locator('tr[data-invoice="NL-2026-0108"] [data-status]')).toHaveText('Credited');
  await accessible(page);

  await page.getByRole('link', { name: 'NL-2026-0104' }).click();
  await expect(page.getByRole('heading', { name: /Invoice NL-2026-0104/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Invoice lines' })).toContainText('Spelt flour');
  await expect(page.getByTestId('balance')).toHaveText('€310.00');
  await accessible(page);

  await page.getByRole('button', { name: 'Pay now' }).click();
  // Test mode: the sandbox's checkout page stands where a provider's page would.
  await expect(page.getByRole('heading', { name: 'Sandbox checkout' })).toBeVisible();
  await expect(page.getByText('A test payment of €310.00 to Noorderlicht Supplies')).toBeVisible();
  await accessible(page);
  await payInSandbox(page);
  await expect(page.getByTestId('receipt-title')).toHaveText('Thank you, payment received');
  await expect(page.getByTestId('receipt-amount')).toHaveText('€310.00');
  await accessible(page);

  await page.getByRole('link', { name: 'Back to all invoices' }).click();
  await expect(page.locator('tr[data-invoice="NL-2026-0104"] [data-status]')).toHaveText('Paid');
  expect(consoleErrors).toEqual([]);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'You are signed out' })).toBeVisible();
  const after = await page.goto(`${kassaUrl()}/p/demo`);
  expect(after?.status()).toBe(401);
});

test('an invoice shows how to pay by bank transfer, and its QR code says the same', async ({ page }) => {
  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0102`);
  const section = page.getByRole('region', { name: 'Pay by bank transfer' });
  await expect(section.getByTestId('transfer-iban')).toHaveText('NL91 ABNA 0417 1643 00');
  const reference = (await section.getByTestId('transfer-reference').textContent())!.replace(/ /g, '');
  expect(reference).toMatch(/^RF\d{2}\d+$/);
  const amount = (await section.getByTestId('transfer-amount').textContent())!.replace(/[€,]/g, '');
  // Read the code from the screen as a banking app would, and check it field by field
  // (EPC069-12: the structured reference in field 10, nothing after it).
  const shot = PNG.sync.read(await section.getByRole('img', { name: /QR code/ }).screenshot({ scale: 'device' }));
  const decoded = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
  expect(decoded?.data.split('\n')).toEqual([
    'BCD', '002', '1', 'SCT', 'ABNANL2A', 'Noorderlicht Supplies B.V.', 'NL91ABNA0417164300', `EUR${amount}`, '', reference,
  ]);
  await accessible(page);
});

test('the bank details copy at a click, as a banking app takes them', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0102`);
  const section = page.getByRole('region', { name: 'Pay by bank transfer' });
  const status = section.getByRole('status');
  const copied = async (name: string) => {
    // The buttons appear once the script found a clipboard; their names say what they copy.
    await section.getByRole('button', { name }).click();
    return page.evaluate(() => navigator.clipboard.readText());
  };
  expect(await copied('Copy IBAN')).toBe('NL91ABNA0417164300');
  await expect(status).toHaveText('Copied: IBAN');
  const reference = (await section.getByTestId('transfer-reference').textContent())!.replace(/ /g, '');
  expect(await copied('Copy Payment reference')).toBe(reference);
  await expect(status).toHaveText('Copied: Payment reference');
  const amount = (await section.getByTestId('transfer-amount').textContent())!.replace(/[€,]/g, '');
  expect(await copied('Copy Amount')).toBe(amount);
  // Keyboard: the buttons are in the tab order and answer Enter.
  await section.getByRole('button', { name: 'Copy IBAN' }).focus();
  await page.keyboard.press('Enter');
  await expect(status).toHaveText('Copied: IBAN');
  await accessible(page);
});

test('pages carry a nonce-based Content Security Policy', async ({ page }) => {
  const response = await page.goto(`${kassaUrl()}/admin/login`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'wasm-unsafe-eval'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response?.headers()['x-content-type-options']).toBe('nosniff');
});

test('a part payment leaves the rest open', async ({ page }) => {
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0204`);
  await expect(page.getByTestId('balance')).toHaveText('DKK 1,975.00');
  await page.getByLabel('Amount (DKK)').fill('975,00');
  await page.getByRole('button', { name: 'Pay now' }).click();
  await payInSandbox(page);
  await expect(page.getByTestId('receipt-amount')).toHaveText('DKK 975.00');
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0204`);
  await expect(page.getByTestId('balance')).toHaveText('DKK 1,000.00');
  await expect(page.locator('h1 [data-status]')).toHaveText('Partly paid');
});

test('a declined payment says so and leaves the invoice open', async ({ page }) => {
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0205`);
  await page.getByRole('button', { name: 'Pay now' }).click();
  await payInSandbox(page, 'declined');
  await expect(page.getByRole('heading', { name: 'Payment declined' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('declined');
  await accessible(page);
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0205`);
  await expect(page.getByTestId('balance')).toHaveText('DKK 1,790.00');
  // Too much is refused with the reason, nothing is charged.
  await page.getByLabel('Amount (DKK)').fill('99999');
  await page.getByRole('button', { name: 'Pay now' }).click();
  await expect(page.getByRole('alert')).toContainText('at most DKK 1,790.00');
});

test('a used magic link is refused with a clear page', async ({ page }) => {
  const link = linkFor('Studio Grachten');
  // Opening the link shows whose portal it is and signs in only on Continue.
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Your invoices from Noorderlicht Supplies' })).toBeVisible();
  await accessible(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Hello Studio Grachten' })).toBeVisible();
  await page.context().clearCookies();
  const response = await page.goto(link);
  expect(response?.status()).toBe(410);
  await expect(page.getByRole('heading', { name: 'This link can no longer be used' })).toBeVisible();
  await expect(page.getByText('Ask for a new sign-in link by email')).toBeVisible();
  await accessible(page);
  await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByLabel('Email address')).toBeVisible();
});

test('without a sign-in the portal explains what to do', async ({ page }) => {
  const response = await page.goto(`${kassaUrl()}/p/demo`);
  expect(response?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Sign-in needed' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Email me a sign-in link' })).toHaveAttribute('href', '/p/demo/sign-in');
  await accessible(page);
});

test('unknown merchants, invoices and pages get a clear 404', async ({ page }) => {
  let response = await page.goto(`${kassaUrl()}/p/no-such-shop`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await accessible(page);

  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  response = await page.goto(`${kassaUrl()}/p/demo/invoices/NO-SUCH-INVOICE`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  // Another customer's invoice is as unknown as a missing one.
  response = await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0201`);
  expect(response?.status()).toBe(404);

  response = await page.goto(`${kassaUrl()}/p/no-such-shop/login/abc`);
  expect(response?.status()).toBe(404);
  response = await page.goto(`${kassaUrl()}/nothing/here`);
  expect(response?.status()).toBe(404);
  await expect(page.locator('body')).not.toContainText('panicked');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('reading and paying work as plain HTML forms', async ({ page }) => {
    await signIn(page, linkFor('Bakkerij De Molen B.V.'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0105`);
    await expect(page.getByRole('heading', { name: /Invoice NL-2026-0105/ })).toBeVisible();
    await page.getByLabel('Amount (EUR)').fill('10');
    await page.getByRole('button', { name: 'Pay now' }).click();
    await payInSandbox(page);
    await expect(page.getByTestId('receipt-amount')).toHaveText('€10.00');
  });

  test('a statement for a chosen period, and the PDFs, work as plain links and forms', async ({ page }) => {
    await signIn(page, linkFor('Studio Grachten'));
    await page.getByRole('link', { name: 'Statement of account' }).click();
    await expect(page.getByRole('heading', { name: 'Statement of account' })).toBeVisible();
    // An end before the start is refused in words, with what was typed kept.
    await page.getByLabel('From').fill('2026-06-30');
    await page.getByLabel('To').fill('2026-01-01');
    await page.getByRole('button', { name: 'Show statement' }).click();
    await expect(page.getByRole('alert')).toContainText('choose a first day before the last');
    await expect(page.getByLabel('From')).toHaveValue('2026-06-30');
    await page.getByLabel('From').fill('2000-01-01');
    await page.getByLabel('To').fill('2999-12-31');
    await page.getByRole('button', { name: 'Show statement' }).click();
    await expect(page.getByRole('table', { name: 'In EUR' })).toBeVisible();
    await expect(page.getByTestId('opening')).toHaveText('€0.00');
    await expect(page.getByRole('link', { name: 'Invoice NL-2026-0301' })).toBeVisible();
    // (axe runs as a script: languages.spec.ts checks this page, in Dutch.)

    const statement = await pdf(page, page.getByRole('link', { name: 'Download the statement as PDF' }));
    expect(statement.name).toBe('statement-2000-01-01-2999-12-31.pdf');
    await page.getByRole('link', { name: 'Invoice NL-2026-0301' }).click();
    const invoice = await pdf(page, page.getByRole('link', { name: 'Download invoice NL-2026-0301 as PDF' }));
    expect(invoice.name).toBe('NL-2026-0301.pdf');
  });
});

/// Clicks a download link and returns the file's name, checking it is a PDF.
async function pdf(page: Page, link: ReturnType<Page['getByRole']>): Promise<{ name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  const head = (await import('node:fs')).readFileSync(path!).subarray(0, 5).toString('latin1');
  expect(head).toBe('%PDF-');
  return { name: download.suggestedFilename() };
}

test('credit held on the account and a reversed payment are shown plainly', async ({ page }) => {
  await signIn(page, linkFor('Fjordkaffe ApS'));
  // The demo's overpayment: 1,500.00 paid for an invoice of 1,000.00.
  await expect(page.getByTestId('credit')).toHaveText('DKK 500.00');
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0209`);
  // The reversed card payment: paid, then taken back; the invoice is open again.
  await expect(page.getByTestId('balance')).toHaveText('DKK 750.00');
  await expect(page.locator('ul.payments')).toContainText('reversed');
  await accessible(page);
});

/** Presses Tab until the focused element's accessible name matches `name`: keyboard only. */
async function tabTo(page: Page, name: RegExp, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLInputElement | null;
      if (!el) return '';
      return el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? el.textContent ?? '';
    });
    if (name.test(focused.trim())) return;
  }
  throw new Error(`nothing named ${name} within ${max} presses of Tab`);
}

test('with the keyboard only, a debtor signs in, selects two invoices and pays them at once', async ({ page }) => {
  await page.goto(linkFor('Bakkerij De Molen B.V.'));
  await tabTo(page, /^Continue$/);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Hello Bakkerij De Molen B.V.' })).toBeVisible();
  await islandReady(page, 'pick-invoices');
  await tabTo(page, /^Select invoice NL-2026-0101$/);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-total')).toHaveText('1 invoice selected: €423.00');
  await tabTo(page, /^Select invoice NL-2026-0102$/);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('selection-total')).toHaveText(/^2 invoices selected: €[\d,]+\.\d\d$/);
  const shown = (await page.getByTestId('selection-total').textContent())!.replace(/^.*: /, '');
  await accessible(page);
  await tabTo(page, /^Pay selected invoices$/);
  await page.keyboard.press('Enter');

  await expect(page.getByRole('heading', { name: 'Pay 2 invoices' })).toBeVisible();
  await expect(page.getByTestId('selection-total')).toHaveText(shown);
  await accessible(page);
  await tabTo(page, new RegExp(`^Pay ${shown.replace(/[.]/g, '\\.')}$`));
  await page.keyboard.press('Enter');
  // The sandbox's checkout: its approved test card is chosen; Pay with the keyboard too.
  await expect(page).toHaveURL(/\/sandbox\//);
  await tabTo(page, /^Pay$/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('receipt-title')).toHaveText('Thank you, payment received');
  await expect(page.getByTestId('receipt-amount')).toHaveText(shown);
  const applied = page.getByRole('table', { name: 'Applied to' });
  await expect(applied.locator('tr', { hasText: 'NL-2026-0101' }).locator('[data-status]')).toHaveText('Paid');
  await expect(applied.locator('tr', { hasText: 'NL-2026-0102' }).locator('[data-status]')).toHaveText('Paid');
});

test.describe('without JavaScript, paying several', () => {
  test.use({ javaScriptEnabled: false });

  test('two invoices chosen with checkboxes are paid with one payment', async ({ page }) => {
    await signIn(page, linkFor('Fjordkaffe ApS'));
    await page.getByLabel('Select invoice DK-2026-0202').check();
    await page.getByLabel('Select invoice DK-2026-0207').check();
    await page.getByRole('button', { name: 'Pay selected invoices' }).click();
    await expect(page.getByRole('heading', { name: 'Pay 2 invoices' })).toBeVisible();
    const total = (await page.getByTestId('selection-total').textContent())!;
    expect(total).toMatch(/^DKK\s[\d,]+\.\d\d$/);
    await page.getByRole('button', { name: /^Pay DKK/ }).click();
    await payInSandbox(page);
    await expect(page.getByTestId('receipt-amount')).toHaveText(total);
    // Nothing chosen: the checkout says what to do.
    await page.goto(`${kassaUrl()}/p/demo/checkout`);
    await expect(page.getByText('Choose at least one invoice to pay.')).toBeVisible();
  });
});

test('a debtor without a link asks for one by email, keyboard only, and signs in with it', async ({ page, browser }) => {
  // Signed out, the portal offers the way in.
  await page.goto(`${kassaUrl()}/p/demo`);
  await page.getByRole('link', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to your invoices from Noorderlicht Supplies' })).toBeVisible();
  await accessible(page);
  await page.getByLabel('Email address').focus();
  await page.keyboard.type('info@studiograchten.example');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await accessible(page);

  // The demo keeps its mail in the catcher; an admin reads it there.
  const staffContext = await browser.newContext();
  await inEnglish(staffContext);
  const staff = await staffContext.newPage();
  await staffSignIn(staff, freshDemo());
  await staff.getByRole('link', { name: 'Mail' }).click();
  await expect(staff.getByRole('heading', { name: 'Mail sent to customers and staff' })).toBeVisible();
  const mail = staff.getByTestId('caught-mail').filter({ hasText: 'info@studiograchten.example' }).first();
  // The worker sends it within its poll interval.
  await expect(async () => {
    await staff.reload();
    await expect(mail).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15000 });
  await accessible(staff);
  // Long links wrap on a phone: nothing is wider than the screen.
  await staff.setViewportSize({ width: 375, height: 800 });
  expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  const text = (await mail.locator('pre').textContent()) ?? '';
  const link = text.match(/https?:\/\/\S+\/p\/demo\/login\/\S+/)?.[0];
  expect(link).toBeTruthy();
  await staffContext.close();

  await page.goto(link!);
  await page.getByRole('button', { name: /^(Continue|Verder)$/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/p\/demo$/);
  await expect(page.getByRole('heading', { name: 'Hello Studio Grachten' })).toBeVisible();
});

test('the invoice list filters with plain links that say how many each finds', async ({ page }) => {
  // The roaster's oldest invoice stays overdue in every test.
  await signIn(page, linkFor('Fjordkaffe ApS'));
  const filters = page.getByRole('navigation', { name: 'Show invoices' });
  await expect(filters.getByRole('link', { name: /^All \(\d+\)$/ })).toHaveAttribute('aria-current', 'page');
  await filters.getByRole('link', { name: /^Overdue \(\d+\)$/ }).click();
  await expect(page).toHaveURL(/\/p\/demo\?show=overdue$/);
  await expect(filters.getByRole('link', { name: /^Overdue/ })).toHaveAttribute('aria-current', 'page');
  const statuses = page.locator('tr[data-invoice] [data-status]');
  expect(await statuses.count()).toBeGreaterThan(0);
  for (const s of await statuses.allTextContents()) expect(s).toBe('Overdue');
  await expect(page.getByRole('heading', { name: 'Settled invoices' })).toHaveCount(0);
  await accessible(page);
  await filters.getByRole('link', { name: /^Settled \(\d+\)$/ }).click();
  await expect(page.getByRole('heading', { name: 'Open invoices' })).toHaveCount(0);
  for (const s of await statuses.allTextContents()) expect(['Paid', 'Credited', 'Written off']).toContain(s);
  await accessible(page);
});
