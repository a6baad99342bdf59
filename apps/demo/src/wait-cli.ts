#!/usr/bin/env node
/**
 * `inotify-demo-wait`: inotifywait's command line (one event unless `-m`, inotifywait's lines).
 * Everything happens in `main`.
 */
import { runCommand } from './main.js';

await runCommand('wait');
