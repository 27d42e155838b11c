import { strict as assert } from 'node:assert';
import { analyzeDependencies } from '../../../worker/deps/analyzeDependencies';
import { fetchOptions, parseNpmrc } from '../../../worker/deps/npmConfig';
import { packageOf } from '../../../worker/deps/packageName';
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
          'const chalk = require(\'chalk\');',
          'const t: Record<string, number> = {};',
        ].join('\n'),
      },
      { cellId: 'b', code: '// @coda-dep lodash@4.17.21 left-pad@^1.3.0\n// @coda-dep date-fns\n// @coda-dep not!valid\nconst y = 1;' },
    ]);
    matchGolden('deps/analysis.json', `${JSON.stringify(r, null, 1)}\n`);
    assert.deepEqual(r.specs.map((s) => s.name), ['@scope/pkg', 'chalk', 'date-fns', 'dynamic-pkg', 'left-pad', 'lodash', 'mixed-types']);
    assert.equal(r.specs.find((s) => s.name === 'lodash')!.range, '4.17.21', 'a magic comment pins the version');
    assert.equal(r.problems.length, 1);
  });

  it('maps specifiers to package names', () => {
    assert.deepEqual(['lodash/fp', '@a/b/c', 'node:fs', 'fs', './x', '/abs', 'https://x', 'Bad_Name'].map(packageOf), ['lodash', '@a/b', undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('npm config', () => {
  it('reads .npmrc keys with environment expansion and maps them to fetch options', () => {
    const cfg = parseNpmrc('; comment\nregistry = https://npm.example.com\n//npm.example.com/:_authToken=${TOKEN}\n@corp:registry=https://corp.example.com/\nhttps-proxy=http://proxy:3128\nstrict-ssl=false\n', { TOKEN: 'abc' });
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
