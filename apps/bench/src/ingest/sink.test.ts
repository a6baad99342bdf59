import { describe, expect, it } from 'vitest';
import { IN_CLOSE_WRITE, IN_MODIFY, IN_OPEN, IN_Q_OVERFLOW } from '../mask.js';
import { checkInotifywait } from './bench.js';
import { Sink } from './sink.js';

const ALL = [IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE];

describe('Sink', () => {
  it('walks the producer order of one event per operation: f00, f01, … each IN_MODIFY', () => {
    let done = 0;
    const sink = new Sink(3, 0, [IN_MODIFY], () => done++);
    for (const name of ['f00', 'f01', 'f02']) expect(sink.event(IN_MODIFY, name)).toBe(false);
    expect(done).toBe(1);
    expect(sink.summary({ overflows: true, order: true })).toMatchObject({
      events: 3,
      overflows: 0,
      orderErrors: 0,
      firstOrderError: -1,
    });
  });

  it('walks three events per operation under IN_ALL_EVENTS before moving to the next file', () => {
    const sink = new Sink(6, 0, ALL, () => {});
    for (const name of ['f00', 'f01']) for (const mask of ALL) sink.event(mask, name);
    expect(sink.orderErrors).toBe(0);
  });

  it('counts an event out of order, with a sample of what was expected there', () => {
    const sink = new Sink(3, 0, [IN_MODIFY], () => {});
    sink.event(IN_MODIFY, 'f00');
    sink.event(IN_MODIFY, 'f02');
    expect(sink.summary({ overflows: false, order: true })).toMatchObject({
      events: 2,
      overflows: null,
      orderErrors: 1,
      firstOrderError: 1,
      orderSamples: [{ k: 1, mask: IN_MODIFY, name: 'f02', wantMask: IN_MODIFY, wantName: 'f01' }],
    });
  });

  it('counts IN_Q_OVERFLOW apart from the events, and the stop directory ends the run', () => {
    const sink = new Sink(3, 0, [IN_MODIFY], () => {});
    expect(sink.event(IN_Q_OVERFLOW, '')).toBe(false);
    expect(sink.event(0x40000100, 'stop')).toBe(true);
    expect(sink.summary({ overflows: true, order: true })).toMatchObject({ events: 0, overflows: 1 });
  });

  it('reports order and overflows as null for a consumer that cannot show them', () => {
    const sink = new Sink(10, 0, [IN_MODIFY], () => {});
    sink.count(4);
    expect(sink.summary({ overflows: false, order: false })).toMatchObject({
      events: 4,
      overflows: null,
      orderErrors: null,
    });
  });

  it('refuses an order with no event, which no run could complete', () => {
    expect(() => new Sink(1, 0, [])).toThrow(new RangeError('Sink: the mask makes no event per operation'));
  });
});

describe('checkInotifywait', () => {
  it('reads the %e %f lines of inotifywait and checks them against the producer order, the stop line left out', () => {
    const text =
      'OPEN f00\nMODIFY f00\nCLOSE_WRITE,CLOSE f00\nOPEN f01\nMODIFY f01\nCLOSE_WRITE,CLOSE f01\nCREATE,ISDIR stop\n';
    expect(checkInotifywait(text, ALL, 6)).toMatchObject({ events: 6, overflows: null, orderErrors: 0 });
  });

  it('finds a line missing from the order', () => {
    const summary = checkInotifywait('MODIFY f00\nMODIFY f02\n', [IN_MODIFY], 3);
    expect(summary).toMatchObject({ events: 2, orderErrors: 1, firstOrderError: 1 });
  });
});
