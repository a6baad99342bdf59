/**
 * Entry point of one tree-arming process: `node watcher.js <kind> <root>`. Arms a
 * recursive watch on `root` with the library under test, then prints
 * `armed {"armMs":…}` (the time from just before the library call until it reported
 * the watches armed, measured in this process) and waits to be killed.
 */
import { watch as fsWatch } from 'node:fs';

/** The Node watchers of the tree benchmark. */
export const TREE_WATCHERS = ['inotify-ts', 'chokidar', 'parcel', 'fs.watch'] as const;

/** One of {@link TREE_WATCHERS}. */
export type TreeWatcherKind = (typeof TREE_WATCHERS)[number];

/** Arms `root` with `kind`; resolves once the library says the watches are in place. */
async function arm(kind: TreeWatcherKind, root: string): Promise<void> {
  switch (kind) {
    case 'inotify-ts': {
      const { InotifyTree } = await import('@inotify-ts/inotify');
      // The constructor walks the tree and adds every watch before it returns.
      new InotifyTree(root);
      return;
    }
    case 'chokidar': {
      const { watch } = await import('chokidar');
      const watcher = watch(root, { ignoreInitial: true });
      await new Promise<void>((resolve, reject) => {
        watcher.once('ready', resolve);
        watcher.once('error', reject);
      });
      return;
    }
    case 'parcel': {
      const { subscribe } = await import('@parcel/watcher');
      await subscribe(root, () => {}, { backend: 'inotify' });
      return;
    }
    case 'fs.watch':
      // Node 20 on Linux: recursive watching is done in JavaScript, synchronously,
      // one fs.watch per file and directory.
      fsWatch(root, { recursive: true }, () => {});
      return;
  }
}

const [kind, root] = process.argv.slice(2) as [TreeWatcherKind | undefined, string | undefined];
if (kind === undefined || root === undefined || !(TREE_WATCHERS as readonly string[]).includes(kind)) {
  throw new Error(`usage: watcher.js <${TREE_WATCHERS.join('|')}> <root>`);
}
// Libraries are imported before the clock starts: the figure is the arming, not the loading.
if (kind === 'chokidar') await import('chokidar');
if (kind === 'parcel') await import('@parcel/watcher');
if (kind === 'inotify-ts') await import('@inotify-ts/inotify');
const t0 = process.hrtime.bigint();
await arm(kind, root);
const armMs = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(`armed ${JSON.stringify({ armMs })}\n`);
setInterval(() => {}, 1 << 30);
