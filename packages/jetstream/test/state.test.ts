/**
 * The state file around stops: a quiet stop writes it; a stop during a storm that does not end
 * cuts the drain and keeps the older file (the walk may have seen changes whose events were not
 * delivered); a state file of other roots is refused with what to do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JsonLinesSink, TreeShipper } from '../src/index.js';
import { dirForEachTest } from './nats-server.js';

const dir = dirForEachTest('state-');
const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

describe('the state file', () => {
  it('is written by a quiet stop, and kept as it was by a stop in a storm that does not end', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-file-'));
    const stateFile = path.join(stateDir, 'tree.state');
    try {
      fs.writeFileSync(path.join(dir(), 'a'), '');
      const shipper = () =>
        new TreeShipper({ roots: [dir()], sink: new JsonLinesSink(discard()), stateFile, stateIntervalS: 0 });
      const quiet = shipper();
      const first = quiet.run();
      expect(await quiet.stop()).toMatchObject({ statesWritten: 1 });
      await first;
      const written = fs.readFileSync(stateFile, 'utf8');

      const stormy = shipper();
      const running = stormy.run();
      let storming = true;
      let k = 0;
      const storm = (async () => {
        while (storming) {
          for (let n = 0; n < 200; n++, k++) fs.utimesSync(path.join(dir(), 'a'), k, k);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      try {
        const stats = await stormy.stop(); // the drain never sees 0.25 s of quiet: cut after 5 s
        expect(stats.statesWritten).toBe(0);
        expect(stats.events).toBeGreaterThan(0);
      } finally {
        storming = false;
        await storm;
      }
      await running;
      expect(fs.readFileSync(stateFile, 'utf8')).toBe(written);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('of other roots is refused, naming the file and what to do', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-file-'));
    const stateFile = path.join(stateDir, 'tree.state');
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'state-other-'));
    try {
      const first = new TreeShipper({ roots: [other], sink: new JsonLinesSink(discard()), stateFile });
      await first.saveState(); // writes the snapshot taken at start (nothing to deliver)
      first.tree.close();
      expect(fs.existsSync(stateFile)).toBe(true);
      expect(
        () => new TreeShipper({ roots: [dir()], sink: new JsonLinesSink(discard()), stateFile }),
      ).toThrow(
        expect.objectContaining({
          code: 'ERR_SNAPSHOT_ROOTS',
          path: stateFile,
          message: expect.stringMatching(/remove it to start without recovery/),
        }),
      );
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
