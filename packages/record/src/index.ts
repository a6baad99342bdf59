/**
 * Records of schema v1 for shipping inotify events through a pipeline (a JSON lines stream, a
 * message broker): producer identity, gap-free sequence numbers, explicit gaps, move pairing,
 * and the exact bytes of names that are not UTF-8. The schema itself is
 * `@inotify-ts/record/schema/record-v1.schema.json`.
 *
 * @packageDocumentation
 */

export { BOOT_ID_PATH, bootId, messageId, recordIdentity } from './context.js';
export {
  type ChangeLike,
  type EventLike,
  type GapFields,
  RecordEncoder,
  type RecordEncoderOptions,
} from './encoder.js';
export { DEFAULT_PENDING_MOVES, MovePairs } from './moves.js';
export { bytesOf, type TextAndBytes, textOf } from './text.js';
export type * from './types.js';
