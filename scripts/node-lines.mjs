#!/usr/bin/env node
/**
 * The Node.js binaries CI tests with besides the machine's own: one per version pinned in
 * scripts/node-lines, installed from the npm registry (`npm install node-linux-<arch>@<version>`,
 * the official binary in a package; the plain `node` package's install step does not run under
 * npm 11) into a cache dir kept between runs:
 * `$INOTIFY_TS_NODE_CACHE`, else `$XDG_CACHE_HOME/inotify-ts/node`, else `~/.cache/inotify-ts/node`.
 *
 * Run as a script, it installs what is missing and prints `<version> <bin dir>` per line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const ARCH = { x64: 'x64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' }[process.arch];

/** The versions pinned in scripts/node-lines. */
export function pinnedVersions() {
  return readFileSync(join(root, 'scripts/node-lines'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/**
 * Where the binaries are kept. Tests run `process.execPath` as nobody too, so the binary must sit
 * where every user may reach it: root (CI) keeps them in /var/cache, not in its 0700 home.
 */
function cacheDir() {
  if (process.env.INOTIFY_TS_NODE_CACHE) return process.env.INOTIFY_TS_NODE_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/inotify-ts/node';
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'inotify-ts', 'node');
}

/** Installs (when missing) Node `version` and returns the dir holding its `node` binary. */
export function nodeBin(version) {
  if (ARCH === undefined) throw new Error(`no node-linux package for ${process.arch}`);
  const prefix = join(cacheDir(), version);
  const bin = join(prefix, 'node_modules', `node-linux-${ARCH}`, 'bin');
  const installed = () => {
    try {
      return execFileSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim() === `v${version}`;
    } catch {
      return false;
    }
  };
  if (!installed()) {
    mkdirSync(prefix, { recursive: true, mode: 0o755 });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node-linux-${ARCH}@${version}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (!existsSync(join(bin, 'node')) || !installed())
      throw new Error(`node-linux-${ARCH}@${version} did not install a working node`);
  }
  return bin;
}

/** Every pinned line: `{ version, bin }`, installed. */
export function nodeLines() {
  return pinnedVersions().map((version) => ({ version, bin: nodeBin(version) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { version, bin } of nodeLines()) console.log(`${version} ${bin}`);
}
