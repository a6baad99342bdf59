/**
 * `inotify-demo` shipping records: `--format json` is record schema v1 (gaps included),
 * `--output nats://…` publishes to JetStream on a real nats-server that this file starts on
 * loopback, and `--state` reports what changed while the program was down, after a kill -9 too.
 * Everything runs on the real kernel with the built program.
 */
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ChangeRecord, InotifyRecord } from '@inotify-ts/record';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serverForFile } from '../../../packages/jetstream/test/nats-server.js';
import { readBack } from '../../../packages/jetstream/test/shipping.js';
import {
  describeEvent,
  pause,
  runWorkload,
  sorted,
  uniqueInOrder,
} from '../../../packages/jetstream/test/workload.js';
import { assertValid } from '../../../packages/record/test/schema.js';
import { CliProcess, requireBuild, tempDir } from './cli-process.js';
import { watchCount } from './differential.js';

/** The workload's events: one record per file operation, no reads. */
const WORKLOAD_EVENTS = ['-e', 'create,close_write,moved_from,moved_to,delete'];

/** A real nats-server with JetStream, on loopback, for this file (the `NatsServer` helper). */
const server = serverForFile();
let dir: ReturnType<typeof tempDir>;
const running: CliProcess[] = [];

beforeAll(() => requireBuild());
beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) await cli.stop('SIGKILL');
  }
  dir.remove();
});

async function start(args: string[]): Promise<CliProcess> {
  const cli = await CliProcess.start(args);
  // Stopping waits for JetStream's acks and the last snapshot: generous on a busy machine.
  const end = cli.end.bind(cli);
  cli.end = (timeoutMs = 120_000) => end(timeoutMs);
  running.push(cli);
  return cli;
}

/** The JSON lines on stdout, checked against the schema. */
function recordsOf(cli: CliProcess): InotifyRecord[] {
  const records = cli.lines().map((line) => JSON.parse(line) as InotifyRecord);
  assertValid(records);
  return records;
}

/** Waits until `file` exists and was rewritten at least `times` times (by its change time); bounded by work. */
async function rewritten(file: string, times: number): Promise<void> {
  const seen = new Set<bigint>();
  for (let polls = 0; polls < 6000; polls++) {
    const ctime = statSync(file, { bigint: true, throwIfNoEntry: false })?.ctimeNs;
    if (ctime !== undefined) seen.add(ctime);
    if (seen.size >= times) return;
    await pause(20);
  }
  throw new Error(`${file} was not rewritten ${times} times in 6000 polls`);
}

describe('--format json', () => {
  it('numbers records from 1 without holes and pairs a move with its source by seq', async () => {
    const cli = await start(['--format', 'json', '-e', 'create,moved_from,moved_to', dir.path]);
    writeFileSync(join(dir.path, 'a'), '');
    renameSync(join(dir.path, 'a'), join(dir.path, 'b'));
    await cli.waitForLines(3);
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
    const records = recordsOf(cli);
    expect(records.map((r) => [r.seq, r.kind, describeEvent(dir.path, r)])).toEqual([
      [1, 'event', 'IN_CREATE a'],
      [2, 'event', 'IN_MOVED_FROM a'],
      [3, 'event', 'IN_MOVED_TO b from a'],
    ]);
    expect(records[2]).toMatchObject({ from: { seq: 2, path: dir.path, name: 'a' } });
    const identity = new Set(records.map((r) => `${r.host}:${r.boot}:${r.instance}`));
    expect(identity.size).toBe(1);
    expect(records[0]!.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim());
  });

  it('prints a real kernel queue overflow as a kernel-overflow gap, then the tree rescan between watches gaps', async () => {
    const limit = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'latin1'));
    mkdirSync(join(dir.path, 'sub'));
    const file = join(dir.path, 'sub', 'f');
    writeFileSync(file, '');
    const cli = await start(['-r', '--format', 'json', '-e', 'open,close_nowrite,create', dir.path]);
    cli.child.kill('SIGSTOP');
    await cli.poll(() => cli.state() === 'T', 'the process to stop');
    // Two events per open (the kernel merges only identical events in a row).
    for (let i = 0; i < limit / 2 + 10; i++) closeSync(openSync(file, 'r'));
    cli.child.kill('SIGCONT');
    await cli.waitFor(() => cli.stdout.includes('"rescan-finished"'), 'the end of the rescan', 120_000);
    writeFileSync(join(dir.path, 'after'), '');
    await cli.waitFor(() => cli.stdout.includes('"name":"after"'), 'an event after the overflow', 60_000);
    expect(await cli.stop()).toEqual({ code: 0, signal: null });
    expect(cli.stderr).toContain(
      "inotify-demo: warning: the kernel's event queue overflowed (IN_Q_OVERFLOW)",
    );
    const records = recordsOf(cli);
    expect(records.map((r) => r.seq)).toEqual(records.map((_, k) => k + 1));
    const gaps = records.filter((r) => r.kind === 'gap');
    expect(gaps.map((g) => (g.kind === 'gap' ? [g.reason, g.scan, g.count] : []))).toEqual([
      ['kernel-overflow', undefined, undefined],
      ['rescan-started', 'watches', undefined],
      ['rescan-finished', 'watches', 2],
    ]);
    // The kernel queued max_queued_events events, then the overflow.
    expect(records.findIndex((r) => r.kind === 'gap')).toBe(limit);
    const finished = records.findIndex((r) => r.kind === 'gap' && r.reason === 'rescan-finished');
    const after = records.findIndex((r) => describeEvent(dir.path, r) === 'IN_CREATE after');
    expect(after).toBeGreaterThan(finished);
  }, 180_000);
});

