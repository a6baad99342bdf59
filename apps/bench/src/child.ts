/**
 * Child processes with line-oriented stdout/stderr: the bench's protocol with its
 * consumers is one line per message ("ready", "done", a JSON summary).
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Lines of a stream, awaited one predicate at a time. */
export class Lines {
  readonly #seen: string[] = [];
  readonly #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  #ended = false;
  readonly #onEnd: (() => void)[] = [];
  #partial = '';

  /** Splits `stream` in lines; with `echo`, also copies everything to it as it comes. */
  constructor(stream: Readable, echo?: NodeJS.WritableStream) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      echo?.write(chunk);
      const parts = (this.#partial + chunk).split('\n');
      this.#partial = parts.pop() ?? '';
      for (const line of parts) this.#push(line);
    });
    stream.on('end', () => {
      if (this.#partial !== '') this.#push(this.#partial);
      this.#ended = true;
      for (const f of this.#onEnd.splice(0)) f();
    });
  }

  #push(line: string): void {
    this.#seen.push(line);
    for (let i = 0; i < this.#waiters.length; i++) {
      const w = this.#waiters[i]!;
      if (w.test(line)) {
        this.#waiters.splice(i--, 1);
        w.resolve(line);
      }
    }
  }

  /** Every line so far. */
  get all(): readonly string[] {
    return this.#seen;
  }

  /** Whether a line passing `test` has arrived. */
  has(test: (line: string) => boolean): boolean {
    return this.#seen.some(test);
  }

  /**
   * Resolves with the first line (already seen or still to come) passing `test`.
   * Rejects after `timeoutMs`, or when the stream ends first, with `what` and the
   * last lines in the message.
   */
  wait(test: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const hit = this.#seen.find(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        const tail = this.#seen.slice(-5).join(' | ');
        reject(new Error(`${what}: ${why}${tail === '' ? '' : ` (last lines: ${tail})`}`));
      };
      const timer = setTimeout(() => fail(`nothing after ${timeoutMs} ms`), timeoutMs);
      const waiter = {
        test,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      if (this.#ended) return fail('the stream ended');
      this.#waiters.push(waiter);
      this.#onEnd.push(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at !== -1) {
          this.#waiters.splice(at, 1);
          fail('the stream ended');
        }
      });
    });
  }
}

/** A spawned process with its stdout (and stderr, when piped) split in lines. */
export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Lines of stdout, or null when stdout is not piped. */
  readonly stdout: Lines | null;
  /** Lines of stderr, or null when stderr is not piped. */
  readonly stderr: Lines | null;
  /** Settles when the process has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** process.hrtime.bigint() taken right before spawn(). */
  readonly spawnedAt: bigint;
}

/**
 * Spawns `command`. By default stdout and stderr are piped, and stderr is also
 * copied to the bench's stderr as it comes (so crashes are seen, and
 * {@link failure} can quote them); `options.stdio` overrides that (a piped stderr
 * is then not copied). Every piped stream is split in lines.
 */
export function start(command: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const spawnedAt = process.hrtime.bigint();
  const echo = options.stdio === undefined ? process.stderr : undefined;
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // A spawn failure (ENOENT) surfaces through `exited` and the line waiters.
  exited.catch(() => {});
  if (proc.pid === undefined) throw new Error(`could not start ${command}`);
  return {
    proc,
    pid: proc.pid,
    stdout: proc.stdout === null ? null : new Lines(proc.stdout),
    stderr: proc.stderr === null ? null : new Lines(proc.stderr, echo),
    exited,
    spawnedAt,
  };
}

/** Sends SIGTERM (then SIGKILL after `graceMs`) and waits for the exit. */
export async function stop(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  try {
    await child.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `error` as an Error whose message ends with the child's own error line, when its
 * stderr has one (`TypeError: …`, `Error [ERR_…]: …`, `consumer: read(…) failed: …`):
 * "the stream ended" alone does not say why a child died.
 */
export function failure(error: unknown, child: Child | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const cause = child?.stderr?.all.find((l) => /^(\w*Error\b|[\w-]+: .*failed)/.test(l));
  return new Error(cause === undefined ? message : `${message}: ${cause}`);
}
