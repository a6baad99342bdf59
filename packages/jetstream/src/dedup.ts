/**
 * The consumer's side of exactly once: a record is new the first time its
 * `host:boot:instance:seq` is seen, a duplicate after that. JetStream already drops resends
 * inside its duplicate window; this catches the rest (a resend after the window, a stream read
 * twice). Per instance it keeps the highest seq below which every record was seen plus the
 * seqs seen above it, so memory follows the disorder, not the stream length; `holes()` lists
 * what is missing below the highest seq seen.
 */
import type { RecordIdentity } from '@inotify-ts/record';

interface Progress {
  /** Every seq <= through was seen. */
  through: number;
  /** Seqs > through that were seen. */
  readonly above: Set<number>;
  highest: number;
}

export class RecordDeduplicator {
  readonly #instances = new Map<string, Progress>();

  /** `true` the first time this record (by host, boot, instance and seq) is seen. */
  accept(record: RecordIdentity & { readonly seq: number }): boolean {
    const key = `${record.host}:${record.boot}:${record.instance}`;
    let p = this.#instances.get(key);
    if (p === undefined) this.#instances.set(key, (p = { through: 0, above: new Set(), highest: 0 }));
    const seq = record.seq;
    if (seq <= p.through || p.above.has(seq)) return false;
    if (seq > p.highest) p.highest = seq;
    if (seq === p.through + 1) {
      p.through = seq;
      while (p.above.delete(p.through + 1)) p.through++;
    } else {
      p.above.add(seq);
    }
    return true;
  }

  /** Per `host:boot:instance`, the seqs not seen below the highest seen (transport loss, if final). */
  holes(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const [key, p] of this.#instances) {
      const missing: number[] = [];
      for (let seq = p.through + 1; seq < p.highest; seq++) if (!p.above.has(seq)) missing.push(seq);
      if (missing.length > 0) out.set(key, missing);
    }
    return out;
  }
}
