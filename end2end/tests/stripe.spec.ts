import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { accessible, freshDemo, inEnglish, kassaUrl, linkFor, signIn } from './helpers';

// Paying through Stripe in a real browser: Kassa's payment form loads Stripe.js (its stand-in,
// stripe-standin/, at the address KASSA_STRIPE_JS_URL names) and mounts the Payment Element;
// the stand-in answers as Stripe's API does and sends Kassa its signed events. The demo
// merchant connects its Stripe test account through the API for these tests and disconnects
// it afterwards (the other specs pay in the sandbox), and pays invoices of its own, made
// through the API first, so no other spec's payments change what these see.

const stripeUrl = () => process.env.KASSA_STRIPE_URL!;
const SECRET_KEY = 'sk_test_51KassaEndToEnd00000000000000000000000000000000000000e2e';
const WEBHOOK_SECRET = 'whsec_endtoendendtoendendtoend00';
let liveKey = '';

async function api(method: string, path: string, body?: unknown, key = liveKey) {
  const res = await fetch(`${kassaUrl()}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

test.beforeAll(async () => {
  const out = execFileSync(
    process.env.KASSA_BIN!,
    ['api-key', 'create', '--merchant', 'demo', '--name', 'browser tests', '--live', '--scopes', 'read,write,settings'],
    { env: process.env },
  ).toString();
  liveKey = out.trim().split('\n').pop()!.trim();
  const connected = await api('PUT', '/settings/stripe', {
    secret_key: SECRET_KEY,
    publishable_key: 'pk_test_51KassaEndToEnd0000000000000000000000000000000000000',
    webhook_secret: WEBHOOK_SECRET,
  });
  expect(connected.status).toBe(200);
  // The Stripe Dashboard's "add endpoint", at the stand-in.
  const added = await fetch(`${stripeUrl()}_standin/webhook_endpoints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ secret_key: SECRET_KEY, url: connected.body.webhook_url, secret: WEBHOOK_SECRET }),
  });
  expect(added.status).toBe(204);
  // The invoices these tests pay, in the demo's test mode.
  const testKey = (freshDemo() as unknown as { api_key: string }).api_key;
  const invoices: [string, string, string, string][] = [
    ['C-1001', 'STRIPE-101', 'EUR', '120.00'],
    ['C-1001', 'STRIPE-102', 'EUR', '80.00'],
    ['C-1001', 'STRIPE-103', 'EUR', '60.00'],
    ['C-1001', 'STRIPE-104', 'EUR', '300.00'],
    ['C-1002', 'STRIPE-201', 'DKK', '500.00'],
  ];
  for (const [customerNumber, number, currency, price] of invoices) {
    const customer = await api('GET', `/customers/by-number/${customerNumber}`, undefined, testKey);
    const made = await api('POST', '/invoices', {
      customer: customer.body.id, number, currency, issue_date: '2026-11-20',
      lines: [{ description: 'Stripe test goods', quantity: '1', unit_price: price }],
    }, testKey);
    expect([200, 201]).toContain(made.status);
  }
});

test.afterAll(async () => {
  expect((await api('DELETE', '/settings/stripe/test')).status).toBe(204);
});

/** Waits for Stripe's fields in Kassa's form, chooses a method and, for a card, types it. */
async function fillPaymentElement(page: Page, method: string, card?: string) {
  await expect(page.locator('#payment-form[data-ready]')).toBeVisible();
  await page.getByRole('radio', { name: method }).check();
  if (card) await page.getByLabel('Card number').fill(card);
}

