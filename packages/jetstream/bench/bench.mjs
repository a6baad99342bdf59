// Benchmarks of @inotify-ts/jetstream, printed as two tables:
//
// 1. Ingest: a storm of IN_ATTRIB events (utimes on two alternating files, from this process,
//    in bursts of 1,000 while fewer than 8,000 are not yet stored, so that no kernel queue
//    overflows) into JetStream on a local nats-server, each watcher in a fresh process:
//    inotify-ts's TreeShipper, and `inotifywait -m -r` piped into a minimal JetStream publisher
//    (the `nats` command line client is neither on npm nor in Debian). Events stored per
//    second (first event to last message stored), CPU of the watcher processes, peak RSS.
// 2. Recovery: a 10,000-directory tree (one file in each) is snapshotted, changed (creates,
//    deletes, writes, directory renames), and what changed is computed from the snapshot:
//    @inotify-ts/snapshot beside @parcel/watcher's writeSnapshot/getEventsSince, each phase
//    in a fresh process.
//
// Usage: node bench/bench.mjs [--events 100000] [--dirs 10000] [--runs 3]   (after pnpm build)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsServer } from '../dist/testing.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? Number(args[k + 1]) : fallback;
};
const EVENTS = option('events', 100_000);
const DIRS = option('dirs', 10_000);
const RUNS = option('runs', 3);
/** Events emitted but not yet stored, at most (half the default kernel queue). */
const WINDOW = 8000;
const here = path.dirname(new URL(import.meta.url).pathname);
const IN_MODIFY = 0x2;
const IN_ATTRIB = 0x4;
const IN_CLOSE_WRITE = 0x8;
const IN_MOVE = 0xc0;
const IN_CREATE = 0x100;
const IN_DELETE = 0x200;
const MASK = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE | IN_CREATE | IN_DELETE;
const CLK_TCK = 100;

/** CPU (user + system, ms) and peak RSS (KiB) of a live process, from /proc. */
function usage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { cpuMs, hwmKiB };
}

