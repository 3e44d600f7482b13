import { expect, test } from '@playwright/test';
import { accessible, freshDemo, kassaUrl, linkFor, signIn, staffSignIn } from './helpers';

/** `days` from now as a date field takes it (YYYY-MM-DD). */
function daysAhead(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test('a Danish debtor promises a date on a phone, and staff see the promise', async ({ page, browser }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0205`);
  await expect(page.getByRole('heading', { name: 'Kan du ikke betale nu?' })).toBeVisible();
  await accessible(page);
  const date = page.getByLabel('Jeg betaler senest');
  await expect(date).toHaveAttribute('type', 'date');
  await date.fill(daysAhead(7));
  await page.getByRole('button', { name: 'Lov betaling' }).click();
  await expect(page.getByTestId('promise-made')).toContainText('Du har lovet at betale');
  await expect(page.getByRole('heading', { name: /Faktura DK-2026-0205/ })).toContainText('Betaling lovet');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await accessible(page);

  // A date past the merchant's window is refused in words, in Danish.
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0204`);
  const late = page.getByLabel('Jeg betaler senest');
  await late.fill(daysAhead(60));
  // The field's own limit stops it in the browser; without that check the server says why.
  expect(await late.evaluate((el) => (el as HTMLInputElement).validity.rangeOverflow)).toBe(true);
  await late.evaluate((el) => ((el as HTMLInputElement).form!.noValidate = true));
  await page.getByRole('button', { name: 'Lov betaling' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Vælg en dato senest' })).toBeVisible();

  const demo = freshDemo();
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await staffSignIn(staff, demo);
  await staff.getByRole('link', { name: 'Promises' }).click();
  await expect(staff.getByRole('table', { name: 'Promises to pay' })).toContainText('DK-2026-0205');
  await accessible(staff);
  await staffContext.close();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a Dutch debtor promises to pay with a plain form', async ({ page }) => {
    await signIn(page, linkFor('Studio Grachten'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0303`);
    await page.getByLabel('Ik betaal uiterlijk op').fill(daysAhead(10));
    await page.getByRole('button', { name: 'Betaling toezeggen' }).click();
    await expect(page.getByTestId('promise-made')).toContainText('U hebt toegezegd');
    await expect(page.getByRole('heading', { name: /Factuur NL-2026-0303/ })).toContainText('Betaling toegezegd');
  });
});
