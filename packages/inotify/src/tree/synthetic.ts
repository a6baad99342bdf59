import { IN_CREATE, IN_ISDIR, maskNames } from '@inotify-ts/decoder';
import type { InotifyEvent } from '../event.js';

/** `IN_CREATE|IN_ISDIR`, the mask of a directory found by a scan. */
const CREATE_DIR = (IN_CREATE | IN_ISDIR) >>> 0;

/**
 * An `IN_CREATE` (with `IN_ISDIR` for a directory) the tree reports for an entry it found by
 * scanning a new directory, shaped like the kernel's own: `len` is the name's byte length plus
 * its NUL, rounded up to 16 as the kernel pads it; `synthetic` is `true`.
 */
export function syntheticCreate(wd: number, dir: string, name: string, isDir: boolean): InotifyEvent {
  const mask = isDir ? CREATE_DIR : IN_CREATE;
  const bytes = Buffer.from(name, 'utf8');
  return {
    header: { wd, mask, cookie: 0, len: (bytes.length + 16) & ~15 },
    typeNames: maskNames(mask),
    path: dir,
    filename: name,
    filenameBytes: bytes,
    synthetic: true,
  };
}
