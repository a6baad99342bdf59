// Run as a child by worker.test.ts (inside a user namespace whose max_inotify_instances is
// lowered): makes instances in workers, terminates the workers, and prints what stayed open.
// argv: <dist/index.js> <watched dir> <rounds> <kind>...
import { once } from 'node:events';
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const [dist, dir, rounds, ...kinds] = process.argv.slice(2);
const S = await import(dist);

/** This process's open fds, as `target` strings (the numbers are reused, the targets tell). */
function openFds() {
  const targets = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      targets.push(readlinkSync(`/proc/self/fd/${name}`).replace(/\[\d+\]$/, ''));
    } catch {}
  }
  return targets.sort();
}

// In the worker: set up what `kind` names, post 'ready', then stay busy that way.
const body = `
const { parentPort, workerData: { dist, dir, kind } } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
import(dist).then(async (S) => {
  const fd = S.init();
  S.addWatch(fd, dir, 0x100);
  if (kind === 'idle') return parentPort.postMessage('ready');
  if (kind === 'wake-fd') { S.createWakeFd(); return parentPort.postMessage('ready'); }
  if (kind === 'blocking-poll') { parentPort.postMessage('ready'); S.poll(fd, -1); return; }
  const reader = S.createReader(fd, new Uint8Array(4096), { kind });
  // One event read through the reader proves it waits for real (the waiter thread runs).
  const first = reader.read();
  writeFileSync(dir + '/' + kind + '-' + Math.random(), '');
  if ((await first) !== 0) { reader.read(); parentPort.postMessage('ready'); }
});`;

const before = openFds();
const results = [];
for (let i = 0; i < Number(rounds); i++) {
  const kind = kinds[i % kinds.length];
  const worker = new Worker(body, { eval: true, workerData: { dist, dir, kind } });
  // A worker that cannot make its instance (EMFILE) fails instead of saying 'ready'.
  const message = await Promise.race([
    once(worker, 'message').then(([m]) => m),
    once(worker, 'error').then(([e]) => e.code ?? String(e)),
  ]);
  const start = performance.now();
  await worker.terminate();
  results.push({ kind, message, ms: Math.round(performance.now() - start) });
}
const leaked = [...openFds()];
for (const target of before) {
  const i = leaked.indexOf(target);
  if (i !== -1) leaked.splice(i, 1);
}
// The limit still lets this thread make an instance.
let after = 'ok';
try {
  S.close(S.init());
} catch (error) {
  after = error.code;
}
writeFileSync(join(dir, 'done'), '');
console.log(JSON.stringify({ results, leaked, after }));
