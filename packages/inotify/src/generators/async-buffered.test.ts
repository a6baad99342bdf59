/**
 * `events()` hands out events already read without resuming its generator: these tests hold that
 * path to the generator's guarantees (order of concurrent calls, return(), a throwing
 * filterPredicate, terminal events, the instance's claim), with several events in one read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openWriteClose, removeDir, sleep, tempDir, within } from '../../test/helpers.js';
import { IN_CREATE, IN_DELETE, Inotify, type InotifyEvent, TerminalEventError } from '../index.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function create(...names: string[]): void {
  for (const name of names) openWriteClose(path.join(dir, name));
}

function nameOf(result: IteratorResult<InotifyEvent, void>): string | undefined {
  return result.done === true ? undefined : result.value.filename;
}

it('answers next() calls made at once in the order of the calls, return() among them ends it, and a new iterator continues with what was left', async () => {
  using i = new Inotify();
  i.addWatch(dir, IN_CREATE);
  create('a', 'b', 'c', 'd', 'e');
  const it = i.events();
  expect(nameOf(await it.next())).toBe('a');
  const calls = [it.next(), it.next(), it.return(), it.next()];
  const results = await Promise.all(calls);
  expect(results.map(nameOf)).toEqual(['b', 'c', undefined, undefined]);
  expect(results.map((r) => r.done)).toEqual([false, false, true, true]);
  const rest: string[] = [];
  for await (const e of i.events({ timeoutS: 0.2 })) rest.push(e.filename);
  expect(rest).toEqual(['d', 'e']);
});

it('answers two next() calls made while nothing is read yet with the next two events, in order', async () => {
  using i = new Inotify();
  i.addWatch(dir, IN_CREATE);
  const it = i.events();
  const first = it.next();
  const second = it.next();
  await sleep(20);
  create('x', 'y', 'z');
  const results = await within(5000, 'two events', Promise.all([first, second]));
  expect(results.map(nameOf)).toEqual(['x', 'y']);
  expect(nameOf(await it.next())).toBe('z');
  await it.return();
});

it('rejects with the error of a filterPredicate that throws on a buffered event, ends, and leaves that event to the next iterator', async () => {
  using i = new Inotify();
  i.addWatch(dir, IN_CREATE);
  create('a', 'b', 'c');
  const boom = new Error('the predicate failed on b');
  const it = i.events({
    filterPredicate: (_type, e) => {
      if (e.filename === 'b') throw boom;
      return true;
    },
  });
  expect(nameOf(await it.next())).toBe('a');
  await expect(it.next()).rejects.toBe(boom);
  expect(await it.next()).toEqual({ done: true, value: undefined });
  const rest: string[] = [];
  for await (const e of i.events({ timeoutS: 0.2 })) rest.push(e.filename);
  expect(rest).toEqual(['b', 'c']);
});

it('throws TerminalEventError for a buffered terminal event, consumes it, and releases the instance for eventGen()', async () => {
  using i = new Inotify();
  i.addWatch(dir, IN_CREATE | IN_DELETE);
  create('a', 'b');
  fs.unlinkSync(path.join(dir, 'a'));
  create('c');
  const it = i.events({ terminalEvents: ['IN_DELETE'] });
  expect(nameOf(await it.next())).toBe('a');
  expect(nameOf(await it.next())).toBe('b');
  const error = await it.next().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TerminalEventError);
  expect((error as TerminalEventError).event.filename).toBe('a');
  expect((error as TerminalEventError).event.typeNames).toEqual(['IN_DELETE']);
  const rest = [...i.eventGen({ yieldNones: false, timeoutS: 0.2 })].map((e) => e.filename);
  expect(rest).toEqual(['c']);
});
