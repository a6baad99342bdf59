import { constants } from 'node:os';
import { InotifyError, type InotifyErrorOptions } from '@inotify-ts/syscall';
import { codeOf } from '../errors.js';

export { codeOf };

/**
 * A directory that vanished or stopped being a directory between the moment the tree saw it and
 * the moment it watched or listed it: not an error, the kernel reports what happened to it.
 */
export function vanished(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A directory the tree could not list (readdir failed): `syscall` `'scandir'`, as Node names it. */
export function unreadableError(dir: string, cause: unknown): InotifyError {
  const code = codeOf(cause) ?? 'EIO';
  const errno = constants.errno[code as keyof typeof constants.errno] ?? 0;
  const why = code === 'EACCES' ? 'permission denied (listing needs read permission on it)' : code;
  return new InotifyError({
    code,
    errno,
    syscall: 'scandir',
    path: dir,
    message: `${code}: cannot list '${dir}': ${why}; the tree watches it but not the directories inside it`,
    cause,
  });
}

/** A directory whose watch could not be added: the kernel's error, with what it means for the tree. */
export function unwatchableError(dir: string, cause: InotifyError): InotifyError {
  return new InotifyError({
    code: cause.code,
    errno: cause.errno,
    syscall: cause.syscall,
    path: dir,
    message: `${cause.message}; the tree does not watch it or anything inside it`,
    cause,
  });
}

/** A tree root that is a symbolic link: the tree never follows one. */
export function symlinkRootError(root: string, cause: InotifyError): InotifyError {
  return new InotifyError({
    code: 'ENOTDIR',
    errno: constants.errno.ENOTDIR,
    syscall: 'inotify_add_watch',
    path: root,
    message: `ENOTDIR: tree root '${root}' is a symbolic link, and a tree follows no symbolic links; pass its target (fs.realpathSync())`,
    cause,
  });
}

/**
 * `ENOSPC` from a tree: the watch limit stopped it. Besides the message, it carries the figures
 * as numbers, so that a program can say how far to raise the limit without parsing text.
 */
export class TreeWatchLimitError extends InotifyError {
  /** The watches the tree needs: at least this many (more directories may lie beyond). */
  readonly needed: number;
  /** The watches the tree holds. */
  readonly held: number;

  constructor(options: InotifyErrorOptions & { needed: number; held: number }) {
    super(options);
    this.needed = options.needed;
    this.held = options.held;
  }
}

/**
 * The watch limit stopped the tree: how many watches it needs, how many it holds, and the
 * kernel's own explanation (the limit, its value and the sysctl that raises it).
 */
export function watchLimitError(
  root: string,
  needed: number,
  held: number,
  cause: InotifyError,
  during: 'start' | 'growth' | 'rescan',
): TreeWatchLimitError {
  const what =
    during === 'start'
      ? `watching the tree under '${root}' needs ${needed} watches, and only ${held} could be added`
      : `the tree under '${root}' now needs at least ${needed} watches and holds ${held}: ` +
        `directories ${during === 'growth' ? 'that appeared' : 'found by the rescan'} are not all watched`;
  return new TreeWatchLimitError({
    code: 'ENOSPC',
    errno: constants.errno.ENOSPC,
    syscall: 'inotify_add_watch',
    path: cause.path ?? root,
    message: `ENOSPC: ${what}. ${cause.message.replace(/^ENOSPC: /, '')}`,
    cause,
    needed,
    held,
  });
}
