import {
  IN_ATTRIB,
  IN_CLOSE_WRITE,
  IN_CREATE,
  IN_DELETE,
  IN_ISDIR,
  IN_OPEN,
  IN_Q_OVERFLOW,
} from '@inotify-ts/inotify';
import { describe, expect, it } from 'vitest';
import { Stats } from './stats.js';

describe('Stats', () => {
  it('says no events occurred before the first one, as inotifywatch does', () => {
    expect(new Stats().table()).toEqual(['No events occurred.']);
    expect(new Stats().toJSON()).toEqual({ total: 0, paths: [] });
  });

  it('counts each event once in total and once per event bit, leaving IN_ISDIR out', () => {
    const stats = new Stats();
    for (const mask of [IN_CREATE, IN_OPEN, IN_ATTRIB, IN_CLOSE_WRITE, IN_DELETE]) stats.record('/w', mask);
    stats.record('/w', IN_CREATE | IN_ISDIR);
    stats.record('/w', IN_DELETE | IN_ISDIR);
    stats.record('/other', IN_OPEN);
    expect(stats.total).toBe(8);
    expect(stats.table()).toEqual([
      'total  attrib  close_write  open  create  delete  filename',
      '7      1       1            1     2       2       /w',
      '1      0       0            1     0       0       /other',
    ]);
  });

  it('sorts rows by total, then by path', () => {
    const stats = new Stats();
    stats.record('/b', IN_OPEN);
    stats.record('/a', IN_OPEN);
    stats.record('/c', IN_OPEN);
    stats.record('/c', IN_OPEN);
    expect(stats.table().map((line) => line.split(/\s+/).at(-1))).toEqual(['filename', '/c', '/a', '/b']);
  });

  it('names the overflow row and its column', () => {
    const stats = new Stats();
    stats.record('', IN_Q_OVERFLOW);
    expect(stats.table()).toEqual(['total  q_overflow  filename', '1      1           (overflow)']);
  });

  it('gives the same numbers as an object', () => {
    const stats = new Stats();
    stats.record('/w', IN_CREATE | IN_ISDIR);
    stats.record('/w', IN_OPEN);
    expect(stats.toJSON()).toEqual({
      total: 2,
      paths: [{ path: '/w', total: 2, events: { open: 1, create: 1 } }],
    });
  });
});
