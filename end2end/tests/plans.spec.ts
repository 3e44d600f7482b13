import { expect, test } from '@playwright/test';
import { accessible, freshDemo, kassaUrl, linkFor, payInSandbox, signIn, staffSignIn } from './helpers';

test('a Danish debtor proposes a plan outside the policy on a phone; staff approve it and the debtor sees it run', async ({ page, browser }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, linkFor('Fjordkaffe ApS'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0211`);
  await page.getByRole('link', { name: 'Del betalingen op' }).click();
  await expect(page.getByRole('heading', { name: 'Del betalingen op', level: 1 })).toBeVisible();
  await expect(page.getByTestId('plan-to-spread')).toContainText('4.800,00 kr.');
  await accessible(page);

  // Twelve monthly instalments: more than the six the demo's policy allows.
  await page.getByLabel('Antal rater').fill('12');
  await page.getByLabel('Hvor ofte').selectOption('monthly');
  await page.getByRole('button', { name: 'Vis ordningen' }).click();
  await expect(page.getByRole('heading', { name: 'Kontrollér din ordning' })).toBeVisible();
  await expect(page.locator('table.instalments tbody tr')).toHaveCount(12);
  await expect(page.getByTestId('plan-total')).toContainText('4.800,00 kr.');
  await expect(page.getByTestId('plan-terms')).toContainText('Uden for vores sædvanlige vilkår (mere end 6 rater; længere end 6 måneder)');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await accessible(page);
  await page.getByRole('button', { name: 'Bekræft ordningen' }).click();

  await expect(page.getByRole('heading', { name: 'Din afdragsordning' })).toBeVisible();
  await expect(page.getByTestId('plan-status')).toHaveAttribute('data-status', 'proposed');
  await expect(page.getByTestId('plan-status')).toContainText('Afventer godkendelse');
  const agreement = page.url();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await accessible(page);

  const demo = freshDemo();
  const staffContext = await browser.newContext();
  const staff = await staffContext.newPage();
  await staffSignIn(staff, demo);
  await staff.getByRole('link', { name: 'Plans' }).click();
  const queue = staff.getByRole('table', { name: 'Payment plans, newest first' });
  await expect(queue).toContainText('more than 6 instalments');
  await accessible(staff);
  await queue.getByRole('link', { name: /Fjordkaffe ApS/ }).first().click();
  await expect(staff.getByTestId('plan-status')).toHaveText('Waiting for approval');
  await accessible(staff);
  await staff.getByLabel('Reason, told to the customer').fill('Agreed on the phone.');
  await staff.getByRole('button', { name: 'Approve the plan' }).click();
  await expect(staff.getByTestId('plan-status')).toHaveText('Running');
  await staffContext.close();

  await page.goto(agreement);
  await expect(page.getByTestId('plan-status')).toHaveAttribute('data-status', 'active');
  await expect(page.getByText('Agreed on the phone.')).toBeVisible();
  await page.goto(`${kassaUrl()}/p/demo/invoices/DK-2026-0211`);
  await expect(page.getByTestId('in-plan')).toContainText('Aktiv');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a Dutch debtor spreads an invoice from a monthly budget, within the policy, and pays the first instalment', async ({ page }) => {
    await signIn(page, linkFor('Studio Grachten'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/NL-2026-0310`);
    await page.getByRole('link', { name: 'Betaling spreiden' }).click();
    await page.getByLabel('Per maand (EUR)').fill('100');
    await page.getByRole('button', { name: 'Regelingen tonen' }).click();
    // 260.00 at 100.00 a month: three monthly instalments, or longer ones.
    await expect(page.locator('ul.offers')).toContainText('3 × € 86,67, maandelijks');
    await page.getByRole('link', { name: 'Deze regeling bekijken' }).first().click();
    await expect(page.getByTestId('plan-terms')).toContainText('Binnen onze voorwaarden');
    await expect(page.locator('table.instalments tbody tr')).toHaveCount(3);
    await page.getByRole('button', { name: 'Regeling bevestigen' }).click();

    await expect(page.getByTestId('plan-status')).toHaveAttribute('data-status', 'active');
    await expect(page.getByTestId('plan-next')).toContainText('€ 86,67');
    const agreement = page.url();
    await page.getByRole('button', { name: 'Nu € 86,67 betalen' }).click();
    await payInSandbox(page);
    await expect(page).toHaveURL(/\/p\/demo\/payments\//);
    await page.goto(agreement);
    await expect(page.getByTestId('plan-paid')).toHaveText('€ 86,67');
    await expect(page.locator('table.instalments tr[data-paid="true"]')).toHaveCount(1);
    await expect(page.getByTestId('plan-next')).toContainText('€ 86,67');
    // The agreement as a PDF.
    const pdf = await page.request.get(`${agreement}/pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
  });
});
