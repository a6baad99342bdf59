/**
 * What the bench reads about a child process from /proc, the same way for every
 * consumer whatever it is written in: CPU time, memory, inotify watches.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * User + system CPU time of the process `pid` in milliseconds, with nanosecond resolution: the
 * sum over its threads of the first field of /proc/<pid>/task/<tid>/schedstat (time spent on a
 * CPU, in ns). /proc/<pid>/stat counts in 10 ms ticks, too coarse for a light rate's few
 * milliseconds. A thread that exits between two samples takes its time with it; the consumers'
 * threads (libuv's pool, V8's workers, a watcher's own thread) live as long as the process.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // the thread exited meanwhile
      throw error;
    }
    const runNs = Number(text.split(' ', 1)[0]);
    if (!Number.isFinite(runNs)) {
      throw new Error(`could not parse /proc/${pid}/task/${tid}/schedstat: ${JSON.stringify(text)}`);
    }
    ns += runNs;
  }
  return ns / 1e6;
}

/** Resident memory of a process in KiB, from /proc/<pid>/status. */
export interface Memory {
  /** VmRSS: resident set size now. */
  readonly rssKiB: number;
  /** VmHWM: the peak resident set size since the process started. */
  readonly peakKiB: number;
}

/** Reads VmRSS and VmHWM of `pid`. */
export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (m === null) throw new Error(`no ${name} line in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
}

/** One inotify watch of a process, from /proc/<pid>/fdinfo: its wd and the mask it asked for. */
export interface WatchMask {
  readonly wd: number;
  /** The mask the kernel holds for the watch (event bits and IN_EXCL_UNLINK; not IN_ONLYDIR). */
  readonly mask: number;
}

/**
 * The watches `pid` holds, over all its inotify instances: for each fd whose link is
 * `anon_inode:inotify`, the `inotify wd:<n> … mask:<hex>` lines of /proc/<pid>/fdinfo/<fd>.
 */
export function inotifyMasks(pid: number): WatchMask[] {
  const watches: WatchMask[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    if (target !== 'anon_inode:inotify') continue;
    watches.push(...parseFdinfo(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1')));
  }
  return watches;
}

/** The watches listed in the text of one inotify fd's fdinfo (the kernel prints wd and mask in hex). */
export function parseFdinfo(text: string): WatchMask[] {
  const watches: WatchMask[] = [];
  for (const m of text.matchAll(/^inotify wd:([0-9a-f]+) .*?\bmask:([0-9a-f]+)\b/gm)) {
    watches.push({ wd: Number.parseInt(m[1]!, 16), mask: Number.parseInt(m[2]!, 16) });
  }
  return watches;
}

/** Number of inotify watches `pid` holds, over all its inotify instances. */
export function inotifyWatches(pid: number): number {
  return inotifyMasks(pid).length;
}

/** Busy and total jiffies of all CPUs together, from the `cpu` line of /proc/stat. */
function cpuJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  // cpu user nice system idle iowait irq softirq steal ...
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
}

/**
 * The share (0..1) of the machine's CPU time that was busy during the next `ms`
 * milliseconds, from /proc/stat: while the bench itself sleeps, that is other work
 * that would compete with the producer and the consumers.
 */
export async function machineBusy(ms: number): Promise<number> {
  const a = cpuJiffies();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = cpuJiffies();
  return b.total === a.total ? 0 : (b.busy - a.busy) / (b.total - a.total);
}

/** The first three fields of /proc/loadavg (`0.52 0.31 0.20`): other work on a shared machine. */
export function loadavg(): string {
  return readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
}