describe('--output nats://', () => {
  it('publishes each file operation of a scripted workload exactly once, acknowledged, in seq order', async () => {
    const cli = await start([
      ...['-r', ...WORKLOAD_EVENTS],
      ...['--output', server().url, '--subject', 'demo.workload', '--stream', 'DEMO_WORKLOAD'],
      dir.path,
    ]);
    const expected = await runWorkload(() => watchCount(cli.child.pid ?? 0), dir.path, 400);
    expect(await cli.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toBe('');
    const records = await readBack(server(), 'DEMO_WORKLOAD');
    const { unique } = uniqueInOrder(records);
    expect(unique.filter((r) => r.kind !== 'event')).toEqual([]);
    expect(sorted(unique.map((r) => describeEvent(dir.path, r)!))).toEqual(sorted(expected));
    // Published in seq order, and stored so.
    expect(records.map((r) => r.seq)).toEqual(unique.map((r) => r.seq));
  }, 180_000);

  it('exits with code 1 and says what to check when no server listens at the URL', async () => {
    const { exit, stderr } = await CliProcess.run(['-q', '--output', 'nats://127.0.0.1:1', dir.path]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toBe(
      'inotify-demo: cannot publish to nats://127.0.0.1:1: connection refused. ' +
        'Check that a nats-server with JetStream (nats-server -js) listens there.\n',
    );
  });

  it('refuses a URL that is not nats:// and says what to give', async () => {
    const { exit, stderr } = await CliProcess.run(['--output', 'http://127.0.0.1:4222', dir.path]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toBe(
      "inotify-demo: --output 'http://127.0.0.1:4222' is not a nats://HOST:PORT URL: give one, e.g. nats://127.0.0.1:4222.\n",
    );
  });
});

describe('--state', () => {
  it('after a kill -9, reports what changed while the program was down first, as recovery records', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'inotify-demo-state-'));
    const state = join(stateDir, 'tree.state');
    const at = (...p: string[]) => join(dir.path, ...p);
    const args = [
      ...WORKLOAD_EVENTS,
      ...['--output', server().url, '--subject', 'demo.crash', '--stream', 'DEMO_CRASH'],
      ...['--state', state, '--state-interval', '0.2'],
      dir.path,
    ];
    try {
      writeFileSync(at('kept'), 'same');
      mkdirSync(at('ad'));
      writeFileSync(at('ad', 'inner'), '');
      const first = await start(args);
      writeFileSync(at('a1'), 'one');
      writeFileSync(at('a2'), 'two');
      await rewritten(state, 3); // a snapshot taken after these changes is on disk
      first.child.kill('SIGKILL');
      expect(await first.end()).toEqual({ code: null, signal: 'SIGKILL' });

      appendFileSync(at('a1'), ' more'); // modified
      rmSync(at('a2')); // deleted
      renameSync(at('ad'), at('ad2')); // moved, with what is inside
      writeFileSync(at('b1'), ''); // created
      mkdirSync(at('bd'));
      writeFileSync(at('bd', 'x'), 'x');

      const second = await start(args);
      writeFileSync(at('live'), ''); // after the restart: a live event, after the recovery
      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });

      const records = await readBack(server(), 'DEMO_CRASH');
      const instances = [...new Set(records.map((r) => r.instance))];
      expect(instances).toHaveLength(2);
      const live = records.filter((r) => r.instance === instances[0]);
      expect(live.map((r) => describeEvent(dir.path, r))).toEqual([
        'IN_CREATE a1',
        'IN_CLOSE_WRITE a1',
        'IN_CREATE a2',
        'IN_CLOSE_WRITE a2',
      ]);
      const mine = records.filter((r) => r.instance === instances[1]);
      const recovery = mine.filter((r): r is ChangeRecord => r.kind === 'change' && r.cause === 'recovery');
      expect(mine.slice(0, recovery.length)).toEqual(recovery);
      expect(recovery.map((r) => [r.seq, r.change, relative(dir.path, r.path), r.from?.path])).toEqual([
        [1, 'deleted', 'a2', undefined],
        [2, 'moved', 'ad2', at('ad')],
        [3, 'created', 'b1', undefined],
        [4, 'created', 'bd', undefined],
        [5, 'created', 'bd/x', undefined],
        [6, 'modified', 'a1', undefined],
      ]);
      expect(recovery[5]).toMatchObject({ entry: { type: 'file', size: 8 } });
      expect(mine.slice(recovery.length).map((r) => describeEvent(dir.path, r))).toEqual([
        'IN_CREATE live',
        'IN_CLOSE_WRITE live',
      ]);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('without --output, stops quietly with code 0 when the reader of stdout goes away', async () => {
    const state = join(dir.path, '..', `${relative(tmpdir(), dir.path)}.state`);
    try {
      const cli = await start(['--state', state, '-e', 'create', dir.path]);
      writeFileSync(join(dir.path, 'a'), '');
      await cli.waitForLines(1);
      cli.child.stdout?.destroy();
      writeFileSync(join(dir.path, 'b'), '');
      expect(await cli.end()).toEqual({ code: 0, signal: null });
      expect(cli.stderr).toBe('Setting up watches.\nWatches established.\n');
    } finally {
      rmSync(state, { force: true });
    }
  }, 180_000);

  it('without --output, reports a failed write (stdout on /dev/full) on stderr and exits 1', async () => {
    const state = join(dir.path, '..', `${relative(tmpdir(), dir.path)}.state`);
    try {
      const cli = await CliProcess.start(['--state', state, '-e', 'create', dir.path], {
        wrap: ['sh', '-c', 'exec "$@" > /dev/full', 'sh'],
      });
      running.push(cli);
      writeFileSync(join(dir.path, 'a'), '');
      expect(await cli.end(120_000)).toEqual({ code: 1, signal: null });
      expect(cli.stderr).toBe(
        'Setting up watches.\nWatches established.\n' +
          'inotify-demo: cannot write to standard output: no space left on device, write (ENOSPC); records were lost. ' +
          'Free space, or write elsewhere; with --state, the next start reports what changed.\n',
      );
    } finally {
      rmSync(state, { force: true });
    }
  }, 180_000);

  it('without --output, prints the recovery records on stdout after a clean stop and restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'inotify-demo-state-'));
    const state = join(stateDir, 'tree.state');
    try {
      const first = await start(['--state', state, dir.path]);
      expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      expect(first.stdout).toBe(''); // without -e, no reads: not the program's own of the snapshot
      writeFileSync(join(dir.path, 'while-stopped'), 'x');
      const second = await start(['--state', state, dir.path]);
      await second.waitForLines(1);
      expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      const records = recordsOf(second);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        seq: 1,
        kind: 'change',
        change: 'created',
        cause: 'recovery',
        path: join(dir.path, 'while-stopped'),
        entry: { type: 'file', size: 1 },
      });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});
