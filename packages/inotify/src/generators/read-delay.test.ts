import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeDir, sleep, tempDir, within } from '../../test/helpers.js';
import { IN_CREATE, Inotify, type InotifyEvent } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

const DELAY_MS = 300;

function create(name: string): void {
  fs.writeFileSync(path.join(dir, name), '');
}

describe('readDelayMs', () => {
  it('batches() reads the first event after a quiet period at once, and what follows in one read readDelayMs later', async () => {
    using i = new Inotify({ readDelayMs: DELAY_MS, paths: [] });
    i.addWatch(dir, IN_CREATE);
    const iterator = i.batches();
    const first = iterator.next();
    await sleep(50);
    const start = performance.now();
    create('a');
    const batch1 = (await within(2000, 'the first batch', first)).value!;
    const firstAt = performance.now();
    expect(firstAt - start).toBeLessThan(DELAY_MS / 2);
    expect(Array.from({ length: batch1.count }, (_, k) => batch1.name(k))).toEqual(['a']);
    create('b');
    await sleep(20);
    create('c');
    const batch2 = (await within(2000, 'the second batch', iterator.next())).value!;
    expect(performance.now() - firstAt).toBeGreaterThanOrEqual(DELAY_MS - 20);
    expect(Array.from({ length: batch2.count }, (_, k) => batch2.name(k))).toEqual(['b', 'c']);
    await iterator.return();
  });

  it('events() delivers events that follow a read readDelayMs after it, and aborts promptly during the pause', async () => {
    using i = new Inotify({ readDelayMs: DELAY_MS });
    i.addWatch(dir, IN_CREATE);
    const controller = new AbortController();
    const iterator = i.events({ signal: controller.signal });
    const first = iterator.next();
    await sleep(50);
    create('a');
    expect(((await within(2000, 'the first event', first)).value as InotifyEvent).filename).toBe('a');
    const firstAt = performance.now();
    create('b');
    const second = await within(2000, 'the second event', iterator.next());
    expect(performance.now() - firstAt).toBeGreaterThanOrEqual(DELAY_MS - 20);
    expect((second.value as InotifyEvent).filename).toBe('b');
    // The read of b starts another pause: an abort ends it at once.
    const third = iterator.next();
    const abortAt = performance.now();
    controller.abort(new Error('enough'));
    await expect(within(2000, 'the aborted pause', third)).rejects.toThrow('enough');
    expect(performance.now() - abortAt).toBeLessThan(DELAY_MS / 2);
  });

  it('eventGen() sleeps readDelayMs within the cycle before reading what followed a read', () => {
    using i = new Inotify({ readDelayMs: DELAY_MS, blockDurationS: 2 });
    i.addWatch(dir, IN_CREATE);
    create('a');
    const names: string[] = [];
    let firstAt = 0;
    let secondAt = 0;
    for (const event of i.eventGen({ yieldNones: false, timeoutS: 1 })) {
      if (event === null) continue;
      names.push(event.filename);
      if (event.filename === 'a') {
        firstAt = performance.now();
        create('b');
      } else {
        secondAt = performance.now();
        break;
      }
    }
    expect(names).toEqual(['a', 'b']);
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(DELAY_MS - 20);
  });

  it('rejects a readDelayMs that is not a number of milliseconds from 0 to 1000', () => {
    for (const readDelayMs of [-1, 1001, Number.NaN, '5' as unknown as number]) {
      expect(() => new Inotify({ readDelayMs })).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARG_VALUE',
          message: `readDelayMs must be a number of milliseconds from 0 to 1000, got ${String(readDelayMs)}`,
        }),
      );
    }
  });
});
