// A watcher process for the crash test: ships ROOT into JetStream with a state file, prints one
// JSON line when its watches are in place, and on SIGTERM stops cleanly and prints its stats.
// Usage: node watcher-child.mjs URL SUBJECT STREAM ROOT STATE_FILE MASK
import { JetStreamSink, TreeShipper } from '../dist/index.js';

const [servers, subject, stream, root, stateFile, mask] = process.argv.slice(2);
const sink = await JetStreamSink.connect({ servers, subject, stream });
const shipper = new TreeShipper({
  roots: [root],
  sink,
  stateFile,
  stateIntervalS: 0.2,
  tree: { mask: Number(mask) },
});
const running = shipper.run();
process.once('SIGTERM', async () => {
  const stats = await shipper.stop();
  await running;
  const unacked = await sink.close();
  process.stdout.write(`${JSON.stringify({ stats, unacked })}\n`);
  process.exit(0);
});
process.stdout.write(`${JSON.stringify({ ready: true, instance: shipper.encoder.identity.instance })}\n`);
