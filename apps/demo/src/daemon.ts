/**
 * `-d/--daemon`: inotifywait forks into the background with daemon(3). Node cannot fork, so the
 * program starts itself again, detached in a new session, with stdin on /dev/null and stdout on
 * the `--outfile` (opened for appending, created 0600), and waits until that child says its
 * watches are set up (one byte on a pipe on fd 3). Until then the child's messages are relayed
 * to this terminal, so that a path that cannot be watched is reported here with exit code 1,
 * where inotifywait would only log it; afterwards the child logs to syslog, and this process
 * exits 0. Unlike daemon(3), the child keeps the working directory.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeError } from './errors.js';
import { COMMANDS, type Options } from './options.js';

/**
 * Starts the daemon and waits for it to be ready.
 *
 * @param options - the parsed command line (`outfile` is set: the parser checks it).
 * @param marker - the environment variable that tells the child it is the daemon.
 * @returns the exit code for this process: 0 once the daemon watches, else the child's code.
 */
export async function startDaemon(options: Options, marker: string): Promise<number> {
  const outfile = resolve(options.outfile ?? '');
  let fd: number;
  try {
    fd = openSync(outfile, 'a', 0o600);
  } catch (error) {
    process.stderr.write(`${describeError(error, COMMANDS[options.mode])}\n`);
    return 1;
  }
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    detached: true,
    stdio: ['ignore', fd, 'pipe', 'pipe'],
    env: { ...process.env, [marker]: '1' },
  });
  closeSync(fd);
  const relay = (chunk: Buffer) => process.stderr.write(chunk);
  child.stderr?.on('data', relay);
  return new Promise((done) => {
    const ready = () => {
      child.stderr?.off('data', relay);
      child.stderr?.destroy();
      child.stdio[3]?.destroy();
      child.unref();
      done(0);
    };
    child.stdio[3]?.once('data', ready);
    child.once('exit', (code) => {
      child.stdio[3]?.off('data', ready);
      done(code ?? 1);
    });
  });
}
