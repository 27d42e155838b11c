import { strict as assert } from 'node:assert';
import {
  allowsHost,
  allowsName,
  asDenial,
  createMasker,
  isCodaError,
  MASK,
  parsePermissions,
  parseSecretNames,
  permissionDenied,
  permissionsKey,
} from '../../../protocol';
import { userEnvironment } from '../../../common/userEnvironment';
import { parseDotenv } from '../../../host/parseDotenv';

describe('permissions (declarations and matching)', () => {
  it('parses a declaration and names the bad field of a wrong one', () => {
    assert.deepEqual(parsePermissions({ net: ['a.com', 'a.com'], env: ['HOME'] }), { net: ['a.com'], env: ['HOME'] });
    assert.equal(parsePermissions(undefined), undefined);
    assert.throws(() => parsePermissions({ disk: ['/'] }), /metadata\.permissions\.disk is not a capability/);
    assert.throws(() => parsePermissions({ net: 'a.com' }), /metadata\.permissions\.net must be a list/);
    assert.throws(() => parsePermissions(['net']), /must be an object/);
  });

  it('matches hosts, ports and wildcards', () => {
    const p = { net: ['api.example.com', 'localhost:8080', '*.cdn.org'] };
    assert.ok(allowsHost(p, 'api.example.com', 443));
    assert.ok(allowsHost(p, 'API.EXAMPLE.COM'));
    // IPv6 rules: a bare address's colons are not a port; brackets take one
    assert.ok(allowsHost({ net: ['::1'] }, '::1', 8080));
    assert.ok(allowsHost({ net: ['[::1]:8080'] }, '[::1]', 8080));
    assert.ok(!allowsHost({ net: ['[::1]:8080'] }, '::1', 9090));
    assert.ok(!allowsHost({ net: ['::1'] }, '::2', 1));
    assert.ok(allowsHost(p, 'localhost', 8080));
    assert.ok(!allowsHost(p, 'localhost', 8081));
    assert.ok(allowsHost(p, 'img.cdn.org'));
    assert.ok(!allowsHost(p, 'cdn.org.evil.com'));
    assert.ok(!allowsHost(p, 'example.com'));
    assert.ok(!allowsHost({}, 'a.com'));
    assert.ok(allowsHost({ net: ['*'] }, 'anything'));
    assert.ok(allowsHost(undefined, 'anything'), 'no declaration: unrestricted');
  });

  it('matches env and run names exactly', () => {
    assert.ok(allowsName({ env: ['HOME'] }, 'env', 'HOME'));
    assert.ok(!allowsName({ env: ['HOME'] }, 'env', 'HOMEPATH'));
    assert.ok(allowsName({ run: ['*'] }, 'run', 'git'));
  });

  it('a remembered grant is keyed by the declaration, whatever its order', () => {
    assert.equal(permissionsKey({ net: ['b', 'a'] }), permissionsKey({ net: ['a', 'b'] }));
    assert.notEqual(permissionsKey({ net: ['a'] }), permissionsKey({ read: ['a'] }));
  });

  it('a denial names the capability, the target and how to grant it', () => {
    const e = permissionDenied('net', 'evil.com:443');
    assert.equal(e.name, 'PermissionDenied');
    assert.match(e.message, /network access to "evil\.com:443".*"net": \["evil\.com:443"\].*Manage Notebook Permissions/);
    assert.deepEqual(e.props, { capability: 'net', target: 'evil.com:443' });
    assert.ok(isCodaError(e, 'PermissionDenied'));
    // a runtime's own denial (Deno's NotCapable) rewritten as ours carries the code too, and keeps its frames
    const frames = [{ functionName: '', cellId: 'c', line: 1, column: 1 }];
    const rewritten = asDenial({ name: 'NotCapable', message: 'Requires net access to "evil.com:443"', frames }, 'net', 'evil.com:443');
    assert.ok(isCodaError(rewritten, 'PermissionDenied'));
    assert.deepEqual(rewritten.frames, frames);
  });

  it('user code sees only granted variables plus secrets when permissions are declared', () => {
    const env = { HOME: '/h', AWS_SECRET: 'x', PATH: '/bin' };
    assert.deepEqual(userEnvironment(env, { env: ['HOME'] }, { TOKEN: 'secret-1' }), { HOME: '/h', TOKEN: 'secret-1' });
    assert.deepEqual(userEnvironment(env, undefined, { TOKEN: 'secret-1' }), { ...env, TOKEN: 'secret-1' });
    assert.deepEqual(userEnvironment(env, { env: ['*'] }, {}), env);
  });

  it('secret names must be variable names', () => {
    assert.deepEqual(parseSecretNames(['A', 'A', 'B_2']), ['A', 'B_2']);
    assert.throws(() => parseSecretNames(['1A']), /metadata\.secrets must be a list of environment variable names/);
  });
});

describe('secret masking', () => {
  const mask = createMasker(['hunter2-token', 'quote"and\\slash']);

  it('masks secrets anywhere in nested data, keys included, without touching other values', () => {
    const frame = {
      kind: 'event',
      body: { entries: [{ text: 'token=hunter2-token!', values: [{ preview: "'hunter2-token'" }] }], n: 3, ['hunter2-token']: true },
    };
    const out = mask(frame);
    assert.equal(out.body.entries[0]!.text, `token=${MASK}!`);
    assert.equal(out.body.entries[0]!.values[0]!.preview, `'${MASK}'`);
    assert.equal(out.body.n, 3);
    assert.ok(MASK in out.body);
    assert.equal(frame.body.entries[0]!.text, 'token=hunter2-token!', 'the input is not modified');
  });

  it('masks the escaped forms that JSON and inspect previews produce', () => {
    assert.equal(mask(JSON.stringify({ s: 'quote"and\\slash' })), `{"s":"${MASK}"}`);
    assert.equal(mask("'quote\"and\\\\slash'"), `'${MASK}'`);
  });

  it('ignores values too short to mask safely', () => {
    const m = createMasker(['abc']);
    assert.equal(m('abcabc'), 'abcabc');
  });
});

describe('.env files', () => {
  it('reads names, quotes, export and comments, and names a bad line', () => {
    const { values, problems } = parseDotenv('# comment\nA=1\nexport B="two words\\n"\nC=\'x # y\'\nD=plain # trailing\n\nbad line\nE="open');
    assert.deepEqual(values, { A: '1', B: 'two words\n', C: 'x # y', D: 'plain' });
    assert.deepEqual(problems, [
      { line: 7, message: 'expected NAME=value' },
      { line: 8, message: 'the value of E has an unclosed quote' },
    ]);
  });
});
