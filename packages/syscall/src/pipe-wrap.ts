/**
 * Node's internal `pipe_wrap` binding: a libuv pipe handle (`uv_pipe_t`) opened on any fd.
 *
 * Two things here need a libuv handle on an fd that Node's public API refuses to wrap
 * (`new net.Socket({ fd })` throws `ERR_INVALID_FD_TYPE` for an inotify fd, because libuv's
 * `uv_guess_handle()` calls an anonymous inode `UNKNOWN`, although libuv streams read any
 * pollable fd):
 *
 * - the `'event-loop'` reader (reader.ts), where libuv polls and reads the fd;
 * - fd ownership (owner.ts), where the handle closes the fd when the thread's loop is torn down.
 *
 * ## The risk, and what guards it
 *
 * `process.binding()` is deprecated (DEP0111). Today (Node 20, 22, 24, 26) it is a
 * documentation-only deprecation that warns only under `--pending-deprecation`, and
 * `process.binding('pipe_wrap')` is on Node's allow-list of bindings that it still hands out.
 * A future Node may remove `pipe_wrap` from that list, make it throw, change the handle's
 * methods, or start warning at runtime. What then happens:
 *
 * - removed, throwing, or a different shape: {@link pipeBinding} returns `null`; readers fall
 *   back to the `'thread'` kind, and fds are plain fds (closed by `close()` only, not at
 *   the teardown of a terminated worker). Nothing breaks; workers lose the teardown guarantee.
 * - a runtime warning: users would see it. The package's tests run every supported Node line
 *   in CI and one of them fails loudly the day `process.binding('pipe_wrap')` warns, and
 *   {@link pipeBinding} already declines the binding when Node is asked to warn about pending
 *   deprecations (`--pending-deprecation`, `NODE_PENDING_DEPRECATION=1`).
 * - the permission model (`--permission`) refuses `process.binding()`: same as removed.
 *
 * @module
 */

/** Node's stream handle of a pipe (`PipeWrap`), as much of it as this package uses. @internal */
export interface PipeHandle {
  /** `uv_pipe_open(fd)`: 0, or a negated errno. From then on the handle owns `fd`. */
  open(fd: number): number;
  /** Starts or stops libuv reading; 0 or a negated errno. */
  readStart(): number;
  readStop(): number;
  /** Node's own flag of whether the handle reads; its read callback clears it on a pause. */
  reading: boolean;
  /** `uv_close()`: closes the fd at once; the handle itself goes on the next loop turn. */
  close(): void;
  /** Lets the loop end while the handle is open (a handle that does not read never holds it). */
  unref(): void;
  /** Undoes {@link unref}: an active handle holds the loop again. */
  ref(): void;
}

/** The binding's exports that this package uses. @internal */
export interface PipeBinding {
  readonly Pipe: new (type: number) => PipeHandle;
  readonly constants: { readonly SOCKET: number };
}

let binding: PipeBinding | null | undefined;

/** Whether Node was asked to warn about pending deprecations (then `process.binding` warns). */
function pendingDeprecation(): boolean {
  const flag = '--pending-deprecation';
  return (
    process.execArgv.includes(flag) ||
    (process.env['NODE_OPTIONS'] ?? '').includes(flag) ||
    process.env['NODE_PENDING_DEPRECATION'] === '1'
  );
}

/** Node's `pipe_wrap` binding, or `null` where this Node does not offer it (or should not). @internal */
export function pipeBinding(): PipeBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  if (pendingDeprecation()) return binding;
  try {
    const candidate = (process as unknown as { binding(name: string): Partial<PipeBinding> }).binding(
      'pipe_wrap',
    );
    if (typeof candidate.Pipe === 'function' && typeof candidate.constants?.SOCKET === 'number') {
      binding = candidate as PipeBinding;
    }
  } catch {
    // Removed, or refused by the permission model: see the module comment.
  }
  return binding;
}
