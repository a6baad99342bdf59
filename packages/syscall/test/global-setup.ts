/**
 * Child processes in the tests, and the waiter's worker thread (which Node runs as plain
 * JavaScript), use the compiled package in dist/. Build it when it is missing or older than
 * the sources, so that `vitest` alone tests what it should.
 */

import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const marker = `${root}dist/waiter-worker.js`;
  const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  const sources = readdirSync(`${root}src`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (sources.every((f) => statSync(`${root}src/${f}`).mtimeMs <= built)) return;
  const { scripts } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
    scripts: { build: string };
  };
  execSync(scripts.build, { cwd: root, stdio: 'inherit' });
}
