import { strict as assert } from 'node:assert';
import { connectionsTo } from '../../../worker/debug/DebugInspector';

/** /proc/net/tcp as Linux prints it: the inspector on 127.0.0.1:40000 (0x9C40), one client attached, one gone. */
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:9C40 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
   2: 0100007F:9C40 0100007F:D432 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0
   3: 0100007F:D431 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   4: 0100007F:1F90 0100007F:D500 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 20 4 30 10 -1
`;

describe('closing the debugger socket waits for the debugger to detach', () => {
  it('counts the established connections to the socket, not its listener, closed ones or other ports', () => {
    assert.equal(
      connectionsTo(40000, () => TABLE),
      1,
    );
    assert.equal(
      connectionsTo(8080, () => TABLE),
      1,
    );
    assert.equal(
      connectionsTo(40001, () => TABLE),
      0,
    );
  });

  it('says it cannot tell where the table cannot be read (another system, a denied read)', () => {
    assert.equal(
      connectionsTo(40000, () => {
        throw Object.assign(new Error('denied'), { code: 'ERR_ACCESS_DENIED' });
      }),
      undefined,
    );
  });
});
