import { strict as assert } from 'node:assert';
import { analyzeDependencies } from '../../../host/deps/analyzeDependencies';
import { fetchOptions, parseNpmrc } from '../../../host/deps/npmConfig';
import { packageOf } from '../../../host/deps/packageName';
import { matchGolden } from '../helpers/golden';

describe('dependency analysis', () => {
  it('finds imports, re-exports, dynamic imports, requires and magic comments; skips the rest (golden)', async () => {
    const r = await analyzeDependencies([
      {
        cellId: 'a',
        code: [
          'import _ from "lodash";',
          'import type { Config } from "types-only";',
          'import { type A, type B } from "all-types";',
          'import { type C, value } from "mixed-types";',
          'import fs from "node:fs";',
          'import path from "path";',
          'import "./local.js";',
          'export { thing } from "@scope/pkg/deep/file.js";',
          'const m = await import("dynamic-pkg");',
          '// const x = require("in-a-comment");',
          '/* require("in-a-block-comment") */',
          'const s = "require(\'in-a-string\')";',
          "const chalk = require('chalk');",
          'const t: Record<string, number> = {};',
        ].join('\n'),
      },
      { cellId: 'b', code: '// @coda-dep lodash@4.17.21 left-pad@^1.3.0\n// @coda-dep date-fns\n// @coda-dep local@file:../x\nconst y = 1;' },
    ]);
    matchGolden('deps/analysis.json', `${JSON.stringify(r, null, 1)}\n`);
    assert.deepEqual(
      r.specs.map((s) => s.name),
      ['@scope/pkg', 'chalk', 'date-fns', 'dynamic-pkg', 'left-pad', 'lodash', 'mixed-types'],
    );
    assert.equal(r.specs.find((s) => s.name === 'lodash')!.range, '4.17.21', 'a magic comment pins the version');
    assert.equal(r.problems.length, 1);
  });

  it('finds the imports of a JSX cell (the lexer reads `</h1>` as a regular expression): those before the JSX', async () => {
    const r = await analyzeDependencies([
      { cellId: 'a', code: "import { renderToString } from 'react-dom/server';\n\nrenderToString(<h1>Hello!</h1>)" },
      {
        cellId: 'b',
        code: '/** @jsxImportSource preact */\nimport { signal } from "@preact/signals";\nconst App = () => (\n  <main>\n    <p>it\'s {signal(1)}</p>\n  </main>\n);',
      },
      { cellId: 'c', code: 'const x = <div>{/* no imports */}</div>;' },
    ]);
    assert.deepEqual(
      r.sites.map((s) => [s.name, s.from.cellId, s.from.line]),
      [
        ['react-dom', 'a', 1],
        ['@preact/signals', 'b', 2],
      ],
    );
  });

  it('maps specifiers to package names', () => {
    assert.deepEqual(['lodash/fp', '@a/b/c', 'node:fs', 'fs', './x', '/abs', 'https://x', 'JSONStream', 'has space'].map(packageOf), [
      'lodash',
      '@a/b',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'JSONStream',
      undefined,
    ]);
  });

  it("never installs Bun's own modules for an import (the npm package `bun` is Bun's installer); a // @coda-dep still does", async () => {
    const imports = await analyzeDependencies([
      { cellId: 'c', code: 'import { $ } from "bun";\nimport { Database } from "bun:sqlite";\nconst b = await import("bun");\nrequire("bun:test")' },
    ]);
    assert.deepEqual(imports.specs, []);
    const pinned = await analyzeDependencies([{ cellId: 'c', code: '// @coda-dep bun@1\n' }]);
    assert.deepEqual(
      pinned.specs.map((s) => [s.name, s.range]),
      [['bun', '1']],
    );
  });

  it('finds require calls a regex scan misses or invents (after a regex with a quote, inside ${}, in strings)', async () => {
    const r = await analyzeDependencies([
      {
        cellId: 'c',
        code: [
          'const re = /["\']/g; const a = require("after-regex");',
          'const t = `${require("in-template")} and require("only-text")`;',
          'const s = "x"; /* " */ const b = require("after-tricky-comment");',
          'const big = require(`template-literal`);',
          'const dyn = require("pre" + "fixed");',
          'const J = require("JSONStream");',
        ].join('\n'),
      },
    ]);
    assert.deepEqual(
      r.specs.map((s) => s.name),
      ['after-regex', 'after-tricky-comment', 'in-template', 'JSONStream', 'template-literal'],
    );
  });

  it('reads a cell without the word require without parsing it, and still finds a require spelled with an escape', async () => {
    const r = await analyzeDependencies([
      { cellId: 'a', code: 'const x = 1 + 1; // no calls here' },
      { cellId: 'b', code: 'const e = requ\\u0069re("escaped");' },
      { cellId: 'c', code: 'const n = "requ\\u0069re(\\"in-a-string\\")";' },
    ]);
    assert.deepEqual(
      r.specs.map((s) => s.name),
      ['escaped'],
    );
  });

  it('reads // @coda-dep specs as npm does: aliases and build metadata, never files or git', async () => {
    const r = await analyzeDependencies([
      { cellId: 'd', code: '// @coda-dep my-lodash@npm:lodash@^4 zod@3.23.8+build.1\n// @coda-dep git+https://example.com/x.git\n1' },
    ]);
    assert.deepEqual(
      r.specs.map((s) => [s.name, s.range]),
      [
        ['my-lodash', 'npm:lodash@^4'],
        ['zod', '3.23.8+build.1'],
      ],
    );
    assert.equal(r.problems.length, 1);
  });

  it('keeps every place a package is imported, so a failure can name each cell', async () => {
    const r = await analyzeDependencies([
      { cellId: 'x', code: 'import a from "shared"' },
      { cellId: 'y', code: 'require("shared")' },
    ]);
    assert.deepEqual(
      r.sites.map((s) => [s.name, s.from.cellId]),
      [
        ['shared', 'x'],
        ['shared', 'y'],
      ],
    );
    assert.equal(r.specs.length, 1);
  });
});

describe('npm config', () => {
  it('reads .npmrc keys with environment expansion and maps them to fetch options', () => {
    const cfg = parseNpmrc(
      '; comment\nregistry = https://npm.example.com\n//npm.example.com/:_authToken=${TOKEN}\n@corp:registry=https://corp.example.com/\nhttps-proxy=http://proxy:3128\nstrict-ssl=false\n',
      { TOKEN: 'abc' },
    );
    assert.equal(cfg['//npm.example.com/:_authToken'], 'abc');
    assert.deepEqual(fetchOptions(cfg), {
      '//npm.example.com/:_authToken': 'abc',
      '@corp:registry': 'https://corp.example.com/',
      registry: 'https://npm.example.com/',
      httpsProxy: 'http://proxy:3128',
      strictSSL: false,
    });
  });
});
