/**
 * Makes sure the JetStream stream a sink publishes into exists: created when missing (file
 * storage, so a broker restart keeps it; the duplicate window that drops resends), left as it
 * is when present, as long as it captures the subject.
 */
import { type JetStreamManager, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamSpec {
  readonly stream: string;
  readonly subject: string;
  readonly duplicateWindowMs: number;
}

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const names: string[] = [];
  for await (const name of jsm.streams.names(spec.subject)) names.push(name);
  if (names.includes(spec.stream)) return;
  if (names.length > 0) {
    throw Object.assign(
      new Error(
        `subject ${spec.subject} is already captured by stream ${names.join(', ')}, not ${spec.stream}: publish into that stream or pick another subject`,
      ),
      { code: 'ERR_JETSTREAM_SUBJECT_TAKEN' },
    );
  }
  await jsm.streams.add({
    name: spec.stream,
    subjects: [spec.subject],
    storage: StorageType.File,
    duplicate_window: nanos(spec.duplicateWindowMs),
  });
}
