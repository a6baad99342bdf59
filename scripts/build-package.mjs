#!/usr/bin/env node
/**
 * Builds the package in the current directory into `dist/`:
 *
 * - `tsc -p tsconfig.build.json --emitDeclarationOnly`: the `.d.ts` files (and their maps), one
 *   per source module, so that types and go-to-definition work as before;
 * - esbuild: each entry point given on the command line as ONE ES module (its own sources
 *   inlined, every package import left as an import), with a source map.
 *
 * One file per entry instead of one per module: Node resolves, reads and links a handful of
 * files at import instead of dozens (an import of @inotify-ts/inotify went from 45 modules to 3,
 * about a third faster, and ~5 MiB less RSS: resolving that many file URLs made V8 optimise
 * Node's own path helpers, and the optimising compiler's pages then count in the process).
 *
 * The `.d.ts.map` and `.js.map` files point to `../src/*.ts`: every package ships its sources
 * (`files` in package.json: `src`, tests excluded), so that go-to-definition and stack traces
 * land in the TypeScript a user can read (the clean-install job checks every map resolves
 * inside the tarball).
 *
 * Everything is built into `dist.tmp/` and swapped in at the end, so that `dist/` is never seen
 * half built by a test running at the same time.
 *
 * Usage: node ../../scripts/build-package.mjs src/index.ts [more entries...] [--executable name.js]
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const args = process.argv.slice(2);
const executables = [];
const entries = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--executable') executables.push(args[++i]);
  else entries.push(args[i]);
}
if (entries.length === 0) {
  console.error('usage: build-package.mjs <entry.ts>... [--executable <name>.js]');
  process.exit(2);
}

const temp = 'dist.tmp';
rmSync(temp, { recursive: true, force: true });

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const types = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', temp],
  { stdio: 'inherit' },
);
if (types.status !== 0) {
  rmSync(temp, { recursive: true, force: true });
  process.exit(types.status ?? 1);
}

const { build } = await import('esbuild');
try {
  await build({
    entryPoints: entries,
    outdir: temp,
    outbase: 'src',
    bundle: true,
    // Dependencies (koffi, the other @inotify-ts packages, commander) stay imports.
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
} catch {
  rmSync(temp, { recursive: true, force: true });
  process.exit(1);
}
for (const name of executables) chmodSync(join(temp, name), 0o755);

rmSync('dist', { recursive: true, force: true });
renameSync(temp, 'dist');
