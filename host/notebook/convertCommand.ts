/**
 * `coda convert <from> <to>`: a `.ipynb` to a `.coda` notebook or back, the format of each named by its extension.
 * Exit codes as `coda run`: 0 written, 2 when the input cannot be read or converted (nothing is written). The output
 * is written to a temporary file next to it and moved into place, so a failed write never leaves half a notebook. An
 * existing file is never replaced unless asked (`force`): a notebook exported before may hold what the new one does
 * not (a Jupyter notebook's outputs), and a file of the same name may be no notebook at all.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertNotebookText, notebookFormatOf } from './convertNotebookText';

/** Largest notebook read (a Jupyter notebook full of images can be large; past this it is not a notebook to convert). */
export const MAX_NOTEBOOK_BYTES = 256 * 1024 * 1024;

export interface ConvertCommandResult {
  exitCode: 0 | 2;
  /** One line per problem or warning, for stderr; the written path on success. */
  lines: string[];
}

export async function convertCommand(from: string, to: string, options: { force?: boolean } = {}): Promise<ConvertCommandResult> {
  const fail = (...lines: string[]): ConvertCommandResult => ({ exitCode: 2, lines });
  const fromFormat = notebookFormatOf(from);
  const toFormat = notebookFormatOf(to);
  if (!fromFormat || !toFormat) return fail('usage: coda convert <from> <to>: a notebook (.coda, .ipynb) or a script of // %% cells (.js, .ts…) each');
  if (resolve(from) === resolve(to)) return fail(`${from}: the output would overwrite the input`);
  let text: string;
  try {
    const size = (await stat(from)).size;
    if (size > MAX_NOTEBOOK_BYTES) return fail(`${from}: ${size} bytes is over the ${MAX_NOTEBOOK_BYTES}-byte limit for a notebook`);
    text = await readFile(from, 'utf8');
  } catch (err) {
    return fail(`${from}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = convertNotebookText(text, fromFormat, toFormat, from);
  if (!result.ok) return fail(...result.problems.map((p) => `${from}: ${p.path ? `${p.path}: ` : ''}${p.message}`));
  const temp = `${to}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, result.text, { flag: 'wx' });
    if (options.force) await rename(temp, to);
    else await placeNew(temp, to);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fail(`${to} exists: coda convert does not replace a file (--force replaces it)`);
    return fail(`${to}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { exitCode: 0, lines: [...result.warnings.map((w) => `${from}: ${w}`), `wrote ${to}`] };
}

/**
 * Moves `temp` to `to` unless `to` exists (EEXIST): a hard link fails atomically on an existing name. Where the file
 * system has no hard links, the name is looked at first and the file renamed.
 */
async function placeNew(temp: string, to: string): Promise<void> {
  try {
    await link(temp, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (
      await stat(to).then(
        () => true,
        () => false,
      )
    )
      throw Object.assign(new Error(`${to} exists`), { code: 'EEXIST' });
    await rename(temp, to);
    return;
  }
  await unlink(temp);
}
