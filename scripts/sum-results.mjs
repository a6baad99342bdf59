// Sums vitest's "Tests ..." summary lines (one per package run by turbo) and any
// "<name>: N passed, N failed" lines in a CI log. Prints "passed failed skipped".
import { readFileSync } from 'node:fs';

// Strip ANSI colour codes: turbo and vitest colour their output on some terminals.
const ESC = String.fromCharCode(27);
const text = readFileSync(process.argv[2] ?? 0, 'utf8').replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of text.split('\n')) {
  const summary = /^\S*?:?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line.replace(/^[^:]*:test:\s*/, ''));
  if (summary) {
    for (const part of summary[1].split('|')) {
      const m = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
      if (!m) continue;
      const n = Number(m[1]);
      if (m[2] === 'passed') passed += n;
      else if (m[2] === 'failed') failed += n;
      else skipped += n;
    }
    continue;
  }
  const plain = /^[\w-]+:\s+(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(line);
  if (plain) {
    passed += Number(plain[1]);
    failed += Number(plain[2]);
    skipped += Number(plain[3] ?? 0);
  }
}
console.log(`${passed} ${failed} ${skipped}`);
