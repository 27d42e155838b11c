import { strict as assert } from 'node:assert';
import type { Permissions } from '../../../protocol';
import { resolveAccess, type AccessPorts } from '../../../host/run/resolveAccess';

function ports(grant = true, values: Record<string, string> = {}) {
  const asked: { declared: Permissions; installScripts: boolean }[] = [];
  const secretsAsked: string[] = [];
  const p: AccessPorts = {
    grant: async (declared, installScripts) => {
      asked.push({ declared, installScripts });
      return grant;
    },
    secret: async (name) => {
      secretsAsked.push(name);
      return values[name];
    },
  };
  return { p, asked, secretsAsked };
}

describe('resolveAccess: permissions and secrets before a kernel starts', () => {
  it('a notebook that declares nothing is asked nothing and gets nothing', async () => {
    const { p, asked } = ports();
    assert.deepEqual(await resolveAccess({}, 'node', p), { ok: true, access: { permissions: undefined, env: {}, maskedValues: [] } });
    assert.equal(asked.length, 0);
  });

  it('asks to grant the declaration (with install scripts when allowed) and starts the kernel with it', async () => {
    const { p, asked } = ports(true);
    const meta = { permissions: { net: ['api.example.com'] }, allowInstallScripts: true };
    const outcome = await resolveAccess(meta, 'deno', p);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.access.permissions?.net, ['api.example.com']);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.installScripts, true);
  });

  it('a refused grant is a refusal, and no secret is read after it', async () => {
    const { p, secretsAsked } = ports(false, { TOKEN: 'abcdefgh' });
    assert.deepEqual(await resolveAccess({ permissions: { net: [] }, secrets: ['TOKEN'] }, 'node', p), { ok: false, refusal: { reason: 'refused' } });
    assert.deepEqual(secretsAsked, []);
  });

  it('Bun, which cannot enforce permissions, refuses a declaration without asking the user to grant it', async () => {
    const { p, asked } = ports(true);
    assert.deepEqual(await resolveAccess({ permissions: { read: ['.'] } }, 'bun', p), { ok: false, refusal: { reason: 'unsupported' } });
    assert.equal(asked.length, 0);
  });

  it('secrets become environment variables and masked values; the first without a value stops the run', async () => {
    const found = ports(true, { TOKEN: 'abcdefgh', KEY: 'ijklmnop' });
    assert.deepEqual(await resolveAccess({ secrets: ['TOKEN', 'KEY'] }, 'node', found.p), {
      ok: true,
      access: { permissions: undefined, env: { TOKEN: 'abcdefgh', KEY: 'ijklmnop' }, maskedValues: ['abcdefgh', 'ijklmnop'] },
    });
    const missing = ports(true, { KEY: 'ijklmnop' });
    assert.deepEqual(await resolveAccess({ secrets: ['TOKEN', 'KEY'] }, 'node', missing.p), { ok: false, refusal: { reason: 'secretMissing', name: 'TOKEN' } });
    assert.deepEqual(missing.secretsAsked, ['TOKEN']);
  });

  it('an unreadable declaration is refused with what is wrong in it', async () => {
    const { p } = ports();
    const outcome = await resolveAccess({ permissions: { teleport: ['*'] } }, 'node', p);
    assert.ok(!outcome.ok && outcome.refusal.reason === 'invalid');
    assert.match(outcome.refusal.detail, /teleport/);
  });
});
