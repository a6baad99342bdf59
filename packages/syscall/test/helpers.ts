/**
 * Test helpers: temp dirs, a DataView parser for `struct inotify_event` (independent of the
 * decoder package), fd listings from /proc, and child processes running the built package.
 */

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { close } from '../src/close.js';
import { addWatch, init } from '../src/inotify.js';

/** Whether this machine is little-endian (inotify_event fields are in native byte order). */
export const LITTLE = endianness() === 'LE';

/** The inotify bits the tests use (values from <sys/inotify.h>). */
export const IN = {
  ACCESS: 0x1,
  MODIFY: 0x2,
  ATTRIB: 0x4,
  CLOSE_WRITE: 0x8,
  CLOSE_NOWRITE: 0x10,
  OPEN: 0x20,
  MOVED_FROM: 0x40,
  MOVED_TO: 0x80,
  CREATE: 0x100,
  DELETE: 0x200,
  Q_OVERFLOW: 0x4000,
  IGNORED: 0x8000,
  ONLYDIR: 0x01000000,
  MASK_CREATE: 0x10000000,
  MASK_ADD: 0x20000000,
  ISDIR: 0x40000000,
  ONESHOT: 0x80000000,
} as const;

/** Creates a temp dir that is removed after the current test. */
export function useTempDirs(): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'inotify-ts-syscall-'));
    made.push(dir);
    return dir;
  };
}

/** One `struct inotify_event` as the kernel wrote it. */
export interface RawEvent {
  wd: number;
  mask: number;
  cookie: number;
  len: number;
  /** The name without its NUL padding. */
  name: string;
  /** The `len` bytes after the header, padding included. */
  nameField: Uint8Array;
}

/**
 * Parses `byteLength` bytes of `struct inotify_event` records from `bytes`:
 *
 * ```
 * 0      4       8        12     16             16+len
 * | wd   | mask  | cookie | len  | name (NUL-padded) |
 * ```
 */
export function parseEvents(bytes: Uint8Array, byteLength: number): RawEvent[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, byteLength);
  const events: RawEvent[] = [];
  let offset = 0;
  while (offset < byteLength) {
    if (byteLength - offset < 16) throw new Error(`truncated header at ${offset}`);
    const len = view.getUint32(offset + 12, LITTLE);
    if (offset + 16 + len > byteLength) throw new Error(`truncated name at ${offset}`);
    const nameField = bytes.slice(offset + 16, offset + 16 + len);
    const end = nameField.indexOf(0);
    events.push({
      wd: view.getInt32(offset, LITTLE),
      mask: view.getUint32(offset + 4, LITTLE),
      cookie: view.getUint32(offset + 8, LITTLE),
      len,
      name: Buffer.from(nameField.subarray(0, end === -1 ? len : end)).toString('utf8'),
      nameField,
    });
    offset += 16 + len;
  }
  return events;
}

/** The kernel's padded name length for a name of `n` bytes: NUL included, rounded up to 16. */
export function paddedLength(n: number): number {
  return Math.ceil((n + 1) / 16) * 16;
}

/** Every open fd of this process with what it refers to, sorted (`'17 -> anon_inode:inotify'`). */
export function openFds(): string[] {
  const entries: string[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      entries.push(`${name} -> ${readlinkSync(`/proc/self/fd/${name}`)}`);
    } catch {
      // The fd readdir itself used, closed by now.
    }
  }
  return entries.sort();
}

/** What fd refers to, or `undefined` when it is not open. */
export function fdTarget(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** The `flags:` field of /proc/self/fdinfo/<fd> (open flags, octal in the file). */
export function fdFlags(fd: number): number {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1')
    .split('\n')
    .find((l) => l.startsWith('flags:'));
  if (line === undefined) throw new Error(`no flags for fd ${fd}`);
  return Number.parseInt(line.slice('flags:'.length).trim(), 8);
}

/** The fds registered in epoll instance `epfd` (its `tfd:` lines in fdinfo). */
export function epollTargets(epfd: number): number[] {
  return readFileSync(`/proc/self/fdinfo/${epfd}`, 'latin1')
    .split('\n')
    .filter((l) => l.startsWith('tfd:'))
    .map((l) => Number.parseInt(l.slice(4).trim(), 10))
    .sort((a, b) => a - b);
}

/** The built package (dist/), for child processes; the vitest global setup keeps it current. */
export const DIST_INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * Runs `code` as an ES module in a child `node`, with `S` bound to the built package.
 * `prefix` is an argv prefix (e.g. `['unshare', '-U', '-r']`); `shell` a shell command run
 * (inside the prefix) before node, in the same process (`ulimit -n 64`).
 */
export function runChild(
  code: string,
  options: {
    prefix?: string[];
    shell?: string;
    uid?: number;
    gid?: number;
    timeoutMs?: number;
    /** The package's built entry to bind `S` to (default {@link DIST_INDEX}). */
    index?: string;
  } = {},
): SpawnSyncReturns<string> {
  const script = `import * as S from ${JSON.stringify(options.index ?? DIST_INDEX)};\n${code}`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const inner =
    options.shell === undefined ? node : ['/bin/sh', '-c', `${options.shell} && exec "$@"`, 'sh', ...node];
  const argv = [...(options.prefix ?? []), ...inner];
  return spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    uid: options.uid,
    gid: options.gid,
    cwd: tmpdir(),
  });
}

/** An inotify instance watching a fresh temp dir for IN_CREATE, new for each test. */
export interface WatchedInstance {
  readonly fd: number;
  readonly dir: string;
}

/** Gives each test its own {@link WatchedInstance}, closed after the test unless the test closed it. */
export function useWatchedInstance(tempDir: () => string): WatchedInstance {
  const current = { fd: -1, dir: '' };
  beforeEach(() => {
    current.fd = init();
    current.dir = tempDir();
    addWatch(current.fd, current.dir, IN.CREATE);
  });
  afterEach(() => {
    if (fdTarget(current.fd) === 'anon_inode:inotify') close(current.fd);
  });
  return current;
}

/** Milliseconds since `start` (a `performance.now()` value). */
export function elapsedSince(start: number): number {
  return performance.now() - start;
}

/** `WebAssembly.Memory`, which @types/node 20 does not declare. */
export const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly.Memory;
