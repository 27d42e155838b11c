/**
 * The conformance suite: the same cells on every runtime (Node, Deno, Bun, the isolated-vm sandbox), started the
 * way the extension and `coda run` start them (kernelLaunch). Where a runtime cannot do something, the case states
 * what the user gets instead, and that is what is checked. Ends with a per-runtime pass/fail table.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatFrame,
  MASK,
  pushConsoleEntry,
  type ConsoleEntry,
  type Permissions,
  type ObjectValue,
  type RuntimeKind,
  type WorkerEvents,
} from '../../../protocol';
import { kernelLaunch } from '../../../host/kernel/kernelLaunch';
import { KernelProcess } from '../../../host/kernel/KernelProcess';
import { RuntimeMissingError } from '../../../host/kernel/locateRuntime';
import { requireRuntimes, toolsDir } from '../../runtimeBinaries';
import { cellRunner, packageFixture, sleep, WORKER, type TestKernel } from '../helpers/testKernel';

const RUNTIMES: RuntimeKind[] = ['node', 'deno', 'bun', 'sandbox'];
const SECRET = 'conformance-secret-7d41c0';
/** Generous bound that proves an interrupt happened at all (latency is measured by `npm run bench`). */
const STOPPED_WITHIN_MS = 5000;

interface K {
  runtime: RuntimeKind;
  kernel: KernelProcess;
  console: ConsoleEntry[];
  work: WorkerEvents['cellWork'][];
  lineValues: WorkerEvents['lineValue'][];
  run: TestKernel['run'];
  value(code: string): Promise<string>;
}

async function start(runtime: RuntimeKind, permissions?: Permissions): Promise<K> {
  // a folder with packages in node_modules and a relative module (helpers/testKernel.ts packageFixture)
  const cwd = packageFixture();
  const options = await kernelLaunch(
    { cwd, documentPath: join(cwd, 'c.coda'), runtime, env: { CONF_SECRET: SECRET }, maskedValues: [SECRET], permissions },
    { workerPath: WORKER, storage: toolsDir(), nodePath: process.execPath, sandboxMemoryMb: 128, sandboxCellTimeoutMs: 0 },
  );
  const kernel = await KernelProcess.start(options);
  const k: K = {
    runtime,
    kernel,
    console: [],
    work: [],
    lineValues: [],
    ...cellRunner(kernel),
  };
  kernel.onEvent('console', (b) => k.console.push(...b.entries));
  kernel.onEvent('cellWork', (b) => k.work.push(b));
  kernel.onEvent('lineValue', (b) => k.lineValues.push(b));
  return k;
}

async function interruptAfter(k: K, code: string, delayMs = 200): Promise<string> {
  const running = k.run(code).then(
    (r) => r.status,
    (err: Error) => `kernel exited: ${err.message}`,
  );
  await sleep(delayMs);
  k.kernel.interrupt();
  return Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => 'still running')]);
}

/** Bun's kernel, stopped by an interrupt it cannot serve, ends: wait for that so the next case starts a new one. */
async function untilEnded(k: K): Promise<void> {
  for (let i = 0; i < 100 && k.kernel.alive; i++) await sleep(50);
}

/** Waits up to 2 s for `what` to hold, then asserts it (the message says what was seen). */
async function eventually(what: () => boolean, message: () => string): Promise<void> {
  for (let i = 0; i < 100 && !what(); i++) await sleep(20);
  assert.ok(what(), message());
}

/** The env lookup a cell writes on each runtime (the sandbox has no `process`). */
const envOf = (runtime: RuntimeKind, name: string) => (runtime === 'sandbox' ? `env.${name}` : `process.env.${name}`);

const results = new Map<string, Map<RuntimeKind, 'pass' | 'FAIL' | 'skip'>>();
function record(name: string, runtime: RuntimeKind, outcome: 'pass' | 'FAIL' | 'skip') {
  if (!results.has(name)) results.set(name, new Map());
  results.get(name)!.set(runtime, outcome);
}

