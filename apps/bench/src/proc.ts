/**
 * What the bench reads about a child process from /proc, the same way for every
 * consumer whatever it is written in: CPU time, memory, inotify watches.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** sysconf(_SC_CLK_TCK): the unit of utime/stime in /proc/<pid>/stat (100 nearly everywhere). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const n = Number(out);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`getconf CLK_TCK printed ${JSON.stringify(out)}`);
    ticksPerSecond = n;
  }
  return ticksPerSecond;
}

/**
 * User + system CPU time of the whole process `pid` (all its threads, live and
 * exited) in milliseconds, from fields 14 and 15 of /proc/<pid>/stat. The kernel
 * keeps it in clock ticks, so the resolution is 1000 / CLK_TCK ms (10 ms).
 */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Field 2 (comm) is in parentheses and may hold spaces: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`could not parse utime/stime from /proc/${pid}/stat: ${stat.slice(0, 200)}`);
  }
  return ((utime + stime) * 1000) / clockTicks();
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

/**
 * Number of inotify watches `pid` holds, over all its inotify instances: for each
 * fd whose link is `anon_inode:inotify`, the lines of /proc/<pid>/fdinfo/<fd> that
 * start with `inotify wd:` (one per watch).
 */
export function inotifyWatches(pid: number): number {
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    if (target !== 'anon_inode:inotify') continue;
    const info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1');
    for (let at = info.indexOf('inotify wd:'); at !== -1; at = info.indexOf('inotify wd:', at + 1)) {
      if (at === 0 || info[at - 1] === '\n') watches++;
    }
  }
  return watches;
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
