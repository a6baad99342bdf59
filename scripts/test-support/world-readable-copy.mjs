/**
 * A copy of built workspace packages, with their runtime dependencies, in a fresh
 * world-readable temp dir laid out as `node_modules/`: for tests whose child process drops to
 * an unprivileged user (nobody). Such a child cannot load the packages from the clone when the
 * clone sits under a directory that only root may enter (a fresh `mktemp -d` is 0700), so it
 * loads this copy instead, wherever the clone is.
 *
 * Copied per package: package.json, dist/ and build/ (the decoder's .wasm); per non-workspace
 * dependency (koffi): the dependency and whatever its own install put beside it (koffi's
 * per-platform binary package), symlinks followed.
 */
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * @param {string[]} packageDirs absolute dirs of built workspace packages
 * @returns {{ root: string, entry: (name: string) => string }} the copy's dir (remove it when
 *   done) and the path of a copied package's `dist/index.js`
 */
export function worldReadableCopy(packageDirs) {
  const root = mkdtempSync(join(tmpdir(), 'inotify-ts-readable-'));
  chmodSync(root, 0o755);
  const modules = join(root, 'node_modules');
  const names = new Set();
  const manifests = packageDirs.map((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    names.add(manifest.name);
    return { dir, manifest };
  });
  for (const { dir, manifest } of manifests) {
    const target = join(modules, manifest.name);
    for (const part of ['package.json', 'dist', 'build']) {
      if (existsSync(join(dir, part))) cpSync(join(dir, part), join(target, part), { recursive: true });
    }
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (names.has(dep) || existsSync(join(modules, dep))) continue;
      // The dependency's real dir sits in a node_modules dir next to what its install linked.
      const store = dirname(realpathSync(join(dir, 'node_modules', dep)));
      const scope = dep.startsWith('@') ? dirname(store) : store;
      for (const entry of readdirSync(scope)) {
        if (!existsSync(join(modules, entry))) {
          cpSync(join(scope, entry), join(modules, entry), { recursive: true, dereference: true });
        }
      }
    }
  }
  for (const name of names) {
    if (!existsSync(join(modules, name, 'dist', 'index.js'))) throw new Error(`${name} is not built`);
  }
  return { root, entry: (name) => join(modules, name, 'dist', 'index.js') };
}
