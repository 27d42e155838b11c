/**
 * Which decorators a notebook runs (common/node/tsconfigDecorators.ts): the tsconfig.json nearest it, read as
 * TypeScript reads one (comments, trailing commas, `extends` of a path or a package), decides for the kernel and the
 * editor alike.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decoratorModeFor, withoutComments } from '../../../common/node/tsconfigDecorators';

describe('types: the decorators a notebook runs, from its tsconfig.json', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'coda-tsconfig-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const modeOf = (notebook: string) => decoratorModeFor(join(dir, notebook));

  it('standard decorators without a tsconfig.json, or with one that does not turn the older ones on', () => {
    assert.deepEqual(modeOf('a/b/nb.coda'), { kind: 'standard' });
    write('tsconfig.json', '{ "compilerOptions": { "strict": true } }');
    assert.deepEqual(modeOf('a/b/nb.coda'), { kind: 'standard' });
  });

  it('the nearest tsconfig.json decides, comments and trailing commas allowed; strict means strictNullChecks', () => {
    write('tsconfig.json', '{ "compilerOptions": { "experimentalDecorators": true } }');
    write(
      'app/tsconfig.json',
      '{\n  // NestJS\n  "compilerOptions": {\n    "experimentalDecorators": true, /* DI */\n    "emitDecoratorMetadata": true,\n    "strict": true,\n  },\n}',
    );
    assert.deepEqual(modeOf('app/notebooks/nb.coda'), { kind: 'legacy', metadata: true, strictNullChecks: true, tsconfig: join(dir, 'app', 'tsconfig.json') });
    assert.deepEqual(modeOf('other/nb.coda'), { kind: 'legacy', metadata: false, strictNullChecks: false, tsconfig: join(dir, 'tsconfig.json') });
  });

  it('follows extends: a relative path, a package in a node_modules folder above, and arrays of both; the file itself wins', () => {
    write('base/tsconfig.base.json', '{ "compilerOptions": { "experimentalDecorators": true, "strictNullChecks": false } }');
    write('node_modules/@tsconfig/nest/tsconfig.json', '{ "compilerOptions": { "emitDecoratorMetadata": true, "strict": true } }');
    write('p1/tsconfig.json', '{ "extends": "../base/tsconfig.base" }');
    write('p2/tsconfig.json', '{ "extends": ["@tsconfig/nest/tsconfig.json", "../base/tsconfig.base.json"] }');
    write('p3/tsconfig.json', '{ "extends": "../base/tsconfig.base.json", "compilerOptions": { "experimentalDecorators": false } }');
    assert.deepEqual(modeOf('p1/nb.coda'), { kind: 'legacy', metadata: false, strictNullChecks: false, tsconfig: join(dir, 'p1', 'tsconfig.json') });
    assert.deepEqual(modeOf('p2/nb.coda'), { kind: 'legacy', metadata: true, strictNullChecks: false, tsconfig: join(dir, 'p2', 'tsconfig.json') });
    assert.deepEqual(modeOf('p3/nb.coda'), { kind: 'standard' });
  });

  it('an extends cycle or a missing base stops; a tsconfig.json that does not parse leaves the standard decorators', () => {
    write('c/tsconfig.json', '{ "extends": "./tsconfig.json", "compilerOptions": { "experimentalDecorators": true } }');
    assert.equal(modeOf('c/nb.coda').kind, 'legacy');
    write('m/tsconfig.json', '{ "extends": "./missing.json", "compilerOptions": { "experimentalDecorators": true } }');
    assert.equal(modeOf('m/nb.coda').kind, 'legacy');
    write('bad/tsconfig.json', '{ "compilerOptions": { "experimentalDecorators": true ');
    assert.deepEqual(modeOf('bad/nb.coda'), { kind: 'standard' });
  });

  it('assigns class fields where TypeScript would: useDefineForClassFields false, said or by a target before ES2022', () => {
    const fieldsOf = (options: object) => {
      write('f/tsconfig.json', JSON.stringify({ compilerOptions: options }));
      return modeOf('f/nb.coda').assignFields ?? false;
    };
    assert.equal(fieldsOf({ target: 'ES2021' }), true);
    assert.equal(fieldsOf({ target: 'es5', experimentalDecorators: true }), true);
    assert.equal(fieldsOf({ target: 'ES2015' }), true);
    assert.equal(fieldsOf({ target: 'ES2022' }), false);
    assert.equal(fieldsOf({ target: 'ESNext' }), false);
    assert.equal(fieldsOf({ target: 'ES2022', useDefineForClassFields: false }), true);
    assert.equal(fieldsOf({ target: 'ES2020', useDefineForClassFields: true }), false);
    // no target: defined, as Deno, Bun, esbuild and tsx run them
    assert.equal(fieldsOf({ strict: true }), false);
    assert.deepEqual(modeOf('f/nb.coda'), { kind: 'standard' });
    // through extends, the file itself winning
    write('base.json', '{ "compilerOptions": { "target": "ES2021" } }');
    write('g/tsconfig.json', '{ "extends": "../base.json", "compilerOptions": { "experimentalDecorators": true } }');
    assert.equal(modeOf('g/nb.coda').assignFields, true);
    write('h/tsconfig.json', '{ "extends": "../base.json", "compilerOptions": { "useDefineForClassFields": true } }');
    assert.equal(modeOf('h/nb.coda').assignFields, undefined);
  });

  it('reads comments only outside strings', () => {
    assert.deepEqual(JSON.parse(withoutComments('{ "a": "http://x/*y*/", // c\n "b": [1, 2,], }')), { a: 'http://x/*y*/', b: [1, 2] });
  });
});
