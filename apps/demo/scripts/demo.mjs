#!/usr/bin/env node
/**
 * `pnpm demo`: builds inotify-demo and the packages it needs, saying so (a fresh clone takes
 * about 100 s, a built one a second), then runs `node apps/demo/dist/cli.js` with the arguments.
 *
 * Ctrl-C reaches every process of the terminal's foreground group: the program stops cleanly
 * with exit code 0, and this script exits with the program's code. pnpm itself may still
 * report the interruption (ELIFECYCLE) since it got the SIGINT too; the direct command,
 * `node apps/demo/dist/cli.js`, has no such line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

process.stderr.write(
  'pnpm demo: building @inotify-ts/demo and the packages it needs (about 100 s on a fresh clone, a second once built)…\n',
);
const build = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'build', '--filter=@inotify-ts/demo...', '--output-logs=errors-only'],
  { cwd: root, stdio: 'inherit' },
);
if (build.status !== 0) {
  process.stderr.write(
    `pnpm demo: the build failed (exit code ${build.status ?? build.signal}); see above.\n`,
  );
  process.exit(build.status ?? 1);
}
process.stderr.write(`pnpm demo: running node ${cli} ${process.argv.slice(2).join(' ')}\n`);
const child = spawn(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
// The program gets Ctrl-C from the terminal itself; this process waits for its exit code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
