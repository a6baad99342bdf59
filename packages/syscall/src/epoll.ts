/**
 * `struct epoll_event` in JS memory, shared by the waiter (main thread, `epoll_ctl`) and its
 * worker (`epoll_wait`).
 *
 * ```
 * x86 / x86-64 (packed, 12 bytes)       every other ABI (16 bytes)
 * 0       4                    12       0       4       8                    16
 * +-------+--------------------+        +-------+-------+--------------------+
 * | events|  data (u64)        |        | events|  pad  |  data (u64)        |
 * +-------+--------------------+        +-------+-------+--------------------+
 * ```
 *
 * The waiter stores the fd in the low 32 bits of `data` and a generation number in the high
 * 32 bits, so a readiness report that raced with a cancelled wait is recognised as stale.
 *
 * @module
 */

import { endianness } from 'node:os';
import { arch } from 'node:process';

const PACKED = arch === 'x64' || arch === 'ia32';
const LITTLE = endianness() === 'LE';

/** `sizeof(struct epoll_event)` on this architecture. @internal */
export const EPOLL_EVENT_SIZE = PACKED ? 12 : 16;
const DATA = PACKED ? 4 : 8;
const LOW = DATA + (LITTLE ? 0 : 4);
const HIGH = DATA + (LITTLE ? 4 : 0);

/** Writes one `struct epoll_event` at index 0 of `into`. @internal */
export function encodeEpollEvent(into: DataView, events: number, fd: number, generation: number): void {
  into.setUint32(0, events >>> 0, LITTLE);
  into.setUint32(LOW, fd >>> 0, LITTLE);
  into.setUint32(HIGH, generation >>> 0, LITTLE);
}

/** The `events` field of record `index`. @internal */
export function epollEvents(from: DataView, index: number): number {
  return from.getUint32(index * EPOLL_EVENT_SIZE, LITTLE);
}

/** The fd stored in the low half of `data` of record `index`. @internal */
export function epollFd(from: DataView, index: number): number {
  return from.getUint32(index * EPOLL_EVENT_SIZE + LOW, LITTLE);
}

/** The generation stored in the high half of `data` of record `index`. @internal */
export function epollGeneration(from: DataView, index: number): number {
  return from.getUint32(index * EPOLL_EVENT_SIZE + HIGH, LITTLE);
}

/** What the waiter hands its worker through `workerData`. @internal */
export interface WaiterWorkerData {
  /** The epoll instance the worker waits on; the main thread adds and removes fds. */
  readonly epfd: number;
  /** An eventfd registered in `epfd` that wakes the worker for control. */
  readonly controlFd: number;
  /** `Int32Array` over it, indexed by {@link WaiterState}. */
  readonly state: SharedArrayBuffer;
  /** The longest single `epoll_wait`, so that the thread checks `state[STOP]` at least this often. */
  readonly safetyTimeoutMs: number;
}

/**
 * The slots of the `Int32Array` the main thread and the waiter thread share.
 *
 * `PHASE` exists because terminating the worker while it runs koffi code kills the process:
 * when a N-API call made by koffi fails because the isolate is terminating, koffi throws, the
 * throw fails too, and node-addon-api aborts (`FATAL ERROR: Error::ThrowAsJavaScriptException
 * napi_throw`, SIGABRT). `process.exit()` terminates every worker, so the main thread's 'exit'
 * listener must not let that happen while the waiter thread loads koffi or sits in a call.
 */
export const WaiterState = {
  /** Set to 1 by the main thread when the worker must return. */
  STOP: 0,
  /** One of {@link WaiterPhase}, moved forward only by compare-and-swap or by the worker. */
  PHASE: 1,
  /** How many slots there are. */
  LENGTH: 2,
} as const;

/** The values of `state[WaiterState.PHASE]`. */
export const WaiterPhase = {
  /** The worker has not started loading koffi; the main thread may still cancel it. */
  STARTING: 0,
  /** The worker loads koffi or waits through it: it must not be terminated now. */
  RUNNING: 1,
  /** The worker will not call into koffi again: terminating it is safe. */
  DONE: 2,
} as const;

/** What the worker posts: ready `[fd, generation]` pairs, or the syscall and errno that stopped it. @internal */
export type WaiterMessage =
  | { readonly ready: Uint32Array }
  | { readonly syscall: string; readonly errno: number };
