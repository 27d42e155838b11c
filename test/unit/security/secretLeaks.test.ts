/**
 * A secret injected into a kernel never reaches the host unmasked, whatever path it takes: console, results,
 * expansions, errors, background errors, display(), scratch line values, the exit notice of process.exit(), raw
 * stderr (the log), and the headless runner's output.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASK, type PropertyPage } from '../../../protocol';
import { KernelProcess } from '../../../worker/host/KernelProcess';
import { ROOT, sleep, WORKER } from '../helpers/kernel';

const SECRET = 'sk-live-5f1e2d3c4b5a69788796a5b4';

describe('secrets are masked on every output path (Node kernel)', function () {
  this.timeout(30_000);
  let kernel: KernelProcess;
  const seen: string[] = [];
  const logs: string[] = [];
  let n = 0;
  const run = (code: string, instrumentLines = false) => kernel.execute({ cellId: `c${++n}`, cellLabel: `[${n}]`, executionId: n, code, language: 'javascript', instrumentLines });

  before(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'coda-secret-'));
    kernel = await KernelProcess.start({
      workerPath: WORKER,
      nodePath: process.execPath,
      init: { cwd, documentPath: join(cwd, 's.coda'), runtime: 'node', env: { API_TOKEN: SECRET }, maskedValues: [SECRET] },
      log: (_level, m) => logs.push(m),
    });
    for (const e of ['console', 'uncaught', 'display', 'lineValue'] as const) kernel.onEvent(e, (b) => seen.push(JSON.stringify(b)));
  });
  after(() => kernel.dispose());

  const clean = (s: string, where: string) => assert.ok(!s.includes(SECRET) && !s.includes(SECRET.slice(3)), `${where} leaked the secret: ${s.slice(0, 300)}`);

  it('the secret is usable by code (injected as an environment variable)', async () => {
    const r = await run('process.env.API_TOKEN.length');
    assert.equal(r.status === 'ok' && r.value?.type === 'number' && r.value.text, String(SECRET.length));
  });

  it('console output, results and expansions', async () => {
    await run('console.log("token", process.env.API_TOKEN, { nested: { t: process.env.API_TOKEN } }); console.table([{ t: process.env.API_TOKEN }])');
    const r = await run('({ deep: { token: process.env.API_TOKEN, list: [process.env.API_TOKEN] } })');
    clean(JSON.stringify(r), 'a result');
    assert.ok(r.status === 'ok' && r.value?.type === 'object' && r.value.handle);
    const page: PropertyPage = await kernel.expand({ handleId: r.value.handle.id, start: 0, count: 10 });
    const deep = page.items.find((i) => i.name === 'deep')!;
    assert.ok(deep.value?.type === 'object' && deep.value.handle);
    const inner = await kernel.expand({ handleId: deep.value.handle.id, start: 0, count: 10 });
    clean(JSON.stringify(inner), 'an expansion');
    assert.ok(JSON.stringify(inner).includes(MASK), 'the masked value is shown as the mask');
    const str = await run('process.env.API_TOKEN');
    assert.ok(str.status === 'ok' && str.value?.type === 'string');
    assert.equal(str.value.value, MASK);
    await sleep(200);
    clean(seen.join('\n'), 'console');
    assert.ok(seen.join('\n').includes(MASK));
  });

  it('errors, their causes and background errors', async () => {
    const r = await run('throw new Error("bad " + process.env.API_TOKEN, { cause: new Error(process.env.API_TOKEN) })');
    assert.equal(r.status, 'error');
    clean(JSON.stringify(r), 'an error');
    await run('setTimeout(() => { throw new TypeError("late " + process.env.API_TOKEN) }, 5)');
    await sleep(300);
    clean(seen.join('\n'), 'an uncaught error');
    assert.ok(seen.some((s) => s.includes('late ' + MASK)));
  });

  it('display() and scratch line values', async () => {
    await run('display.html("<b>" + process.env.API_TOKEN + "</b>"); display.json({ t: process.env.API_TOKEN })');
    await run('const t = process.env.API_TOKEN\nt', true);
    await sleep(200);
    clean(seen.join('\n'), 'display or line values');
  });

  it('raw writes to the process\'s stderr (the kernel log)', async () => {
    await run('require("node:fs").writeSync(2, "raw " + process.env.API_TOKEN + "\\n")');
    await sleep(300);
    clean(logs.join('\n'), 'the log');
    assert.ok(logs.some((l) => l.includes('raw ' + MASK)), 'the raw line reached the log, masked');
  });

  it('the exit notice of process.exit() (console and reason)', async () => {
    const exited = new Promise<string>((resolve) => kernel.onExit((e) => resolve(e.reason)));
    const entries: string[] = [];
    kernel.onEvent('console', (b) => entries.push(JSON.stringify(b)));
    await run('console.log("bye " + process.env.API_TOKEN); process.exit(3)').catch(() => undefined);
    clean(await exited, 'the exit reason');
    clean(entries.join('\n'), 'console at exit');
  });
});

describe('secrets are masked in the headless runner\'s output', function () {
  this.timeout(30_000);
  it('coda run --json --env-file prints the mask, never the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-secret-cli-'));
    writeFileSync(join(dir, '.env'), `API_TOKEN="${SECRET}"\n`);
    const cells = ['console.log(process.env.API_TOKEN)', 'process.env.API_TOKEN', 'throw new Error(process.env.API_TOKEN)'];
    writeFileSync(join(dir, 'n.coda'), JSON.stringify({ coda: 1, metadata: { secrets: ['API_TOKEN'] }, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }));
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', join(dir, 'n.coda'), '--json', '--keep-going', '--env-file', join(dir, '.env')], { encoding: 'utf8', env: { ...process.env, API_TOKEN: '' } });
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the runner leaked the secret');
    const doc = JSON.parse(r.stdout) as { cells: { console: { text: string }[]; value?: { value: string }; error?: { message: string } }[] };
    assert.equal(doc.cells[0]!.console[0]!.text, MASK);
    assert.equal(doc.cells[1]!.value!.value, MASK);
    assert.equal(doc.cells[2]!.error!.message, MASK);
  });

  it('a notebook that names a secret nobody provides fails with a message naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-secret-cli-'));
    writeFileSync(join(dir, 'n.coda'), JSON.stringify({ coda: 1, metadata: { secrets: ['NOPE_TOKEN'] }, cells: [{ kind: 'code', language: 'javascript', source: ['1'] }] }));
    const env = { ...process.env };
    delete env.NOPE_TOKEN;
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', join(dir, 'n.coda')], { encoding: 'utf8', env });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /secret NOPE_TOKEN: set it in the environment or in an --env-file/);
  });
});