const cases: { name: string; test: (k: K) => Promise<void> }[] = [
  {
    name: 'state across cells, re-declared const',
    test: async (k) => {
      await k.run('const x = 1; let y = 2; function f() { return x + y }');
      assert.equal(await k.value('f()'), '3');
      await k.run('const x = 10');
      assert.equal(await k.value('x + y'), '12');
    },
  },
  {
    name: "a cell ending in a statement has the statement's value, as a REPL shows it (if, try, switch, a loop, a block)",
    test: async (k) => {
      assert.equal(await k.value("const text = '{';\ntry { JSON.parse(text) } catch { 'invalid' }"), 'invalid');
      assert.equal(await k.value("if (text.length > 1) { 'long' } else { 'short' }"), 'short');
      assert.equal(await k.value("switch (text) { case '{': 'brace'; break; default: 'other' }"), 'brace');
      assert.equal(await k.value('let total = 0;\nfor (const n of [1, 2, 3]) total += await n'), '6');
      assert.equal(await k.value("try { 'kept' } finally { 'not the value' }"), 'kept');
    },
  },
  {
    name: 'an anonymous function or class as the last value keeps no name (the result box names nothing)',
    test: async (k) => {
      assert.equal(await k.value('(() => 1).name'), '');
      assert.equal(await k.value('const last = () => 1; last.name'), 'last');
      for (const [cell, shown] of [
        ['() => 1', '[Function (anonymous)]'],
        ['async () => 1', '[AsyncFunction (anonymous)]'],
        ['(function () {})', '[Function (anonymous)]'],
        ['(class {})', '[class (anonymous)]'],
      ]) {
        const r = await k.run(cell!);
        const value = r.status === 'ok' ? r.value : undefined;
        assert.ok(value && 'preview' in value && value.preview === shown, `${cell}: ${JSON.stringify(value ?? r)}`);
      }
      // the value is the function itself: its name as a later cell reads it
      await k.run('const kept = [async () => 2]');
      assert.equal(await k.value('kept[0].name'), '');
    },
  },
  {
    name: 'a dotted namespace and a parameter decorator are refused where written; namespaces and standard decorators run',
    test: async (k) => {
      const ns = await k.run('namespace NS { export const v = 1; export function twice() { return v * 2; } }\n[NS.v, NS.twice()]', { language: 'typescript' });
      assert.ok(ns.status === 'ok' && ns.value?.type === 'object' && ns.value.preview === '[ 1, 2 ]', JSON.stringify(ns));
      // a later declaration reads the earlier one's members by their names, as TypeScript does
      const more = await k.run('namespace NS { export function thrice() { return twice() + v; } }\nNS.thrice()', { language: 'typescript' });
      assert.ok(more.status === 'ok' && more.value?.type === 'number' && more.value.text === '3', JSON.stringify(more));
      for (const [code, errorCode, line, column] of [
        ['const a = 1;\nnamespace NS.Deep { export const v = 1 }\nNS.Deep.v', 'NamespaceWithValues', 2, 1],
        ['function d(v: unknown) {}\nclass C { constructor(  @d x: number) {} }', 'DecoratorsUnsupported', 2, 25],
      ] as const) {
        const r = await k.run(code, { language: 'typescript' });
        assert.ok(r.status === 'error' && r.error.code === errorCode, JSON.stringify(r));
        assert.deepEqual([r.error.location?.line, r.error.location?.column], [line, column]);
      }
      assert.equal(await k.value('typeof a'), 'undefined');
      const r = await k.run(
        'const seen: string[] = [];\nconst d = (v: any, c: DecoratorContext) => { seen.push(`${c.kind} ${String(c.name)}`); };\n@d class K { @d m() {} @d accessor n = 2; @d #f = 1 }\n`${seen.join(", ")} / ${new K().n}`',
        { language: 'typescript' },
      );
      assert.ok(r.status === 'ok' && r.value?.type === 'string', JSON.stringify(r));
      assert.equal(r.value.value, 'method m, accessor n, field #f, class K / 2');
    },
  },
  {
    name: "an error logged before more arguments shows only the cell's frames, the arguments after it on its last frame's line",
    test: async (k) => {
      k.console.length = 0;
      const r = await k.run("const err = new Error('boom');\nconsole.log(err, 'after', { a: 1 }); console.log([err], 'then')");
      assert.equal(r.status, 'ok', JSON.stringify(r));
      await eventually(
        () => k.console.length >= 2,
        () => JSON.stringify(k.console),
      );
      const [alone, inList] = k.console.map((e) => e.text.split('\n'));
      assert.equal(alone![0], 'Error: boom', alone!.join('\n'));
      // every frame is the cell's (none of the kernel's, Node's, Deno's or the Sandbox's own), the last one carrying the rest
      assert.ok(alone!.length >= 2 && alone!.slice(1).every((l) => /^ {4}at .*cell\[\d+\]:1:\d+/.test(l)), alone!.join('\n'));
      assert.match(alone!.at(-1)!, / after \{ a: 1 \}$/);
      assert.ok(inList!.slice(2, -1).every((l) => /^ {6}at .*cell\[\d+\]:1:\d+/.test(l)) && inList!.at(-1) === '] then', inList!.join('\n'));
    },
  },
  {
    name: 'a Proxy is written as Node writes it (its target in the console, `Proxy [ target, handler ]` as a value, `<Revoked Proxy>`), and no trap runs',
    test: async (k) => {
      const setup =
        'const trapped = []; const traps = { __proto__: null };\n' +
        "for (const t of ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'apply']) traps[t] = (...a) => (trapped.push(`${t} ${String(a[1])}`), Reflect[t](...a));\n" +
        'const px = new Proxy({ a: 1, list: [1, 2] }, traps); const { proxy: gone, revoke } = Proxy.revocable({}, {}); revoke();';
      if (k.runtime === 'deno') {
        // Deno's own formatter (under its node:util too) cannot write a revoked proxy: the user gets its error in the cell
        const refused = await k.run(`${setup}\nconsole.log(gone)`);
        assert.ok(refused.status === 'error', JSON.stringify(refused));
        assert.match(refused.error.message, /revoked/);
      }
      k.console.length = 0;
      // (and Deno's `%o` adds a `[length]` to the pair Node writes as `Proxy [ target, handler ]`)
      const revoked = k.runtime !== 'deno';
      const r = await k.run(
        `${setup}\nconsole.log(px); ${revoked ? "console.log('%o', new Proxy({ b: 2 }, {}));" : 'console.log(px);'}${revoked ? " console.log([gone], 'then'); console.error(gone);" : ''}\n[new Proxy({ c: 3 }, {})${revoked ? ', gone' : ''}]`,
      );
      assert.equal(r.status, 'ok', JSON.stringify(r));
      const logged = revoked ? 4 : 2;
      await eventually(
        () => k.console.length >= logged,
        () => JSON.stringify(k.console),
      );
      assert.deepEqual(
        k.console.slice(0, logged).map((e) => e.text),
        revoked
          ? ['{ a: 1, list: [ 1, 2 ] }', 'Proxy [ { b: 2 }, {} ]', '[ <Revoked Proxy> ] then', '<Revoked Proxy>']
          : ['{ a: 1, list: [ 1, 2 ] }', '{ a: 1, list: [ 1, 2 ] }'],
      );
      // (Node's preview depth: the target is named only; an empty handler is written whole)
      assert.equal((r.value as ObjectValue).preview, `[ Proxy [ [Object], {} ]${revoked ? ', <Revoked Proxy>' : ''} ]`);
      // a proxy itself: named, never expanded (its page would be read through its traps)
      const own = await k.run('px');
      assert.ok(own.status === 'ok' && own.value?.type === 'object', JSON.stringify(own));
      assert.deepEqual([own.value.subtype, own.value.className, own.value.handle], ['proxy', 'Proxy', undefined]);
      assert.match(own.value.preview, /^Proxy \[ \{ a: 1, list: \[/);
      const thrown = await k.run('throw px');
      assert.ok(thrown.status === 'error', JSON.stringify(thrown));
      assert.match(thrown.error.message, /^Proxy \[ \{ a: 1, list: \[/);
      await k.kernel.variables();
      // (Deno's own formatter reads a proxy's `constructor` for `Proxy [ … ]`: that one trap runs there, nothing else)
      const ran = JSON.parse(await k.value('JSON.stringify(trapped)')) as string[];
      assert.deepEqual(k.runtime === 'deno' ? ran.filter((t) => t !== 'getOwnPropertyDescriptor constructor') : ran, [], JSON.stringify(ran));
    },
  },
  {
    name: "display.table's text is the table console.table draws (without its index column) on every runtime",
    test: async (k) => {
      const texts: string[] = [];
      const off = k.kernel.onEvent('display', (b) => {
        const plain = b.data.find((d) => d.mime === 'text/plain');
        if (plain) texts.push(String(plain.data));
      });
      try {
        const r = await k.run("display.table([{ n: 1, s: '<b>' }, { n: 22, extra: true }])");
        assert.equal(r.status, 'ok', JSON.stringify(r));
        await eventually(
          () => texts.length > 0,
          () => 'no table',
        );
        assert.equal(
          texts[0],
          ['┌────┬─────┬───────┐', '│ n  │ s   │ extra │', '├────┼─────┼───────┤', '│ 1  │ <b> │       │', '│ 22 │     │ true  │', '└────┴─────┴───────┘'].join(
            '\n',
          ),
        );
      } finally {
        off();
      }
    },
  },
  {
    name: "display.table escapes a cell's HTML characters the same way on every runtime, after a cell replaced String's and RegExp's methods",
    test: async (k) => {
      const tables: string[] = [];
      const off = k.kernel.onEvent('display', (b) => {
        const html = b.data.find((d) => d.mime === 'text/html');
        if (html) tables.push(String(html.data));
      });
      const patch =
        "const saved = [String.prototype.replace, RegExp.prototype.exec]; String.prototype.replace = () => 'X'; RegExp.prototype.exec = () => null;";
      try {
        const r = await k.run(`${patch}\ntry { display.table([{ 'k<': \`<&>"'\` }]) } finally { [String.prototype.replace, RegExp.prototype.exec] = saved }`);
        assert.equal(r.status, 'ok', JSON.stringify(r));
        await eventually(
          () => tables.length > 0,
          () => 'no table',
        );
        assert.equal(tables[0], '<table><thead><tr><th>k&#60;</th></tr></thead><tbody><tr><td>&#60;&#38;&#62;&#34;&#39;</td></tr></tbody></table>');
      } finally {
        off();
      }
    },
  },
  {
    name: "an error's own name is its header, not a property again; its other properties are listed",
    test: async (k) => {
      const r = await k.run("const e = new Error('custom'); e.name = 'MyError'; e.code = 'E42'; throw e");
      assert.ok(r.status === 'error', JSON.stringify(r));
      assert.equal(r.error.name, 'MyError');
      assert.deepEqual(r.error.props, { code: "'E42'" });
      // strings quoted as Node's REPL quotes them: single quotes, else double or backticks around a quote, escapes
      const quoted = await k.run(`throw Object.assign(new Error('q'), { a: "it's", b: 'say "hi"', c: 'line\\nnext', d: '' })`);
      assert.ok(quoted.status === 'error', JSON.stringify(quoted));
      assert.deepEqual(quoted.error.props, { a: `"it's"`, b: `'say "hi"'`, c: "'line\\nnext'", d: "''" });
      // a name property that is not the header's is still listed
      const other = await k.run("throw Object.assign(new TypeError('t'), { name: 42 })");
      assert.ok(other.status === 'error' && other.error.props?.name === '42', JSON.stringify(other));
    },
  },
  {
    name: 'an error as a cell result, or logged, reads as the console writes it: its stack at the cell lines, its properties and cause; no frame of the kernel',
    test: async (k) => {
      const internal = /worker-main|worker\.js|coda-sandbox|coda-cell-|\((?:unknown|native)\)|node:internal|runInThisContext/;
      const make =
        "function make() {\n  const e = new Error('boom', { cause: new TypeError('root') });\n  return Object.assign(e, { code: 'E_ONE', token: 'key ' + " +
        (k.runtime === 'sandbox' ? 'env.CONF_SECRET' : 'process.env.CONF_SECRET') +
        ' });\n}';
      const r = await k.run(`${make}\nmake()`);
      assert.ok(r.status === 'ok' && r.value?.type === 'object' && r.value.subtype === 'error', JSON.stringify(r));
      const text = r.value.text ?? '';
      assert.match(text, /^Error: boom\n {4}at make \(cell\[\d+\]:2:\d+\)/, text);
      assert.match(text, /code: 'E_ONE'/, text);
      assert.match(text, /TypeError: root/, text);
      assert.doesNotMatch(text, internal, text);
      assert.ok(!text.includes(SECRET) && text.includes('key '), text);
      // the preview stays one line: the header and its cause
      assert.ok(!r.value.preview.includes('\n') && r.value.preview.startsWith('Error: boom'), r.value.preview);
      k.console.length = 0;
      assert.equal((await k.run(`${make}\nconsole.log(make()); console.info({ held: make() })`)).status, 'ok');
      await eventually(
        () => k.console.length >= 2,
        () => JSON.stringify(k.console),
      );
      const logged = k.console[0]!.text;
      assert.match(logged, /^Error: boom\n {4}at make \(cell\[\d+\]:2:\d+\)/, logged);
      assert.match(logged, /code: 'E_ONE'/, logged);
      for (const e of k.console) {
        assert.doesNotMatch(e.text, internal, e.text);
        assert.ok(!e.text.includes(SECRET), e.text);
      }
    },
  },
  {
    name: "a top-level const stays constant, in its cell and in later ones, until a cell declares it again (TypeError, as at Node's REPL); a let used before its declaration throws",
    test: async (k) => {
      // (V8 puts the error at the `=` or `++`, as for a `const` of its own; JavaScriptCore at the name assigned)
      const fails = async (code: string, column: number, bunColumn: number) => {
        const r = await k.run(code);
        assert.ok(r.status === 'error', JSON.stringify(r));
        assert.equal(`${r.error.name}: ${r.error.message}`, 'TypeError: Assignment to constant variable.');
        assert.equal(r.error.location?.line, 1);
        // where the assignment is (V8's own error points there too), never a kernel frame
        assert.equal(r.error.frames?.[0]?.column, k.runtime === 'bun' ? bunColumn : column, JSON.stringify(r.error.frames));
      };
      await fails('const limit = 1; limit = 2', 24, 18);
      assert.equal(await k.value('limit'), '1');
      await fails('limit++', 6, 6);
      await fails('function raise() { limit = 10 }\nraise()', 26, 20);
      assert.equal(await k.value('let limit = 3; limit += 1; limit'), '4');
      assert.equal(await k.value('limit = 5; limit'), '5');
      // a let, const or class used before its declaration ran: V8's ReferenceError, not the last run's value
      const early = await k.run('let runs = runs + 1');
      assert.ok(early.status === 'error', JSON.stringify(early));
      assert.equal(`${early.error.name}: ${early.error.message}`, "ReferenceError: Cannot access 'runs' before initialization");
      assert.equal(early.error.frames?.[0]?.line, 1);
    },
  },
  {
    name: 'an error inside a result reads on its place without its frames, the value laid out as if it had none',
    test: async (k) => {
      const text = async (code: string) => {
        const r = await k.run(code);
        assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
        return r.value.text ?? r.value.preview;
      };
      assert.equal(await text("[new Error('in array'), 1]"), '[ Error: in array, 1 ]');
      assert.equal(
        await text("await Promise.allSettled([Promise.reject(new RangeError('no')), 1])"),
        "[\n  { status: 'rejected', reason: RangeError: no },\n  { status: 'fulfilled', value: 1 }\n]",
      );
      // its properties and cause on its line
      assert.equal(await text("({ e: Object.assign(new Error('x'), { code: 'E_X' }) })"), "{ e: Error: x { code: 'E_X' } }");
      assert.equal(await text("[new Error('a', { cause: new TypeError('b') })]"), '[ Error: a { [cause]: TypeError: b } ]');
      // laid out for the error's own text: on one line where that fits in 80 columns
      assert.equal(
        await text("({ e: new Error('inner'), list: [new TypeError('t')], more: 'x'.repeat(15) })"),
        "{ e: Error: inner, list: [ TypeError: t ], more: 'xxxxxxxxxxxxxxx' }",
      );
      // one without a stack, in brackets, as Node writes it
      assert.equal(await text("const bare = new Error('bare'); bare.stack = undefined; [bare]"), '[ [Error: bare] ]');
    },
  },
  {
    name: 'a promise rejected with no handler is an error of the background work of the cell that made it, the cell going on, as in Node',
    test: async (k) => {
      const uncaught: WorkerEvents['uncaught'][] = [];
      const off = k.kernel.onEvent('uncaught', (e) => uncaught.push(e));
      const env = envOf(k.runtime, 'CONF_SECRET');
      try {
        // in the cell's synchronous part, in a function it calls, after it awaits, in a timer, in a derived promise
        // (a then without a rejection handler), with a primitive, with a secret in the message
        const cells: [string, string][] = [
          ["Promise.reject(new Error('sync part')); 1", 'sync'],
          ["async function job() { throw new RangeError('in job') }\njob(); 2", 'job'],
          ["await new Promise((r) => setTimeout(r, 5)); Promise.reject(new Error('after await')); 3", 'after'],
          ["setTimeout(() => { Promise.reject(new TypeError('in timer')) }, 1); 4", 'timer'],
          ["const derived = Promise.reject(new Error('derived')); derived.then(() => 0); 5", 'derived'],
          ['Promise.reject(42); 6', 'primitive'],
          [`Promise.reject(new Error('token ' + ${env})); 7`, 'secret'],
        ];
        for (const [code, cellId] of cells) {
          const r = await k.run(code, { cellId });
          assert.equal(r.status, 'ok', `${cellId}: ${JSON.stringify(r)}`);
        }
        // the cell goes on after a rejection in its synchronous part, and its output stays its own
        k.console.length = 0;
        assert.equal(
          await k.value("Promise.reject(new Error('going on')); await new Promise((r) => setTimeout(r, 20)); console.log('went on'); 'done'"),
          'done',
        );
        assert.ok(k.console.some((e) => e.text === 'went on'));
        await eventually(
          () => uncaught.length >= cells.length + 1,
          () => JSON.stringify(uncaught.map((u) => [u.cellId, u.error.message])),
        );
        const by = new Map(uncaught.map((u) => [u.cellId, u.error]));
        assert.equal(by.get('sync')?.message, 'sync part');
        assert.match(by.get('sync')?.stack ?? '', /cell\[\d+\]:1:\d+/);
        assert.equal(`${by.get('job')?.name}: ${by.get('job')?.message}`, 'RangeError: in job');
        assert.ok(
          by.get('job')?.frames?.some((f) => f.functionName === 'job' && f.line === 1),
          JSON.stringify(by.get('job')),
        );
        assert.equal(by.get('after')?.message, 'after await');
        assert.equal(`${by.get('timer')?.name}: ${by.get('timer')?.message}`, 'TypeError: in timer');
        assert.equal(by.get('derived')?.message, 'derived');
        assert.equal(`${by.get('primitive')?.name}: ${by.get('primitive')?.message}`, 'Uncaught: 42');
        assert.ok(!JSON.stringify(uncaught).includes(SECRET), 'the secret is masked');
        assert.equal(by.get('secret')?.message, `token ${MASK}`);
        // reported once each: nothing else
        assert.equal(uncaught.length, cells.length + 1, JSON.stringify(uncaught.map((u) => [u.cellId, u.error.message])));
      } finally {
        off();
      }
    },
  },
  {
    name: "a cell of a script names the script's lines in its frames: thrown, logged, traced, from background work, not compiling",
    test: async (k) => {
      const script = { name: 'tools/report.ts', line: 40 };
      const thrown = await k.run("function check(n) {\n  if (n > 2) throw new Error('too big')\n}\n[1, 5].forEach(check)", { script });
      assert.ok(thrown.status === 'error', JSON.stringify(thrown));
      // the throw is on the cell's line 2, the script's 41; the call on line 4, the script's 43
      assert.match(thrown.error.stack ?? '', /\n {4}at check \(tools\/report\.ts:41:\d+\)\n/);
      assert.match(thrown.error.stack ?? '', /tools\/report\.ts:43:\d+/);
      assert.doesNotMatch(thrown.error.stack ?? '', /cell\[/);
      assert.deepEqual(thrown.error.frames?.[0]?.script, script);
      // the frame still names the cell and its own line, for the editor's marks
      assert.equal(thrown.error.frames?.[0]?.line, 2);
      assert.equal(thrown.error.location?.line, 2);
      const syntax = await k.run('const ok = 1\nlet y = ;', { script });
      assert.ok(syntax.status === 'error', JSON.stringify(syntax));
      assert.match(syntax.error.stack ?? '', /at tools\/report\.ts:41:\d+/);
      k.console.length = 0;
      const logged = await k.run("\nconsole.error(new Error('logged'))\nconsole.trace('here')", { script });
      assert.equal(logged.status, 'ok', JSON.stringify(logged));
      await eventually(
        () =>
          k.console.some((e) => /Error: logged\n {4}at .*tools\/report\.ts:41:\d+/.test(e.text)) &&
          k.console.some((e) => e.method === 'trace' && !!e.frames?.[0] && /\btools\/report\.ts:42:\d+\)?$/.test(formatFrame(e.frames[0]))),
        () => JSON.stringify(k.console),
      );
      // a later error of work the cell started: its place and the line that started the work
      const uncaught: WorkerEvents['uncaught'][] = [];
      const off = k.kernel.onEvent('uncaught', (e) => uncaught.push(e));
      try {
        assert.equal((await k.run('setTimeout(() => {\n  null.x\n}, 1)\n0', { script })).status, 'ok');
        await eventually(
          () => uncaught.some((u) => /tools\/report\.ts:41:\d+/.test(u.error.stack ?? '')),
          () => JSON.stringify(uncaught),
        );
      } finally {
        off();
      }
    },
  },
  {
    name: "an error's properties read as Node's REPL lists them: objects previewed, getters never called, the header's message not again",
    test: async (k) => {
      const props = async (code: string) => {
        const r = await k.run(code);
        assert.ok(r.status === 'error', JSON.stringify(r));
        return r.error.props;
      };
      // an object, an array, a function, a bigint and a symbol, each as its preview (an HTTP error's response, a
      // validation error's issues), never `[object]`
      assert.deepEqual(
        await props(
          "throw Object.assign(new Error('e'), { details: { a: 1, list: [1, { deep: { deeper: 1 } }] }, items: Array.from({ length: 20 }, (_, i) => i), fn: function named() {}, n: 5n, sym: Symbol('q') })",
        ),
        {
          details: '{ a: 1, list: [ 1, { deep: [Object] } ] }',
          items: '[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... 8 more items ]',
          fn: '[Function: named]',
          n: '5n',
          sym: 'Symbol(q)',
        },
      );
      // a getter is listed, never run: one that throws no longer makes the whole error "could not be described"
      const ran =
        "throw Object.defineProperties(new Error('g'), { bad: { get() { globalThis.getterRan = true; throw new Error('ran') }, enumerable: true }, ok: { value: 1, enumerable: true } })";
      assert.deepEqual(await props(ran), { bad: '[Getter]', ok: '1' });
      assert.equal(await k.value('typeof globalThis.getterRan'), 'undefined');
      // a message set as an own property (as a class may do) is the header's: not listed again
      assert.deepEqual(await props("class V extends Error { constructor() { super(); this.message = 'own'; this.code = 'E_V' } }; throw new V()"), {
        code: "'E_V'",
      });
    },
  },
  {
    name: 'top-level await',
    test: async (k) => assert.equal(await k.value('const v = await new Promise((r) => setTimeout(() => r(42), 10)); v'), '42'),
  },
  {
    name: 'TypeScript cell',
    test: async (k) => {
      const r = await k.run('interface P { x: number }\nconst p: P = { x: 21 };\np.x * 2', { language: 'typescript' });
      assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '42', JSON.stringify(r));
    },
  },
  {
    name: 'console methods, levels and groups',
    test: async (k) => {
      k.console.length = 0;
      await k.run(
        'console.log("a %s", "b"); console.warn("w"); console.error("e"); console.group("g"); console.info("in"); console.groupEnd(); console.table([{ c: 1 }]); console.count(); console.count()',
      );
      await sleep(100);
      const seen = k.console.map((e) => [e.method, e.level, e.depth, e.text]);
      assert.deepEqual(seen.slice(0, 5), [
        ['log', 'log', 0, 'a b'],
        ['warn', 'warn', 0, 'w'],
        ['error', 'error', 0, 'e'],
        ['group', 'log', 0, 'g'],
        ['info', 'info', 1, 'in'],
      ]);
      assert.deepEqual(k.console[5]!.table?.columns, ['(index)', 'c']);
      assert.deepEqual(
        k.console.slice(6).map((e) => e.text),
        ['default: 1', 'default: 2'],
      );
    },
  },
  {
    name: 'console.log("label", obj): the object once, in its place (segments)',
    test: async (k) => {
      k.console.length = 0;
      await k.run('console.log("user", { name: "ada" }, 7)');
      await sleep(100);
      const e = k.console[0]!;
      assert.deepEqual(e.segments, ['user', ' ', { value: 0 }, ' 7']);
      assert.equal(e.values?.[0]?.type, 'object');
    },
  },
  {
    name: 'timer output attributed to its cell, background work reported',
    test: async (k) => {
      k.console.length = 0;
      k.work.length = 0;
      const r = await k.run('setTimeout(() => console.log("later"), 50); "started"');
      assert.equal(r.status, 'ok');
      await sleep(400);
      const late = k.console.find((e) => e.text === 'later');
      assert.ok(late, 'the timer printed');
      assert.ok(
        k.work.some((w) => w.cellId === late.cellId && w.pending > 0),
        'pending work was reported',
      );
      assert.ok(
        k.work.some((w) => w.cellId === late.cellId && w.pending === 0),
        'its end was reported',
      );
    },
  },
  {
    name: 'an unref()ed timer is no background work of its cell; ref() makes it one again (Deno, Sandbox: timers are numbers and count)',
    test: async (k) => {
      k.work.length = 0;
      const r = await k.run('const idle = setTimeout(() => {}, 60_000); idle.unref?.(); "set"', { cellId: 'unref-cell' });
      assert.equal(r.status, 'ok');
      await sleep(100);
      const mine = () => k.work.filter((w) => w.cellId === 'unref-cell');
      // Deno's web timers (and the Sandbox's) are numbers, with no unref()
      const numeric = (await k.value('typeof idle')) === 'number';
      assert.equal(
        mine().some((w) => w.pending > 0),
        numeric,
        JSON.stringify(mine()),
      );
      if (numeric) return;
      await k.run('idle.ref()', { cellId: 'ref-cell' });
      await sleep(50);
      assert.equal(mine().at(-1)?.pending, 1, JSON.stringify(mine()));
      await k.run('clearTimeout(idle)', { cellId: 'clear-cell' });
      await sleep(50);
      assert.equal(mine().at(-1)?.pending, 0, JSON.stringify(mine()));
    },
  },
  {
    name: '1e6-element array: small preview, paged expansion',
    test: async (k) => {
      const r = await k.run('Array.from({ length: 1e6 }, (_, i) => i)');
      assert.ok(JSON.stringify(r).length < 16 * 1024);
      const v = (r as { value: ObjectValue }).value;
      assert.equal(v.size, 1e6);
      const page = await k.kernel.expand({ handleId: v.handle!.id, start: 500_000, count: 3 });
      assert.deepEqual(
        page.items.map((i) => [i.name, i.value]),
        [0, 1, 2].map((d) => [String(500_000 + d), { type: 'number', text: String(500_000 + d) }]),
      );
    },
  },
  {
    name: "a nested result carries its full text, deeper than its preview, as Node's REPL prints it; a settled one too; a scratch line's value none",
    test: async (k) => {
      const code = '({ x: { y: { z: { w: 1 } } }, list: Array.from({ length: 30 }, (_, i) => i) })';
      const r = await k.run(code);
      const v = (r as { value: ObjectValue }).value;
      assert.match(v.preview, /^\{ x: \{ y: \[Object\] \}, list: \[ 0, 1, 2,/);
      const text = [
        '{',
        '  x: { y: { z: [Object] } },',
        '  list: [',
        '     0,  1,  2,  3,  4,  5,  6,  7,  8,',
        '     9, 10, 11, 12, 13, 14, 15, 16, 17,',
        '    18, 19, 20, 21, 22, 23, 24, 25, 26,',
        '    27, 28, 29',
        '  ]',
        '}',
      ].join('\n');
      assert.equal(v.text, text, JSON.stringify(v));
      // a flat value's text would say what its preview says: it has none
      const flat = await k.run('[1, 2, 3]');
      assert.equal((flat as { value: ObjectValue }).value.text, undefined, JSON.stringify(flat));
      const settled: WorkerEvents['resultSettled'][] = [];
      const off = k.kernel.onEvent('resultSettled', (e) => settled.push(e));
      try {
        await k.run(`new Promise((resolve) => setTimeout(() => resolve(${code}), 20))`);
        await eventually(
          () => settled.length > 0,
          () => 'no resultSettled',
        );
        assert.equal((settled[0]!.value as ObjectValue).text, `Promise {\n  ${text.replace(/\n/g, '\n  ')}\n}`, JSON.stringify(settled[0]));
      } finally {
        off();
      }
      k.lineValues.length = 0;
      await k.run(code, { instrumentLines: true });
      await eventually(
        () => k.lineValues.length > 0,
        () => 'no line value',
      );
      assert.equal((k.lineValues[0]!.value as ObjectValue).text, undefined, JSON.stringify(k.lineValues[0]));
    },
  },
  {
    name: 'circular values expand to the same handle',
    test: async (k) => {
      const r = await k.run('const loop = { name: "loop" }; loop.self = loop; loop');
      const v = (r as { value: ObjectValue }).value;
      const page = await k.kernel.expand({ handleId: v.handle!.id, start: 0, count: 10 });
      assert.equal((page.items.find((i) => i.name === 'self')!.value as ObjectValue).handle!.id, v.handle!.id);
    },
  },
  {
    name: 'errors map to the cell line',
    test: async (k) => {
      const r = await k.run('const ok = 1;\nfunction boom() {\n  throw new RangeError("nope");\n}\nboom()');
      assert.ok(r.status === 'error', JSON.stringify(r));
      assert.equal(r.error.name, 'RangeError');
      assert.equal(r.error.message, 'nope');
      assert.equal(r.error.location?.line, 3);
    },
  },
  {
    name: 'a thrown value that is no error is shown as what it is (Uncaught: { code: 42 }), not as an Error',
    test: async (k) => {
      const thrown = async (code: string) => {
        const r = await k.run(code);
        assert.ok(r.status === 'error', JSON.stringify(r));
        return [r.error.name, r.error.message, r.error.props];
      };
      assert.deepEqual(await thrown("throw { code: 42, reason: 'object thrown' }"), ['Uncaught', "{ code: 42, reason: 'object thrown' }", undefined]);
      assert.deepEqual(await thrown("throw [1, 'two']"), ['Uncaught', "[ 1, 'two' ]", undefined]);
      assert.deepEqual(await thrown('throw null'), ['Uncaught', 'null', undefined]);
      // a primitive as Node's REPL names it (`Uncaught 'text'`)
      assert.deepEqual(await thrown("throw 'it\\'s text'"), ['Uncaught', `"it's text"`, undefined]);
      assert.deepEqual(await thrown("throw 'plain'"), ['Uncaught', "'plain'", undefined]);
      assert.deepEqual(await thrown('throw 10n'), ['Uncaught', '10n', undefined]);
      assert.deepEqual(await thrown("throw Symbol('s')"), ['Uncaught', 'Symbol(s)', undefined]);
      // a getter of the thrown object is not run to describe it
      const [, message] = await thrown("throw { get boom() { throw new Error('ran') }, n: 1 }");
      assert.match(String(message), /^\{ boom: \[Getter\], n: 1 \}$/);
      // one shaped as an error (a name and a message) reads as one
      assert.deepEqual((await thrown("throw { name: 'ShapedError', message: 'like an error' }")).slice(0, 2), ['ShapedError', 'like an error']);
      // an error keeps its name, and its own properties as before
      const [name, text, props] = await thrown("throw Object.assign(new TypeError('typed'), { code: 'E_T' })");
      assert.deepEqual([name, text, props], ['TypeError', 'typed', { code: "'E_T'" }]);
    },
  },
  {
    name: "an error inside a value, or a promise's, previews as Name: message, without frames (no kernel or cell file paths)",
    test: async (k) => {
      const preview = async (code: string) => ((await k.run(code)) as { value: ObjectValue }).value.preview;
      const inObject = await preview("const inner = new Error('inner'); ({ inner, after: 1 })");
      assert.match(inObject, /^\{ inner: \[?Error: inner\]?, after: 1 \}$/);
      const inMap = await preview("new Map([['k', new TypeError('t')]])");
      assert.match(inMap, /^Map\(1\) \{ 'k' => \[?TypeError: t\]? \}$/);
      const rejected = await preview("const p = Promise.reject(new RangeError('boom')); p.catch(() => 0); await 0; p");
      assert.match(rejected, /^Promise \{ <rejected> \[?RangeError: boom\]? \}$/);
      const any = await preview("await Promise.any([Promise.reject(new Error('first')), Promise.reject(new TypeError('second'))]).catch((e) => e)");
      // (Bun's has no message)
      assert.match(any, /^AggregateError(: All promises were rejected)? \(errors: Error: first, TypeError: second\)$/);
      for (const text of [inObject, inMap, rejected, any]) assert.doesNotMatch(text, /\bat |__coda|worker|sidecar/, text);
    },
  },
  {
    name: "a promise a cell returns: shown again once it settles, its rejection (now or later) the cell's error; a logged promise's rejection is not hidden (Sandbox: logged ones unreported, as documented)",
    test: async (k) => {
      const settled: WorkerEvents['resultSettled'][] = [];
      const uncaught: WorkerEvents['uncaught'][] = [];
      const offs = [k.kernel.onEvent('resultSettled', (e) => settled.push(e)), k.kernel.onEvent('uncaught', (e) => uncaught.push(e))];
      const until = (what: () => boolean, label: string) =>
        eventually(what, () => `${label}: settled ${JSON.stringify(settled)}, uncaught ${JSON.stringify(uncaught)}`);
      const preview = (r: Awaited<ReturnType<K['run']>>) => (r as { value: ObjectValue }).value.preview;
      try {
        const fulfils = await k.run('new Promise((r) => setTimeout(() => r({ a: 1 }), 30))', { cellId: 'fulfils' });
        assert.equal(preview(fulfils), 'Promise { <pending> }');
        await until(() => settled.some((e) => e.cellId === 'fulfils'), 'fulfilled');
        const f = settled.find((e) => e.cellId === 'fulfils')!;
        assert.equal((f.value as ObjectValue).preview, 'Promise { { a: 1 } }');
        assert.ok(!uncaught.some((e) => e.cellId === 'fulfils'));

        const rejects = await k.run("async function main() { await new Promise((r) => setTimeout(r, 30)); throw new Error('main failed') }\nmain()", {
          cellId: 'rejects',
        });
        assert.equal(preview(rejects), 'Promise { <pending> }');
        await until(() => uncaught.some((e) => e.cellId === 'rejects'), 'rejected later');
        const later = settled.find((e) => e.cellId === 'rejects')!;
        assert.match((later.value as ObjectValue).preview, /^Promise \{ <rejected> \[?Error: main failed\]? \}$/);
        const error = uncaught.find((e) => e.cellId === 'rejects')!;
        assert.equal(error.error.message, 'main failed');
        assert.equal(error.from, 'result', 'the rejection says it is the returned promise’s');
        assert.equal(error.executionId, later.executionId);

        const now = await k.run("Promise.reject(new RangeError('at once'))", { cellId: 'now' });
        assert.match(preview(now), /<rejected>/);
        // before the result: a runner has it before it goes on to the next cell
        assert.ok(
          uncaught.some((e) => e.cellId === 'now'),
          'the rejection arrived after the result',
        );
        assert.equal(uncaught.find((e) => e.cellId === 'now')!.error.message, 'at once');
        assert.ok(!settled.some((e) => e.cellId === 'now'), 'a settled result is not shown again');

        // a rejection the cell left alone is its error, also when another promise handled one before it in the cell
        await k.run("const taken = Promise.reject(new Error('taken')); taken.catch(() => 0); Promise.reject(new Error('left'))", { cellId: 'left' });
        assert.deepEqual(
          uncaught.filter((e) => e.cellId === 'left').map((e) => [e.error.message, e.from]),
          [['left', 'result']],
        );

        if (k.runtime === 'sandbox') return;
        // previewing a promise (console.log) attaches no handler: its rejection is reported as Node reports it
        await k.run("const logged = new Promise((_, no) => setTimeout(() => no(new Error('logged')), 30)); console.log(logged); 0", { cellId: 'logged' });
        await until(() => uncaught.some((e) => e.error.message === 'logged'), 'logged');
      } finally {
        offs.forEach((off) => off());
      }
    },
  },
  {
    name: "a promise a cell returns and handles (p.catch(…); p) is no error, as in Node's REPL, settled or pending",
    test: async (k) => {
      const settled: WorkerEvents['resultSettled'][] = [];
      const uncaught: WorkerEvents['uncaught'][] = [];
      const offs = [k.kernel.onEvent('resultSettled', (e) => settled.push(e)), k.kernel.onEvent('uncaught', (e) => uncaught.push(e))];
      const preview = (r: Awaited<ReturnType<K['run']>>) => (r as { value: ObjectValue }).value.preview;
      try {
        // rejected already: a handler attached in the cell, or one in an earlier cell, or a then with a rejection handler
        const handled = [
          ["const a = Promise.reject(new Error('a')); a.catch(() => 0); a", 'a'],
          ["const b = Promise.reject(new TypeError('b')); b.then(null, () => 0); b", 'b'],
          ["const c = (async () => { throw new RangeError('c') })(); c.finally(() => 0).catch(() => 0); c", 'c'],
        ] as const;
        for (const [code, message] of handled) {
          const r = await k.run(code, { cellId: `handled-${message}` });
          assert.equal(r.status, 'ok');
          assert.match(preview(r), new RegExp(`<rejected> \\[?\\w*Error: ${message}\\]?`));
        }
        await sleep(100);
        assert.deepEqual(
          uncaught.map((e) => e.error.message),
          [],
          'a rejection the cell handled is no error',
        );
        uncaught.length = 0;

        // pending, handled in the cell, rejecting later: shown again, settled, and no error
        const later = await k.run(
          "const d = new Promise((_, no) => setTimeout(() => no(new Error('d')), 40)); d.catch((e) => console.log('handled', e.message)); d",
          { cellId: 'later' },
        );
        assert.equal(preview(later), 'Promise { <pending> }');
        await eventually(
          () => settled.some((e) => e.cellId === 'later'),
          () => `settled ${JSON.stringify(settled)}`,
        );
        assert.match((settled.find((e) => e.cellId === 'later')!.value as ObjectValue).preview, /^Promise \{ <rejected> \[?Error: d\]? \}$/);
        await sleep(100);
        assert.deepEqual(
          uncaught.map((e) => [e.error.message, e.from]),
          [],
          'a pending rejection the cell handled is no error',
        );
        // one a later cell handles before it rejects is no error either; one nobody handles is the cell's
        await k.run("globalThis.e = new Promise((_, no) => setTimeout(() => no(new Error('e')), 60)); e", { cellId: 'e' });
        await k.run("e.catch(() => 0); 'handled later'");
        await k.run("new Promise((_, no) => setTimeout(() => no(new Error('f')), 20))", { cellId: 'f' });
        await eventually(
          () => uncaught.length > 0 && settled.some((x) => x.cellId === 'e'),
          () => `uncaught ${JSON.stringify(uncaught)}`,
        );
        await sleep(50);
        assert.deepEqual(
          uncaught.map((x) => [x.cellId, x.error.message, x.from]),
          [['f', 'f', 'result']],
        );
        assert.ok(
          k.console.some((e) => e.text === 'handled d'),
          'the handler of the cell ran',
        );
      } finally {
        offs.forEach((off) => off());
      }
    },
  },
  {
    name: 'the web APIs a scratchpad expects answer alike (URL, URLSearchParams, TextEncoder/TextDecoder, atob/btoa, structuredClone, crypto, performance, EventTarget, AbortController)',
    test: async (k) => {
      // (a string value reads without its quotes)
      const same = async (code: string, expected: string) => assert.equal(await k.value(code), expected.replace(/^'(.*)'$/s, '$1'), code);
      await same(
        "const u = new URL('../b/c?x=1&y=two words#frag', 'https://user:pw@example.com:8080/a/index.html'); [u.href, u.origin, u.pathname, u.search, u.port].join(' ')",
        "'https://user:pw@example.com:8080/b/c?x=1&y=two%20words#frag https://example.com:8080 /b/c ?x=1&y=two%20words 8080'",
      );
      await same(
        "u.searchParams.append('z', 'ä&b'); u.pathname = '/new path'; u.hash = ''; u.href",
        "'https://user:pw@example.com:8080/new%20path?x=1&y=two+words&z=%C3%A4%26b'",
      );
      await same("const u2 = new URL('https://x.dev/?q=1'); u2.search = '?q=2&r=3'; u2.searchParams.get('q') + u2.searchParams.get('r')", "'23'");
      await same(
        "[URL.canParse('not a url'), URL.canParse('/rel', 'https://x.dev'), new URL('https://münchen.de').hostname].join()",
        "'false,true,xn--mnchen-3ya.de'",
      );
      // (Deno's has no Node error code)
      await same("(() => { try { new URL('nope') } catch (e) { return e.name } })()", "'TypeError'");
      await same(
        "const sp = new URLSearchParams('b=2&a=1&a=0&c=%E2%82%AC+x'); sp.sort(); [sp.toString(), sp.size, sp.getAll('a').join('|'), sp.get('c')].join(' ')",
        "'a=1&a=0&b=2&c=%E2%82%AC+x 4 1|0 € x'",
      );
      await same("const bytes = new TextEncoder().encode('héllo €😀'); bytes.length + ' ' + new TextDecoder().decode(bytes)", "'14 héllo €😀'");
      await same('new TextDecoder().decode(new Uint8Array([0xff, 0x61, 0xe2, 0x82]))', "'\\ufffda\\ufffd'".replace(/\\ufffd/g, '\ufffd'));
      await same('const dec = new TextDecoder(); dec.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + dec.decode(new Uint8Array([0xac]))', "'€'");
      await same("JSON.stringify(new TextEncoder().encodeInto('héllo', new Uint8Array(3)))", `'{"read":2,"written":3}'`);
      await same("[btoa('hello'), atob(' aGVs bG8= ')].join()", "'aGVsbG8=,hello'");
      await same("(() => { try { btoa('€') } catch (e) { return e.name + ' ' + e.code } })()", "'InvalidCharacterError 5'");
      await same(
        "const orig = { d: new Date(0), m: new Map([[1, { s: new Set([2]) }]]), r: /x/gi, t: new Uint16Array([1, 2]), e: new RangeError('r') }; orig.self = orig; const c = structuredClone(orig); [c !== orig, c.self === c, c.d.getTime(), c.m.get(1).s.has(2), c.r.flags, c.t[1], c.e instanceof RangeError].join()",
        "'true,true,0,true,gi,2,true'",
      );
      await same("(() => { try { structuredClone({ f() {} }) } catch (e) { return e.name + ' ' + e.code } })()", "'DataCloneError 25'");
      await same('/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())', 'true');
      await same("const r = crypto.getRandomValues(new Uint32Array(64)); r.length + ' ' + (new Set(r).size > 60)", "'64 true'");
      // (Bun fills any size)
      if (k.runtime !== 'bun')
        await same('(() => { try { crypto.getRandomValues(new Uint8Array(70000)) } catch (e) { return e.name } })()', "'QuotaExceededError'");
      await same('const t0 = performance.now(); await new Promise((r) => setTimeout(r, 30)); performance.now() - t0 >= 25', 'true');
      // events and aborts
      await same(
        "const et = new EventTarget(); const seen = []; et.addEventListener('ping', (e) => seen.push(e.type + (e.target === et)), { once: true }); et.dispatchEvent(new Event('ping')); et.dispatchEvent(new Event('ping')); seen.join()",
        "'pingtrue'",
      );
      await same(
        "const ctl = new AbortController(); let fired = 0; ctl.signal.onabort = () => fired++; ctl.signal.addEventListener('abort', () => fired++); ctl.abort(); ctl.abort(); [fired, ctl.signal.aborted, ctl.signal.reason.name].join()",
        "'2,true,AbortError'",
      );
      await same("const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort('first')]); [any.aborted, any.reason].join()", "'true,first'");
      await same('const ts = AbortSignal.timeout(20); await new Promise((r) => setTimeout(r, 60)); [ts.aborted, ts.reason.name].join()', "'true,TimeoutError'");
      await same("(() => { try { AbortSignal.abort('r').throwIfAborted() } catch (e) { return e } })()", "'r'");
    },
  },
  {
    name: 'Headers, Request, Response, Blob, File, FormData and TextDecoder encodings answer alike (Sandbox: no body stream; Bun: a GET body is no error)',
    test: async (k) => {
      const same = async (code: string, expected: string) => assert.equal(await k.value(code), expected, code);
      await same("const h = new Headers({ B: '2', a: '1' }); h.append('a', ' 3 '); JSON.stringify([...h]) + ' ' + h.get('A')", '[["a","1, 3"],["b","2"]] 1, 3');
      await same(
        "const r = new Response('hé', { status: 201, headers: { 'x-a': '1' } }); [r.status, r.ok, r.headers.get('x-a'), await r.text(), r.bodyUsed, await r.text().catch((e) => e.name), r instanceof Response].join()",
        '201,true,1,hé,true,TypeError,true',
      );
      await same("const j = Response.json({ a: 1 }); [j.headers.get('content-type').startsWith('application/json'), await j.text()].join(' ')", 'true {"a":1}');
      await same(
        "const q = new Request('https://x.dev/a b', { method: 'post', body: 'x', headers: { A: '1' } }); [q.url, q.method, q.headers.get('a'), await q.clone().text(), q instanceof Request].join()",
        'https://x.dev/a%20b,POST,1,x,true',
      );
      await same(
        "const bl = new Blob(['hé', new Uint8Array([33])], { type: 'text/plain' }); [bl.size, bl.type.startsWith('text/plain'), await bl.slice(1, 3).text(), await bl.text(), (await bl.bytes()).length].join()",
        '4,true,é,hé!,4',
      );
      await same("const f = new File(['ab'], 'a.txt', { lastModified: 42 }); [f.name, f.size, f.lastModified, f instanceof Blob].join()", 'a.txt,2,42,true');
      await same(
        "const fd = new FormData(); fd.append('a', '1'); fd.append('f', new File(['x'], 'x.txt')); fd.set('a', '2'); [fd.get('a'), fd.get('f').name, [...fd.keys()].join('+')].join()",
        '2,x.txt,a+f',
      );
      await same("const back = await new Response(fd).formData(); [back.get('a'), back.get('f').name, await back.get('f').text()].join()", '2,x.txt,x');
      await same("JSON.stringify([...(await new Response(new URLSearchParams({ q: 'a b' })).formData())])", '[["q","a b"]]');
      // (windows-1252's 0x80-0x9F: Node 20's latin1 decoder reads them as ISO-8859-1; sandboxFetchApis.test.ts checks them against Node 24)
      await same(
        "[new TextDecoder('utf-16le').decode(new Uint8Array([0x68, 0, 0xe9, 0])), new TextDecoder('latin1').decode(new Uint8Array([0x41, 0xe9])), new TextDecoder('latin1').encoding, new TextDecoder('utf-16be').encoding].join()",
        'hé,Aé,windows-1252,utf-16be',
      );
      await same(
        "[() => new Response('x', { status: 600 }), () => new Headers({ 'a b': '1' }), () => new Request('https://x.dev', { body: 'x' })].map((f) => { try { f(); return 'none' } catch (e) { return e.name } }).join()",
        k.runtime === 'bun' ? 'RangeError,TypeError,none' : 'RangeError,TypeError,TypeError',
      );
      // the Sandbox has no ReadableStream: a Response has no body stream (docs/security.md)
      await same("typeof new Response('x').body", k.runtime === 'sandbox' ? 'undefined' : 'object');
    },
  },
  {
    name: 'display() rich output',
    test: async (k) => {
      const shown = new Promise<WorkerEvents['display']>((resolve) => k.kernel.onEvent('display', resolve));
      await k.run('display.html("<b>hi</b>")');
      const d = await Promise.race([shown, sleep(2000).then(() => undefined)]);
      assert.deepEqual(
        d?.data.map((x) => [x.mime, x.data]),
        [['text/html', '<b>hi</b>']],
      );
    },
  },
  {
    name: 'scratch mode: line values and console lines',
    test: async (k) => {
      k.console.length = 0;
      k.lineValues.length = 0;
      const r = await k.run('const a = 2\na * 21\nconsole.log("on line 3")', { instrumentLines: true });
      assert.equal(r.status, 'ok');
      await sleep(100);
      assert.deepEqual(
        k.lineValues.filter((v) => v.line === 2).map((v) => v.value),
        [{ type: 'number', text: '42' }],
      );
      assert.equal(k.console.find((e) => e.text === 'on line 3')?.line, 3);
    },
  },
  {
    name: "scratch mode: a line's pending promise is shown again once it settles; its rejection is the cell's error, reported once",
    test: async (k) => {
      const settled: WorkerEvents['lineSettled'][] = [];
      const uncaught: WorkerEvents['uncaught'][] = [];
      const offs = [k.kernel.onEvent('lineSettled', (e) => settled.push(e)), k.kernel.onEvent('uncaught', (e) => uncaught.push(e))];
      const until = (what: () => boolean, label: string) =>
        eventually(what, () => `${label}: settled ${JSON.stringify(settled)}, uncaught ${JSON.stringify(uncaught)}`);
      try {
        k.lineValues.length = 0;
        const code = [
          'const later = (v, ms) => new Promise((r) => setTimeout(() => r(v), ms))',
          'later({ n: 7 }, 30)',
          'Promise.resolve(1)',
          "later(0, 40).then(() => { throw new RangeError('line failed') })",
          "later(0, 50).then(() => { throw new TypeError('last failed') })",
        ].join('\n');
        const r = await k.run(code, { cellId: 'lines', instrumentLines: true });
        assert.equal(r.status, 'ok', JSON.stringify(r));
        const byLine = (line: number) => k.lineValues.find((v) => v.cellId === 'lines' && v.line === line)!;
        const [fulfils, done, rejects, last] = [2, 3, 4, 5].map(byLine);
        assert.equal((fulfils!.value as ObjectValue).preview, 'Promise { <pending> }');
        assert.ok(fulfils!.promiseId! > 0, JSON.stringify(fulfils));
        // the Sandbox learns a promise's state a turn after its first preview (makeInspector): pending, then shown again
        if (k.runtime === 'sandbox') assert.ok(done!.promiseId! > 0, JSON.stringify(done));
        else assert.equal(done!.promiseId, undefined, 'a promise settled already is shown as it is, once');
        for (const v of [rejects, last]) assert.ok(v!.promiseId! > 0, JSON.stringify(v));
        assert.equal(new Set([fulfils, rejects, last].map((v) => v!.promiseId)).size, 3);

        await until(() => settled.length >= (k.runtime === 'sandbox' ? 4 : 3) && uncaught.length >= 2, 'settled');
        if (k.runtime === 'sandbox') assert.equal((settled.find((e) => e.promiseId === done!.promiseId)!.value as ObjectValue).preview, 'Promise { 1 }');
        const of = (v: WorkerEvents['lineValue']) => settled.filter((e) => e.promiseId === v.promiseId);
        assert.equal(of(fulfils!).length, 1);
        assert.equal((of(fulfils!)[0]!.value as ObjectValue).preview, 'Promise { { n: 7 } }');
        assert.equal(of(fulfils!)[0]!.executionId, fulfils!.executionId);
        assert.match((of(rejects!)[0]!.value as ObjectValue).preview, /^Promise \{ <rejected> \[?RangeError: line failed\]? \}$/);
        assert.match((of(last!)[0]!.value as ObjectValue).preview, /^Promise \{ <rejected> \[?TypeError: last failed\]? \}$/);
        await sleep(150);
        assert.deepEqual(
          uncaught.map((e) => e.from),
          ['line', 'line'],
          'a line’s rejection says it is a line’s (the last line followed first, as a line)',
        );
        // the last line is also the cell's result: its rejection is still reported once
        assert.deepEqual(uncaught.map((e) => [e.cellId, e.error.message]).sort(), [
          ['lines', 'last failed'],
          ['lines', 'line failed'],
        ]);
      } finally {
        offs.forEach((off) => off());
      }
    },
  },
  {
    name: 'a write without a line end: shown under its own cell, live, continued by the next write (Sandbox: no process)',
    test: async (k) => {
      if (k.runtime === 'sandbox') {
        const r = await k.run('process.stdout.write("x")');
        assert.ok(r.status === 'error' && /process is not defined/.test(r.error.message), JSON.stringify(r));
        return;
      }
      k.console.length = 0;
      let done = false;
      const running = k
        .run('process.stdout.write("step"); await new Promise((r) => setTimeout(r, 300)); process.stdout.write(" 1"); "done"')
        .finally(() => (done = true));
      for (let i = 0; i < 250 && !k.console.length && !done; i++) await sleep(20);
      assert.ok(!done, 'the cell still runs');
      assert.deepEqual(
        k.console.map((e) => [e.text, e.open]),
        [['step', true]],
        'the text shows while the cell runs',
      );
      await running;
      const joined: ConsoleEntry[] = [];
      for (const e of k.console) pushConsoleEntry(joined, e);
      assert.deepEqual(
        joined.map((e) => e.text),
        ['step 1'],
      );
      const cellId = k.console[0]!.cellId;
      k.console.length = 0;
      await k.run('process.stdout.write("next\\n")');
      await sleep(100);
      assert.equal(k.console.length, 1);
      assert.notEqual(k.console[0]!.cellId, cellId, "the next cell's line is its own");
    },
  },
  {
    name: 'packages from node_modules and relative modules (Sandbox: refused in words)',
    test: async (k) => {
      const code = 'import { add } from "cjs-pkg";\nimport twice from "esm-only";\nimport { local } from "./local.mjs";\n[add(1, 2), twice(4), local].join()';
      if (k.runtime === 'sandbox') {
        const r = await k.run(code);
        assert.ok(r.status === 'error' && /The sandbox cannot import modules/.test(r.error.message), JSON.stringify(r));
        return;
      }
      assert.equal(await k.value(code), '3,8,relative import');
    },
  },
  {
    name: "a CommonJS module compiled from an ES module: its default import is its default, as TypeScript's interop and `* as` read it (Sandbox: no modules)",
    test: async (k) => {
      if (k.runtime === 'sandbox') return;
      assert.equal(
        await k.value(
          'import d, * as ns from "compiled-pkg";\nimport { named } from "compiled-pkg";\n[typeof d, d(), d === ns.default, named, ns.named].join()',
        ),
        'function,default,true,2,2',
      );
      // without a default, its exports (as every runtime's own import gives them)
      assert.equal(await k.value('import e from "compiled-nodefault";\n[typeof e, e.named].join()'), 'object,2');
    },
  },
  {
    name: 'JSON with its import attribute, import.meta of the notebook (Sandbox: refused in words)',
    test: async (k) => {
      if (k.runtime === 'sandbox') {
        const r = await k.run('import.meta.url');
        assert.ok(r.status === 'error' && /Sandbox has none/.test(r.error.message), JSON.stringify(r));
        return;
      }
      assert.equal(await k.value('import data from "./data.json" with { type: "json" }; data.x'), '5');
      assert.equal(await k.value('(await import("./data.json", { with: { type: "json" } })).default.x'), '5');
      // without the attribute, as the editor's types and Bun take it
      assert.equal(await k.value('import bare from "./data.json"; bare.x + (await import("./data.json")).default.x'), '10');
      assert.equal(await k.value('import.meta.url.endsWith("/c.coda") && import.meta.dirname === __dirname'), 'true');
      assert.equal(await k.value('import.meta.resolve("./local.mjs").startsWith("file://")'), 'true');
      // a TypeScript module: Deno and Bun transform it, the Node kernel strips its types (Node 20 too)
      const tsFile = await k.run('import { double } from "./util.ts"; double(21)');
      assert.ok(tsFile.status === 'ok' && tsFile.value?.type === 'number' && tsFile.value.text === '42', JSON.stringify(tsFile));
      // the cells' __dirname is theirs: changing it leaves the kernel's own files where they are (TypeScript support)
      await k.run('__dirname = "/elsewhere"');
      const ts = await k.run('const typed: number = 2; typed', { language: 'typescript' });
      await k.run('__dirname = import.meta.dirname');
      assert.ok(ts.status === 'ok' && ts.value?.type === 'number' && ts.value.text === '2', JSON.stringify(ts));
    },
  },
  {
    name: 'a helper module edited while the kernel runs is loaded again, unchanged ones kept (Deno: the module imported directly; Sandbox: no modules)',
    test: async (k) => {
      if (k.runtime === 'sandbox') return;
      const dir = join(await k.value('process.cwd()'), 'fresh');
      mkdirSync(dir);
      const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
      write('top.mjs', 'import { n } from "./dep.mjs";\nexport const top = () => "top:" + n;\nexport const id = {};\n');
      write('dep.mjs', 'export const n = 1;\n');
      write('other.mjs', 'export const o = {};\n');
      write('c.cjs', 'module.exports = { v: require("./cdep.cjs") };\n');
      write('cdep.cjs', 'module.exports = 1;\n');
      const importBoth = 'import { top, id } from "./fresh/top.mjs";\nimport { o } from "./fresh/other.mjs";\n';
      assert.equal(await k.value(`${importBoth}globalThis.first = { id, o }; top()`), 'top:1');
      assert.equal(await k.value(`${importBoth}[top(), id === first.id, o === first.o].join()`), 'top:1,true,true', 'nothing changed: the same instances');
      write('dep.mjs', 'export const n = 22;\n');
      const after = await k.value(`${importBoth}[top(), id === first.id, o === first.o].join()`);
      // Node reloads what changed and what imports it; Bun drops every module cells loaded; Deno cannot reload a module
      // that another imports
      assert.equal(after, { node: 'top:22,false,true', bun: 'top:22,false,false', deno: 'top:1,true,true' }[k.runtime]);
      // imported directly, the changed file is its new version everywhere (Deno too)
      assert.equal(await k.value('import { n } from "./fresh/dep.mjs"; n'), '22');
      assert.equal(await k.value('require("./fresh/c.cjs").v'), '1');
      write('cdep.cjs', 'module.exports = 333;\n');
      assert.equal(await k.value('require("./fresh/c.cjs").v'), '333', 'a CommonJS module whose dependency changed');
      // an error thrown by a reloaded module names its file, not the version in its URL
      write('top.mjs', 'export function boom() {\n  throw new Error("from the new top");\n}\n');
      const r = await k.run('import { boom } from "./fresh/top.mjs"; boom()');
      assert.ok(r.status === 'error' && r.error.message === 'from the new top', JSON.stringify(r));
      const frame = r.error.frames?.[0];
      assert.ok(frame && 'file' in frame && /\/fresh\/top\.mjs$/.test(String(frame.file)) && frame.line === 2, JSON.stringify(r.error.frames));
      assert.ok(!r.error.stack?.includes('coda-v'), r.error.stack);
    },
  },
  {
    name: 'an import without its file extension resolves as the editor types do (Sandbox: no modules)',
    test: async (k) => {
      if (k.runtime === 'sandbox') return;
      const dir = join(await k.value('process.cwd()'), 'noext');
      mkdirSync(join(dir, 'folder'), { recursive: true });
      writeFileSync(join(dir, 'plain.js'), 'export const plain = "plain";\n');
      writeFileSync(join(dir, 'folder', 'index.js'), 'export { plain } from "../plain";\n');
      writeFileSync(join(dir, 'typed.ts'), 'export const typed: string = "typed";\n');
      assert.equal(await k.value('import { plain } from "./noext/folder"; plain'), 'plain');
      const typed = await k.run('import { typed } from "./noext/typed.js"; typed');
      assert.ok(typed.status === 'ok' && typed.value?.type === 'string' && typed.value.value === 'typed', JSON.stringify(typed));
    },
  },
  {
    name: 'a helper module that does not parse is named, with its line (Sandbox: no modules)',
    test: async (k) => {
      if (k.runtime === 'sandbox') return;
      const dir = join(await k.value('process.cwd()'), 'syntax');
      mkdirSync(dir);
      writeFileSync(join(dir, 'entry.mjs'), 'export { b } from "./broken.mjs";\n');
      writeFileSync(join(dir, 'broken.mjs'), 'export const a = 1;\nexport const b = 1 +* 2;\n');
      writeFileSync(join(dir, 'broken.cjs'), 'exports.a = 1;\nexports.b = 1 +* 2;\n');
      for (const [code, file] of [
        ['import { b } from "./syntax/entry.mjs"', 'broken.mjs'],
        ['require("./syntax/broken.cjs")', 'broken.cjs'],
      ] as const) {
        const r = await k.run(code);
        const first = r.status === 'error' ? (r.error.frames?.[0] as { file?: string; line?: number } | undefined) : undefined;
        assert.ok(first && String(first.file).endsWith(`/syntax/${file}`) && first.line === 2, JSON.stringify(r));
      }
    },
  },
  {
    name: 'stdin has ended for cells: reading, closing or destroying it keeps the kernel and its state (Sandbox: no stdin)',
    test: async (k) => {
      if (k.runtime === 'sandbox') {
        assert.equal(await k.value('typeof process'), 'undefined');
        return;
      }
      await k.run('var keptStdin = "kept"');
      assert.equal(
        await k.value(
          'const rl = require("node:readline").createInterface({ input: process.stdin }); const lines = []; for await (const l of rl) lines.push(l); rl.close(); lines.length',
        ),
        '0',
      );
      assert.equal(await k.value('let n = 0; for await (const c of process.stdin) n++; process.stdin.destroy(); n'), '0');
      if (k.runtime === 'deno') assert.equal(await k.value('[await Deno.stdin.read(new Uint8Array(4)), (Deno.stdin.close(), 1)].join()'), ',1');
      if (k.runtime === 'bun') assert.equal(await k.value('JSON.stringify(await Bun.stdin.text())'), '""');
      if (k.runtime === 'bun') assert.equal(await k.value('(await Bun.stdin.arrayBuffer()).byteLength'), '0');
      if (k.runtime !== 'node') assert.equal(await k.value('[prompt("name?"), confirm("sure?")].join()'), ',false');
      assert.equal(await k.value('keptStdin'), 'kept');
      assert.ok(k.kernel.alive);
    },
  },
  {
    name: 'permissions: only granted variables are visible (Bun: refuses to start)',
    test: async (k) => {
      process.env.CONF_VISIBLE = 'shown';
      process.env.CONF_HIDDEN = 'hidden';
      let pk: K;
      try {
        pk = await start(k.runtime, { env: ['CONF_VISIBLE'] });
      } catch (err) {
        delete process.env.CONF_VISIBLE;
        delete process.env.CONF_HIDDEN;
        if (k.runtime !== 'bun') throw err;
        assert.match((err as Error).message, /Bun cannot enforce permissions/);
        return;
      }
      try {
        assert.equal(await pk.value(envOf(k.runtime, 'CONF_VISIBLE')), 'shown');
        const hidden = await pk.run(envOf(k.runtime, 'CONF_HIDDEN'));
        const denied = hidden.status === 'error' && hidden.error.name === 'PermissionDenied';
        const absent = hidden.status === 'ok' && hidden.value?.type === 'undefined';
        assert.ok(denied || absent, `the hidden variable leaked: ${JSON.stringify(hidden)}`);
      } finally {
        await pk.kernel.dispose();
        delete process.env.CONF_VISIBLE;
        delete process.env.CONF_HIDDEN;
      }
    },
  },
  {
    name: 'secrets injected and masked',
    test: async (k) => {
      assert.equal(await k.value(`${envOf(k.runtime, 'CONF_SECRET')}.length`), String(SECRET.length));
      assert.equal(await k.value(envOf(k.runtime, 'CONF_SECRET')), MASK);
    },
  },
  {
    name: 'a cell that breaks the globals a kernel starts cells with does not stop the next cells',
    test: async (k) => {
      // the Node kernel starts cells from a MessageChannel, Deno's agent from a new one per cell, Bun's from setImmediate
      await k.run(
        'globalThis.savedMC = globalThis.MessageChannel; globalThis.savedSI = globalThis.setImmediate; globalThis.MessageChannel = class { constructor() { throw new Error("no channel") } }; globalThis.setImmediate = () => { throw new Error("no immediate") }; 0',
      );
      try {
        assert.equal(await k.value('1 + 1'), '2');
        assert.equal(await k.value('[1, 2, 3].length'), '3');
      } finally {
        await k.run('globalThis.MessageChannel = globalThis.savedMC; globalThis.setImmediate = globalThis.savedSI; 0');
      }
    },
  },
  {
    name: 'a flood of console lines reaches the host whole and in order, also after a cell replaced Atomics.wait',
    test: async (k) => {
      // 3,000 long lines: frames of up to 1,000 entries (~330 KB) overfill the pipe of a sidecar kernel (Deno, Bun), whose
      // agent then waits for the worker to drain it
      const pad = 'x'.repeat(200);
      const flood = async () => {
        k.console.length = 0;
        await k.run(`for (let i = 0; i < 3000; i++) console.log("line", i, "${pad}")`);
        for (let tries = 0; k.console.length < 3000 && tries < 500; tries++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(k.console.length, 3000);
        assert.ok(k.console.every((e, i) => e.text === `line ${i} ${pad}`));
      };
      await flood();
      await k.run('globalThis.savedWait = Atomics.wait; Atomics.wait = () => { for (;;); }; 0');
      try {
        await flood();
      } finally {
        await k.run('Atomics.wait = globalThis.savedWait; 0');
      }
    },
  },
  {
    name: 'interrupt a hung await, keep state',
    test: async (k) => {
      await k.run('const kept = "yes"');
      assert.equal(await interruptAfter(k, 'await new Promise(() => {})'), 'interrupted');
      assert.equal(await k.value('kept'), 'yes');
    },
  },
  {
    name: 'interrupt an async loop, keep state',
    test: async (k) => {
      await k.run('const kept2 = "yes"');
      assert.equal(await interruptAfter(k, 'for (;;) { await new Promise((r) => setTimeout(r, 1)) }'), 'interrupted');
      assert.equal(await k.value('kept2'), 'yes');
    },
  },
  {
    name: 'interrupt while(true){} (Bun: kernel restarted, said in words)',
    test: async (k) => {
      await k.run('const kept3 = "yes"');
      const outcome = await interruptAfter(k, 'while (true) {}');
      if (k.runtime === 'bun') {
        // Bun has no way to stop running JavaScript: the kernel is stopped and the user is told why
        assert.match(outcome, /^kernel exited: .*Bun/);
        return untilEnded(k);
      }
      assert.equal(outcome, 'interrupted');
      assert.equal(await k.value('kept3'), 'yes');
    },
  },
  {
    // the fast stop must tell a loop from work that ends by itself: busy timer callbacks are waited for, never cut
    name: 'interrupt a cell whose busy interval callbacks end by themselves, keep state (Bun: restarted, said in words)',
    test: async (k) => {
      await k.run('const kept4 = "yes"');
      for (let round = 0; round < 5; round++) {
        const busy = 'setInterval(() => { let x = 0; for (let i = 0; i < 2e6; i++) x += i }, 0); await new Promise(() => {})';
        const outcome = await interruptAfter(k, busy);
        if (k.runtime === 'bun' && outcome !== 'interrupted') {
          // Bun runs back-to-back timers before it reads its input, so the interrupt may not reach the agent in time
          assert.match(outcome, /^kernel exited: .*Bun cannot stop running JavaScript/);
          return untilEnded(k);
        }
        assert.equal(outcome, 'interrupted', `round ${round}`);
        assert.equal(await k.value('kept4'), 'yes', `round ${round}`);
      }
    },
  },
  {
    // most of this loop's time is the kernel's console: the stop must still land in the cell, and leave the kernel
    // answering (its output batches, its replies) as before
    name: 'interrupt a loop that logs on every turn, keep state and the console (Bun: restarted, said in words)',
    test: async (k) => {
      await k.run('const kept6 = "yes"');
      for (let round = 0; round < 3; round++) {
        const outcome = await interruptAfter(k, 'for (let i = 0; ; i++) console.log("turn", i)');
        if (k.runtime === 'bun' && outcome !== 'interrupted') {
          assert.match(outcome, /^kernel exited: .*Bun cannot stop running JavaScript/);
          return untilEnded(k);
        }
        assert.equal(outcome, 'interrupted', `round ${round}`);
        assert.equal(await k.value('kept6'), 'yes', `round ${round}`);
      }
      k.console.length = 0;
      await k.run('console.log("after the loops")');
      assert.ok(
        k.console.some((e) => JSON.stringify(e).includes('after the loops')),
        'the console still reaches the host',
      );
    },
  },
  {
    name: 'interrupt a microtask loop (for (;;) await null), keep state (Bun: restarted, said in words)',
    test: async (k) => {
      await k.run('const kept5 = "yes"');
      const outcome = await interruptAfter(k, 'for (;;) await null');
      if (k.runtime === 'bun') {
        assert.match(outcome, /^kernel exited: .*Bun cannot stop running JavaScript/);
        return untilEnded(k);
      }
      assert.equal(outcome, 'interrupted');
      assert.equal(await k.value('kept5'), 'yes');
    },
  },
];

for (const runtime of RUNTIMES) {
  describe(`conformance: ${runtime}`, function () {
    this.timeout(60_000);
    let k: K | undefined;
    let missing: string | undefined;
    let failedStart: Error | undefined;
    before(async function () {
      try {
        k = await start(runtime);
      } catch (err) {
        if (err instanceof RuntimeMissingError && !requireRuntimes) missing = err.message;
        else failedStart = err as Error;
      }
    });
    after(async () => {
      await k?.kernel.dispose();
    });
    for (const c of cases) {
      it(c.name, async function () {
        if (missing) {
          record(c.name, runtime, 'skip');
          this.skip();
        }
        try {
          if (failedStart) throw failedStart;
          if (!k!.kernel.alive) k = await start(runtime);
          await c.test(k!);
          record(c.name, runtime, 'pass');
        } catch (err) {
          record(c.name, runtime, 'FAIL');
          throw err;
        }
      });
    }
  });
}

after(() => {
  if (!results.size) return;
  const width = Math.max(...[...results.keys()].map((n) => n.length));
  const lines = ['conformance by runtime:', `${'case'.padEnd(width)} ${RUNTIMES.map((r) => r.padEnd(8)).join('')}`];
  for (const [name, row] of results) lines.push(`${name.padEnd(width)} ${RUNTIMES.map((r) => (row.get(r) ?? '-').padEnd(8)).join('')}`);
  const totals = RUNTIMES.map((r) => {
    const all = [...results.values()].map((row) => row.get(r));
    return `${r} ${all.filter((o) => o === 'pass').length}/${all.filter((o) => o && o !== 'skip').length}`;
  });
  lines.push(`per runtime: ${totals.join(', ')}`);
  console.log(`\n${lines.join('\n')}`);
});
