/**
 * The waiter's worker thread: blocks in `epoll_wait` on the shared epoll instance and posts
 * the `[fd, generation]` of every fd that became readable to the main thread. It owns no fd
 * and never registers one: the main thread does all `epoll_ctl` calls.
 *
 * Runs from `dist/` as compiled JavaScript. Exits when `state[STOP]` is set and the control
 * eventfd is written (the main thread does so on process exit). koffi is loaded only after
 * `state[PHASE]` moved from STARTING to RUNNING, and `state[PHASE]` is DONE once this thread
 * will not call into koffi again: the main thread waits for that before the process exits
 * (see {@link WaiterState}).
 *
 * @module
 */

import { constants } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import {
  EPOLL_EVENT_SIZE,
  epollFd,
  epollGeneration,
  type WaiterMessage,
  WaiterPhase,
  WaiterState,
  type WaiterWorkerData,
} from './epoll.js';
import type * as Libc from './libc.js';

type LibcModule = typeof Libc;

const { epfd, controlFd, state: sharedState, safetyTimeoutMs } = workerData as WaiterWorkerData;
const port = parentPort!;
const state = new Int32Array(sharedState);
const { EINTR, EAGAIN } = constants.errno;
const MAX_EVENTS = 256;
const events = new Uint8Array(MAX_EVENTS * EPOLL_EVENT_SIZE);
const view = new DataView(events.buffer);
const scratch = new BigUint64Array(1);

function post(message: WaiterMessage, transfer?: ArrayBuffer[]): void {
  port.postMessage(message, transfer);
}

/** Resets the control eventfd; false (after reporting it) if that failed. */
function drainControl(libc: LibcModule): boolean {
  if (libc.read(controlFd, scratch, 8) >= 0) return true;
  const e = libc.errno();
  // EAGAIN: already 0. EINTR: nothing lost, the level-triggered fd reports again.
  if (e === EAGAIN || e === EINTR) return true;
  post({ syscall: 'read', errno: e });
  return false;
}

/** Waits and reports until told to stop or a syscall fails. */
function run(libc: LibcModule): void {
  for (;;) {
    if (Atomics.load(state, WaiterState.STOP) !== 0) return;
    const n = libc.epoll_wait(epfd, events, MAX_EVENTS, safetyTimeoutMs);
    if (n < 0) {
      const e = libc.errno();
      if (e === EINTR) continue;
      post({ syscall: 'epoll_wait', errno: e });
      return;
    }
    if (Atomics.load(state, WaiterState.STOP) !== 0) return;
    let count = 0;
    const ready = new Uint32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const fd = epollFd(view, i);
      if (fd === controlFd) {
        if (!drainControl(libc)) return;
        continue;
      }
      ready[count++] = fd;
      ready[count++] = epollGeneration(view, i);
    }
    if (count > 0) {
      const message = count === ready.length ? ready : ready.slice(0, count);
      post({ ready: message }, [message.buffer]);
    }
  }
}

/**
 * libc.js, imported only once this thread is RUNNING, because importing it loads koffi. It is a
 * file of its own in dist/ and is named through a URL so that the bundler leaves this import
 * alone: a bundled `import('./libc.js')` would hoist koffi's import to the top of this file,
 * and Node would load koffi's addon while the thread is still STARTING, when the main thread
 * may exit without waiting (SIGABRT at exit: see {@link WaiterState}).
 */
const LIBC_URL = new URL('./libc.js', import.meta.url).href;

// Not started if the main thread already cancelled this worker (it exits before koffi loads).
if (
  Atomics.compareExchange(state, WaiterState.PHASE, WaiterPhase.STARTING, WaiterPhase.RUNNING) ===
  WaiterPhase.STARTING
) {
  try {
    run((await import(LIBC_URL)) as LibcModule);
  } finally {
    Atomics.store(state, WaiterState.PHASE, WaiterPhase.DONE);
    Atomics.notify(state, WaiterState.PHASE);
  }
}
