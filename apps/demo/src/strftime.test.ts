import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { strftime } from './strftime.js';

/** Every conversion strftime.ts implements (%Z aside: see its header). */
const FORMAT =
  '%a|%A|%b|%B|%c|%C|%d|%D|%e|%F|%g|%G|%h|%H|%I|%j|%k|%l|%m|%M|%n|%p|%P|%r|%R|%s|%S|%t|%T|%u|%U|%V|%w|%W|%x|%X|%y|%Y|%z|%%';

const DATE = spawnSync('date', ['--version']).status === 0;

describe('strftime', () => {
  // GNU date(1) formats with the C library's strftime: the reference, on random moments.
  it.skipIf(!DATE)('formats random moments as date(1) does, in three time zones (seed printed)', () => {
    const seed = Number(process.env['STRFTIME_SEED'] ?? Date.now() % 1_000_000);
    console.log(`strftime seed: ${seed} (STRFTIME_SEED=${seed} repeats this run)`);
    let state = seed;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
    // Year boundaries, where the week numbers are hardest, and random moments from 1970 to 2100.
    const moments = [
      Date.UTC(2020, 11, 31, 23, 59, 59),
      Date.UTC(2021, 0, 1, 0, 0, 1),
      Date.UTC(2027, 0, 3, 12),
      Date.UTC(2024, 11, 30, 12),
      ...Array.from({ length: 40 }, () => Math.floor(random() * 4_102_444_800) * 1000),
    ];
    for (const TZ of ['UTC', 'Asia/Kathmandu', 'America/New_York']) {
      const seconds = moments.map((ms) => `@${ms / 1000}`);
      const reference = spawnSync(
        'sh',
        ['-c', `for t in ${seconds.join(' ')}; do date -d "$t" "+${FORMAT}"; echo .; done`],
        { encoding: 'utf8', env: { ...process.env, TZ, LC_ALL: 'C' } },
      ).stdout;
      const previous = process.env['TZ'];
      process.env['TZ'] = TZ;
      try {
        const ours = moments.map((ms) => `${strftime(FORMAT, new Date(ms))}\n.\n`).join('');
        expect(ours, `TZ=${TZ}`).toBe(reference);
      } finally {
        if (previous === undefined) delete process.env['TZ'];
        else process.env['TZ'] = previous;
      }
    }
  });

  it('prints an unknown conversion and a lone % at the end as they are', () => {
    expect(strftime('%q %', new Date(0))).toBe('%q %');
  });
});
