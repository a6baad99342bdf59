/**
 * Path arithmetic for trees, on byte strings (see `../watches.ts`): absolute paths without a
 * trailing `/` (except `/`).
 */

/** `dir/name`. */
export function joinBytes(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Whether `p` is `dir` or lies below it. */
export function isWithin(p: string, dir: string): boolean {
  if (p === dir) return true;
  if (dir === '/') return p.startsWith('/');
  return p.length > dir.length && p.charCodeAt(dir.length) === 0x2f && p.startsWith(dir);
}

/** Moves the keys of `map` that are `from` or below it to the same place under `to`. */
export function relocateKeys<V>(map: Map<string, V>, from: string, to: string): void {
  if (map.size === 0) return;
  const moved: [string, V][] = [];
  for (const [key, value] of map) if (isWithin(key, from)) moved.push([key, value]);
  for (const [key] of moved) map.delete(key);
  for (const [key, value] of moved) map.set(to + key.slice(from.length), value);
}

/** Deletes the keys of `map` that are `dir` or below it. */
export function deleteKeysWithin<V>(map: Map<string, V>, dir: string): void {
  if (map.size === 0) return;
  for (const key of [...map.keys()]) if (isWithin(key, dir)) map.delete(key);
}
