/**
 * The record shapes of schema v1 (`schema/record-v1.schema.json`), as TypeScript types. The
 * JSON Schema is the contract; these types follow it field for field, and the tests validate
 * what the encoder makes against the schema itself.
 */

/** Who made a record: the same for every record of one watcher run. */
export interface RecordIdentity {
  /** Host name (`os.hostname()`). */
  readonly host: string;
  /** The kernel's boot id: wds and inodes only mean something within one boot. */
  readonly boot: string;
  /** Random id of one watcher run; sequence numbers restart with every instance. */
  readonly instance: string;
}

/** Fields every record has. */
export interface RecordBase extends RecordIdentity {
  readonly v: 1;
  /** 1, 2, 3, ... per instance, without holes. */
  readonly seq: number;
  /** When the record was made, ISO 8601 UTC with milliseconds. */
  readonly time: string;
}

/** Where an `IN_MOVED_TO` came from, paired by cookie. */
export interface MoveSource {
  /** seq of the `IN_MOVED_FROM` record. */
  readonly seq: number;
  readonly path: string;
  readonly name: string;
  readonly nameB64?: string;
}

/** One inotify event. */
export interface EventRecord extends RecordBase {
  readonly kind: 'event';
  readonly wd: number;
  readonly mask: number;
  readonly cookie: number;
  readonly types: readonly string[];
  readonly path: string;
  readonly name: string;
  /** Present only when the name is not valid UTF-8: base64 of its exact bytes. */
  readonly nameB64?: string;
  readonly synthetic: boolean;
  readonly from?: MoveSource;
}

/** Why events were or may have been lost. */
export type GapReason = 'kernel-overflow' | 'sink-dropped' | 'rescan-started' | 'rescan-finished';

/** What a rescan reports: nothing but the watches it fixed, or every entry of the tree. */
export type ScanKind = 'watches' | 'entries';

/** An explicit mark in the stream where events were or may have been lost. */
export interface GapRecord extends RecordBase {
  readonly kind: 'gap';
  readonly reason: GapReason;
  /** sink-dropped: how many events were discarded. */
  readonly dropped?: number;
  /** rescan-started/-finished: what the walk reports. */
  readonly scan?: ScanKind;
  /** rescan-finished: directories walked (watches) or entries reported (entries). */
  readonly count?: number;
}

/** The file type of an entry, from `lstat` (symbolic links are not followed). */
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** What a snapshot keeps of one entry. 64-bit numbers are decimal strings. */
export interface EntryInfo {
  readonly type: EntryType;
  readonly dev: string;
  readonly ino: string;
  readonly size: number;
  readonly mtimeNs: string;
  /** Creation time where the file system keeps one, else '0'. */
  readonly birthNs?: string;
}

/** How an entry differs from the snapshot, or `exists` in a full-state listing. */
export type ChangeKind = 'created' | 'deleted' | 'modified' | 'moved' | 'exists';

/** Why a change record was made. */
export type ChangeCause = 'recovery' | 'rescan';

/** A change found by a walk rather than read from the kernel. */
export interface ChangeRecord extends RecordBase {
  readonly kind: 'change';
  readonly change: ChangeKind;
  readonly cause: ChangeCause;
  readonly path: string;
  readonly pathB64?: string;
  readonly from?: { readonly path: string; readonly pathB64?: string };
  readonly entry: EntryInfo;
  readonly synthetic: true;
}

/** Any record of schema v1. */
export type InotifyRecord = EventRecord | GapRecord | ChangeRecord;
