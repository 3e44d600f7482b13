import AxeBuilder from '@axe-core/playwright';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

export const kassaUrl = () => process.env.KASSA_URL!;
export const shopUrl = () => process.env.KASSA_SHOP_URL!;

export interface DemoLinks {
  merchant: string;
  /** A fresh test-mode API key for the demo merchant. */
  api_key: string;
  customers: { name: string; currency: string; magic_link: string }[];
  shop_url: string;
  staff_login_url: string;
  staff_email: string;
  staff_password: string;
}

/** Runs `kassa demo --json` as a person would: idempotent seed, fresh single-use links. */
export function freshDemo(): DemoLinks {
  const out = execFileSync(process.env.KASSA_BIN!, ['demo', '--json'], { env: process.env });
  return JSON.parse(out.toString());
}

export function linkFor(name: string): string {
  const customer = freshDemo().customers.find((c) => c.name === name);
  if (!customer) throw new Error(`no demo customer ${name}`);
  return customer.magic_link;
}

/** Opens a sign-in link as a person does: the link's page (which signs nobody in), then Continue. */
export async function signIn(page: Page, link: string) {
  await page.goto(link);
  await page.getByRole('button', { name: /^(Continue|Verder|Fortsæt)$/ }).click();
}

/** Signs the demo's staff member in on the staff sign-in page. */
export async function staffSignIn(page: Page, demo: { staff_login_url: string; staff_email: string; staff_password: string }) {
  await page.goto(demo.staff_login_url);
  await page.getByLabel('Email').fill(demo.staff_email);
  await page.getByLabel('Password').fill(demo.staff_password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible();
}

/**
 * Pages are server-rendered HTML whose forms work without wasm; only islands hydrate. Before
 * using an island, wait for it: each island marks itself `data-ready` once it is live.
 */
export async function islandReady(page: Page, island: string) {
  await expect(page.locator(`[data-island="${island}"][data-ready]`)).toBeVisible();
}

/** axe-core: no WCAG 2.0, 2.1 or 2.2 A/AA violations on the current page. */
export async function accessible(page: Page) {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
  const results = await new AxeBuilder({ page }).withTags(tags).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`)).toEqual([]);
}

/**
 * The demo's customers read the portal in their own language (Dutch, Danish); tests written
 * against the English words choose English first, as a visitor does with the language menu.
 */
export async function inEnglish(context: BrowserContext) {
  await context.addCookies([{ name: 'kassa_lang', value: 'en', url: kassaUrl() }]);
}

/** The sandbox's checkout page (test mode's stand-in for a provider's page): pays with the
 * approved test card (or the declined one) and comes back. Any language: found by its form. */
export async function payInSandbox(page: Page, card: 'approved' | 'declined' = 'approved') {
  await expect(page).toHaveURL(/\/sandbox\/sbx_/);
  if (card === 'declined') await page.locator('input[name="card"][value="4000000000000002"]').check();
  await page.locator('form.sandbox-form button[type="submit"]').click();
}
