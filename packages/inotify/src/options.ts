import { maskNames } from '@inotify-ts/decoder';
import { invalidArgument } from './errors.js';
import type { InotifyEvent } from './event.js';

/**
 * Called once per type name of an event, in `typeNames` order, until a call returns exactly
 * `false`: the event is then skipped (not yielded). Any other return value keeps it.
 * `IN_Q_OVERFLOW` is never passed to the predicate: it is always delivered.
 */
export type FilterPredicate = (typeName: string, event: InotifyEvent) => unknown;

/** Options shared by `eventGen()` and `events()`. */
export interface ConsumeOptions {
  /** Stop after this many seconds without an event. Default: never. */
  timeoutS?: number;
  /** Skip events for which it returns `false`; see {@link FilterPredicate}. */
  filterPredicate?: FilterPredicate;
  /**
   * Type names that end the iteration with a `TerminalEventError` carrying the event (thrown in
   * place of yielding it). Default `['IN_Q_OVERFLOW', 'IN_UNMOUNT']`; `[]` yields them like any event.
   */
  terminalEvents?: Iterable<string>;
}

/** Options of the synchronous `eventGen()`. */
export interface EventGenOptions extends ConsumeOptions {
  /** Yield `null` once at the end of every poll cycle (default `true`), as the Python package yields `None`. */
  yieldNones?: boolean;
}

/** Options of the asynchronous `events()`. */
export interface EventsOptions extends ConsumeOptions {
  /** Aborting it ends the iteration promptly, rejecting with `signal.reason` (an `AbortError` by default). */
  signal?: AbortSignal;
}

/** Options of `batches()`. */
export interface BatchesOptions {
  /** Aborting it ends the iteration promptly, rejecting with `signal.reason`. */
  signal?: AbortSignal;
}

/** The default `terminalEvents`: the two events after which a watch set can no longer be trusted. */
export const DEFAULT_TERMINAL_EVENTS: readonly string[] = Object.freeze(['IN_Q_OVERFLOW', 'IN_UNMOUNT']);

const TYPE_NAMES: ReadonlySet<string> = new Set(
  maskNames(0xffffffff).filter((name) => name.startsWith('IN_')),
);

/** One consumer's view of the options, used while pulling events. */
export interface Consumer {
  readonly filterPredicate: FilterPredicate | undefined;
  readonly terminal: ReadonlySet<string>;
  /** `undefined`: no timeout. */
  readonly timeoutMs: number | undefined;
  /** Set whenever an event reached the consumer's options (delivered or filtered out). */
  active: boolean;
}

/** Converts seconds to milliseconds, rejecting what is not a finite number >= 0. */
export function secondsToMs(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidArgument('read', `${name} must be a finite number of seconds >= 0, got ${String(value)}`);
  }
  return value * 1000;
}

/** Validates the options common to `eventGen()` and `events()`. */
export function consumerOf(options: ConsumeOptions): Consumer {
  const { timeoutS, filterPredicate, terminalEvents = DEFAULT_TERMINAL_EVENTS } = options;
  if (filterPredicate !== undefined && typeof filterPredicate !== 'function') {
    throw invalidArgument('read', `filterPredicate must be a function, got ${typeof filterPredicate}`);
  }
  if (
    terminalEvents === null ||
    typeof (terminalEvents as Iterable<string>)[Symbol.iterator] !== 'function'
  ) {
    throw invalidArgument('read', 'terminalEvents must be an array of type names such as "IN_Q_OVERFLOW"');
  }
  const terminal = new Set<string>();
  for (const name of terminalEvents) {
    if (!TYPE_NAMES.has(name)) {
      throw invalidArgument(
        'read',
        `terminalEvents: ${JSON.stringify(name)} is not an event type name; use one of ${[...TYPE_NAMES].join(', ')}`,
      );
    }
    terminal.add(name);
  }
  return {
    filterPredicate,
    terminal,
    timeoutMs: timeoutS === undefined ? undefined : secondsToMs(timeoutS, 'timeoutS'),
    active: false,
  };
}
