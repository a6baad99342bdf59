/**
 * The directory nodes of a recursive tree. Each watched directory is one node: its wd, its
 * parent node and its name as bytes. A path is not stored but built from the nodes (and cached
 * until any node moves), so a directory moved within the tree is one re-parented node, whatever
 * its subtree holds, and an event's path is the path the model has when the event is delivered.
 *
 * Names and paths are byte strings (one char per byte, see `../watches.ts`): a name that is not
 * UTF-8 is watched and listed like any other.
 *
 * The wd is the node's identity on disk: the kernel keeps one watch per inode, so
 * `inotify_add_watch` on a path answers with the wd of the node already watching that inode,
 * whatever path it was found by. The tree uses that to tell a directory it knows from a new one.
 */
import { displayPath, type Watched } from '../watches.js';
import { joinBytes } from './paths.js';

/** Bumped whenever a node is attached somewhere: every cached path may be stale then. */
let epoch = 0;

export class DirNode implements Watched {
  readonly wd: number;
  /** `null` for a root. */
  parent: DirNode | null;
  /** The last component (bytes); a root's whole path. */
  name: string;
  /** Subdirectories by name; `null` while there are none. */
  children: Map<string, DirNode> | null = null;
  #bytes = '';
  #bytesEpoch = -1;

  constructor(wd: number, parent: DirNode | null, name: string) {
    this.wd = wd;
    this.parent = parent;
    this.name = name;
    if (parent !== null) (parent.children ??= new Map()).set(name, this);
  }

  /** The path, as bytes. */
  get bytes(): string {
    if (this.#bytesEpoch !== epoch) {
      const parent = this.parent;
      this.#bytes = parent === null ? this.name : joinBytes(parent.bytes, this.name);
      this.#bytesEpoch = epoch;
    }
    return this.#bytes;
  }

  /**
   * The path as events report it (UTF-8, invalid bytes as U+FFFD): the bytes themselves when
   * they are ASCII, as nearly every path is, so nothing more is kept per node.
   */
  get path(): string {
    return displayPath(this.bytes);
  }

  /** Whether the node is where its parent says (a root always is). */
  get attached(): boolean {
    return this.parent === null || this.parent.children?.get(this.name) === this;
  }

  /**
   * Takes the node out of its parent's children. It keeps its parent and name, so its path
   * stays the one it had until it is attached again or released.
   */
  detach(): void {
    const siblings = this.parent?.children;
    if (siblings?.get(this.name) === this) {
      siblings.delete(this.name);
      if (siblings.size === 0) this.parent!.children = null;
    }
  }

  /**
   * Puts the node at `parent`/`name`. A node that was there is detached and returned (the
   * caller decides what became of it).
   */
  attach(parent: DirNode, name: string): DirNode | undefined {
    if (parent.children?.get(name) === this) return undefined;
    this.detach();
    const children = (parent.children ??= new Map());
    const displaced = children.get(name);
    children.set(name, this);
    this.parent = parent;
    this.name = name;
    epoch++;
    return displaced;
  }

  /** Whether the node is `ancestor` or lies below it. */
  within(ancestor: DirNode): boolean {
    for (let n: DirNode | null = this; n !== null; n = n.parent) if (n === ancestor) return true;
    return false;
  }

  /** The node and every attached node below it. */
  *subtree(): IterableIterator<DirNode> {
    const stack: DirNode[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      yield node;
      if (node.children !== null) for (const child of node.children.values()) stack.push(child);
    }
  }
}
