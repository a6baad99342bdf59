import { describe, expect, it } from 'vitest';
import { parseFdinfo } from './proc.js';

describe('parseFdinfo', () => {
  it('reads the wd and mask of every watch line, and nothing else', () => {
    const text = [
      'pos:\t0',
      'flags:\t02004000',
      'mnt_id:\t15',
      'ino:\t1057',
      'inotify wd:2 ino:20c18a sdev:fe00000 mask:fc6 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:8ac1',
      'inotify wd:1 ino:20c189 sdev:fe00000 mask:4000fc6 ignored_mask:0 fhandle-bytes:8 fhandle-type:1 f_handle:89c1',
      '',
    ].join('\n');
    expect(parseFdinfo(text)).toEqual([
      { wd: 2, mask: 0xfc6 },
      { wd: 1, mask: 0x4000fc6 },
    ]);
  });

  it('reads the wd in hex, as the kernel prints it', () => {
    expect(
      parseFdinfo('inotify wd:3e8 ino:2143f3 sdev:fe00000 mask:fff ignored_mask:0 fhandle-bytes:8\n'),
    ).toEqual([{ wd: 1000, mask: 0xfff }]);
  });

  it('does not read ignored_mask as the mask', () => {
    expect(parseFdinfo('inotify wd:7 ino:1 sdev:1 mask:fff ignored_mask:0\n')).toEqual([
      { wd: 7, mask: 0xfff },
    ]);
  });

  it('returns nothing for an instance without watches', () => {
    expect(parseFdinfo('pos:\t0\nflags:\t02004000\n')).toEqual([]);
  });
});
