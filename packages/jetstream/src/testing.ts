/**
 * A throwaway nats-server for tests, examples and benchmarks (`@inotify-ts/jetstream/testing`):
 * Debian's or any `nats-server` binary on the PATH (or `$NATS_SERVER`), JetStream on, loopback
 * only, a free port, a temporary store directory. It can be killed with SIGKILL and started
 * again on the same port and store, as a crashed broker would be restarted, or paused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The server binary: `$NATS_SERVER`, else Debian's `/usr/sbin/nats-server` (not on the PATH of
 * every user), else `nats-server` from the PATH.
 */
const BINARY =
  process.env['NATS_SERVER'] ??
  (fs.existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class NatsServer {
  readonly port: number;
  readonly storeDir: string;
  #child: ChildProcess | undefined;
  #log = '';

  private constructor(port: number, storeDir: string) {
    this.port = port;
    this.storeDir = storeDir;
  }

  /** Starts a server; rejects (with its log) if it exits or is not ready within 60 s. */
  static async start(): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'nats-js-')));
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the server (again) on the same port and store; resolves when it accepts clients. */
  async restart(): Promise<void> {
    const child = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nats-server did not start within 60 s:\n${this.#log}`)),
        60_000,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${this.#log}`));
      });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        this.#log += chunk;
        if (this.#log.includes('Server is ready')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve();
        }
      });
    });
  }

  /** SIGKILL, as a crash: the store is left as it was. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.#child = undefined;
  }

  /** SIGSTOP / SIGCONT: a broker that stops answering for a while. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.kill9();
    fs.rmSync(this.storeDir, { recursive: true, force: true });
  }
}
