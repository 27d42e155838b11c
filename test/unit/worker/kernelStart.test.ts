/**
 * What a Node kernel loads before its first result (issue 17: the first result is waited for by every module loaded
 * at start). `node:crypto` alone costs 4–5 ms, so the worker takes its random ids when it first needs them and the
 * host names the kernel; the `.coda` parser (jsonc-parser), which the worker never calls, is not in its bundle.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinaries, ROOT, startKernel, WORKER } from '../helpers/testKernel';

const loadedAtStart = (modules: string[]) => `JSON.stringify(${JSON.stringify(modules)}.filter((m) => process.moduleLoadList.includes("NativeModule " + m)))`;

describe('a Node kernel’s start', function () {
  this.timeout(30_000);

  for (const node of nodeBinaries()) {
    it(`${node.name}: reaches its first result without node:crypto, which a cell still has`, async () => {
      const k = await startKernel({ nodePath: node.path });
      try {
        assert.equal(await k.value(loadedAtStart(['crypto', 'http', 'https', 'tls'])), '[]', 'loaded before any cell asked for it');
        assert.match(await k.value('require("node:crypto").randomUUID()'), /^[0-9a-f-]{36}$/);
        assert.equal(await k.value(loadedAtStart(['crypto'])), '["crypto"]', 'the check itself must see a loaded module');
      } finally {
        await k.kernel.dispose();
      }
    });
  }

  it('is named by the host: the id it is given is in its init reply and in the handles of its values', async () => {
    const k = await startKernel({ init: { kernelId: 'kernel-named-by-the-host' } });
    try {
      assert.equal(k.kernel.info.kernelId, 'kernel-named-by-the-host');
      const r = await k.run('({ a: { b: 1 } })');
      assert.equal(r.status, 'ok');
      const handle = r.status === 'ok' && r.value?.type === 'object' ? r.value.handle : undefined;
      assert.equal(handle?.kernelId, 'kernel-named-by-the-host');
    } finally {
      await k.kernel.dispose();
    }
  });

  it('kernels started without an id are each given their own by the host', async () => {
    const [a, b] = await Promise.all([startKernel(), startKernel()]);
    try {
      assert.match(a.kernel.info.kernelId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.notEqual(a.kernel.info.kernelId, b.kernel.info.kernelId);
    } finally {
      await Promise.all([a.kernel.dispose(), b.kernel.dispose()]);
    }
  });

  it('the worker bundle leaves out the .coda parser (jsonc-parser), which the extension bundle keeps', () => {
    // a message of jsonc-parser's printParseErrorCode: a string, so minification keeps it where the parser is bundled
    const marker = 'InvalidCommentToken';
    assert.ok(readFileSync(join(ROOT, 'dist', 'extension.js'), 'utf8').includes(marker), 'the marker must be findable');
    assert.ok(!readFileSync(WORKER, 'utf8').includes(marker), 'jsonc-parser is bundled into the worker');
  });
});
