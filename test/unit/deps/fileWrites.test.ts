import { strict as assert } from 'node:assert';
import { leastLoaded } from '../../../installer/fileWrites';

describe("the installer's file threads (installer/fileWrites)", () => {
  it('gives a tarball to the thread with the fewest tarball bytes still to unpack, the first of equals', () => {
    assert.equal(leastLoaded([0, 0]), 0);
    // date-fns (1.6 MB) on the first thread: zod goes to the second, not behind it
    assert.equal(leastLoaded([1_594_616, 0]), 1);
    assert.equal(leastLoaded([1_594_616, 1_141_941]), 1);
    assert.equal(leastLoaded([300, 300, 20]), 2);
    assert.equal(leastLoaded([7]), 0);
  });
});
