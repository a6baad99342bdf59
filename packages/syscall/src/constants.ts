/**
 * Numeric constants of the Linux syscall ABI used by this package.
 *
 * These are the kernel's values for the flags this package passes itself
 * (`inotify_init1`, `poll`, `eventfd`, `epoll`, `ioctl`). The inotify event bits a caller
 * passes to {@link addWatch} live in `@inotify-ts/decoder`; only the few this package must
 * understand to validate a mask or explain an error are repeated here.
 *
 * @module
 */

import { arch } from 'node:process';

const MIPS = (arch as string).startsWith('mips');

/** `O_CLOEXEC`: 02000000 on every architecture Node supports on Linux except alpha/sparc/parisc. */
const O_CLOEXEC = 0o2000000;
/** `O_NONBLOCK`: 04000 on the generic ABI, 0200 on MIPS. */
const O_NONBLOCK = MIPS ? 0o200 : 0o4000;

/** `IN_NONBLOCK` for `inotify_init1`: the same bit as `O_NONBLOCK`. */
export const IN_NONBLOCK = O_NONBLOCK;
/** `IN_CLOEXEC` for `inotify_init1`: the same bit as `O_CLOEXEC`. */
export const IN_CLOEXEC = O_CLOEXEC;
/** `EFD_NONBLOCK` for `eventfd`. */
export const EFD_NONBLOCK = O_NONBLOCK;
/** `EFD_CLOEXEC` for `eventfd`. */
export const EFD_CLOEXEC = O_CLOEXEC;
/** `EPOLL_CLOEXEC` for `epoll_create1`. */
export const EPOLL_CLOEXEC = O_CLOEXEC;

/** `POLLIN`: there is data to read. */
export const POLLIN = 0x001;
/** `POLLPRI`: an exceptional condition (a mount table change for /proc/self/mountinfo). */
export const POLLPRI = 0x002;
/** `POLLERR`: error condition (output only). */
export const POLLERR = 0x008;
/** `POLLHUP`: hang up (output only). */
export const POLLHUP = 0x010;
/** `POLLNVAL`: the fd is not open (output only); `poll(2)` itself does not fail for it. */
export const POLLNVAL = 0x020;

/** `EPOLLIN`: the fd is readable. */
export const EPOLLIN = 0x001;
/** `EPOLLONESHOT`: disarm the fd after one event; re-arm it with `EPOLL_CTL_MOD`. */
export const EPOLLONESHOT = 0x40000000;
/** `epoll_ctl` operation: register an fd. */
export const EPOLL_CTL_ADD = 1;
/** `epoll_ctl` operation: unregister an fd. */
export const EPOLL_CTL_DEL = 2;
/** `epoll_ctl` operation: change (and re-arm) a registered fd. */
export const EPOLL_CTL_MOD = 3;

/**
 * `FIONREAD` ioctl request number: bytes available to read. `0x541B` on the generic ABI
 * (x86, ARM, RISC-V, s390, LoongArch), `0x467F` on MIPS, `_IOR('f', 127, int)` on PowerPC.
 */
export const FIONREAD = MIPS ? 0x467f : arch === 'ppc' || arch === 'ppc64' ? 0x4004667f : 0x541b;

/** `RLIMIT_NOFILE`: 7 on the generic ABI, 5 on MIPS. */
export const RLIMIT_NOFILE = MIPS ? 5 : 7;

/** `F_DUPFD_CLOEXEC`: `fcntl` command, duplicate an fd onto the lowest free number >= arg, close-on-exec. */
export const F_DUPFD_CLOEXEC = 1030;
/** `fcntl` command reading the fd flags: fails with EBADF on a closed fd, changes nothing. */
export const F_GETFD = 1;

/** `AT_FDCWD`: `*at()` calls resolve relative paths from the working directory. */
export const AT_FDCWD = -100;
/** `AT_SYMLINK_NOFOLLOW`: do not follow a final symbolic link. */
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** `AT_STATX_DONT_SYNC`: statx may answer from cached attributes (no round trip on network filesystems). */
export const AT_STATX_DONT_SYNC = 0x4000;
/** `STATX_NLINK`: statx mask bit for `stx_nlink`. */
export const STATX_NLINK = 0x4;

/** `IN_ONLYDIR`: only watch the path if it is a directory (ENOTDIR otherwise). */
export const IN_ONLYDIR = 0x01000000;
/** `IN_MASK_CREATE` (Linux 4.18+): only create a watch, fail with EEXIST if the path is already watched. */
export const IN_MASK_CREATE = 0x10000000;
/** `IN_MASK_ADD`: OR the mask into an existing watch instead of replacing it. */
export const IN_MASK_ADD = 0x20000000;

/**
 * Every bit the kernel defines for an inotify mask (`ALL_INOTIFY_BITS` in the kernel): the
 * events, `IN_UNMOUNT`, `IN_Q_OVERFLOW`, `IN_IGNORED`, `IN_ISDIR` and the watch flags.
 * Recent kernels reject a mask with any other bit with EINVAL.
 */
export const ALL_INOTIFY_BITS = 0xf700efff;

/** `sizeof(struct inotify_event)`: `int wd; uint32_t mask, cookie, len;` before the name. */
export const INOTIFY_EVENT_HEADER_SIZE = 16;
/** `NAME_MAX`: the longest file name on Linux, in bytes, without the terminating NUL. */
export const NAME_MAX = 255;
/**
 * The smallest read buffer that can hold any single inotify event:
 * `sizeof(struct inotify_event) + NAME_MAX + 1` = 272 bytes. A `read(2)` into a smaller
 * buffer fails with `EINVAL` when the next event does not fit, so {@link read} refuses it.
 */
export const MIN_READ_BUFFER_SIZE = INOTIFY_EVENT_HEADER_SIZE + NAME_MAX + 1;
