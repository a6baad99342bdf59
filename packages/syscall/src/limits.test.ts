import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fdUsage, limits, openFileLimit } from './limits.js';

function proc(name: string): number {
  return Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'latin1').trim());
}

describe('limits', () => {
  it('reads the three inotify limits from /proc/sys/fs/inotify', () => {
    expect(limits()).toEqual({
      maxUserWatches: proc('max_user_watches'),
      maxUserInstances: proc('max_user_instances'),
      maxQueuedEvents: proc('max_queued_events'),
    });
    expect(limits().maxQueuedEvents).toBeGreaterThan(0);
  });
});

describe('the open file limit behind EMFILE', () => {
  it('counts the open fds of this process', () => {
    // Both listings hold one extra fd of their own while they read the directory.
    const listed = readdirSync('/proc/self/fd').length - 1;
    const usage = fdUsage()!;
    expect(usage).toEqual({ open: listed, limit: openFileLimit(), atLimit: false });
  });
});
