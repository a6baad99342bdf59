// One side of the recovery benchmark, in a fresh process so time and peak RSS are its own.
// Usage: node recover-child.mjs inotify-ts|parcel write|since ROOT SNAPSHOT_FILE
// Prints JSON: { ms, changes, hwmKiB }.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { diffSnapshots, readSnapshot, takeSnapshot, writeSnapshot } from '@inotify-ts/snapshot';

const [tool, phase, root, file] = process.argv.slice(2);
const t0 = performance.now();
let changes = 0;
if (tool === 'inotify-ts') {
  if (phase === 'write') writeSnapshot(file, takeSnapshot([root]));
  else changes = diffSnapshots(readSnapshot(file), takeSnapshot([root])).length;
} else {
  const watcher = await import('@parcel/watcher');
  if (phase === 'write') await watcher.writeSnapshot(root, file);
  else changes = (await watcher.getEventsSince(root, file)).length;
}
const ms = performance.now() - t0;
const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
process.stdout.write(`${JSON.stringify({ ms, changes, hwmKiB })}\n`);
