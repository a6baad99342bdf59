/**
 * The tests' server fixtures: one real nats-server per test file (see `NatsServer`), and a
 * fresh temporary directory per test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { NatsServer } from '../src/testing.js';

export { NatsServer };

/** One server for the test file (started before its first test, stopped after its last). */
export function serverForFile(): () => NatsServer {
  let server: NatsServer | undefined;
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => server!;
}

/** A fresh temporary directory for each test, removed after it. */
export function dirForEachTest(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterEach(() => fs.rmSync(dir!, { recursive: true, force: true }));
  return () => dir!;
}
