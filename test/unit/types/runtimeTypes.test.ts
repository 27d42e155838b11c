/**
 * What each runtime gives a cell, as the editor sees it: Node's types in Node notebooks, the `Deno` namespace from
 * the notebook's Deno binary, only the Sandbox's own globals in a Sandbox notebook, `display` everywhere, and a
 * package's types from the notebook's store (a folder outside any node_modules of the workspace).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript';
import { runtimeBinary, requireRuntimes } from '../../runtimeBinaries';
import { CODA_SANDBOX_IMPORT } from '../../../tsplugin/core/replDiagnostics';
import { cellUri, messages, startServer, type Server } from './tsserverHarness';

const REPO_TYPES = resolve(__dirname, '../../../node_modules/@types');

describe('types: runtime globals and package types', function () {
  this.timeout(120_000);
  let dir: string;
  let server: Server;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'coda-rt-types-'));
    server = startServer({ root: dir });
  });
  afterEach(() => {
    server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const notebook = (name: string, runtime: string, cells: string[], extra: Record<string, unknown> = {}, kind: 'ts' | 'js' = 'ts') => {
    const nb = join(dir, name);
    server.configure({
      defaultTypeRoots: [REPO_TYPES],
      cacheDir: join(dir, 'cache'),
      notebooks: [{ uri: `file://${nb}`, runtime, cells: cells.map((_, i) => cellUri(nb, i)), ...extra }],
    });
    return server.openNotebook(nb, cells, kind);
  };
  const hover = (f: string, text: string, needle: string) => {
    const q = server.ls(f).getQuickInfoAtPosition(f, text.indexOf(needle));
    return q ? ts.displayPartsToString(q.displayParts) : '';
  };

  it("Node notebooks see Node's types: process, require, node: modules", () => {
    const cells = [
      'const v: string = process.version;\nconst fs = require("node:fs");\nimport { readFileSync } from "node:fs";\nreadFileSync("x", "utf8").toUpperCase();',
    ];
    const [f] = notebook('node.coda', 'node', cells);
    assert.deepEqual(messages(server.errors(f!)), []);
    assert.match(hover(f!, cells[0]!, 'readFileSync("x"'), /readFileSync\(path: PathOrFileDescriptor/);
  });

  it('Sandbox notebooks see only console, timers, display, env and fetch: require, process and imports are flagged', () => {
    const ok = 'console.log(env.TOKEN);\nsetTimeout(() => {}, 1);\nconst r = await fetch("https://example.com");\nawait r.text();\ndisplay.html("<b>x</b>");';
    const bad = 'const fs = require("fs");\nprocess.exit(1);\nimport os from "node:os";\nawait import("node:path");';
    const [c0, c1] = notebook('sandbox.coda', 'sandbox', [ok, bad]);
    assert.deepEqual(messages(server.errors(c0!)), []);
    const errs = server.errors(c1!);
    const at = (d: ts.Diagnostic) => bad.slice(d.start!, d.start! + d.length!);
    const flagged = errs.map((d) => [d.code, at(d)]);
    assert.deepEqual(
      flagged.filter(([, text]) => text === 'require' || text === 'process').map(([, t]) => t),
      ['require', 'process'],
      messages(errs).join('\n'),
    );
    assert.match(ts.flattenDiagnosticMessageText(errs.find((d) => at(d) === 'require')!.messageText, ''), /Sandbox runtime has no require/);
    const imports = errs.filter((d) => d.code === CODA_SANDBOX_IMPORT).map(at);
    assert.deepEqual(imports, ['import os from "node:os";', 'import("node:path")']);
  });

  it("Sandbox notebooks do not see Node's globals even when @types/node is next to the notebook", () => {
    const cells = ['Buffer.from("x"); __dirname;'];
    const [f] = notebook('sandbox2.coda', 'sandbox', cells, { typeRoots: [REPO_TYPES] });
    assert.deepEqual(
      server.errors(f!).map((d) => cells[0]!.slice(d.start!, d.start! + d.length!)),
      ['Buffer', '__dirname'],
    );
  });

  it("Sandbox notebooks see the prelude's web APIs typed (URL, TextEncoder, structuredClone, crypto, performance…)", () => {
    const cells = [
      'const u = new URL("/a?b=1", "https://x.dev"); u.searchParams.get("b")?.toUpperCase(); URL.canParse("x");\n' +
        'const bytes: Uint8Array = new TextEncoder().encode("é"); new TextDecoder().decode(bytes).length;\n' +
        'btoa(atob("aGk=")); structuredClone({ a: 1 }).a.toFixed(); crypto.randomUUID().length; crypto.getRandomValues(new Uint8Array(4));\n' +
        'performance.now() - performance.timeOrigin; new DOMException("m", "DataCloneError").code;\n' +
        'const ctl = new AbortController(); ctl.signal.addEventListener("abort", (e) => e.type); await fetch("https://x.dev", { signal: AbortSignal.any([ctl.signal, AbortSignal.timeout(5)]) });\n' +
        'u.nope;',
    ];
    const [f] = notebook('sandbox-web.coda', 'sandbox', cells);
    const errs = server.errors(f!);
    // only the property no URL has
    assert.deepEqual(
      errs.map((d) => cells[0]!.slice(d.start!, d.start! + d.length!)),
      ['nope'],
      messages(errs).join('\n'),
    );
  });

  it('Sandbox notebooks see Headers, Request, Response, Blob, File, FormData and the TextDecoder labels the prelude has', () => {
    const cells = [
      'const h = new Headers({ a: "1" }); h.append("b", "2"); for (const [k, v] of h) k.toUpperCase() + v; h.getSetCookie().length;\n' +
        'const req = new Request("https://x.dev", { method: "POST", body: new URLSearchParams({ q: "1" }), headers: h, redirect: "manual" }); await req.clone().text(); req.signal.aborted;\n' +
        'const res = await fetch(req); const ok: boolean = res instanceof Response && res.ok; const blob: Blob = await res.blob(); blob.slice(0, 1, "text/plain").size.toFixed();\n' +
        '(await res.clone().formData()).get("a"); const bytes: Uint8Array = await res.clone().bytes(); res.headers.get("content-type")?.toLowerCase(); res.bodyUsed;\n' +
        'Response.json({ a: 1 }, { status: 201, headers: [["x-a", "1"]] }).headers.get("content-type"); Response.redirect("https://x.dev", 301); Response.error().type;\n' +
        'new Response(new Blob(["x"]), { statusText: "OK" }); new Response(null, { status: 204 }); new Response(new Uint8Array(1));\n' +
        'const fd = new FormData(); fd.append("f", new File(["x"], "x.txt", { type: "text/plain", lastModified: 1 })); fd.append("s", "v"); fd.set("b", new Blob(["y"]), "y.bin");\n' +
        'const e = fd.get("f"); typeof e === "string" ? e : e?.name; for (const [k, v] of fd) k + (typeof v === "string" ? v : v.size);\n' +
        'await fetch("https://x.dev", { method: "PUT", body: fd }); await fetch(new URL("https://x.dev"), { method: "POST", body: new Blob(["x"]) }); await fetch(new Request("https://x.dev"));\n' +
        'new TextDecoder("utf-16le").decode(new Uint8Array(2)); new TextDecoder("UTF-8"); new TextDecoder("latin1").encoding === "windows-1252"; new TextDecoder("utf-16be", { fatal: true });\n' +
        'res.body; new TextDecoder("shift_jis"); fd.append("s", "v", "name.txt");',
    ];
    const [f] = notebook('sandbox-fetch.coda', 'sandbox', cells);
    const errs = server.errors(f!);
    // no body stream, no other encoding, no filename with a string value: as the Sandbox runs them
    assert.deepEqual(
      errs.map((d) => cells[0]!.slice(d.start!, d.start! + d.length!)),
      ['body', '"shift_jis"', '"v"'],
      messages(errs).join('\n'),
    );
  });

  it('display and its helpers are typed in every runtime', () => {
    for (const runtime of ['node', 'sandbox', 'bun']) {
      const cells = ['display.markdown("# hi");\ndisplay.table([{ a: 1 }]);\ndisplay.html(42);'];
      const [f] = notebook(`display-${runtime}.coda`, runtime, cells);
      const errs = server.errors(f!);
      assert.deepEqual(
        errs.map((d) => [d.code, cells[0]!.slice(d.start!, d.start! + d.length!)]),
        [[2345, '42']],
        `${runtime}: ${messages(errs)}`,
      );
      const names = server.completions(f!, cells[0]!, 'display.');
      for (const n of ['html', 'markdown', 'svg', 'png', 'json', 'table', 'text']) assert.ok(names.includes(n), `${runtime}: display.${n}`);
    }
  });

  it('Deno notebooks see the Deno namespace generated by their Deno binary', async function () {
    const deno = runtimeBinary('deno');
    if (!deno) {
      if (requireRuntimes) assert.fail('Deno is not in the runtime store');
      this.skip();
    }
    const cells = ['const text = await Deno.readTextFile("x");\ntext.toUpperCase();\nDeno.'];
    const [f] = notebook('deno.coda', 'deno', cells, { denoPath: deno });
    // the first request starts `deno types`; its declarations arrive in the background
    const deadline = Date.now() + 60_000;
    while (server.errors(f!).some((d) => d.code === 2304 || d.code === 2552) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      messages(server.errors(f!)).filter((m) => !m.includes('Identifier expected')),
      [],
    );
    assert.ok(server.completions(f!, cells[0]!, '\nDeno.').includes('readTextFile'));
    assert.match(hover(f!, cells[0]!, 'readTextFile'), /readTextFile\(path: string \| URL/);
    // and a Deno notebook does not see Node's
    const [g] = notebook('deno2.coda', 'deno', ['process.version;'], { denoPath: deno });
    assert.deepEqual(
      server
        .errors(g!)
        .map((d) => d.code)
        .filter((c) => c === 2580 || c === 2304 || c === 2591).length,
      1,
    );
  });

  it('Deno notebooks read JSX in every cell as their kernel runs it (classic React.createElement); Node notebooks do not', () => {
    const cells = [
      'declare const React: { createElement(...a: unknown[]): unknown; Fragment: unknown };',
      'const card = <div className="card">{1 + 1}</div>;\nconst list = <>\n  <b>x</b>\n  <i>y</i>\n</>;',
      'const total: number = list ? "two" : 2;',
    ];
    const [c0, c1, c2] = notebook('jsx.coda', 'deno', cells);
    assert.deepEqual(messages(server.errors(c0!)), []);
    assert.deepEqual(messages(server.errors(c1!)), [], 'JSX is no syntax error in a Deno cell');
    // the program goes on after the JSX cell: a name it declared is known, and a real type error is still one
    assert.match(messages(server.errors(c2!)).join('\n'), /^2322@6: Type 'string \| number' is not assignable to type 'number'/);
    // without the factory in scope the element fails, as it does when the kernel runs it
    const [d] = notebook('jsx-no-react.coda', 'deno', ['const el = <p>hi</p>;']);
    assert.match(messages(server.errors(d!)).join('\n'), /requires 'React' to be in scope/);
    const [e] = notebook('node-jsx.coda', 'node', ['const el = <p>hi</p>;']);
    assert.ok(server.errors(e!).length > 0, 'a Node cell is no JSX');
  });

  it("reads JSX from a cell's JSX pragma on, with the pragma's factory (tslab's @jsx cells, @jsx h)", () => {
    const tslab = ['/** @jsx */\ndeclare const React: { createElement(...a: unknown[]): unknown };\nconst a = <div>{1}</div>;', 'const b = <span>b</span>;'];
    const cells = notebook('tslab.coda', 'node', tslab);
    for (const f of cells) assert.deepEqual(messages(server.errors(f)), [], 'JSX after a bare @jsx is no error');
    // the pragma's factory is the one the editor asks for, as the kernel calls it
    const [h] = notebook('preact.coda', 'node', ['/** @jsx h */\nconst el = <p>x</p>;']);
    assert.match(messages(server.errors(h!)).join('\n'), /requires 'h' to be in scope/);
    const [h2] = notebook('preact2.coda', 'node', ['/** @jsx h */\nfunction h(...a: unknown[]) { return a; }\nconst el = <p>x</p>;']);
    assert.deepEqual(messages(server.errors(h2!)), []);
  });

  it("resolves a package and its @types from the notebook's store, outside any node_modules of the workspace", () => {
    const store = join(dir, 'store', 'node_modules');
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(store, file)), { recursive: true });
      writeFileSync(join(store, file), text);
    };
    write('typed-pkg/package.json', JSON.stringify({ name: 'typed-pkg', version: '1.0.0', types: 'index.d.ts', main: 'index.js' }));
    write('typed-pkg/index.d.ts', 'export declare function shout(s: string): string;\n');
    write('typed-pkg/index.js', 'exports.shout = (s) => s.toUpperCase();\n');
    write('untyped-pkg/package.json', JSON.stringify({ name: 'untyped-pkg', version: '1.0.0', main: 'index.js' }));
    write('untyped-pkg/index.js', 'exports.chunk = () => [];\n');
    write('@types/untyped-pkg/package.json', JSON.stringify({ name: '@types/untyped-pkg', version: '1.0.0', types: 'index.d.ts' }));
    write('@types/untyped-pkg/index.d.ts', 'export declare function chunk<T>(list: T[], size: number): T[][];\n');
    const cells = ['import { shout } from "typed-pkg";\nimport { chunk } from "untyped-pkg";', 'shout(1);\nchunk([1, 2, 3], 2);'];
    const [c0, c1] = notebook('pkgs.coda', 'node', cells, { modulePaths: [store] });
    assert.deepEqual(messages(server.errors(c0!)), []);
    assert.deepEqual(
      server.errors(c1!).map((d) => d.code),
      [2345],
    );
    assert.match(hover(c1!, cells[1]!, 'chunk'), /chunk<number>\(list: number\[\], size: number\): number\[\]\[\]/);
  });

  it("Bun notebooks see Node's types and an untyped Bun (no @types/bun installed), or Bun's types when it is", () => {
    const cells = ['const f = Bun.file("x");\nprocess.version.toUpperCase();'];
    const [f] = notebook('bun.coda', 'bun', cells);
    assert.deepEqual(messages(server.errors(f!)), []);
    assert.match(hover(f!, cells[0]!, 'Bun'), /var Bun: any/);
    const roots = join(dir, 'types');
    mkdirSync(join(roots, 'bun'), { recursive: true });
    writeFileSync(join(roots, 'bun', 'package.json'), JSON.stringify({ name: '@types/bun', version: '1.0.0', types: 'index.d.ts' }));
    writeFileSync(join(roots, 'bun', 'index.d.ts'), 'declare namespace Bun { function file(path: string): { text(): Promise<string> }; }\n');
    const [g] = notebook('bun2.coda', 'bun', ['Bun.file(1);'], { typeRoots: [roots] });
    assert.deepEqual(
      server.errors(g!).map((d) => d.code),
      [2345],
    );
  });
});
