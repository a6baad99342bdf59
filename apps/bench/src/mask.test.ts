import { describe, expect, it } from 'vitest';
import {
  IN_ALL_EVENTS,
  IN_CLOSE_WRITE,
  IN_MODIFY,
  IN_OPEN,
  inotifywaitEventArgs,
  maskHex,
  maskNames,
  opOrder,
  PEER_MASK,
  parseMask,
} from './mask.js';

describe('opOrder', () => {
  it('lists the three events of one producer operation, in the kernel order, under IN_ALL_EVENTS', () => {
    expect(opOrder(IN_ALL_EVENTS)).toEqual([IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE]);
  });

  it('keeps only IN_MODIFY under the peers mask, which has no open or close bits', () => {
    expect(opOrder(PEER_MASK)).toEqual([IN_MODIFY]);
  });
});

describe('maskNames', () => {
  it('names the bits of the peers mask, and IN_EXCL_UNLINK as @parcel/watcher adds it', () => {
    expect(maskNames(0x4000fc6)).toBe(
      'IN_MODIFY|IN_ATTRIB|IN_MOVED_FROM|IN_MOVED_TO|IN_CREATE|IN_DELETE|IN_DELETE_SELF|IN_MOVE_SELF|IN_EXCL_UNLINK',
    );
  });

  it('prints bits it does not know as hex', () => {
    expect(maskNames(0x2 | 0x10000)).toBe('IN_MODIFY|0x10000');
  });

  it('prints 0 for an empty mask', () => {
    expect(maskNames(0)).toBe('0');
  });
});

describe('maskHex', () => {
  it('prints an unsigned hex number', () => {
    expect(maskHex(0x80000002)).toBe('0x80000002');
  });
});

describe('inotifywaitEventArgs', () => {
  it('gives inotifywait one -e per event bit of the peers mask', () => {
    expect(inotifywaitEventArgs(PEER_MASK)).toEqual([
      ...['-e', 'modify', '-e', 'attrib', '-e', 'moved_from', '-e', 'moved_to'],
      ...['-e', 'create', '-e', 'delete', '-e', 'delete_self', '-e', 'move_self'],
    ]);
  });

  it('gives no -e for every event, inotifywait default', () => {
    expect(inotifywaitEventArgs(IN_ALL_EVENTS)).toEqual([]);
  });

  it('refuses a mask with no event bit', () => {
    expect(() => inotifywaitEventArgs(0x4000000)).toThrow(new RangeError('mask 0x4000000 has no event bit'));
  });
});

describe('parseMask', () => {
  it('defaults to the peers mask', () => {
    expect(parseMask(undefined)).toBe(0xfc6);
    expect(parseMask('peers')).toBe(0xfc6);
  });

  it('reads all and hex numbers', () => {
    expect(parseMask('all')).toBe(0xfff);
    expect(parseMask('0x302')).toBe(0x302);
  });

  it('refuses a mask without IN_MODIFY, which the latency pairing needs', () => {
    expect(() => parseMask('0x100')).toThrow(new RangeError('--mask 0x100 must include IN_MODIFY'));
  });

  it('refuses a mask without IN_CREATE, which the stop directory needs', () => {
    expect(() => parseMask('0x2')).toThrow(new RangeError('--mask 0x2 must include IN_CREATE'));
  });

  it('refuses flags and words it does not know', () => {
    expect(() => parseMask('0x1000102')).toThrow(RangeError);
    expect(() => parseMask('most')).toThrow(
      new RangeError('--mask must be peers, all or event bits such as 0xfc6, got "most"'),
    );
  });
});
