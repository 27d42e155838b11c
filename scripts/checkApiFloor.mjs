// Type-checks the extension against the VS Code API of its engines.vscode floor (the installed @types/vscode is newer):
// packs @types/vscode@<floor> from the registry into a temporary folder and runs tsc with `vscode` mapped to it.
// Usage: node scripts/checkApiFloor.mjs (needs the npm registry). Exit code 0: every API used exists in the floor.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const floor = /(\d+\.\d+\.\d+)/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.vscode)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'coda-api-floor-'));
try {
  const tgz = execFileSync('npm', ['pack', `@types/vscode@${floor}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim();
  execFileSync('tar', ['xzf', join(dir, tgz), '-C', dir]);
  const config = {
    extends: join(root, 'extension/tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      composite: false,
      incremental: false,
      typeRoots: [join(root, 'node_modules/@types')],
      paths: { vscode: [join(dir, 'vscode/index.d.ts')] },
    },
    include: [join(root, 'extension/**/*.ts')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
  console.log(`the extension type-checks against @types/vscode@${floor} (engines.vscode)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
