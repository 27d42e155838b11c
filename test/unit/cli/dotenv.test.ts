import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { parseDotenv } from '../../../host/parseDotenv';
import { ROOT } from '../helpers/testKernel';

const PEM = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj', '-----END PRIVATE KEY-----'].join('\n');

/** Files whose values must be read exactly as the dotenv package reads them. */
const AS_DOTENV = [
  `PEM_KEY="${PEM}"\nAFTER=1\n`,
  'A=1\r\nB="x\r\ny"\r\nC=3\r\n',
  'Q="a\\nb\\rc\\td"\nS=\'a\\nb\'\nT=`tick \'n "quote`\n',
  'U=value # comment\nV="quoted # not a comment" # comment\nW=\'#hash\'\n#X=1\n   # indented comment\n',
  'export E=exported\nK: colon\ndotted.name=1\ndash-name=2\nEMPTY=\nSPACES =  padded  \n',
];

describe('.env files as dotenv reads them', () => {
  it('reads a PEM key in double quotes over several lines, and the line after it', () => {
    const { values, problems } = parseDotenv(`# key\nPEM_KEY="${PEM}"\nAFTER=1\n`);
    assert.equal(values.PEM_KEY, PEM);
    assert.equal(values.AFTER, '1');
    assert.deepEqual(problems, []);
  });

  it('expands \\n and \\r in double quotes only; single quotes and backticks are literal', () => {
    const { values } = parseDotenv('D="a\\nb\\rc"\nS=\'a\\nb\'\nB=`a\\nb`\nB2=`has \'single\' and "double"`');
    assert.deepEqual(values, { D: 'a\nb\rc', S: 'a\\nb', B: 'a\\nb', B2: 'has \'single\' and "double"' });
  });

  it('ends an unquoted value at #, keeps # inside quotes, skips comment lines', () => {
    const { values, problems } = parseDotenv('U=value # comment\nV="in # quotes" # after\nW=\'#hash\'\nY="y" # a "quoted" remark\n# X=1\n  # indented');
    assert.deepEqual(values, { U: 'value', V: 'in # quotes', W: '#hash', Y: 'y' });
    assert.deepEqual(problems, []);
  });

  it('reads export KEY=, KEY: value, dots and dashes in names, empty values', () => {
    const { values } = parseDotenv('export E=exported\nK: colon\ndotted.name=1\ndash-name=2\nEMPTY=\n');
    assert.deepEqual(values, { E: 'exported', K: 'colon', 'dotted.name': '1', 'dash-name': '2', EMPTY: '' });
  });

  it('reads a CRLF file, multi-line values included, with no \\r left in values', () => {
    const { values, problems } = parseDotenv('A=1\r\nB="x\r\ny"\r\nC=3\r\n');
    assert.deepEqual(values, { A: '1', B: 'x\ny', C: '3' });
    assert.deepEqual(problems, []);
  });

  it('names the lines that are not assignments, counting the lines of multi-line values', () => {
    const { values, problems } = parseDotenv(`A=1\nPEM_KEY="${PEM}"\nnot an assignment\n\n=nokey\nB=2\r\nE="open\n`);
    assert.deepEqual(problems, [
      { line: 6, message: 'expected NAME=value' },
      { line: 8, message: 'expected NAME=value' },
      { line: 10, message: 'the value of E has an unclosed quote' },
    ]);
    assert.deepEqual(values, { A: '1', PEM_KEY: PEM, B: '2' }, 'a value with an unclosed quote is not injected');
  });

  it('gives the same values as dotenv.parse', () => {
    for (const text of AS_DOTENV) assert.deepEqual({ ...parseDotenv(text).values }, { ...parse(text) }, JSON.stringify(text));
  });
});

describe('coda run --env-file', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'coda-dotenv-'));
  const notebook = join(dir, 'n.coda');
  writeFileSync(
    notebook,
    JSON.stringify({
      coda: 1,
      metadata: { secrets: ['PEM_KEY'] },
      cells: [{ kind: 'code', language: 'javascript', source: ["process.env.PEM_KEY.split('\\n').length"] }],
    }),
  );
  const coda = (envFile: string) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', notebook, '--json', `--env-file=${envFile}`], {
      encoding: 'utf8',
      env: { ...process.env, PEM_KEY: '' },
    });

  it('injects a multi-line PEM key whole', () => {
    const file = join(dir, 'pem.env');
    writeFileSync(file, `# the signing key\r\nPEM_KEY="${PEM.replace(/\n/g, '\r\n')}"\r\n`);
    const r = coda(file);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'), 'the key is masked');
    const doc = JSON.parse(r.stdout) as { cells: { value?: { text?: string } }[] };
    assert.equal(doc.cells[0]!.value?.text, '4', 'four lines reached the cell');
  });

  it('prints file:line: message for a line that is not an assignment', () => {
    const file = join(dir, 'bad.env');
    writeFileSync(file, `PEM_KEY="${PEM}"\nthis is not an assignment\n`);
    const r = coda(file);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: expected NAME=value`));
  });
});
