#!/usr/bin/env node
/**
 * `inotify-demo-watch`: inotifywatch's command line (counts events, prints the table at the
 * end). Everything happens in `main`.
 */
import { runCommand } from './main.js';

await runCommand('watch');
