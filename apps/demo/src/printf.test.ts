import { describe, expect, it } from 'vitest';
import { compileFormat, csvLine, type EventFields } from './printf.js';

const fields: EventFields = {
  watch: Buffer.from('/tmp/w/'),
  name: Buffer.from([0x61, 0xff]),
  mask: 0x40000100,
  cookie: 0x1a2b,
};

describe('compileFormat', () => {
  it('expands every directive, keeps unknown ones and the bytes of names that are not UTF-8', () => {
    const line = compileFormat('%w|%f|%e|%:e|%c|%%|%x|%0|%n', undefined, true)(fields, new Date(0));
    expect(line).toEqual(
      Buffer.concat([
        Buffer.from('/tmp/w/|a'),
        Buffer.from([0xff]),
        Buffer.from('|CREATE,ISDIR|CREATE:ISDIR|1a2b|%|%x|\0|\n\n'),
      ]),
    );
  });

  it('ends the line at a lone % and leaves the newline out with --no-newline', () => {
    expect(compileFormat('%e %', undefined, false)(fields, new Date(0)).toString()).toBe('CREATE,ISDIR ');
  });

  it('prints a mask without a known name in hexadecimal, as inotifywait', () => {
    expect(
      compileFormat('%e', undefined, false)({ ...fields, mask: 0x01000000 }, new Date(0)).toString(),
    ).toBe('0x01000000');
  });
});

describe('csvLine', () => {
  it('leaves out the watch field of an event without a watch (an overflow)', () => {
    expect(
      csvLine(
        { watch: Buffer.alloc(0), name: Buffer.alloc(0), mask: 0x4000, cookie: 0 },
        new Date(0),
      ).toString(),
    ).toBe('Q_OVERFLOW,\n');
  });
});
