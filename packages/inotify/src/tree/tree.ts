import { invalidArgument } from '../errors.js';
import type { InotifyTreeOptions } from './options.js';
import { InotifyTrees } from './trees.js';

/**
 * A recursive watch on one directory tree: the Python package's `InotifyTree`, kept exact as
 * the tree changes. {@link InotifyTrees} with one root; see it and the package README.
 *
 * @example
 * ```ts
 * import { InotifyTree } from '@inotify-ts/inotify';
 *
 * using tree = new InotifyTree('/srv/data', { ignoredDirs: ['node_modules', '.git'] });
 * for (const event of tree.eventGen({ yieldNones: false })) {
 *   if (event !== null) console.log(event.typeNames, event.path, event.filename, event.synthetic ?? false);
 * }
 * ```
 */
export class InotifyTree extends InotifyTrees {
  /**
   * Watches every directory under `path`.
   * @throws {InotifyError} as {@link InotifyTrees}' constructor.
   */
  constructor(path: string, options: InotifyTreeOptions = {}) {
    if (typeof path !== 'string') {
      throw invalidArgument('inotify_add_watch', `the tree root must be a string path, got ${typeof path}`);
    }
    super([path], options);
  }

  /** The root, absolute and normalized, as events report it. */
  get root(): string {
    return this.roots[0]!;
  }
}
