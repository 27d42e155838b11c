import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../runtimeBinaries';
import { ROOT } from '../helpers/testKernel';

const CLI = join(ROOT, 'dist', 'cli.js');

function notebook(metadata: Record<string, unknown>, ...cells: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'coda-cli-rt-'));
  const file = join(dir, 'n.coda');
  writeFileSync(file, JSON.stringify({ coda: 1, metadata, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: c.split('\n') })) }));
  return file;
}

function coda(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CODA_RUNTIMES_DIR: toolsDir() },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('coda run on other runtimes', function () {
  this.timeout(60_000);
  before(function () {
    if (!runtimeBinary('deno') || !runtimeBinary('isolated-vm')) {
      if (requireRuntimes) throw new Error('Deno and the sandbox must be fetched (coda runtimes fetch all --dir .tools)');
      this.skip();
    }
  });

  it('runs the runtime the notebook names, and --runtime overrides it', () => {
    const file = notebook({ runtime: 'deno' }, 'const n = 20', 'typeof Deno + " " + (n + 1)');
    const r = coda('run', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { runtime: string; runtimeVersion: string; cells: { value?: { value: string } }[] };
    assert.equal(doc.runtime, 'deno');
    assert.match(doc.runtimeVersion, /^deno \d/);
    assert.equal(doc.cells[1]!.value!.value, 'object 21');
    const sandbox = JSON.parse(coda('run', file, '--json', '--runtime', 'sandbox').stdout) as { runtime: string; cells: { value?: { value: string } }[] };
    assert.equal(sandbox.runtime, 'sandbox');
    assert.equal(sandbox.cells[1]!.value!.value, 'undefined 21', 'the sandbox has no Deno global');
  });

  it('runs a notebook that says "sandbox", and one written with the older "isolate", on the sandbox', () => {
    for (const runtime of ['sandbox', 'isolate']) {
      const r = coda('run', notebook({ runtime }, 'typeof process'), '--json');
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { runtime: string; cells: { value?: { value: string } }[] };
      assert.equal(doc.runtime, 'sandbox', runtime);
      assert.equal(doc.cells[0]!.value!.value, 'undefined');
    }
  });

  it("enforces the notebook's permissions: the sandbox denies an undeclared host by name", () => {
    const file = notebook({ runtime: 'sandbox', permissions: { net: ['127.0.0.1'] } }, 'await fetch("http://example.invalid/x")');
    const r = coda('run', file);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /PermissionDenied: Permission denied: network access to "example\.invalid/);
  });

  it('lists the runtimes it finds with their versions', () => {
    const r = coda('runtimes', '--dir', toolsDir());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Deno\s+deno \d+\.\d+\.\d+/);
    assert.match(r.stdout, /Sandbox \(isolated-vm\)\s+node v24/);
  });

  it('refuses a notebook whose permissions are malformed, naming the field, and does not touch the file', () => {
    const file = notebook({ permissions: { disk: ['/'] } }, '1');
    const r = coda('run', file);
    assert.equal(r.code, 2, 'exit 2 like every other unreadable notebook');
    assert.match(r.stderr, /\.coda:\d+:\d+: "disk" is not a capability \(known: net, read, write, env, run\) \(metadata\.permissions\.disk\)/);
  });
});
