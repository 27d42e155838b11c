/**
 * What the issue 17 benchmarks share: the six common packages, a project folder that depends on them, and bun and
 * pnpm installed from the npm registry for the run (their figures are measured, never guessed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The six common packages of issue 17. */
export const STORE_PACKAGES = ['lodash', 'zod', 'axios', 'date-fns', 'express', 'chalk'];
const BUN_VERSION = '1';
const PNPM_VERSION = '10';

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/** bun and pnpm from the npm registry, into the bench's own folder. */
export function tools(root: string): { bun: string; pnpm: string } {
  const dir = join(root, 'tools');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  run('npm', ['install', '--no-audit', '--no-fund', '--silent', `bun@${BUN_VERSION}`, `pnpm@${PNPM_VERSION}`], dir);
  return { bun: join(dir, 'node_modules', '.bin', 'bun'), pnpm: join(dir, 'node_modules', '.bin', 'pnpm') };
}

/** A project folder whose package.json depends on the six packages (any version). */
export function project(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: Object.fromEntries(STORE_PACKAGES.map((p) => [p, '*'])) }));
  return dir;
}
