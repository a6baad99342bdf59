import { describe, expect, it } from 'vitest';
import { selfTimes } from './profile.js';

const frame = (id: number, functionName: string, url = '', lineNumber = 0) => ({
  id,
  callFrame: { functionName, url, lineNumber },
});

describe('selfTimes', () => {
  it('sums the time deltas of each function, largest first, leaving idle time out of the shares', () => {
    const times = selfTimes({
      nodes: [
        frame(1, '(idle)'),
        frame(2, 'walk', 'file:///x/a.js', 9),
        frame(3, ''),
        frame(4, 'walk', 'file:///x/a.js', 9),
      ],
      samples: [2, 1, 3, 4, 2],
      timeDeltas: [1000, 5000, 1000, 2000, 1000],
    });
    expect(times).toEqual([
      { where: expect.stringMatching(/^walk \(.*x\/a\.js:10\)$/), ms: 4, share: 0.8 },
      { where: '(anonymous)', ms: 1, share: 0.2 },
    ]);
  });

  it('returns nothing for a profile without samples', () => {
    expect(selfTimes({ nodes: [frame(1, 'f')], samples: [], timeDeltas: [] })).toEqual([]);
  });
});
