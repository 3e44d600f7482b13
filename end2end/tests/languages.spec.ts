import { expect, test } from '@playwright/test';
import { accessible, freshDemo, kassaUrl, linkFor, signIn, staffSignIn } from './helpers';

// The demo's customers open the portal in their customer record's language: the Dutch bakery
// in Dutch, the Danish coffee roaster in Danish. Every page passes axe in each language and
// fits a 375 px phone.

test('the Dutch bakery reads its portal in Dutch, on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(linkFor('Bakkerij De Molen B.V.'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  await expect(page.getByRole('heading', { name: 'Uw facturen van Noorderlicht Supplies' })).toBeVisible();
  await accessible(page);
  await page.getByRole('button', { name: 'Verder' }).click();
  await expect(page.getByRole('heading', { name: 'Hallo Bakkerij De Molen B.V.' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Openstaande facturen' })).toBeVisible();
  await expect(page.getByTestId('test-banner')).toContainText('Testmodus');
  await accessible(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  await page.getByRole('link', { name: 'NL-2026-0105' }).click();
  await expect(page.getByRole('heading', { name: /Factuur NL-2026-0105/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Factuurregels' })).toBeVisible();
  await accessible(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

  // A refused payment says why in Dutch.
  await page.getByLabel('Bedrag (EUR)').fill('0');
  await page.getByRole('button', { name: 'Nu betalen' }).click();
  await expect(page.getByRole('alert')).toHaveText('Vul een bedrag boven nul in.');

  // The statement of account, in Dutch, fits the phone too.
  await page.goto(`${kassaUrl()}/p/demo/statement`);
  await expect(page.getByRole('heading', { name: 'Rekeningoverzicht' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'In EUR' })).toBeVisible();
  await accessible(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test('the Danish coffee roaster reads its portal in Danish, and can switch to English', async ({ page }) => {
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
  await expect(page.getByRole('heading', { name: 'Hej Fjordkaffe ApS' })).toBeVisible();
  await expect(page.locator('tr[data-invoice="DK-2026-0201"] [data-status]')).toHaveText('Forfalden');
  await accessible(page);

  await page.getByLabel('Vælg faktura DK-2026-0207').check();
  await page.getByRole('button', { name: 'Betal valgte fakturaer' }).click();
  await expect(page.getByRole('heading', { name: 'Betal 1 faktura' })).toBeVisible();
  await accessible(page);

  // The language menu is a plain link on every page; the choice is remembered.
  await page.getByRole('navigation', { name: 'Sprog' }).getByRole('link', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Pay 1 invoice' })).toBeVisible();
  await page.goto(`${kassaUrl()}/p/demo`);
  await expect(page.getByRole('heading', { name: 'Hello Fjordkaffe ApS' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Dansk' }).click();
  await expect(page.getByRole('heading', { name: 'Hej Fjordkaffe ApS' })).toBeVisible();

  // On a phone the header's sign-out keeps its words on one line ("Log ud" broke in two).
  await page.setViewportSize({ width: 375, height: 800 });
  const lines = await page.getByRole('button', { name: 'Log ud' }).evaluate((button) => {
    const range = document.createRange();
    range.selectNodeContents(button);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  expect(lines).toBe(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});

test('the accessibility statement reads in each language, from every portal page', async ({ page }) => {
  await signIn(page, linkFor('Studio Grachten'));
  await page.getByRole('contentinfo').getByRole('link', { name: 'Toegankelijkheid' }).click();
  await expect(page.getByRole('heading', { name: 'Toegankelijkheidsverklaring', level: 1 })).toBeVisible();
  await expect(page.getByText('WCAG) 2.2 op niveau AA')).toBeVisible();
  await accessible(page);
  for (const [name, heading] of [['English', 'Accessibility statement'], ['Dansk', 'Tilgængelighedserklæring']]) {
    await page.getByRole('contentinfo').getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
    await accessible(page);
  }
  // Anyone may read it, signed in or not.
  await page.context().clearCookies();
  const res = await page.goto(`${kassaUrl()}/p/demo/accessibility`);
  expect(res?.status()).toBe(200);
});

test('in a dark scheme with less motion, at 320 px, the portal reads and nothing scrolls sideways', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.setViewportSize({ width: 320, height: 700 });
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await expect(page.getByRole('heading', { name: 'Hej Fjordkaffe ApS' })).toBeVisible();
  // The dark scheme is in force: a dark page behind light text.
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe('rgb(18, 22, 27)');
  for (const path of ['', '/invoices/DK-2026-0202', '/invoices/DK-2026-0210', '/checkout?invoice=DK-2026-0207', '/statement', '/accessibility', '/plan?invoice=DK-2026-0202&budget=1000']) {
    await page.goto(`${kassaUrl()}/p/demo${path}`);
    await expect(page.locator('h1')).toBeVisible();
    await accessible(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(320);
  }
});

test('every admin page passes axe in Dutch and in Danish', async ({ page, context }) => {
  await staffSignIn(page, freshDemo());
  for (const lang of ['nl', 'da']) {
    await context.addCookies([{ name: 'kassa_lang', value: lang, url: kassaUrl() }]);
    for (const path of ['', '/webhooks', '/jobs', '/settings', '/mail', '/payments', '/promises', '/disputes', '/plans?status=active', '/widgets']) {
      await page.goto(`${kassaUrl()}/admin${path}`);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.locator('h1')).toBeVisible();
      await accessible(page);
    }
    // The demo's dispute under review: its thread, internal note and forms.
    await page.goto(`${kassaUrl()}/admin/disputes?status=under_review`);
    await page.getByRole('link', { name: 'DK-2026-0210' }).click();
    await expect(page.locator('h1')).toContainText('DK-2026-0210');
    await expect(page.locator('ul.thread')).toContainText('Check the delivery terms');
    await accessible(page);
    // The demo's running plan: its schedule with the first instalment paid.
    await page.goto(`${kassaUrl()}/admin/plans?status=active`);
    await page.getByRole('link', { name: /Studio Grachten/ }).first().click();
    await expect(page.locator('table.instalments tr[data-paid="true"]')).toHaveCount(1);
    await accessible(page);
    // A customer's page: its invoices, history, plans, promises and disputes.
    await page.goto(`${kassaUrl()}/admin`);
    await page.getByRole('link', { name: 'Fjordkaffe ApS' }).first().click();
    await expect(page.locator('h1')).toHaveText('Fjordkaffe ApS (C-1002)');
    await expect(page.locator('table.statement')).toBeVisible();
    await accessible(page);
  }
});
