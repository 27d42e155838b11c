/**
 * Declaration files the notebook programs add for their runtime, written once to a cache folder so that "go to
 * definition" on `display` or `Deno.readTextFile` opens a real file. Deno's come from the notebook's own Deno
 * binary (`deno types`, nothing from the network), generated in the background the first time a Deno notebook
 * asks; `onReady` lets the plugin refresh diagnostics when they arrive.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUN_FALLBACK_DTS, DISPLAY_DTS, SANDBOX_DTS } from './core/runtimeTypes';

/** `deno types` prints about 0.7 MB; anything far larger is not what we asked for. */
const MAX_DENO_TYPES_BYTES = 16 * 1024 * 1024;
const DENO_TYPES_TIMEOUT_MS = 30_000;
/** Bumped when the declarations above change, so an old cache is not reused. */
const FILES_VERSION = 3;

export class RuntimeFiles {
  private readonly deno = new Map<string, { file: string | undefined; ready: Promise<void> }>();
  readonly displayFile: string;
  readonly sandboxFile: string;
  readonly bunFallbackFile: string;
  readonly dir: string;

  /** `dir`: the extension's storage; without one, a folder of this user's own in the temporary folder. */
  constructor(
    dir: string | undefined,
    private readonly onReady: () => void = () => {},
  ) {
    this.dir = dir ?? privateTempDir();
    mkdirSync(this.dir, { recursive: true });
    this.displayFile = writeOnce(this.dir, `coda-display-v${FILES_VERSION}.d.ts`, DISPLAY_DTS);
    this.sandboxFile = writeOnce(this.dir, `coda-sandbox-v${FILES_VERSION}.d.ts`, SANDBOX_DTS);
    this.bunFallbackFile = writeOnce(this.dir, `coda-bun-untyped-v${FILES_VERSION}.d.ts`, BUN_FALLBACK_DTS);
  }

  /** The Deno declarations of this binary, or undefined while they are generated (or when generation failed). */
  denoTypes(denoPath: string): string | undefined {
    return this.denoEntry(denoPath).file;
  }

  /** Resolves once the Deno declarations of this binary are there (or failed). */
  denoReady(denoPath: string): Promise<void> {
    return this.denoEntry(denoPath).ready;
  }

  private denoEntry(denoPath: string) {
    const entry = this.deno.get(denoPath);
    if (entry) return entry;
    let stamp = '';
    try {
      const s = statSync(denoPath);
      stamp = `${s.size}:${s.mtimeMs}`;
    } catch {
      // a missing binary: nothing to generate
    }
    const file = join(this.dir, `deno-${createHash('sha256').update(`${denoPath}\0${stamp}`).digest('hex').slice(0, 16)}.d.ts`);
    const created: { file: string | undefined; ready: Promise<void> } = { file: existsSync(file) ? file : undefined, ready: Promise.resolve() };
    if (!created.file && stamp)
      created.ready = new Promise<void>((resolve) => {
        execFile(
          denoPath,
          ['types'],
          { timeout: DENO_TYPES_TIMEOUT_MS, maxBuffer: MAX_DENO_TYPES_BYTES, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } },
          (err, stdout) => {
            if (!err && stdout.includes('declare namespace Deno')) {
              writeAtomically(file, withoutDenoLibReferences(stdout));
              created.file = file;
              this.onReady();
            }
            resolve();
          },
        );
      });
    this.deno.set(denoPath, created);
    return created;
  }
}

/** Deno's own lib names (`deno.net`, …) are not TypeScript's: their content is already inlined in the output. */
export function withoutDenoLibReferences(dts: string): string {
  return dts.replace(/^\/\/\/\s*<reference\s+lib="deno\.[^"]*"\s*\/>\s*$/gm, '');
}

/**
 * `<tmp>/codajs-tsplugin-<uid>`, used only when it is a real folder of this user's that nobody else may write
 * (another user could otherwise plant declarations or links there); otherwise a fresh folder of its own.
 */
function privateTempDir(): string {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `codajs-tsplugin-${uid ?? 'user'}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const s = lstatSync(dir);
    if (s.isDirectory() && !s.isSymbolicLink() && (uid === undefined || (s.uid === uid && (s.mode & 0o022) === 0))) return dir;
  } catch {
    // fall through to a folder of our own
  }
  return mkdtempSync(join(tmpdir(), 'codajs-tsplugin-'));
}

function writeOnce(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  try {
    if (readFileSync(file, 'utf8') === text) return file;
  } catch {
    // not written yet
  }
  writeAtomically(file, text);
  return file;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
