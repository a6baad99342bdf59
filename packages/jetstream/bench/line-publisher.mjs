// The peer of the ingest benchmark, standing in for the `nats` command line client (which is
// neither on the npm registry nor in Debian): every line of standard input (from
// `inotifywait -m`) is published into JetStream as one message, acknowledged, with a message
// id and at most 256 publishes in flight, like the inotify-ts sink. Prints the count at the end.
// Usage: inotifywait -m ... | node line-publisher.mjs URL SUBJECT
import { createInterface } from 'node:readline';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [servers, subject] = process.argv.slice(2);
const nc = await connect({ servers });
const js = jetstream(nc);
const WINDOW = 256;
let inFlight = 0;
let n = 0;
let wake;
for await (const line of createInterface({ input: process.stdin })) {
  while (inFlight >= WINDOW) await new Promise((resolve) => (wake = resolve));
  inFlight++;
  js.publish(subject, line, { msgID: `line:${process.pid}:${++n}` }).then(
    () => {
      inFlight--;
      wake?.();
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
while (inFlight > 0) await new Promise((resolve) => (wake = resolve));
await nc.close();
process.stdout.write(`${JSON.stringify({ published: n })}\n`);
