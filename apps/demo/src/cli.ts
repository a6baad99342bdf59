#!/usr/bin/env node
/**
 * `inotify-demo`: the executable (the Python example, grown into an inotifywait that monitors
 * by default). Everything happens in `main`.
 */
import { runCommand } from './main.js';

await runCommand('demo');
