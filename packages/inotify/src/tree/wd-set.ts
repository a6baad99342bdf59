/**
 * A set of watch descriptors, for a walk's `visited`: a bitmap from the first wd added on. The
 * kernel hands an instance's wds out in increasing order, so those a walk adds are dense, and a
 * bit each takes 1/256 of a `Set` entry (a walk of 10,000 directories: 1.25 KiB instead of about
 * 320 KiB, plus the garbage of its growth). Wds below the first, or more than
 * {@link BITMAP_WDS} above it, go to a `Set`.
 */
export class WdSet {
  /** The wd of bit 0 (a multiple of 32); -1 until the first `add`. */
  #base = -1;
  #bits = new Uint32Array(0);
  #far: Set<number> | null = null;

  has(wd: number): boolean {
    const offset = wd - this.#base;
    if (this.#base < 0 || offset < 0 || offset >= BITMAP_WDS) return this.#far?.has(wd) ?? false;
    const word = offset >>> 5;
    return word < this.#bits.length && (this.#bits[word]! & (1 << (offset & 31))) !== 0;
  }

  delete(wd: number): void {
    const offset = wd - this.#base;
    if (this.#base < 0 || offset < 0 || offset >= BITMAP_WDS) {
      this.#far?.delete(wd);
      return;
    }
    const word = offset >>> 5;
    if (word < this.#bits.length) this.#bits[word]! &= ~(1 << (offset & 31));
  }

  add(wd: number): void {
    if (this.#base < 0) this.#base = wd - (wd & 31);
    const offset = wd - this.#base;
    if (offset < 0 || offset >= BITMAP_WDS) {
      (this.#far ??= new Set()).add(wd);
      return;
    }
    const word = offset >>> 5;
    if (word >= this.#bits.length) {
      const bits = new Uint32Array(Math.max(2, 2 ** Math.ceil(Math.log2(word + 1))));
      bits.set(this.#bits);
      this.#bits = bits;
    }
    this.#bits[word]! |= 1 << (offset & 31);
  }
}

/** Wds kept in the bitmap: at most 512 KiB of it. */
const BITMAP_WDS = 1 << 22;
