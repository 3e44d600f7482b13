import { expect, test } from '@playwright/test';
import { accessible, freshDemo, kassaUrl, linkFor, signIn, staffSignIn } from './helpers';

test('a Dutch debtor disputes one line on a phone; the rest stays payable and staff see it', async ({ page, browser }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, linkFor('Studio Grachten'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0304`);
  await page.getByText('Klopt er iets niet aan deze factuur?').click();
  await accessible(page);
  await page.getByLabel('Wat klopt er niet').selectOption('damaged');
  await page.getByLabel('Ink cartridges').check();
  await page.getByLabel('Bedrag in geschil (EUR)').fill('34,99');
  await page.getByLabel('Uw bericht').fill('Eén cartridge lekte.');
  await page.getByRole('button', { name: 'Betwisting versturen' }).click();
  await expect(page.getByRole('heading', { name: /Factuur NL-2026-0304/ })).toContainText('Betwist');
  await expect(page.getByTestId('dispute-held')).toContainText('€ 34,99 is betwist');
  await expect(page.getByTestId('dispute')).toContainText('Eén cartridge lekte.');
  // The pay form asks for the undisputed rest (9 x 34,99 = 314,91; less 34,99).
  await expect(page.getByLabel('Bedrag (EUR)', { exact: true })).toHaveValue('279,92');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await accessible(page);

  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await staffSignIn(staff, freshDemo());
  await staff.getByRole('link', { name: 'Disputes' }).click();
  await expect(staff.getByRole('table', { name: 'Disputes, oldest first' })).toContainText('NL-2026-0304');
  await expect(staff.getByRole('table', { name: 'Disputes, oldest first' })).toContainText('Eén cartridge lekte.');
  await accessible(staff);
  await staffContext.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a debtor disputes a whole invoice with a plain form', async ({ page }) => {
    await signIn(page, linkFor('Studio Grachten'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0306`);
    await page.getByText('Klopt er iets niet aan deze factuur?').click();
    await page.getByLabel('Wat klopt er niet').selectOption('not_received');
    await page.getByLabel('Uw bericht').fill('Nooit ontvangen.');
    await page.getByRole('button', { name: 'Betwisting versturen' }).click();
    await expect(page.getByRole('heading', { name: /Factuur NL-2026-0306/ })).toContainText('Betwist');
    await expect(page.getByTestId('dispute')).toContainText('Nooit ontvangen.');
  });
});
