/**
 * The C helpers (native/producer.c, native/consumer.c), compiled with gcc at bench
 * time into a cache directory keyed by a hash of the source and the compiler.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './paths.js';

/** The C programs under apps/bench/native. */
export type NativeProgram = 'producer' | 'consumer';

/**
 * Returns the path of the compiled `program`, compiling it first when the cache
 * has no binary for this exact source and compiler. Throws with gcc's own message
 * when compilation fails.
 */
export function nativeBinary(program: NativeProgram): string {
  const source = fileURLToPath(new URL(`../native/${program}.c`, import.meta.url));
  const gcc = execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  const hash = createHash('sha256').update(readFileSync(source)).update(gcc).digest('hex').slice(0, 16);
  const dir = join(cacheDir(), 'bin');
  const binary = join(dir, `${program}-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', partial, source], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  renameSync(partial, binary);
  return binary;
}
