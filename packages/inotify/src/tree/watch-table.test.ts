/**
 * The watch table (src/watches.ts) against a model of its contract built from two Maps, under
 * random operations shaped as a tree uses it: wds handed out in increasing order (and some far
 * apart, as after a long run), paths reused, relocated and deleted. And a walk's set of wds
 * against a Set.
 */
import { describe, expect, it } from 'vitest';
import { WatchTable } from '../watches.js';
import { WdSet } from './wd-set.js';

/** The contract, as two Maps. */
class Model {
  readonly wdByPath = new Map<string, number>();
  readonly pathByWd = new Map<number, string>();

  set(path: string, wd: number): void {
    const previous = this.pathByWd.get(wd);
    if (previous !== undefined && previous !== path && this.wdByPath.get(previous) === wd) {
      this.wdByPath.delete(previous);
    }
    this.wdByPath.set(path, wd);
    this.pathByWd.set(wd, path);
  }

  delete(wd: number): string | undefined {
    const path = this.pathByWd.get(wd);
    if (path === undefined) return undefined;
    this.pathByWd.delete(wd);
    if (this.wdByPath.get(path) === wd) this.wdByPath.delete(path);
    return path;
  }

  /** Every path at or below `from` moves below `to`, each still mapped to the wd it was. */
  relocate(from: string, to: string): number {
    const moved: [number, string, boolean][] = [];
    for (const [wd, path] of this.pathByWd) {
      if (path !== from && !path.startsWith(`${from}/`)) continue;
      moved.push([wd, to + path.slice(from.length), this.wdByPath.get(path) === wd]);
    }
    for (const [wd] of moved) this.delete(wd);
    for (const [wd, path, mapped] of moved) if (!mapped) this.set(path, wd);
    for (const [wd, path, mapped] of moved) if (mapped) this.set(path, wd);
    return moved.length;
  }
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectSame(table: WatchTable, model: Model, probes: readonly string[]): void {
  expect(table.size).toBe(model.pathByWd.size);
  expect(new Map(table.entries())).toEqual(model.pathByWd);
  expect(table.snapshot()).toEqual(model.wdByPath);
  for (const [wd, path] of model.pathByWd) expect(table.pathOf(wd)).toBe(path);
  for (const path of probes) expect(table.wdOf(path)).toBe(model.wdByPath.get(path));
}

describe('WatchTable', () => {
  it.each([1, 2, 3, 4])('agrees with two Maps under random operations (seed %i)', (seed) => {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const table = new WatchTable();
    const model = new Model();
    const names = ['a', 'b', 'c', 'd', 'é', '日本'];
    const paths = ['/r'];
    let nextWd = 1;
    for (let step = 0; step < 3000; step++) {
      const r = next();
      const live = [...model.pathByWd.keys()];
      if (r < 0.45 || live.length === 0) {
        // A new watch (sometimes far ahead, as wds are after a long run) or the same inode again.
        const wd = r < 0.05 && live.length > 0 ? pick(live) : (nextWd += r < 0.08 ? 100_000 : 1);
        const path = r < 0.1 ? pick(paths) : `${pick(paths)}/${pick(names)}${step % 7}`;
        if (!paths.includes(path)) paths.push(path);
        table.set(path, wd);
        model.set(path, wd);
      } else if (r < 0.85) {
        const wd = r < 0.8 ? pick(live) : nextWd + 1;
        expect(table.delete(wd)).toBe(model.delete(wd));
      } else {
        const from = pick(paths);
        const to = `/r/m${step}`;
        paths.push(to);
        expect(table.relocate(from, to)).toBe(model.relocate(from, to));
      }
      if (step % 100 === 0) expectSame(table, model, paths);
    }
    expectSame(table, model, paths);
    while (model.pathByWd.size > 0) {
      const wd = pick([...model.pathByWd.keys()]);
      expect(table.delete(wd)).toBe(model.delete(wd));
    }
    expectSame(table, model, paths);
    table.set('/again', 7);
    expect(table.snapshot()).toEqual(new Map([['/again', 7]]));
  });

  it('keeps a path mapped to the newest wd while an old wd still reports it', () => {
    const table = new WatchTable();
    table.set('/d', 1);
    table.set('/d', 2);
    expect(table.wdOf('/d')).toBe(2);
    expect(table.pathOf(1)).toBe('/d');
    expect(table.delete(1)).toBe('/d');
    expect(table.wdOf('/d')).toBe(2);
    expect(table.size).toBe(1);
  });

  it('holds 100,000 watches and gives them all back', () => {
    const table = new WatchTable();
    for (let wd = 1; wd <= 100_000; wd++) table.set(`/t/${wd}`, wd * 3);
    expect(table.size).toBe(100_000);
    for (let wd = 1; wd <= 100_000; wd++) expect(table.wdOf(`/t/${wd}`)).toBe(wd * 3);
    for (let wd = 1; wd <= 100_000; wd += 2) table.delete(wd * 3);
    expect(table.size).toBe(50_000);
    for (let wd = 2; wd <= 100_000; wd += 2) expect(table.pathOf(wd * 3)).toBe(`/t/${wd}`);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.pathOf(6)).toBeUndefined();
    expect(table.wdOf('/t/2')).toBeUndefined();
  });
});

describe('WdSet', () => {
  it('agrees with a Set, for wds near the first, below it and far above it', () => {
    const next = random(7);
    const set = new WdSet();
    const model = new Set<number>();
    const first = 1000;
    set.add(first);
    model.add(first);
    for (let k = 0; k < 5000; k++) {
      const r = next();
      const wd =
        r < 0.8
          ? first + Math.floor(next() * 20_000)
          : r < 0.9
            ? 1 + Math.floor(next() * first)
            : 2 ** 30 + k;
      set.add(wd);
      model.add(wd);
    }
    for (let wd = 1; wd < first + 25_000; wd++) expect(set.has(wd)).toBe(model.has(wd));
    for (const wd of model) expect(set.has(wd)).toBe(true);
    expect(set.has(2 ** 30 + 5000)).toBe(false);
    expect(new WdSet().has(1)).toBe(false);
  });
});
