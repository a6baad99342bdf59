/**
 * Runs the BUILT program (dist/cli.js) as a child process and watches what it prints.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built executable. */
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Fails with a clear message when the program has not been built. */
export function requireBuild(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: build first with \`pnpm --filter @inotify-ts/demo... build\``);
  }
}

/** How the child ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The line `inotify-demo` prints on stderr once its watches are armed (unless `-q`). */
export const READY = 'Watches established.';

/** A running `inotify-demo`. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  #waiters = new Set<() => void>();

  private constructor(
    args: readonly string[],
    env: NodeJS.ProcessEnv,
    wrap: readonly string[],
    user: { uid: number; gid: number } | undefined,
  ) {
    const program = wrap[0] === 'script' ? [] : [process.execPath, CLI, ...args];
    const [command, ...prefix] = [...wrap, ...program] as [string, ...string[]];
    this.child = spawn(command, prefix, { env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.#notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.#notify();
        resolve({ code, signal });
      });
    });
  }

  /**
   * Starts the program. Unless `ready` is false, waits until it says its watches are established.
   *
   * @param args - the command line.
   * @param options - extra environment; `ready: false` to return at once; `wrap`: a command
   *   that runs the program (its last arguments are node, the program and `args`); `user`: run
   *   as that user (the tests run as root).
   */
  static async start(
    args: readonly string[],
    options: {
      env?: NodeJS.ProcessEnv;
      ready?: boolean;
      wrap?: readonly string[];
      user?: { uid: number; gid: number };
    } = {},
  ): Promise<CliProcess> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    if (options.env?.['FORCE_COLOR'] === undefined) delete env['FORCE_COLOR'];
    const cli = new CliProcess(args, env, options.wrap ?? [], options.user);
    if (options.ready !== false) await cli.waitFor(() => cli.stderr.includes(READY), `'${READY}' on stderr`);
    return cli;
  }

  /** Runs the program to its end and returns its exit and output. */
  static async run(
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; wrap?: readonly string[] } = {},
  ): Promise<{ exit: Exit; stdout: string; stderr: string }> {
    const cli = await CliProcess.start(args, { ...options, ready: false });
    const exit = await cli.end();
    return { exit, stdout: cli.stdout, stderr: cli.stderr };
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /**
   * Resolves once `condition` holds; rejects, showing the output so far, after `timeoutMs` or
   * when the process ends first.
   */
  waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const fail = (why: string) =>
        new Error(`${why} waiting for ${what}\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`);
      const check = () => {
        if (condition()) finish();
        else if (this.child.exitCode !== null || this.child.signalCode !== null) finish(fail('exited'));
      };
      const timer = setTimeout(() => finish(fail(`timed out after ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  /** The lines printed on stdout so far (complete lines only). */
  lines(): string[] {
    const complete = this.stdout.slice(0, this.stdout.lastIndexOf('\n') + 1);
    return complete === '' ? [] : complete.slice(0, -1).split('\n');
  }

  /** Waits until at least `count` complete lines are on stdout, and returns them. */
  async waitForLines(count: number): Promise<string[]> {
    await this.waitFor(() => this.lines().length >= count, `${count} lines on stdout`);
    return this.lines();
  }

  /**
   * Resolves with how the process ended; rejects, showing the output so far, when it is still
   * running after `timeoutMs`, so that a hang names itself instead of running into the test's
   * own timeout.
   */
  end(timeoutMs = 15_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `still running ${timeoutMs} ms later\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`,
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([this.exited, late]).finally(() => clearTimeout(timer));
  }

  /** Sends a signal and waits for the end. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<Exit> {
    this.child.kill(signal);
    return this.end();
  }

  /** Polls until `condition` holds; for states no output announces (watches in /proc, a stopped process). */
  async poll(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const exited = () => this.child.exitCode !== null || this.child.signalCode !== null;
    while (exited() || !condition()) {
      if (exited()) {
        throw new Error(
          `exited waiting for ${what}\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * The pid of the child's only child: the program, when it runs under script(1). Fails, rather
   * than signal the wrong process, when that child is not running the program.
   */
  grandchild(): number {
    const children = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'latin1').trim();
    const pid = Number(children.split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no child process under ${this.child.pid}`);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!argv.includes(CLI))
      throw new Error(`process ${pid} under ${this.child.pid} runs ${argv.join(' ')}, not ${CLI}`);
    return pid;
  }

  /** The process state letter from /proc/<pid>/stat: `S` sleeping, `T` stopped, … */
  state(): string {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  }

  /**
   * The watches the process holds right now, read from /proc/<pid>/fdinfo (one `inotify wd:` line
   * per watch). An instance read on the event loop is open twice (libuv reads a duplicate of its
   * fd), and both fds list the same watches: fds listing exactly the same watches count once.
   */
  watchCount(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error('the process has no pid');
    const instances = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== 'anon_inode:inotify') continue;
      const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1');
      const watches = info.split('\n').filter((line) => line.startsWith('inotify wd:'));
      if (watches.length > 0) instances.add(watches.join('\n'));
    }
    let count = 0;
    for (const watches of instances) count += watches.split('\n').length;
    return count;
  }
}

/** Whether this system lets us create a user namespace, where inotify limits can be lowered privately. */
export const USER_NAMESPACES = spawnSync('unshare', ['-U', '-r', 'true']).status === 0;

/**
 * A `wrap` for {@link CliProcess.start} that runs the program in a new user namespace whose
 * `/proc/sys/user/max_inotify_<kind>` is `value`: the limit is lowered for that namespace
 * only; `/proc/sys/fs/inotify` is never touched.
 */
export function withInotifyLimit(kind: 'watches' | 'instances', value: number): string[] {
  return [
    'unshare',
    '-U',
    '-r',
    'sh',
    '-c',
    `echo ${value} > /proc/sys/user/max_inotify_${kind} && exec "$@"`,
    'sh',
  ];
}

/** Whether script(1) is here to give the program a terminal. */
export const SCRIPT = spawnSync('script', ['--version']).status === 0;

/**
 * A `wrap` for {@link CliProcess.start} that runs the program on a pseudo-terminal through
 * script(1): stdout and stderr are then one terminal, read as the child's stdout. The program
 * is then a child of script: signal it through {@link CliProcess.grandchild}.
 */
export function onTerminal(args: readonly string[]): { wrap: string[]; args: string[] } {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  // `exec`: script runs the command through $SHELL -c, and not every shell replaces itself
  // with a lone command (dash does not). Without it, the program would be a grandchild of
  // script only under some shells, and a signal meant for it would reach the shell instead.
  const command = ['exec', ...[process.execPath, CLI, ...args].map(quote)].join(' ');
  return { wrap: ['script', '-qfec', command, '/dev/null'], args: [] };
}

/** A fresh directory for one test, removed by the returned function. */
export function tempDir(): { readonly path: string; readonly remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'inotify-demo-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