test('a card with 3-D Secure, in Dutch at 375 px: Kassa\'s form, Stripe\'s fields, the bank\'s page, the receipt', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  const errors: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(`${msg.text()} ${msg.location().url}`));
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/STRIPE-101`);
  await page.getByLabel('Bedrag (EUR)').fill('40,00');
  await page.getByRole('button', { name: 'Nu betalen' }).click();

  await expect(page).toHaveURL(/\/p\/demo\/pay\/form\//);
  await expect(page.getByRole('heading', { name: /^€\s40,00 betalen$/ })).toBeVisible();
  await expect(page.getByText('Voor factuur STRIPE-101.')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await fillPaymentElement(page, 'card', '4000 0027 6000 3184');
  await accessible(page);
  await page.getByRole('button', { name: /^€\s40,00 betalen$/ }).click();
  // Stripe's 3-D Secure page (the stand-in's), then back.
  await expect(page.getByRole('heading', { name: '3D Secure 2 Test Page' })).toBeVisible();
  await page.getByRole('button', { name: 'Complete' }).click();
  await expect(page.getByTestId('receipt-amount')).toHaveText(/^€\s40,00$/);
  expect(errors).toEqual([]);
});

test('a Dutch plan paid by direct debit, at 375 px: Kassa\'s mandate form, Stripe\'s IBAN field, the plan says from which account', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await signIn(page, linkFor('Bakkerij De Molen B.V.'));
  await page.goto(`${kassaUrl()}/p/demo/invoices/STRIPE-104`);
  await page.getByRole('link', { name: 'Betaling spreiden' }).click();
  await page.getByLabel('Per maand (EUR)').fill('100');
  await page.getByRole('button', { name: 'Regelingen tonen' }).click();
  await page.getByRole('link', { name: 'Deze regeling bekijken' }).first().click();
  await page.getByRole('button', { name: 'Regeling bevestigen' }).click();
  await expect(page.getByTestId('plan-status')).toHaveAttribute('data-status', 'active');
  const debit = page.getByTestId('plan-debit');
  await expect(debit).toHaveAttribute('data-status', 'none');
  await accessible(page);
  await debit.getByRole('button', { name: 'Automatische incasso instellen' }).click();

  await expect(page).toHaveURL(/\/p\/demo\/plans\/[^/]+\/debit$/);
  await expect(page.getByRole('heading', { name: 'Automatische incasso voor uw betalingsregeling' })).toBeVisible();
  await fillPaymentElement(page, 'sepa_debit');
  await page.getByLabel('IBAN').fill('AT61 1904 3002 3457 3201');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await accessible(page);
  await page.getByRole('button', { name: 'Automatische incasso instellen' }).click();

  // Back on the plan's page: set up, from which account; the debtor may stop it.
  await expect(page.getByTestId('plan-debit')).toHaveAttribute('data-status', 'active');
  await expect(page.getByTestId('plan-debit')).toContainText('eindigend op 3201');
  await accessible(page);
  await page.getByRole('button', { name: 'Incasso stoppen' }).click();
  await expect(page.getByTestId('plan-debit')).toHaveAttribute('data-status', 'stopped');
  await expect(page.getByTestId('plan-debit').getByRole('button', { name: 'Automatische incasso instellen' })).toBeVisible();
});

test.describe('in English', () => {
  test.beforeEach(async ({ context }) => inEnglish(context));

  test('a declined card says why on the form; another card then pays', async ({ page }) => {
    await signIn(page, linkFor('Fjordkaffe ApS'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/STRIPE-201`);
    await page.getByRole('button', { name: 'Pay now' }).click();
    await fillPaymentElement(page, 'card', '4000 0000 0000 9995');
    await page.getByRole('button', { name: /^Pay DKK/ }).click();
    await expect(page.getByTestId('payment-error')).toHaveText('Your card has insufficient funds.');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Pay DKK/ }).click();
    await expect(page.getByTestId('receipt-title')).toHaveText('Thank you, payment received');
  });

  test('several invoices with a redirect method (iDEAL): the bank\'s page, then the receipt for both', async ({ page }) => {
    await signIn(page, linkFor('Bakkerij De Molen B.V.'));
    await page.getByLabel('Select invoice STRIPE-102').check();
    await page.getByLabel('Select invoice STRIPE-103').check();
    await page.getByRole('button', { name: 'Pay selected invoices' }).click();
    await expect(page.getByRole('heading', { name: 'Pay 2 invoices' })).toBeVisible();
    const total = (await page.getByTestId('selection-total').textContent())!;
    await page.getByRole('button', { name: `Pay ${total}` }).click();
    await expect(page.getByRole('heading', { name: `Pay ${total}` })).toBeVisible();
    await fillPaymentElement(page, 'ideal');
    await page.getByRole('button', { name: `Pay ${total}` }).click();
    await expect(page.getByRole('heading', { name: 'Test bank page' })).toBeVisible();
    await page.getByRole('button', { name: 'Complete' }).click();
    await expect(page.getByTestId('receipt-amount')).toHaveText(total);
    const applied = page.getByRole('table', { name: 'Applied to' });
    await expect(applied.locator('tr', { hasText: 'STRIPE-102' }).locator('[data-status]')).toHaveText('Paid');
    await expect(applied.locator('tr', { hasText: 'STRIPE-103' }).locator('[data-status]')).toHaveText('Paid');
  });

  test('without Stripe.js the form says so and offers bank transfer', async ({ page }) => {
    await page.route(`${stripeUrl()}v3/`, (route) => route.abort());
    await signIn(page, linkFor('Bakkerij De Molen B.V.'));
    await page.goto(`${kassaUrl()}/p/demo/invoices/STRIPE-101`);
    await page.getByRole('button', { name: 'Pay now' }).click();
    await expect(page.getByTestId('payment-unavailable')).toBeVisible();
    await expect(page.locator('#payment-form')).toBeHidden();
    await accessible(page);
    await page.getByRole('link', { name: 'Pay by bank transfer' }).click();
    await expect(page.getByRole('heading', { name: /Invoice STRIPE-101/ })).toBeVisible();
    await accessible(page);
  });
});
