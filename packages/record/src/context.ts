/**
 * The identity every record carries (host, boot, instance). The boot id comes from the kernel:
 * watch descriptors, inodes and cookies are only comparable within one boot, so a consumer
 * must be able to tell boots apart.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RecordIdentity } from './types.js';

/** Where Linux publishes the id of the running boot. */
export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

/** Reads the kernel's boot id (a UUID). Throws Node's own `ENOENT`/`EACCES` error when it cannot. */
export function bootId(path: string = BOOT_ID_PATH): string {
  const id = readFileSync(path, 'utf8').trim();
  if (id === '') {
    throw Object.assign(new Error(`${path} is empty: this kernel gives no boot id; pass { boot } yourself`), {
      code: 'ERR_INOTIFY_NO_BOOT_ID',
      path,
    });
  }
  return id;
}

/**
 * The identity of a new watcher run: this host, this boot, and a fresh random instance id.
 * Any field can be given instead (a stable host name in a container, for example).
 */
export function recordIdentity(overrides: Partial<RecordIdentity> = {}): RecordIdentity {
  const identity = {
    host: overrides.host ?? hostname(),
    boot: overrides.boot ?? bootId(),
    instance: overrides.instance ?? randomUUID(),
  };
  for (const [field, value] of Object.entries(identity)) {
    if (typeof value !== 'string' || value === '' || value.includes(':')) {
      throw Object.assign(
        new TypeError(
          `record ${field} must be a non-empty string without ':' (it is part of the message id), got ${JSON.stringify(value)}`,
        ),
        { code: 'ERR_INVALID_ARG_VALUE' },
      );
    }
  }
  return identity;
}

/** The message id of a record: `host:boot:instance:seq`, unique per record, equal for a resend. */
export function messageId(record: RecordIdentity & { readonly seq: number }): string {
  return `${record.host}:${record.boot}:${record.instance}:${record.seq}`;
}
