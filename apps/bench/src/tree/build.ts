/**
 * The tree for the arming benchmark: `dirs` directories (the root included) and
 * `files` empty files, cached under the bench's cache directory so that it is built
 * once per machine.
 *
 * Shape: breadth-first, every directory gets up to 10 subdirectories `d0`..`d9`
 * until there are `dirs` of them (10,000 gives depths 0..4), and file `i` goes into
 * directory `i % dirs` as `f<i>` (2 per directory for 20,000 files).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../paths.js';

/** Counts of a directory tree, root included in `dirs`. */
export interface TreeCounts {
  readonly dirs: number;
  readonly files: number;
}

/** Counts directories (root included) and other entries under `root`, without following symlinks. */
export function countTree(root: string): TreeCounts {
  let dirs = 0;
  let files = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    dirs++;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(join(dir, entry.name));
      else files++;
    }
  }
  return { dirs, files };
}

/**
 * Returns the root of a tree with exactly `want.dirs` directories and `want.files`
 * files, building it when the cache has none (or a damaged one). The walk that
 * checks a cached tree also warms the dentry and inode caches, so every watcher
 * under test starts from the same warm state.
 */
export function ensureTree(want: TreeCounts, log: (line: string) => void): string {
  if (want.dirs < 1 || want.files < 0) throw new RangeError('ensureTree: need at least the root directory');
  const root = join(cacheDir(), `tree-${want.dirs}d-${want.files}f`);
  if (existsSync(root)) {
    const got = countTree(root);
    if (got.dirs === want.dirs && got.files === want.files) return root;
    log(`cached tree ${root} has ${got.dirs} dirs and ${got.files} files: rebuilding`);
    rmSync(root, { recursive: true, force: true });
  }
  const partial = `${root}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const paths = [partial];
  for (let parent = 0; paths.length < want.dirs; parent++) {
    for (let c = 0; c < 10 && paths.length < want.dirs; c++) {
      const dir = join(paths[parent]!, `d${c}`);
      mkdirSync(dir);
      paths.push(dir);
    }
    if (parent % 1000 === 999) log(`building tree: ${paths.length.toLocaleString('en-US')} directories`);
  }
  for (let i = 0; i < want.files; i++) {
    writeFileSync(join(paths[i % want.dirs]!, `f${i}`), '');
    if (i % 5000 === 4999) log(`building tree: ${(i + 1).toLocaleString('en-US')} files`);
  }
  renameSync(partial, root);
  log(
    `built tree ${root}: ${want.dirs.toLocaleString('en-US')} dirs, ${want.files.toLocaleString('en-US')} files`,
  );
  return root;
}
