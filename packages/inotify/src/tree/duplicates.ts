/**
 * Names a scan reported with a synthetic `IN_CREATE`, per wd, until the tree is next idle.
 *
 * A scan runs after the new directory's watch was added, so an entry created between the two is
 * both in the listing and in the kernel queue, as an `IN_CREATE` queued before the scan ended.
 * Every event queued before the scan ended has been delivered by the time the tree is idle
 * (everything read was delivered and the queue is empty), so the window closes there. Within it,
 * a kernel `IN_CREATE` for a name still listed here is the duplicate: a genuinely new entry of
 * that name needs the old one gone first, and its `IN_DELETE` or `IN_MOVED_FROM` (which the tree
 * always watches for) takes the name off the list.
 */
export class Duplicates {
  readonly #byWd = new Map<number, Set<string>>();

  /** Number of wds with names listed. */
  get size(): number {
    return this.#byWd.size;
  }

  add(wd: number, name: string): void {
    let names = this.#byWd.get(wd);
    if (names === undefined) this.#byWd.set(wd, (names = new Set()));
    names.add(name);
  }

  /** Whether `name` in `wd` is listed; takes it off the list. */
  take(wd: number, name: string): boolean {
    const names = this.#byWd.get(wd);
    if (names === undefined || !names.delete(name)) return false;
    if (names.size === 0) this.#byWd.delete(wd);
    return true;
  }

  /** Forgets every name of `wd` (its watch ended). */
  forgetWd(wd: number): void {
    this.#byWd.delete(wd);
  }

  clear(): void {
    this.#byWd.clear();
  }
}
