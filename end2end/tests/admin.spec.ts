import { expect, test } from '@playwright/test';
import { accessible, freshDemo, hydrated, kassaUrl, linkFor } from './helpers';

test('staff log in and see an invoice the debtor just paid', async ({ page, browser }) => {
  // The debtor pays in their own browser.
  const debtor = await browser.newPage();
  await debtor.goto(linkFor('Studio Grachten'));
  await debtor.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0302`);
  await hydrated(debtor);
  await debtor.getByRole('button', { name: 'Pay now' }).click();
  await expect(debtor.getByTestId('receipt-title')).toBeVisible();
  await debtor.close();

  const demo = freshDemo();
  await page.goto(demo.staff_login_url);
  await hydrated(page);
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
  await hydrated(page);
  await page.getByLabel('Email').fill(demo.staff_email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is wrong.');
  const response = await page.goto(`${kassaUrl()}/admin`);
  expect(response?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
});
