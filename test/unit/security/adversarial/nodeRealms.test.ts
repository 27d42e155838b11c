/**
 * Issue 11 item 2: every thread and realm a cell can reach in a Node kernel with declared permissions is under the
 * seat belts, or the API that creates it is denied. Each attempt tries to reach a loopback port that counts
 * connections, from a new thread or realm; none may.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestKernel } from '../../helpers/testKernel';
import { attempt, forbiddenTargets, launchKernel, needPermissionedNode, runAttempts, SETTLE_HELPER, type Forbidden } from './nodeNetKit';

describe('adversarial: no thread or realm of a Node kernel escapes its grants (issue 11 item 2)', function () {
  this.timeout(180_000);
  let forbidden: Forbidden;
  let k: TestKernel;

  before(async function () {
    const node = needPermissionedNode(this);
    forbidden = await forbiddenTargets();
    k = await launchKernel(node, mkdtempSync(join(tmpdir(), 'coda-realms-')), { net: ['example.test'] });
    assert.equal((await k.run(SETTLE_HELPER)).status, 'ok');
  });
  after(async () => {
    await k?.kernel.dispose();
    await forbidden?.close();
  });

  it('module hooks, worker threads, vm contexts, ShadowRealm, WASI and native addons give no way out', async () => {
    const F = forbidden.tcp;
    /** Module source that connects to the forbidden port as soon as it is evaluated. */
    let unique = 0;
    /** A data: URL of a module that connects when evaluated (each one distinct: a loader evaluates a URL once). */
    const dataUrlOf = () =>
      `'data:text/javascript,' + encodeURIComponent(${JSON.stringify(`import net from 'node:net'; net.connect(${F}, '127.0.0.1'); // ${++unique}`)})`;
    const settleWorker = `(w) => new Promise((resolve) => { w.once('error', (e) => resolve('error ' + (e.code || e.name))); w.once('exit', () => resolve('exited')); setTimeout(() => resolve('running'), 1500); })`;
    const tries: { name: string; code: string }[] = [
      // the issue's example: the customisation hooks thread had no network check
      {
        name: 'module.register with hooks that connect',
        code: `require('node:module').register(${dataUrlOf()}); await new Promise((r) => setTimeout(r, 1500)); return 'registered'`,
      },
      {
        name: 'module.register from an ESM import',
        code: `const { register } = await import('node:module'); register(${dataUrlOf()}); await new Promise((r) => setTimeout(r, 1500)); return 'registered'`,
      },
      {
        name: 'Module.register (the class static)',
        code: `require('module').Module.register(${dataUrlOf()}); await new Promise((r) => setTimeout(r, 1500)); return 'registered'`,
      },
      {
        name: 'module.register after syncBuiltinESMExports',
        code: `const m = require('node:module'); m.syncBuiltinESMExports(); (await import('node:module')).register(${dataUrlOf()}); await new Promise((r) => setTimeout(r, 1500)); return 'registered'`,
      },
      // worker threads
      {
        name: 'new Worker(code, { eval: true })',
        code: `return (${settleWorker})(new (require('node:worker_threads').Worker)("require('net').connect(${F}, '127.0.0.1')", { eval: true }))`,
      },
      { name: 'new Worker(data: URL)', code: `return (${settleWorker})(new (require('worker_threads').Worker)(new URL(${dataUrlOf()})))` },
      {
        name: 'Worker from an ESM import after syncBuiltinESMExports',
        code: `require('node:module').syncBuiltinESMExports(); const { Worker } = await import('node:worker_threads'); return (${settleWorker})(new Worker("require('net').connect(${F}, '127.0.0.1')", { eval: true }))`,
      },
      {
        name: 'Worker.prototype.constructor',
        code: `return (${settleWorker})(new (require('worker_threads').Worker.prototype.constructor)("require('net').connect(${F}, '127.0.0.1')", { eval: true }))`,
      },
      {
        name: "process.binding('worker')",
        code: `const b = process.binding('worker'); return typeof b.Worker === 'function' ? 'CROSSED: worker binding' : 'no Worker'`,
      },
      // realms in this thread: they share its net module, and get nothing the cell does not pass in
      {
        name: 'vm.runInNewContext with a lying lookup',
        code: `return require('vm').runInNewContext("__settle(require('net').connect({ host: 'example.test', port: ${F}, lookup: (h, o, cb) => cb(null, '127.0.0.1', 4) }))", { require, __settle })`,
      },
      {
        name: "vm context: its own fetch, or the cell's",
        code: `const vm = require('vm'); const own = vm.runInNewContext('typeof fetch'); if (own !== 'undefined') return 'CROSSED: a fetch of its own'; return vm.runInNewContext("f('http://127.0.0.1:${F}/')", { f: fetch }).then(() => 'CONNECTED', (e) => 'error ' + e.name)`,
      },
      {
        name: 'vm context: Function constructor back to process',
        code: `const p = require('vm').runInNewContext("try { this.constructor.constructor('return process')() } catch (e) { 'none' }"); return typeof p === 'object' ? __settle(p.mainModule?.require?.('net').connect(${F}, '127.0.0.1') ?? require('net').connect(${F}, '127.0.0.1')) : 'no process'`,
      },
      {
        name: 'vm module import of node:net in a new context',
        code: `const vm = require('vm'); return vm.runInNewContext("import('node:net').then((net) => s(net.connect(${F}, '127.0.0.1')))", { s: __settle }, { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER })`,
      },
      {
        name: 'module.registerHooks (same thread) with a lying lookup',
        code: `const m = require('node:module'); if (typeof m.registerHooks !== 'function') return 'no registerHooks'; let out; const h = m.registerHooks({ resolve(s, c, next) { if (s === 'coda-probe') { out = __settle(require('net').connect({ host: 'example.test', port: ${F}, lookup: (x, o, cb) => cb(null, '127.0.0.1', 4) })); return { url: 'node:os', shortCircuit: true }; } return next(s, c); } }); try { require('coda-probe'); } finally { h.deregister(); } return out`,
      },
      {
        name: 'ShadowRealm',
        code: `if (typeof ShadowRealm !== 'function') return 'absent'; return new ShadowRealm().importValue(${dataUrlOf()}, 'x').then(() => 'CROSSED: ShadowRealm', (e) => 'error ' + e.name)`,
      },
      {
        name: 'node:wasi',
        code: `try { const { WASI } = require('node:wasi'); new WASI({ version: 'preview1' }); return 'CROSSED: WASI'; } catch (e) { return e.code === 'ERR_ACCESS_DENIED' ? 'denied' : 'CROSSED: WASI allowed (' + e.code + ')'; }`,
      },
      // a path that does not exist: only the model's refusal (not a load failure) counts as held
      {
        name: 'process.dlopen of a native addon',
        code: `try { process.dlopen({ exports: {} }, '/nonexistent/addon.node'); return 'CROSSED: dlopen'; } catch (e) { return e.code === 'ERR_DLOPEN_DISABLED' ? 'denied' : 'CROSSED: dlopen tried (' + e.code + ')'; }`,
      },
      { name: 'an inspector session on this thread', code: `new (require('node:inspector').Session)().connect(); return 'CROSSED: inspector session'` },
    ];
    await runAttempts(
      'node realms',
      tries.map((t) => ({ name: t.name, run: () => attempt(k, forbidden, t.code) })),
    );
  });

  it('the kernel still runs cells after every attempt', async () => {
    assert.equal(await k.value('1 + 1'), '2');
  });
});
