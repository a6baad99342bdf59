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

/**
 * The paths of directories that have subdirectories, built since a node last moved (any move
 * may make any of them stale, so the map is then replaced). A leaf's path is its parent's and
 * its name, one concatenation: it is not kept, which saves two fields in every node, most of
 * which are leaves. Weak, so that a closed tree's nodes are not held here.
 */
let pathCache = new WeakMap<DirNode, string>();

/**
 * Up to this many subdirectories are kept in an array and found by a scan of their names; more,
 * in a `Map`. Most directories have a few subdirectories, and a `Map` costs about 500 bytes for
 * ten (an array of ten, about 150): arming 10,000 directories, ten per parent, holds 0.3 MiB less.
 */
const LISTED_CHILDREN = 16;

export class DirNode implements Watched {
  readonly wd: number;
  /** `null` for a root. */
  parent: DirNode | null;
  /** The last component (bytes); a root's whole path. */
  name: string;
  /** Subdirectories, each under its own `name`; see {@link LISTED_CHILDREN}. */
  #children: DirNode[] | Map<string, DirNode> | null = null;

  constructor(wd: number, parent: DirNode | null, name: string) {
    this.wd = wd;
    this.parent = parent;
    this.name = name;
    if (parent !== null) DirNode.#put(parent, this);
  }

  /** The subdirectory named `name` (bytes). */
  child(name: string): DirNode | undefined {
    const children = this.#children;
    if (children === null) return undefined;
    if (!Array.isArray(children)) return children.get(name);
    for (const child of children) if (child.name === name) return child;
    return undefined;
  }

  /** Whether it has a subdirectory. */
  get hasChildren(): boolean {
    return this.#children !== null;
  }

  /** Its subdirectories, as a new array (safe to change the tree while going through it). */
  childList(): DirNode[] {
    const children = this.#children;
    if (children === null) return [];
    return Array.isArray(children) ? [...children] : [...children.values()];
  }

  /**
   * Adds `child` to `parent`, under its `name`, replacing one that is there. Static, as an
   * instance's private method would cost every node a field.
   */
  static #put(parent: DirNode, child: DirNode): void {
    const children = parent.#children;
    if (children === null) {
      parent.#children = [child];
    } else if (!Array.isArray(children)) {
      children.set(child.name, child);
    } else {
      const at = children.findIndex((c) => c.name === child.name);
      if (at >= 0) children[at] = child;
      else if (children.length < LISTED_CHILDREN) children.push(child);
      else parent.#children = new Map([...children, child].map((c) => [c.name, c]));
    }
  }

  /** Removes `child` from `parent` if it is the one under its `name`. */
  static #remove(parent: DirNode, child: DirNode): void {
    const children = parent.#children;
    if (children === null) return;
    if (Array.isArray(children)) {
      const at = children.indexOf(child);
      if (at < 0) return;
      if (children.length === 1) parent.#children = null;
      else children.splice(at, 1);
    } else if (children.get(child.name) === child) {
      children.delete(child.name);
      if (children.size === 0) parent.#children = null;
    }
  }

  /** The path, as bytes. */
  get bytes(): string {
    const parent = this.parent;
    if (parent === null) return this.name;
    if (this.#children === null) return joinBytes(parent.bytes, this.name);
    let bytes = pathCache.get(this);
    if (bytes === undefined) {
      bytes = joinBytes(parent.bytes, this.name);
      pathCache.set(this, bytes);
    }
    return bytes;
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
    return this.parent === null || this.parent.child(this.name) === this;
  }

  /**
   * Takes the node out of its parent's children. It keeps its parent and name, so its path
   * stays the one it had until it is attached again or released.
   */
  detach(): void {
    if (this.parent !== null) DirNode.#remove(this.parent, this);
  }

  /**
   * Puts the node at `parent`/`name`. A node that was there is detached and returned (the
   * caller decides what became of it).
   */
  attach(parent: DirNode, name: string): DirNode | undefined {
    if (parent.child(name) === this) return undefined;
    this.detach();
    const displaced = parent.child(name);
    displaced?.detach();
    this.parent = parent;
    this.name = name;
    DirNode.#put(parent, this);
    pathCache = new WeakMap();
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
      const children = node.#children;
      if (children !== null) for (const child of children.values()) stack.push(child);
    }
  }
}
