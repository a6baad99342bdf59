// Sums test results from CI logs: vitest's "Tests ..." summary lines (one per package run by
// turbo) and any "<name>: N passed, N failed" lines. Each argument is a log, or `<label>=<log>`
// (the label names the Node version the log's tests ran on).
//
// Prints one line per labelled log and every failed test with its label on stderr, and the
// totals "passed failed skipped" on stdout.
import { readFileSync } from 'node:fs';

// Strip ANSI colour codes: turbo and vitest colour their output on some terminals.
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

function sum(text) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = new Set();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[^:]*:test:\s*/, '');
    const summary = /^\S*?:?\s*Tests\s+(.*)\(\d+\)\s*$/.exec(line);
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
      continue;
    }
    // vitest: " FAIL  <project> <file> > <suite> > <test>"; clean-install: "  FAIL  <check>".
    const fail = /^\s*FAIL\s+(.*\S)\s*$/.exec(line);
    if (fail) failures.add(fail[1]);
  }
  return { passed, failed, skipped, failures };
}

const total = { passed: 0, failed: 0, skipped: 0 };
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=');
  const [label, file] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : ['', arg];
  const r = sum(readFileSync(file, 'utf8').replaceAll(ANSI, ''));
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
  if (label) console.error(`  ${label} — ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  for (const f of r.failures) console.error(`  FAILED${label ? ` on ${label}` : ''}: ${f}`);
}
console.log(`${total.passed} ${total.failed} ${total.skipped}`);
