// Starts a real `kassa serve` (debug build from scripts/test) on free ports against a fresh
// SQLite database with the demo data, and the Stripe stand-in beside it, and tells the tests
// where they are through env vars.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  const bin = process.env.KASSA_BIN;
  if (!bin) throw new Error('KASSA_BIN is not set: run the browser tests through scripts/test');
  const dir = mkdtempSync(join(tmpdir(), 'kassa-e2e-'));
  const port = await freePort();
  const shopPort = await freePort();
  // Stripe's servers are out of reach: its stand-in (stripe-standin/, built with the rest)
  // answers Stripe's API and serves the Stripe.js stand-in.
  const standinBin = process.env.KASSA_STANDIN_BIN ?? join(dirname(bin), 'stripe-standin');
  const standinPort = await freePort();
  const standin = spawn(standinBin, ['--port', String(standinPort)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stripe = `http://127.0.0.1:${standinPort}/`;
  const env = {
    ...process.env,
    KASSA_DATABASE_URL: `sqlite://${dir}/kassa.db`,
    KASSA_ADDR: `127.0.0.1:${port}`,
    KASSA_DEMO_SHOP_ADDR: `127.0.0.1:${shopPort}`,
    KASSA_STRIPE_API_URL: stripe,
    KASSA_STRIPE_JS_URL: `${stripe}v3/`,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  execFileSync(bin, ['demo', '--json'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const server = spawn(bin, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'], detached: false });
  writeFileSync(join(dir, 'pid'), `${server.pid} ${standin.pid}`);
  process.env.KASSA_STRIPE_URL = stripe;
  process.env.KASSA_E2E_DIR = dir;
  process.env.KASSA_URL = `http://127.0.0.1:${port}`;
  process.env.KASSA_SHOP_URL = `http://127.0.0.1:${shopPort}`;
  process.env.KASSA_DATABASE_URL = env.KASSA_DATABASE_URL;
  process.env.KASSA_ADDR = env.KASSA_ADDR;
  process.env.KASSA_DEMO_SHOP_ADDR = env.KASSA_DEMO_SHOP_ADDR;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${process.env.KASSA_URL}/healthz`);
      const stand = await fetch(`${stripe}v3/`);
      if (res.ok && stand.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  standin.kill();
  throw new Error('kassa serve (/healthz) or the Stripe stand-in did not answer within 10 s');
}
