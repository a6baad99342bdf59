import { IN_CREATE, IN_ISDIR, maskNames } from '@inotify-ts/decoder';
import type { InotifyEvent } from '../event.js';
import { displayPath } from '../watches.js';
import type { DirNode } from './node.js';

/** `IN_CREATE|IN_ISDIR`, the mask of a directory found by a walk. */
const CREATE_DIR = (IN_CREATE | IN_ISDIR) >>> 0;

/**
 * An `IN_CREATE` (with `IN_ISDIR` for a directory) the tree reports for an entry `name` (bytes)
 * of `dir` it found by listing a directory new to it, shaped like the kernel's own: `len` is
 * the name's byte length plus its NUL, rounded up to 16 as the kernel pads it; `synthetic` is
 * `true`; the path is `dir`'s path now.
 */
export function syntheticCreate(dir: DirNode, name: string, isDir: boolean): InotifyEvent {
  const mask = isDir ? CREATE_DIR : IN_CREATE;
  const bytes = Buffer.from(name, 'latin1');
  return {
    header: { wd: dir.wd, mask, cookie: 0, len: (bytes.length + 16) & ~15 },
    typeNames: maskNames(mask),
    path: dir.path,
    filename: displayPath(name),
    filenameBytes: bytes,
    synthetic: true,
  };
}
