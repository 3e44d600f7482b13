import { expect, test } from '@playwright/test';
import { accessible, kassaUrl } from './helpers';

test('the API reference renders from Kassa alone, under a nonce-only script policy', async ({ page }) => {
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(kassaUrl()) && !url.startsWith('data:')) elsewhere.push(url);
  });
  const blocked: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && /Content Security Policy/.test(msg.text()) && /script/.test(msg.text()) && blocked.push(msg.text()));
  page.on('pageerror', (err) => blocked.push(err.message));

  const response = await page.goto(`${kassaUrl()}/api/docs`);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+';/);
  expect(csp).toContain("frame-ancestors 'none'");
  await expect(page.locator('body[data-reference-ready]')).toBeAttached();
  await expect(page.getByRole('heading', { name: /Kassa merchant API/ })).toBeVisible();
  // Operations from the generated document, under their tags.
  await expect(page.locator('.opblock-summary-path', { hasText: /^\/payments$/ }).first()).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: '/credit_notes/by-number/{number}' })).toBeVisible();
  expect(elsewhere).toEqual([]);
  expect(blocked).toEqual([]);
  await accessible(page);
});
