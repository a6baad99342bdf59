import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DIST_INDEX, useTempDirs } from '../test/helpers.js';

const tempDir = useTempDirs();

/** The child that makes instances in workers and terminates them (test/worker-teardown.mjs). */
const TEARDOWN = fileURLToPath(new URL('../test/worker-teardown.mjs', import.meta.url));
/** The instance limit the child runs under, in its own user namespace. */
const LIMIT = 8;
/** More workers than the limit allows instances: a single leaked instance per worker shows. */
const ROUNDS = 12;

// Lowering the limit needs a user namespace (never the machine's /proc/sys/fs/inotify).
const canLower =
  spawnSync('unshare', ['-U', '-r', 'sh', '-c', 'echo 8 > /proc/sys/user/max_inotify_instances']).status ===
  0;

interface TeardownReport {
  results: { kind: string; message: string; ms: number }[];
  leaked: string[];
  after: string;
}

function runTeardown(kinds: string[]): TeardownReport {
  const dir = tempDir();
  const child = spawnSync(
    'unshare',
    [
      '-U',
      '-r',
      'sh',
      '-c',
      `echo ${LIMIT} > /proc/sys/user/max_inotify_instances && exec "$@"`,
      'sh',
      process.execPath,
      TEARDOWN,
      DIST_INDEX,
      dir,
      String(ROUNDS),
      ...kinds,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as TeardownReport;
}

describe.skipIf(!canLower)(
  `instances made in a worker, at max_inotify_instances ${LIMIT} in a user namespace (skipped where unshare -U -r is refused)`,
  () => {
    it(`are closed when the worker is terminated: ${ROUNDS} terminated workers leave no fd and the limit free`, () => {
      const kinds = ['idle', 'event-loop', 'thread', 'blocking-poll', 'wake-fd'];
      const report = runTeardown(kinds);
      // Every worker could make its instance: none of the terminated ones still holds one.
      expect(report.results.map((r) => [r.kind, r.message])).toEqual(
        Array.from({ length: ROUNDS }, (_, i) => [kinds[i % kinds.length], 'ready']),
      );
      expect(report.leaked).toEqual([]);
      expect(report.after).toBe('ok');
    }, 0); // bounded by its work (the child is killed after 120 s), not by a clock

    it('are terminated promptly even while blocked in poll() or waiting on the waiter thread', () => {
      // A worker blocked in a native call is terminated only once it is back in JavaScript:
      // poll() in a worker waits in 50 ms slices, and a worker's waiter thread wakes every
      // 50 ms. Whole seconds (the waiter's 1 s bound, a long poll) would show here; the bound
      // is loose for a busy machine.
      const report = runTeardown(['thread', 'blocking-poll']);
      for (const { kind, message, ms } of report.results) {
        expect({ kind, message, fast: ms < 600 }).toEqual({ kind, message: 'ready', fast: true });
      }
      expect(report.leaked).toEqual([]);
    }, 0);
  },
);
