/**
 * Ships inotify events into NATS JetStream as records of schema v1 (`@inotify-ts/record`):
 * acknowledged publishes with a bounded window, message ids that make resends harmless,
 * backpressure that never stalls the kernel reader (explicit gaps and a rescan instead), and
 * recovery of what changed while the watcher was stopped (`@inotify-ts/snapshot`).
 *
 * @packageDocumentation
 */

export { RecordDeduplicator } from './dedup.js';
export { JsonLinesSink } from './json-lines.js';
export { type ReadOptions, type ReadRecord, readRecords } from './reader.js';
export { type ShipperStats, TreeShipper, type TreeShipperOptions } from './shipper.js';
export { JetStreamSink, type JetStreamSinkOptions, type RecordSink, type SinkStats } from './sink.js';
export { ensureStream, type StreamSpec } from './stream.js';
