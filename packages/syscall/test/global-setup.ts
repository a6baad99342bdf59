/**
 * Child processes in the tests, and the waiter's worker thread (which Node runs as plain
 * JavaScript), use the compiled package in dist/. Build it when it is missing or older than
 * the sources, so that `vitest` alone tests what it should.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const marker = `${root}dist/waiter-worker.js`;
  const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
  const sources = readdirSync(`${root}src`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  if (sources.every((f) => statSync(`${root}src/${f}`).mtimeMs <= built)) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
}
