import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runChild } from '../test/helpers.js';
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
  it('reads RLIMIT_NOFILE with getrlimit, as ulimit -n set it', () => {
    const child = runChild(
      `const { openFileLimit, fdUsage } = await import(${JSON.stringify(new URL('../dist/limits.js', import.meta.url).pathname)});
       console.log(JSON.stringify([openFileLimit(), fdUsage().limit, fdUsage().atLimit]));`,
      { shell: 'ulimit -n 77' },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual([77, 77, false]);
  });

  it('counts the open fds of this process', () => {
    // Both listings hold one extra fd of their own while they read the directory.
    const listed = readdirSync('/proc/self/fd').length - 1;
    const usage = fdUsage()!;
    expect(usage).toEqual({ open: listed, limit: openFileLimit(), atLimit: false });
  });
});
