import { describe, expect, it } from 'vitest';
import * as constants from '../src/constants.js';
import * as decoder from '../src/index.js';
import { instantiate, webAssembly } from '../src/wasm.js';

const {
  IN_ACCESS,
  IN_ALL_EVENTS,
  IN_CLOSE,
  IN_CLOSE_NOWRITE,
  IN_CLOSE_WRITE,
  IN_DONT_FOLLOW,
  IN_EXCL_UNLINK,
  IN_IGNORED,
  IN_ISDIR,
  IN_MASK_ADD,
  IN_MASK_CREATE,
  IN_MOVE,
  IN_MOVE_SELF,
  IN_MOVED_FROM,
  IN_MOVED_TO,
  IN_ONESHOT,
  IN_ONLYDIR,
  IN_Q_OVERFLOW,
  IN_UNMOUNT,
  EVENT_BITS,
  WATCH_BITS,
  WATCH_FLAGS,
} = constants;

/** OR of unsigned numbers, kept unsigned. */
const or = (...bits: number[]): number => bits.reduce((a, b) => (a | b) >>> 0, 0);

/** The globals the wasm build exports, read by instantiating it directly. */
function wasmGlobals(build: 'debug' | 'release'): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(instantiate(webAssembly!, build, 1).exports)) {
    if (typeof value === 'object' && value !== null && 'value' in value) values[name] = Number(value.value);
  }
  return values;
}

describe('the shared constants', () => {
  it('have the values of <linux/inotify.h>', () => {
    expect(constants).toMatchObject({
      IN_ACCESS: 0x1,
      IN_MODIFY: 0x2,
      IN_ATTRIB: 0x4,
      IN_CLOSE_WRITE: 0x8,
      IN_CLOSE_NOWRITE: 0x10,
      IN_OPEN: 0x20,
      IN_MOVED_FROM: 0x40,
      IN_MOVED_TO: 0x80,
      IN_CREATE: 0x100,
      IN_DELETE: 0x200,
      IN_DELETE_SELF: 0x400,
      IN_MOVE_SELF: 0x800,
      IN_UNMOUNT: 0x2000,
      IN_Q_OVERFLOW: 0x4000,
      IN_IGNORED: 0x8000,
      IN_ONLYDIR: 0x1000000,
      IN_DONT_FOLLOW: 0x2000000,
      IN_EXCL_UNLINK: 0x4000000,
      IN_MASK_CREATE: 0x10000000,
      IN_MASK_ADD: 0x20000000,
      IN_ISDIR: 0x40000000,
      IN_ONESHOT: 2147483648,
      IN_CLOSE: 0x18,
      IN_MOVE: 0xc0,
      IN_ALL_EVENTS: 0xfff,
      IN_NONBLOCK: 0o4000,
      IN_CLOEXEC: 0o2000000,
    });
  });

  it('are unsigned numbers, IN_ONESHOT included', () => {
    for (const [name, value] of Object.entries(constants)) {
      expect(typeof value, name).toBe('number');
      expect(value >>> 0, name).toBe(value);
    }
    expect(IN_ONESHOT).toBe(0x80000000);
    expect(IN_ONESHOT > 0).toBe(true);
  });

  it('define each union as the OR of its parts', () => {
    expect(IN_CLOSE).toBe(or(IN_CLOSE_WRITE, IN_CLOSE_NOWRITE));
    expect(IN_MOVE).toBe(or(IN_MOVED_FROM, IN_MOVED_TO));
    expect(IN_ALL_EVENTS).toBe(or(...Array.from({ length: 12 }, (_, bit) => 1 << bit)));
    expect(IN_ALL_EVENTS & IN_MOVE_SELF).toBe(IN_MOVE_SELF);
    expect(EVENT_BITS).toBe(or(IN_ALL_EVENTS, IN_UNMOUNT, IN_Q_OVERFLOW, IN_IGNORED, IN_ISDIR));
    expect(WATCH_FLAGS).toBe(
      or(IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK, IN_MASK_CREATE, IN_MASK_ADD, IN_ONESHOT),
    );
    expect(WATCH_BITS).toBe(or(IN_ALL_EVENTS, WATCH_FLAGS));
  });

  it('keep event bits and watch flags apart', () => {
    expect(EVENT_BITS & WATCH_FLAGS).toBe(0);
    expect(EVENT_BITS & IN_ACCESS).toBe(IN_ACCESS);
  });

  it.each(['debug', 'release'] as const)('compile to the same values in the %s wasm build', (build) => {
    const inWasm = wasmGlobals(build);
    for (const [name, value] of Object.entries(constants)) {
      expect(inWasm[name], `${name} in ${build}.wasm`).toBeDefined();
      expect(inWasm[name]! >>> 0, name).toBe(value);
    }
  });

  it('are all exported from the package entry point', () => {
    for (const [name, value] of Object.entries(constants))
      expect((decoder as Record<string, unknown>)[name]).toBe(value);
  });
});
