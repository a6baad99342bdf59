#!/usr/bin/env node
/**
 * `inotify-demo`: the executable. Everything happens in {@link main}; this file only runs it
 * and exits with its code, so that no leftover handle can keep the process alive after the
 * watches are released.
 */
import { describeError } from './errors.js';
import { main } from './main.js';

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(1);
}
