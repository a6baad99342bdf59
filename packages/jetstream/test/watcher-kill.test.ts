/**
 * A watcher killed with SIGKILL: its last snapshot is on disk (written atomically, only once
 * the records before it were stored). Files change while it is down; a new watcher started
 * with the same state file publishes exactly those changes first, as `change` records with
 * cause `recovery`: created, deleted, modified and moved (by inode).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { dirForEachTest, serverForFile } from './nats-server.js';
import { readBack } from './shipping.js';
import { pause, WORKLOAD_MASK } from './workload.js';

const server = serverForFile();
const dir = dirForEachTest('jetstream-crash-');
const CHILD = new URL('./watcher-child.mjs', import.meta.url).pathname;

interface Child {
  readonly process: ChildProcess;
  readonly lines: AsyncIterator<string>;
}

async function startWatcher(root: string, stateFile: string): Promise<{ child: Child; instance: string }> {
  const proc = spawn(
    process.execPath,
    [CHILD, server().url, 'fs.crash', 'CRASH', root, stateFile, String(WORKLOAD_MASK)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done === true) throw new Error('the watcher exited before it was ready');
  const { instance } = JSON.parse(first.value) as { instance: string };
  return { child: { process: proc, lines }, instance };
}

function exited(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.process.once('exit', () => resolve()));
}

/** Waits until `file` was rewritten `times` times (polling its inode change time); bounded by work, not by a clock. */
async function rewritten(file: string, times: number): Promise<void> {
  const seen = new Set<bigint>();
  const first = fs.statSync(file, { bigint: true, throwIfNoEntry: false })?.ctimeNs;
  for (let polls = 0; polls < 3000; polls++) {
    const now = fs.statSync(file, { bigint: true, throwIfNoEntry: false })?.ctimeNs;
    if (now !== undefined && now !== first) seen.add(now);
    if (seen.size >= times) return;
    await pause(20);
  }
  throw new Error(`${file} was not rewritten ${times} times in 3000 polls`);
}

describe('a watcher killed and restarted with its state file', () => {
  it('publishes what changed while it was down as recovery records', async () => {
    const root = dir();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jetstream-state-'));
    const stateFile = path.join(stateDir, 'tree.state');
    const at = (...p: string[]) => path.join(root, ...p);
    try {
      fs.writeFileSync(at('kept'), 'same');
      fs.mkdirSync(at('ad'));
      fs.writeFileSync(at('ad', 'inner'), '');
      const first = await startWatcher(root, stateFile);
      fs.writeFileSync(at('a1'), 'one');
      fs.writeFileSync(at('a2'), 'two');
      await rewritten(stateFile, 2); // a snapshot taken after these changes is on disk
      first.child.process.kill('SIGKILL');
      await exited(first.child);

      fs.appendFileSync(at('a1'), ' more'); // modified
      fs.rmSync(at('a2')); // deleted
      fs.renameSync(at('ad'), at('ad2')); // moved (a directory, with what is inside)
      fs.writeFileSync(at('b1'), ''); // created
      fs.mkdirSync(at('bd'));
      fs.writeFileSync(at('bd', 'x'), 'x');

      const second = await startWatcher(root, stateFile);
      second.child.process.kill('SIGTERM');
      const done = await second.child.lines.next();
      await exited(second.child);
      expect(JSON.parse(done.value as string)).toMatchObject({ unacked: 0, stats: { recovered: 6 } });

      const records = await readBack(server(), 'CRASH');
      // The first watcher saw its changes live.
      const live = records.filter((r) => r.instance === first.instance && r.kind === 'event');
      expect(live.map((r) => (r.kind === 'event' ? `${r.types.join('|')} ${r.name}` : ''))).toEqual([
        'IN_CREATE a1',
        'IN_CLOSE_WRITE a1',
        'IN_CREATE a2',
        'IN_CLOSE_WRITE a2',
      ]);
      // The second one reports what happened while none was running, before anything else.
      const mine = records.filter((r) => r.instance === second.instance);
      const recovery = mine.filter((r) => r.kind === 'change' && r.cause === 'recovery');
      expect(mine.slice(0, recovery.length)).toEqual(recovery);
      const ino = (p: string) => String(fs.lstatSync(p, { bigint: true }).ino);
      expect(
        recovery.map((r) =>
          r.kind === 'change' ? [r.change, path.relative(root, r.path), r.from?.path] : [],
        ),
      ).toEqual([
        ['deleted', 'a2', undefined],
        ['moved', 'ad2', at('ad')],
        ['created', 'b1', undefined],
        ['created', 'bd', undefined],
        ['created', 'bd/x', undefined],
        ['modified', 'a1', undefined],
      ]);
      expect(recovery[1]).toMatchObject({ entry: { type: 'dir', ino: ino(at('ad2')) } });
      expect(recovery[5]).toMatchObject({ entry: { type: 'file', size: 8 } });
      expect(recovery.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
