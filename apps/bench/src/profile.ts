/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, as written by `pnpm bench
 * --profile DIR`): self time per function, the largest first, so the README can say
 * where a consumer's time goes.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function over the whole profile. */
export interface SelfTime {
  /** `name (file:line)`, with the file relative to the working directory. */
  readonly where: string;
  readonly ms: number;
  /** Share of all sampled time, 0..1. */
  readonly share: number;
}

/**
 * Self time per function (frames merged by name, file and line), largest first.
 * `(idle)` (the thread waiting) is left out of both the list and the total, so the
 * shares are of the time the thread was busy.
 */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const us = profile.timeDeltas[i] ?? 0;
    const file = url === '' ? '' : relative(process.cwd(), url.replace(/^file:\/\//, ''));
    const where = `${functionName === '' ? '(anonymous)' : functionName}${file === '' ? '' : ` (${file}:${lineNumber + 1})`}`;
    totals.set(where, (totals.get(where) ?? 0) + us);
    busy += us;
  }
  return [...totals]
    .map(([where, us]) => ({ where, ms: us / 1000, share: busy === 0 ? 0 : us / busy }))
    .sort((a, b) => b.ms - a.ms);
}

/** Reads a .cpuprofile file and returns its {@link selfTimes}. */
export function readProfile(file: string): SelfTime[] {
  return selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
}
