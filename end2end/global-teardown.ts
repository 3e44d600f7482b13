import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown() {
  const dir = process.env.KASSA_E2E_DIR;
  if (!dir) return;
  for (const pid of readFileSync(join(dir, 'pid'), 'utf8').split(' ')) {
    try {
      process.kill(Number(pid), 'SIGINT');
    } catch {
      // already gone
    }
  }
  await new Promise((r) => setTimeout(r, 300));
  rmSync(dir, { recursive: true, force: true });
}
