/**
 * Which events are printed: inotifywait's regular expressions (`--exclude`, `--include`, and
 * their case-insensitive `i` forms), tested on the event's `%w%f` (the watch, with a `/` after a
 * directory, then the name), and our globs (`--exclude-glob`, `--include-glob`, picomatch),
 * tested on the full path. With `-r`, a directory that an exclusion matches is never watched.
 *
 * inotifywait compiles POSIX extended regular expressions; here they are JavaScript's. They agree
 * on what people write (`\.swp$`, `^/tmp/(a|b)/`, `[0-9]+`); POSIX classes such as `[[:digit:]]`
 * are not JavaScript, and JavaScript's `\d`, `\b`, lookaheads and lazy `*?` are not POSIX. A
 * POSIX match is also leftmost-longest, which only matters for what is captured, never for
 * whether a path matches.
 */
import picomatch from 'picomatch';

/** The filter the options build. */
export interface EventFilter {
  /**
   * Whether the event is printed.
   *
   * @param watchPath - the event's `%w%f`, as inotifywait tests it.
   * @param fullPath - the event's path, the watched path joined with the name.
   */
  accepts(watchPath: string, fullPath: string): boolean;
  /** With `-r`: whether the directory at `path` is left out of the tree (no watch at all). */
  skipsDirectory(path: string): boolean;
}

/** What the command line gave. */
export interface FilterOptions {
  readonly exclude: string | undefined;
  readonly include: string | undefined;
  readonly ignoreCase: boolean;
  readonly excludeGlobs: readonly string[];
  readonly includeGlobs: readonly string[];
}

/**
 * Builds the filter, or `undefined` when nothing filters.
 *
 * @param options - the patterns; regular expressions are checked by the option parser.
 */
export function eventFilter(options: FilterOptions): EventFilter | undefined {
  const flags = options.ignoreCase ? 'i' : '';
  const exclude = options.exclude === undefined ? undefined : new RegExp(options.exclude, flags);
  const include = options.include === undefined ? undefined : new RegExp(options.include, flags);
  const globOptions = { dot: true };
  const excludeGlob =
    options.excludeGlobs.length > 0 ? picomatch([...options.excludeGlobs], globOptions) : undefined;
  const includeGlob =
    options.includeGlobs.length > 0 ? picomatch([...options.includeGlobs], globOptions) : undefined;
  if (
    exclude === undefined &&
    include === undefined &&
    excludeGlob === undefined &&
    includeGlob === undefined
  ) {
    return undefined;
  }
  return {
    accepts: (watchPath, fullPath) =>
      !(exclude?.test(watchPath) ?? false) &&
      (include?.test(watchPath) ?? true) &&
      !(excludeGlob?.(fullPath) ?? false) &&
      (includeGlob?.(fullPath) ?? true),
    // A directory's own path and its path with a slash (as %w names it) are both tried, so that
    // `/skip$` and `/skip/` both keep the tree out of skip/.
    skipsDirectory: (path) =>
      (exclude !== undefined && (exclude.test(path) || exclude.test(`${path}/`))) ||
      (excludeGlob?.(path) ?? false),
  };
}
