/**
 * The inotify constants: the one source for both compilers.
 *
 * This file is imported by the TypeScript side (`./constants.js`) and by the
 * AssemblyScript side (`../src/constants`), so it holds nothing but plain
 * `export const NAME = <hex literal>;` lines and their comments. The values are
 * those of `<sys/inotify.h>` / `<linux/inotify.h>` on every Linux architecture.
 *
 * Every value is written as a literal, never as an expression such as `a | b`: in
 * JavaScript `|` yields a signed 32-bit result (`IN_ONLYDIR | IN_ONESHOT` would be
 * negative), while a literal stays an unsigned number (`IN_ONESHOT === 2147483648`).
 * AssemblyScript infers `i32` for an untyped constant, so there 0x80000000 is the i32 bit
 * pattern -2147483648: the wasm side assigns a constant to a `u32` before comparing with
 * it. The wasm module re-exports every constant here; `constants.test.ts` checks that
 * each equals the TypeScript value bit for bit, that the TypeScript values are unsigned,
 * and that every union equals the OR of its parts.
 *
 * @packageDocumentation
 */

// ---- Events: bits the kernel sets in `inotify_event.mask` and a watch may ask for ----

/** File was accessed (read). */
export const IN_ACCESS = 0x00000001;
/** File was modified (write, truncate). */
export const IN_MODIFY = 0x00000002;
/** Metadata changed (permissions, timestamps, extended attributes, link count, owner). */
export const IN_ATTRIB = 0x00000004;
/** File opened for writing was closed. */
export const IN_CLOSE_WRITE = 0x00000008;
/** File or directory not opened for writing was closed. */
export const IN_CLOSE_NOWRITE = 0x00000010;
/** File or directory was opened. */
export const IN_OPEN = 0x00000020;
/** File was moved out of the watched directory (carries a cookie shared with its IN_MOVED_TO). */
export const IN_MOVED_FROM = 0x00000040;
/** File was moved into the watched directory (carries a cookie shared with its IN_MOVED_FROM). */
export const IN_MOVED_TO = 0x00000080;
/** File or directory was created in the watched directory. */
export const IN_CREATE = 0x00000100;
/** File or directory was deleted from the watched directory. */
export const IN_DELETE = 0x00000200;
/** The watched file or directory itself was deleted. */
export const IN_DELETE_SELF = 0x00000400;
/** The watched file or directory itself was moved. */
export const IN_MOVE_SELF = 0x00000800;

// ---- Events the kernel sets on its own (never requested) ----

/** The filesystem holding the watched object was unmounted (an IN_IGNORED follows). */
export const IN_UNMOUNT = 0x00002000;
/** The event queue overflowed: events were lost. Reported with `wd === -1`. */
export const IN_Q_OVERFLOW = 0x00004000;
/** The watch was removed (explicitly, or because its object is gone): the wd is free again. */
export const IN_IGNORED = 0x00008000;

// ---- Watch flags: bits only `inotify_add_watch` understands ----

/** Only watch the path if it is a directory (else ENOTDIR). */
export const IN_ONLYDIR = 0x01000000;
/** Do not follow a symbolic link at the end of the path. */
export const IN_DONT_FOLLOW = 0x02000000;
/** Stop reporting events for children once they are unlinked from the watched directory. */
export const IN_EXCL_UNLINK = 0x04000000;
/** Fail with EEXIST if the path is already watched (Linux 4.18+). Cannot be combined with IN_MASK_ADD. */
export const IN_MASK_CREATE = 0x10000000;
/** Add (OR) the mask to an existing watch instead of replacing it. */
export const IN_MASK_ADD = 0x20000000;
/** Event flag: the subject of the event is a directory. */
export const IN_ISDIR = 0x40000000;
/** Remove the watch after its first event (an IN_IGNORED follows). */
export const IN_ONESHOT = 0x80000000;

// ---- Unions (written out; each equals the OR of the names in its comment) ----

/** IN_CLOSE_WRITE | IN_CLOSE_NOWRITE. */
export const IN_CLOSE = 0x00000018;
/** IN_MOVED_FROM | IN_MOVED_TO. */
export const IN_MOVE = 0x000000c0;
/** Every event a watch can request: IN_ACCESS through IN_MOVE_SELF. */
export const IN_ALL_EVENTS = 0x00000fff;

/**
 * Every bit that may appear in an event's mask as read from the kernel:
 * IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ISDIR.
 */
export const EVENT_BITS = 0x4000efff;
/**
 * Every flag bit of a watch mask that is not an event:
 * IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | IN_MASK_ADD | IN_ONESHOT.
 */
export const WATCH_FLAGS = 0xb7000000;
/** Every bit `inotify_add_watch` accepts in its mask: IN_ALL_EVENTS | WATCH_FLAGS. */
export const WATCH_BITS = 0xb7000fff;

// ---- inotify_init1 flags (these are O_NONBLOCK and O_CLOEXEC, not mask bits) ----

/** inotify_init1 flag: the descriptor is non-blocking (O_NONBLOCK, octal 04000). */
export const IN_NONBLOCK = 0x00000800;
/** inotify_init1 flag: close the descriptor on exec (O_CLOEXEC, octal 02000000). */
export const IN_CLOEXEC = 0x00080000;

// ---- The wire format ----

/** Size of `struct inotify_event` without its name: wd, mask, cookie, len (4 bytes each). */
export const EVENT_HEADER_BYTES = 16;
/** NAME_MAX: the longest file name Linux allows, in bytes. */
export const NAME_MAX = 255;
/**
 * The longest event the kernel writes: a header plus a 255-byte name, its NUL, padded to 16:
 * 16 + 256 = 272 bytes. A read buffer smaller than this can fail with EINVAL.
 */
export const EVENT_MAX_BYTES = 272;
