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
  // A photo of the leak: a PNG, whatever its name says.
  const photo = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  await page.getByLabel("Foto's of documenten").setInputFiles({ name: 'lek.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.getByRole('button', { name: 'Betwisting versturen' }).click();
  await expect(page.getByRole('heading', { name: /Factuur NL-2026-0304/ })).toContainText('Betwist');
  await expect(page.getByTestId('dispute').getByRole('link', { name: /lek\.png/ })).toBeVisible();
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

  // Staff note something for each other, then answer the debtor.
  await staff.getByRole('link', { name: 'NL-2026-0304' }).click();
  await expect(staff.getByRole('heading', { level: 1 })).toHaveText('Dispute on invoice NL-2026-0304');
  const download = staff.waitForEvent('download');
  await staff.getByRole('link', { name: /lek\.png/ }).click();
  expect((await download).suggestedFilename()).toBe('lek.png');
  await accessible(staff);
  await staff.getByLabel('Answer or note').fill('Checking the lot number first.');
  await staff.getByLabel('Internal note').check();
  await staff.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(staff.locator('ul.thread')).toContainText('Checking the lot number first.');
  await staff.getByLabel('Answer or note').fill('We are sending you a new cartridge.');
  await staff.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(staff.getByTestId('dispute-status')).toHaveText('Under review');

  // The debtor reads the answer (never the note) and answers back.
  await page.reload();
  await expect(page.getByTestId('dispute')).toContainText('We are sending you a new cartridge.');
  await expect(page.getByTestId('dispute')).not.toContainText('Checking the lot number');
  await page.getByLabel('Uw antwoord').fill('Dank u, graag.');
  await page.getByRole('button', { name: 'Verstuur het antwoord' }).click();
  await expect(page.getByTestId('dispute')).toContainText('Dank u, graag.');
  await accessible(page);

  // Staff resolve it with a credit note for part of it; the invoice changes at once.
  await staff.reload();
  await expect(staff.locator('ul.thread')).toContainText('Dank u, graag.');
  await staff.getByLabel('Outcome').selectOption('credited_in_part');
  await staff.getByLabel('Credit (EUR)').fill('20.00');
  await staff.getByLabel('Answer to the customer').fill('We credit 20.00 for the leaking cartridge.');
  await staff.getByRole('button', { name: 'Resolve', exact: true }).click();
  await expect(staff.getByTestId('dispute-outcome')).toHaveText('Resolved: credited in part');
  await expect(staff.getByText('Credit note NL-2026-0304-C1 takes €20.00 off the invoice.')).toBeVisible();
  await accessible(staff);
  await staffContext.close();

  await page.reload();
  await expect(page.getByTestId('dispute-outcome')).toHaveText('Afgehandeld: gedeeltelijk gecrediteerd');
  await expect(page.getByTestId('balance')).toHaveText('€ 294,91');
  await expect(page.getByRole('heading', { name: /Factuur NL-2026-0304/ })).not.toContainText('Betwist');
  await expect(page.getByTestId('dispute-held')).toHaveCount(0);
  await expect(page.getByLabel('Bedrag (EUR)', { exact: true })).toHaveValue('294,91');
  await accessible(page);
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
