/** See world-readable-copy.mjs. */
export function worldReadableCopy(packageDirs: string[]): { root: string; entry: (name: string) => string };
