// The inotify-ts side of the ingest benchmark: a TreeShipper of ROOT into JetStream. Prints
// "ready" once its watches are in place; on SIGTERM stops cleanly and prints its stats as JSON.
// Usage: node ship-child.mjs URL SUBJECT STREAM ROOT MASK
import { JetStreamSink, TreeShipper } from '../dist/index.js';

const [servers, subject, stream, root, mask] = process.argv.slice(2);
const sink = await JetStreamSink.connect({ servers, subject, stream });
const shipper = new TreeShipper({ roots: [root], sink, tree: { mask: Number(mask) } });
const running = shipper.run();
process.once('SIGTERM', async () => {
  await shipper.stop();
  await running;
  await sink.close();
  process.stdout.write(`${JSON.stringify({ shipper: shipper.stats, sink: sink.stats })}\n`);
  process.exit(0);
});
process.stdout.write('ready\n');