function lines(stream) {
  return createInterface({ input: stream })[Symbol.asyncIterator]();
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', resolve));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Watchers of the ingest table: start(root, stream) -> { pids, stop() -> extra }. */
const watchers = {
  'inotify-ts TreeShipper': async (server, root, stream) => {
    const child = spawn(
      process.execPath,
      [path.join(here, 'ship-child.mjs'), server.url, `bench.${stream}`, stream, root, String(MASK)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const out = lines(child.stdout);
    if ((await out.next()).value !== 'ready') throw new Error('ship-child did not start');
    return {
      pids: [child.pid],
      async stop() {
        child.kill('SIGTERM');
        const report = JSON.parse((await out.next()).value);
        await exited(child);
        return { gaps: report.shipper.gaps, dropped: report.shipper.dropped };
      },
    };
  },
  'inotifywait -m -r → publisher': async (server, root, stream) => {
    const events = 'modify,attrib,close_write,move,create,delete';
    const iw = spawn('inotifywait', ['-m', '-r', '-e', events, '--format', '%e %w%f', root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pub = spawn(
      process.execPath,
      [path.join(here, 'line-publisher.mjs'), server.url, `bench.${stream}`],
      {
        stdio: [iw.stdout, 'pipe', 'inherit'],
      },
    );
    for await (const line of lines(iw.stderr)) if (line.includes('Watches established')) break;
    return {
      pids: [iw.pid, pub.pid],
      async stop() {
        iw.kill('SIGTERM');
        await exited(iw);
        const out = lines(pub.stdout);
        await out.next();
        await exited(pub);
        return { gaps: undefined, dropped: undefined };
      },
    };
  },
};

async function ingestRun(server, jsm, name, start, run) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const stream = `B${run}${name.replace(/[^a-z]/gi, '').slice(0, 12)}`;
  await jsm.streams.add({ name: stream, subjects: [`bench.${stream}`] });
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  fs.writeFileSync(a, '');
  fs.writeFileSync(b, '');
  const watcher = await start(server, root, stream);
  const before = watcher.pids.map(usage);
  const t0 = performance.now();
  // Closed loop: bursts of 1,000 events while fewer than WINDOW are not yet stored, so the
  // kernel queue (16,384) never overflows and the rate is what the whole pipeline sustains.
  let count = 0;
  for (let emitted = 0; emitted < EVENTS; ) {
    if (emitted - count < WINDOW) {
      for (let k = 0; k < 1000; k++, emitted++) fs.utimesSync(emitted % 2 === 0 ? a : b, emitted, emitted);
    } else {
      await sleep(2);
    }
    count = (await jsm.streams.info(stream)).state.messages;
  }
  // Stored messages, until the count has not moved for 2 s.
  let lastChange = performance.now();
  let t1 = lastChange;
  while (performance.now() - lastChange < 2000) {
    const now = (await jsm.streams.info(stream)).state.messages;
    if (now !== count) {
      count = now;
      lastChange = t1 = performance.now();
    }
    await sleep(50);
  }
  const after = watcher.pids.map(usage);
  const extra = await watcher.stop();
  await jsm.streams.delete(stream);
  fs.rmSync(root, { recursive: true, force: true });
  const cpuMs = after.reduce((n, u, k) => n + u.cpuMs - before[k].cpuMs, 0);
  const hwmKiB = after.reduce((n, u) => n + u.hwmKiB, 0);
  return { stored: count, seconds: (t1 - t0) / 1000, cpuMs, hwmKiB, ...extra };
}

async function ingest(server) {
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  const rows = [];
  for (const [name, start] of Object.entries(watchers)) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) runs.push(await ingestRun(server, jsm, name, start, run));
    rows.push({ name, runs });
  }
  await nc.close();
  console.log(
    `\nIngest: ${EVENTS.toLocaleString('en')} IN_ATTRIB events into JetStream (file storage, one local nats-server), at most ${WINDOW.toLocaleString('en')} not yet stored; medians of ${RUNS}`,
  );
  console.log('| watcher | stored | overflow gaps | stored/s | CPU s | CPU µs/stored | peak RSS MiB |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { name, runs } of rows) {
    const stored = median(runs.map((r) => r.stored));
    const rate = median(runs.map((r) => r.stored / r.seconds));
    const cpu = median(runs.map((r) => r.cpuMs / 1000));
    const perEvent = median(runs.map((r) => (r.cpuMs * 1000) / r.stored));
    const rss = median(runs.map((r) => r.hwmKiB / 1024));
    const gaps = runs[0].gaps === undefined ? 'n/a' : median(runs.map((r) => r.gaps));
    console.log(
      `| ${name} | ${stored.toLocaleString('en')} | ${gaps} | ${Math.round(rate).toLocaleString('en')} | ${cpu.toFixed(2)} | ${perEvent.toFixed(1)} | ${rss.toFixed(1)} |`,
    );
  }
  console.log(
    '("stored" counts the messages in the stream, gap records included; CPU and peak RSS are the watcher processes\', summed, not the server\'s)',
  );
}

async function child(args) {
  const proc = spawn(process.execPath, [path.join(here, 'recover-child.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = lines(proc.stdout);
  const line = (await out.next()).value;
  await exited(proc);
  if (proc.exitCode !== 0) throw new Error(`recover-child ${args.join(' ')} failed`);
  return JSON.parse(line);
}

/** DIRS directories (about sqrt(DIRS) at the top, the rest one level below), one file in each; returns the leaves. */
function makeTree(root) {
  const side = Math.ceil(Math.sqrt(DIRS));
  const leaves = [];
  let made = 0;
  for (let i = 0; made < DIRS; i++) {
    const top = path.join(root, `t${i}`);
    fs.mkdirSync(top);
    fs.writeFileSync(path.join(top, 'file'), 'x');
    made++;
    for (let j = 0; j < side - 1 && made < DIRS; j++, made++) {
      const leaf = path.join(top, `d${j}`);
      fs.mkdirSync(leaf);
      fs.writeFileSync(path.join(leaf, 'file'), 'x');
      leaves.push(leaf);
    }
  }
  return leaves;
}

/** 100 creates, 100 deletes, 100 writes, 10 directory renames, each in its own leaf. */
function change(leaves) {
  const pick = (k) => leaves[(k * 7919) % leaves.length];
  for (let k = 0; k < 100; k++) fs.writeFileSync(path.join(pick(k), 'new'), 'n');
  for (let k = 100; k < 200; k++) fs.rmSync(path.join(pick(k), 'file'));
  for (let k = 200; k < 300; k++) fs.appendFileSync(path.join(pick(k), 'file'), 'more');
  for (let k = 300; k < 310; k++) fs.renameSync(pick(k), `${pick(k)}-moved`);
}

async function recovery() {
  const rows = { 'inotify-ts snapshot': [], '@parcel/watcher getEventsSince': [] };
  for (let run = 0; run < RUNS; run++) {
    for (const [name, tool] of [
      ['inotify-ts snapshot', 'inotify-ts'],
      ['@parcel/watcher getEventsSince', 'parcel'],
    ]) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-recover-'));
      const file = path.join(os.tmpdir(), `${path.basename(root)}.snapshot`);
      const leaves = makeTree(root);
      const write = await child([tool, 'write', root, file]);
      change(leaves);
      const since = await child([tool, 'since', root, file]);
      rows[name].push({ write, since, bytes: fs.statSync(file).size });
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(file, { force: true });
    }
  }
  console.log(
    `\nRecovery: ${DIRS.toLocaleString('en')} directories, ${DIRS.toLocaleString('en')} files; 310 changes while stopped; medians of ${RUNS}, each phase a fresh process`,
  );
  console.log(
    '| tool | write snapshot ms | changes since ms | changes reported | snapshot KiB | peak RSS MiB (since) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, runs] of Object.entries(rows)) {
    console.log(
      `| ${name} | ${median(runs.map((r) => r.write.ms)).toFixed(0)} | ${median(runs.map((r) => r.since.ms)).toFixed(0)} | ${median(runs.map((r) => r.since.changes))} | ${Math.round(median(runs.map((r) => r.bytes)) / 1024)} | ${(median(runs.map((r) => r.since.hwmKiB)) / 1024).toFixed(1)} |`,
    );
  }
}

const server = await NatsServer.start();
try {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.release()}`);
  await ingest(server);
  await recovery();
} finally {
  await server.stop();
}
