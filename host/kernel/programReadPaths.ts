/**
 * What a Node kernel must be able to read to find the programs its notebook may run: the kernel looks a granted
 * bare name (`git`) up in the PATH it started with (worker/node/programPolicy.ts), and under Node's permission model
 * even a stat needs read access. Exactly `<folder>/<name>` for every absolute PATH folder and granted bare name is
 * granted (the program files themselves, never their folders); paths the notebook grants need nothing (they are
 * compared, not looked up).
 */
import { delimiter, isAbsolute, join } from 'node:path';
import { ANY } from '../../protocol';

export function programReadPaths(run: readonly string[] | undefined, searchPath: string | undefined): string[] {
  if (!run?.length || run.includes(ANY)) return [];
  const folders = (searchPath ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  const names = run.filter((rule) => rule !== '' && rule !== '.' && rule !== '..' && !rule.includes('/'));
  return [...new Set(names.flatMap((name) => folders.map((dir) => join(dir, name))))];
}
