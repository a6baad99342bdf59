/**
 * Finds Debian's `inotifywait` (package inotify-tools), installing it with apt-get
 * when it is missing and the bench runs as root, so `pnpm bench` works on a fresh
 * machine. When it cannot, the rows for inotifywait are skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where inotifywait is, or why the bench goes without it. */
export type InotifywaitLookup = { readonly path: string } | { readonly skip: string };

function which(command: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

let cached: InotifywaitLookup | undefined;

/**
 * Returns the path of `inotifywait`. When it is not on PATH and the process is root
 * with apt-get available, runs `apt-get update` then `apt-get install -y
 * inotify-tools` (their output goes to stderr) and looks again. Never throws: every
 * failure becomes `{ skip: reason }`. The answer is cached for the process.
 */
export function findInotifywait(log: (line: string) => void): InotifywaitLookup {
  if (cached !== undefined) return cached;
  cached = lookup(log);
  return cached;
}

function lookup(log: (line: string) => void): InotifywaitLookup {
  const found = which('inotifywait');
  if (found !== null) return { path: found };
  if (process.getuid?.() !== 0) {
    return {
      skip: 'inotifywait is not installed and the bench is not root: run apt-get install inotify-tools',
    };
  }
  if (which('apt-get') === null) return { skip: 'inotifywait is not installed and there is no apt-get' };
  log('inotifywait missing: apt-get update && apt-get install -y inotify-tools');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'inotify-tools']]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 2, 2], env });
    if (run.error !== undefined) return { skip: `apt-get ${args[0]} could not run: ${run.error.message}` };
    if (run.status !== 0) return { skip: `apt-get ${args.join(' ')} exited with status ${run.status}` };
  }
  const installed = which('inotifywait');
  return installed !== null
    ? { path: installed }
    : { skip: 'apt-get installed inotify-tools but inotifywait is still not on PATH' };
}

/**
 * When `ids` lists `'inotifywait'`, finds it (see {@link findInotifywait}) and
 * returns its path; when it cannot be had, records the reason in `skipped` under
 * `'inotifywait'` and returns null. Returns null when it is not listed.
 */
export function inotifywaitIfListed<T extends string>(
  ids: readonly T[],
  skipped: Map<T, string>,
  log: (line: string) => void,
): string | null {
  if (!ids.includes('inotifywait' as T)) return null;
  const found = findInotifywait(log);
  if ('path' in found) return found.path;
  skipped.set('inotifywait' as T, found.skip);
  return null;
}
