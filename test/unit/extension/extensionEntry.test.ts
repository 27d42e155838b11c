import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** Loads dist/extension.js against a stand-in for the vscode module and activates it (bench/activation.cjs). */
const HARNESS = join(ROOT, 'bench', 'activation.cjs');
const ENTRY = join(ROOT, 'dist', 'extension.js');
/** Longer than extension/entry.ts waits before it writes the cache. */
const STAY_MS = '4500';

describe('the extension loads through a code cache of its own (extension/entry.ts)', function () {
  this.timeout(60_000);
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'coda-extension-cache-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const cacheDir = () => join(home, 'codajs', 'compile-cache');
  const caches = () => {
    try {
      return readdirSync(cacheDir()).filter((n) => /^extension-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/.test(n));
    } catch {
      return [];
    }
  };
  /** Activates the extension in a process of its own that stays `stay` ms (a window kept open), else exits at once. */
  const activate = (stay?: string) => {
    const r = spawnSync(process.execPath, [HARNESS, ENTRY], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: home, CODA_BENCH_STAY_MS: stay ?? '', CODA_BENCH_AWAIT_CACHE: '' },
    });
    assert.equal(r.status, 0, `the extension did not activate:\n${r.stderr}`);
    assert.ok(Number.isFinite(Number.parseFloat(r.stdout)), r.stdout);
  };

  it('a window that closes at once writes nothing; one that stays writes the cache, which the next window reads and leaves as it is', () => {
    activate();
    assert.deepEqual(caches(), [], 'written before its delay');
    activate(STAY_MS);
    const [file] = caches();
    assert.ok(file, 'no cache written');
    const path = join(cacheDir(), file);
    const text = readFileSync(path);
    const header = JSON.parse(text.subarray(0, text.indexOf(10)).toString('utf8')) as { codajs: string; bundle: string; node: string };
    assert.equal(header.codajs, 'extension-code-cache');
    assert.equal(header.bundle, join(ROOT, 'dist', 'extension-main.js'));
    assert.equal(header.node, process.version);
    assert.equal(statSync(path).mode & 0o777, 0o600, 'readable by the user alone');
    const written = statSync(path).mtimeMs;
    activate(STAY_MS);
    assert.equal(statSync(path).mtimeMs, written, 'a cache V8 accepted is not written again');
  });

  it('a cache V8 rejects, or one made for another bundle, is replaced, and the extension activates all the same', () => {
    activate(STAY_MS);
    const [file] = caches();
    assert.ok(file, 'no cache written');
    const path = join(cacheDir(), file);
    const good = readFileSync(path);
    const headerLine = good.subarray(0, good.indexOf(10) + 1);
    const damaged = [
      // the right first line, then bytes V8 cannot take
      Buffer.concat([headerLine, Buffer.alloc(4096, 0x5a)]),
      // the right first line and V8's data cut short
      good.subarray(0, headerLine.length + Math.floor((good.length - headerLine.length) / 3)),
      // another bundle's first line
      Buffer.concat([Buffer.from(headerLine.toString('utf8').replace(/"size":\d+/, '"size":1')), good.subarray(headerLine.length)]),
      // nothing of a cache
      Buffer.from('not a code cache\n'),
    ];
    for (const bytes of damaged) {
      writeFileSync(path, bytes, { mode: 0o600 });
      activate(STAY_MS);
      assert.ok(!readFileSync(path).equals(bytes), 'the damaged cache was not replaced');
      assert.ok(readFileSync(path).subarray(0, headerLine.length).equals(headerLine), 'the replacement names this bundle');
    }
  });
});
