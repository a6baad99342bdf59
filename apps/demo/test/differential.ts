/**
 * Runs the real inotifywait/inotifywatch and our commands side by side on the same directory,
 * and collects what each prints, byte for byte. Both watch at the same time, so they see the
 * same kernel events (the same move cookies too); neither writes into the watched directory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built commands. */
export const WAIT = fileURLToPath(new URL('../dist/wait-cli.js', import.meta.url));
export const WATCH = fileURLToPath(new URL('../dist/watch-cli.js', import.meta.url));
export const DEMO = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function installed(tool: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** inotify-tools' commands, where installed (CI installs them from Debian's packages). */
export const INOTIFYWAIT = installed('inotifywait');
export const INOTIFYWATCH = installed('inotifywatch');

/** How a process ended. */
export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Bounds every wait: generous, since the machine may be busy; a hang names itself. */
const WAIT_MS = 20_000;

/** For tests that run two programs several times, each wait bounded by `WAIT_MS`: a busy machine may need more than 30 s. */
export const SLOW = { timeout: 180_000 };

/** A running command, its stdout kept as bytes. */
export class Run {
  readonly child: ChildProcess;
  readonly name: string;
  #stdout = '';
  stderr = '';
  readonly ended: Promise<Ended>;
  readonly #waiters = new Set<() => void>();
  #closed = false;

  /**
   * @param name - for messages.
   * @param command - the executable.
   * @param args - its arguments.
   * @param options - the working directory, extra environment, and file descriptors for stdin and stdout.
   */
  constructor(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; stdout?: number; stdin?: number },
  ) {
    this.name = name;
    this.child = spawn(command, [...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.#stdout += chunk.toString('latin1');
      this.#notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.ended = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.#closed = true;
        this.#notify();
        resolve({ code, signal });
      });
    });
  }

  /** stdout so far, each byte as one character (latin1), so that comparisons are byte for byte and readable. */
  get stdout(): string {
    return this.#stdout;
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Until 'close': then every byte of its output has been read. */
  #running(): boolean {
    return !this.#closed;
  }

  /** Resolves once `condition` holds; rejects with the output so far if the process ends first or time runs out. */
  waitFor(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const error = (why: string) =>
        new Error(
          `${this.name}: ${why} waiting for ${what}\n--- stdout:\n${tail(this.stdout)}\n--- stderr:\n${this.stderr}`,
        );
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      const check = () => {
        if (condition()) {
          done();
          resolve();
        } else if (!this.#running()) {
          done();
          reject(error('exited'));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(error(`no answer after ${WAIT_MS} ms`));
      }, WAIT_MS);
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits for `text` on stderr. */
  stderrHas(text: string): Promise<void> {
    return this.waitFor(() => this.stderr.includes(text), `'${text}' on stderr`);
  }

  /** Waits for `text` (latin1) on stdout. */
  stdoutHas(text: string): Promise<void> {
    return this.waitFor(() => this.stdout.includes(text), `'${text}' on stdout`);
  }

  /** Polls until the process holds `count` inotify watches (for -q, which prints no ready line). */
  async watching(count: number): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (watchCount(this.child.pid ?? 0) < count) {
      if (!this.#running()) throw new Error(`${this.name} exited before watching\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name}: ${count} watches not there after ${WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Bytes the process has read so far (/proc/<pid>/io `rchar`): its reads of the inotify fd count. */
  readBytes(): number {
    const io = readFileSync(`/proc/${this.child.pid}/io`, 'latin1');
    return Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? 0);
  }

  /**
   * Waits until the process has read since `before` (see {@link Run.readBytes}) and then read
   * nothing more for 500 ms: inotifywatch announces nothing when it counts an event, and reads
   * nothing once it has consumed the queue. Bounded, like every wait here.
   */
  async settled(before: number): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    let last = -1;
    let quiet = 0;
    while (quiet < 10) {
      if (Date.now() > deadline)
        throw new Error(`${this.name} kept reading, or read nothing, for ${WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const now = this.readBytes();
      quiet = now > before && now === last ? quiet + 1 : 0;
      last = now;
    }
  }

  /** Polls until the process is stopped (state T in /proc/<pid>/stat), after a SIGSTOP. */
  async stopped(): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T') return;
      if (Date.now() > deadline) throw new Error(`${this.name} did not stop within ${WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Resolves with how the process ended; rejects, with its output, if it is still running after the bound. */
  end(): Promise<Ended> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`${this.name} still running\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`),
          ),
        WAIT_MS,
      );
    });
    return Promise.race([this.ended, late]).finally(() => clearTimeout(timer));
  }

  /** Sends `signal` and waits for the end. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Ended> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.end();
  }
}

/** The distinct watch descriptors a process holds, from /proc/<pid>/fdinfo. */
export function watchCount(pid: number): number {
  const wds = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== 'anon_inode:inotify') continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1');
      for (const line of info.split('\n')) {
        const wd = /^inotify wd:(\d+)/.exec(line)?.[1];
        if (wd !== undefined) wds.add(`${fd}:${wd}`);
      }
    } catch {
      // The fd closed meanwhile.
    }
  }
  // An instance read on the event loop is open twice (libuv reads a duplicate of its fd).
  const perFd = new Map<string, number>();
  for (const key of wds) {
    const fd = key.split(':')[0]!;
    perFd.set(fd, (perFd.get(fd) ?? 0) + 1);
  }
  return Math.max(0, ...perFd.values());
}

/** Starts inotify-tools' command and ours with the same arguments, in `cwd`. */
export function startBoth(
  tool: string,
  ours: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): { theirs: Run; ours: Run } {
  return {
    theirs: new Run(tool, tool, args, options),
    ours: new Run('ours', process.execPath, [ours, ...args], options),
  };
}

/** Waits until both say their watches are set up. */
export async function bothReady(
  runs: { theirs: Run; ours: Run },
  line = 'Watches established.',
): Promise<void> {
  await Promise.all([runs.theirs.stderrHas(line), runs.ours.stderrHas(line)]);
}

/** The last 40 lines of an output, for messages. */
function tail(text: string): string {
  const lines = text.split('\n');
  return lines.length > 40 ? `[${lines.length - 40} lines before]\n${lines.slice(-40).join('\n')}` : text;
}
