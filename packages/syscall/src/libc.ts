/**
 * The C library functions this package calls, each declared once as a C prototype.
 *
 * Conventions:
 * - Buffers are declared `void *` and passed as `Uint8Array` / typed arrays: koffi hands the
 *   native function a pointer into the array's own memory (its `byteOffset` included), so a
 *   `read` lands directly in the caller's buffer, even a view on a `WebAssembly.Memory`.
 * - `ssize_t` is an alias of `intptr_t` (koffi has no `ssize_t`).
 * - Callers read `koffi.errno()` immediately after a call that returned -1: any other call in
 *   between may overwrite it. For `.async` calls koffi sets errno only for the duration of the
 *   completion callback, so it must be read inside that callback.
 *
 * @module
 */

import koffi, { type LibraryHandle } from 'koffi';

/** A koffi-bound native function: callable synchronously, or through `.async` on a libuv thread. */
export type NativeFunction<A extends unknown[], R> = ((...args: A) => R) & {
  async: (...args: [...A, (err: unknown, result: R) => void]) => void;
};

function loadLibc(): LibraryHandle {
  try {
    return koffi.load('libc.so.6');
  } catch {
    // musl and other libcs: the symbols are already in the process, look them up there.
    return koffi.load(null);
  }
}

const libc = loadLibc();
koffi.alias('ssize_t', 'intptr_t');

function bind<A extends unknown[], R>(prototype: string): NativeFunction<A, R> {
  return libc.func(prototype) as unknown as NativeFunction<A, R>;
}

/** A pointer argument: any typed array (zero-copy), or `null`. */
type Ptr = ArrayBufferView | null;

/** `int inotify_init1(int flags)` */
export const inotify_init1 = bind<[flags: number], number>('int inotify_init1(int flags)');

/** `int inotify_add_watch(int fd, const char *pathname, uint32_t mask)`: pathname is a JS string (UTF-8) or NUL-terminated bytes. */
export const inotify_add_watch = bind<[fd: number, pathname: string | Uint8Array, mask: number], number>(
  'int inotify_add_watch(int fd, const char *pathname, uint32_t mask)',
);

/** `int inotify_rm_watch(int fd, int wd)` */
export const inotify_rm_watch = bind<[fd: number, wd: number], number>(
  'int inotify_rm_watch(int fd, int wd)',
);

/** `ssize_t read(int fd, void *buf, size_t count)` */
export const read = bind<[fd: number, buf: Ptr, count: number], number>(
  'ssize_t read(int fd, void *buf, size_t count)',
);

/** `ssize_t write(int fd, const void *buf, size_t count)` */
export const write = bind<[fd: number, buf: Ptr, count: number], number>(
  'ssize_t write(int fd, const void *buf, size_t count)',
);

/** `int close(int fd)` */
export const close = bind<[fd: number], number>('int close(int fd)');

/** `int poll(struct pollfd *fds, nfds_t nfds, int timeout)`: fds is an array of 8-byte `{ int fd; short events, revents; }`. */
export const poll = bind<[fds: Ptr, nfds: number, timeout: number], number>(
  'int poll(void *fds, unsigned long nfds, int timeout)',
);

/** `int ioctl(int fd, unsigned long request, ...)`: variadic, pass `'int *', Int32Array` for FIONREAD. */
export const ioctl = bind<[fd: number, request: number, type: string, arg: Ptr], number>(
  'int ioctl(int fd, unsigned long request, ...)',
);

/**
 * `int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf)`
 * (glibc 2.28+, musl 1.2.5+); `null` where the C library has no such symbol.
 */
export const statx = (() => {
  try {
    return bind<[dirfd: number, pathname: string, flags: number, mask: number, statxbuf: Ptr], number>(
      'int statx(int dirfd, const char *pathname, int flags, unsigned int mask, void *statxbuf)',
    );
  } catch {
    return null;
  }
})();

/** `int fcntl(int fd, int cmd, ...)`: variadic, pass `'int', value` for `F_DUPFD_CLOEXEC`. */
export const fcntl = bind<[fd: number, cmd: number, type: string, arg: number], number>(
  'int fcntl(int fd, int cmd, ...)',
);

/** `int eventfd(unsigned int initval, int flags)` */
export const eventfd = bind<[initval: number, flags: number], number>(
  'int eventfd(unsigned int initval, int flags)',
);

/** `int epoll_create1(int flags)` */
export const epoll_create1 = bind<[flags: number], number>('int epoll_create1(int flags)');

/** `int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)`: see `epoll.ts` for the struct layout. */
export const epoll_ctl = bind<[epfd: number, op: number, fd: number, event: Ptr], number>(
  'int epoll_ctl(int epfd, int op, int fd, void *event)',
);

/** `int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)` */
export const epoll_wait = bind<[epfd: number, events: Ptr, maxevents: number, timeout: number], number>(
  'int epoll_wait(int epfd, void *events, int maxevents, int timeout)',
);

/** `int getrlimit(int resource, struct rlimit *rlim)`: rlim is `{ rlim_t cur, max; }`, rlim_t the size of a long. */
export const getrlimit = bind<[resource: number, rlim: Ptr], number>(
  'int getrlimit(int resource, void *rlim)',
);

/** The calling thread's `errno`. Read it right after the failing call, before any other native call. */
export function errno(): number {
  return koffi.errno();
}
