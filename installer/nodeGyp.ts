/**
 * node-gyp for install scripts (`node-gyp rebuild`, the default install of packages with a binding.gyp), found the
 * way npm finds it without bundling it: `npm_config_node_gyp`, then a node-gyp CodaJS can resolve (a checkout), then
 * the copy inside npm next to the Node that runs the installer or on PATH. The packaged extension ships no
 * node_modules, so looking it up must never throw: a script that needs node-gyp and finds none says so.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';

const IN_NPM = join('node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

export function findNodeGyp(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string | undefined {
  const candidates: string[] = [];
  if (env.npm_config_node_gyp) candidates.push(env.npm_config_node_gyp);
  try {
    // external in the bundle (scripts/build.mjs): resolvable in a checkout, absent from the VSIX
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed beside CodaJS: look for npm's own copy
  }
  const nodeDir = dirname(execPath);
  candidates.push(join(nodeDir, '..', 'lib', IN_NPM), join(nodeDir, IN_NPM));
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)) {
    for (const npm of ['npm', 'npm.cmd']) {
      const bin = join(dir, npm);
      if (!existsSync(bin)) continue;
      // <prefix>/bin/npm -> <prefix>/lib/node_modules/npm/bin/npm-cli.js; npm.cmd sits in <prefix>/
      const real = realOrSelf(bin);
      candidates.push(join(dirname(real), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), join(dir, IN_NPM), join(dir, '..', 'lib', IN_NPM));
    }
  }
  return candidates.find((c) => existsSync(c));
}

/** A `node-gyp` command for script PATHs: runs the found node-gyp on `node`, or says none was found. */
export async function writeNodeGypShim(binDir: string, nodeGyp: string | undefined, node: string): Promise<void> {
  await mkdir(binDir, { recursive: true });
  const missing = 'node-gyp was not found: CodaJS uses the copy that comes with npm (install npm beside Node.js) or the file npm_config_node_gyp names.';
  await writeFile(join(binDir, 'node-gyp'), nodeGyp ? `#!/bin/sh\nexec "${node}" "${nodeGyp}" "$@"\n` : `#!/bin/sh\necho "${missing}" >&2\nexit 1\n`, {
    mode: 0o755,
  });
  await writeFile(join(binDir, 'node-gyp.cmd'), nodeGyp ? `@"${node}" "${nodeGyp}" %*\r\n` : `@echo ${missing} 1>&2\r\n@exit /b 1\r\n`);
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
