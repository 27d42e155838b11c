/**
 * One notebook (or scratch file) as one program, with its own TypeScript language service: the cells in order
 * (core/buildProgram.ts), the runtime's declarations, the notebook's folders for packages and types. Requests
 * arrive in a document's coordinates and answers go back in them; nothing of another notebook is in this program.
 */
import { decoratorModeFor } from '../common/node/tsconfigDecorators';
import type * as ts from 'typescript';
import { analyzeCell, dynamicImports, type CellAnalysis, type TS } from './core/analyzeCell';
import { buildProgram, type NotebookProgram } from './core/buildProgram';
import { notebookFsPath } from './core/cellPaths';
import type { NotebookSettings } from './core/pluginConfig';
import { codaDiagnostics, replDiagnostic } from './core/replDiagnostics';
import { compilerOptionsFor } from './core/runtimeTypes';
import { JsxSettings, type JsxConfig } from '../common/JsxSettings';
import { ProgramSnapshot } from './ProgramSnapshot';
import type { RuntimeFiles } from './runtimeFiles';

/** A cell as a range of an editor document (a notebook cell: all of it; a scratch file: the lines of one cell). */
export interface DocumentCell {
  fileName: string;
  /** Offset of the cell in its document. */
  docStart: number;
  text: string;
  isTs: boolean;
}

export interface FileSystemHost {
  fileExists(path: string): boolean;
  readFile(path: string): string | undefined;
  directoryExists?(path: string): boolean;
  getDirectories?(path: string): string[];
  realpath?(path: string): string;
  getModifiedTime?(path: string): Date | undefined;
}

export interface Located {
  fileName: string;
  start: number;
  length: number;
}

/**
 * Versions of program texts, unique in the server: the document registry is shared by every notebook program of
 * every project, and a program re-created for the same notebook must never be handed an older text's syntax tree.
 */
let lastVersion = 0;
/**
 * How long what the disk said (a file's modification time, a module or type package resolution) is trusted
 * before it is asked again: long enough that a keystroke never stats every declaration file of the program, short
 * enough that types installed while the notebook is open show up at once.
 */
const DISK_FRESH_MS = 3000;

/** Compiler options for the JSX the kernel compiles (none: the runtime's own). */
function jsxOptions(tsm: TS, jsx: JsxConfig | undefined): ts.CompilerOptions {
  if (!jsx) return {};
  return jsx.runtime === 'classic'
    ? { jsx: tsm.JsxEmit.React, jsxFactory: jsx.factory, jsxFragmentFactory: jsx.fragment }
    : { jsx: tsm.JsxEmit.ReactJSX, jsxImportSource: jsx.importSource };
}
const nextVersion = () => ++lastVersion;

export class NotebookLanguageService {
  private readonly programPath: string;
  readonly ls: ts.LanguageService;
  private cells: DocumentCell[] = [];
  private program: NotebookProgram;
  private readonly analyses = new Map<string, CellAnalysis>();
  private snapshot: ProgramSnapshot;
  private version = nextVersion();
  private resolutionCache: ts.ModuleResolutionCache | undefined;
  private readonly diskMemo = new Map<string, unknown>();
  private readonly snapshots = new Map<string, { version: string; snapshot: ts.IScriptSnapshot | undefined }>();
  private lsHost: ts.LanguageServiceHost | undefined;
  private diskMemoTime = 0;
  /** jsxConfig() for the current cells and settings (forgotten when either changes). */
  private jsxNow: { config: JsxConfig | undefined } | undefined;

  constructor(
    private readonly tsm: TS,
    private settings: NotebookSettings,
    private readonly fs: FileSystemHost,
    private readonly runtimeFiles: RuntimeFiles,
    private readonly defaultTypeRoots: (settings: NotebookSettings) => readonly string[],
    registry: ts.DocumentRegistry,
  ) {
    const path = notebookFsPath(settings.key);
    this.programPath = settings.scratch ? `${path}.coda-program` : `${path}.program`;
    this.program = buildProgram(tsm, []);
    this.snapshot = new ProgramSnapshot(tsm, this.program.map.text);
    this.ls = tsm.createLanguageService(this.host(), registry);
  }

  get runtime() {
    return this.settings.runtime;
  }

  /**
   * The JSX the cells are read with, as their kernel compiles them (common/JsxSettings.ts): every cell of a Deno
   * notebook (Deno's classic React default), and in any notebook once a cell starts with a JSX pragma (its factory or
   * import source; the program is one file, so the first setting holds for all its cells). Undefined: no JSX.
   */
  private jsxConfig(): JsxConfig | undefined {
    return (this.jsxNow ??= { config: this.readJsx() }).config;
  }

  private readJsx(): JsxConfig | undefined {
    const settings = new JsxSettings(this.settings.runtime === 'deno');
    for (const c of this.cells) {
      const config = settings.forCell(c.text);
      if (config) return config;
    }
    return this.settings.runtime === 'deno' ? settings.forCell('') : undefined;
  }

  /**
   * TypeScript's experimentalDecorators (and emitDecoratorMetadata) when the tsconfig.json nearest the notebook turns
   * them on, and its class fields' semantics (`useDefineForClassFields: false`: a field read before a parameter property
   * is set is then no error), as the kernel then runs them (common/node/tsconfigDecorators.ts); read again as other
   * files on disk are.
   */
  private decoratorOptions(): ts.CompilerOptions {
    const mode = this.fromDisk('decorators', () => decoratorModeFor(notebookFsPath(this.settings.key), (p) => this.fs.readFile(p)));
    return {
      ...(mode.kind === 'legacy' && { experimentalDecorators: true, emitDecoratorMetadata: mode.metadata }),
      ...(mode.assignFields && { useDefineForClassFields: false }),
    };
  }

  /** The cells are read with JSX (jsxConfig). */
  get jsx(): boolean {
    return this.jsxConfig() !== undefined;
  }

  /** The program's file name (`.tsx` when its cells hold JSX). */
  get programFile(): string {
    return `${this.programPath}.ts${this.jsx ? 'x' : ''}`;
  }

  configure(settings: NotebookSettings): void {
    this.settings = settings;
    this.jsxNow = undefined;
    this.forgetDisk();
    // the same text as a new source file: TypeScript keeps an unchanged file's module resolutions, and a package the
    // notebook's store did not have before must resolve now
    this.snapshot = new ProgramSnapshot(this.tsm, this.program.map.text, true);
    this.version = nextVersion();
  }

  private forgetDisk(): void {
    this.resolutionCache = undefined;
    this.diskMemo.clear();
    this.diskMemoTime = Date.now();
  }

  /** What the disk answered for `key`, asked again once DISK_FRESH_MS passed since the memo was started. */
  private fromDisk<T>(key: string, ask: () => T): T {
    if (Date.now() - this.diskMemoTime > DISK_FRESH_MS) this.forgetDisk();
    if (this.diskMemo.has(key)) return this.diskMemo.get(key) as T;
    const value = ask();
    this.diskMemo.set(key, value);
    return value;
  }

  /** Brings the program up to date with the cells (cheap when nothing changed: only changed cells are re-read). */
  update(cells: DocumentCell[]): void {
    const same = cells.length === this.cells.length && cells.every((c, i) => sameCell(c, this.cells[i]!));
    if (same) return;
    this.cells = cells;
    this.jsxNow = undefined;
    const live = new Set<string>();
    this.program = buildProgram(this.tsm, cells, (c) => {
      const key = `${c.isTs ? 't' : 'j'}${this.jsx ? 'x' : ''}${c.text}`;
      live.add(key);
      let a = this.analyses.get(key);
      if (!a) this.analyses.set(key, (a = analyzeCell(this.tsm, c.text, c.isTs, this.jsx)));
      return a;
    });
    for (const k of this.analyses.keys()) if (!live.has(k)) this.analyses.delete(k);
    this.snapshot = new ProgramSnapshot(this.tsm, this.program.map.text);
    this.version = nextVersion();
  }

  get programText(): string {
    return this.program.map.text;
  }

  /** A document position as a program position, or undefined when it lies in no cell (a scratch marker line). */
  toProgram(fileName: string, pos: number): number | undefined {
    const i = this.cellIndexAt(fileName, pos);
    return i < 0 ? undefined : this.program.map.toProgram(i, pos - this.cells[i]!.docStart);
  }

  /** A program span as a document span (cut at its cell's end), or undefined between cells. */
  toDocument(start: number, length: number): Located | undefined {
    const s = this.program.map.spanToCell(start, length);
    const c = s && this.cells[s.cell];
    return c && s ? { fileName: c.fileName, start: c.docStart + s.start, length: s.length } : undefined;
  }

  /** Diagnostics of the document's cells as a user should see them, in the document's coordinates. */
  diagnostics(fileName: string, kind: 'semantic' | 'suggestion', fileOf: (fileName: string) => ts.SourceFile | undefined): ts.Diagnostic[] {
    const raw = kind === 'semantic' ? this.ls.getSemanticDiagnostics(this.programFile) : this.ls.getSuggestionDiagnostics(this.programFile);
    const out: ts.Diagnostic[] = [];
    this.cells.forEach((cell, index) => {
      if (cell.fileName !== fileName) return;
      const ctx = { tsm: this.tsm, program: this.program, cell: index, isTs: cell.isTs, runtime: this.settings.runtime };
      if (kind === 'semantic')
        for (const d of codaDiagnostics(ctx, this.settings.runtime === 'sandbox' ? dynamicImports(this.tsm, cell.text, cell.isTs) : []))
          out.push({ ...d, file: fileOf(fileName), start: (d.start ?? 0) + cell.docStart });
      for (const d of raw) {
        if (d.start === undefined) continue;
        const at = this.program.map.spanToCell(d.start, d.length ?? 0);
        if (!at || at.cell !== index) continue;
        const kept = replDiagnostic(d, ctx);
        if (!kept) continue;
        out.push({
          ...kept,
          file: fileOf(fileName),
          start: cell.docStart + at.start,
          length: at.length,
          relatedInformation: kept.relatedInformation?.flatMap((r) => this.relatedInDocuments(r, fileOf)),
        });
      }
    });
    return out;
  }

  /** Program ranges holding the document's text within [start, end) of the document (hoisted imports included). */
  programRanges(fileName: string, start: number, end: number): { start: number; length: number }[] {
    const out: { start: number; length: number }[] = [];
    this.cells.forEach((c, i) => {
      if (c.fileName !== fileName || c.docStart + c.text.length < start || c.docStart > end) return;
      out.push(...this.program.map.cellRanges(i));
    });
    return out;
  }

  /** Whether this program holds the file (the program text or one of the declaration files it reads). */
  hasFile(fileName: string): boolean {
    return fileName === this.programFile || !!this.ls.getProgram()?.getSourceFile(fileName);
  }

  private relatedInDocuments(r: ts.DiagnosticRelatedInformation, fileOf: (f: string) => ts.SourceFile | undefined): ts.DiagnosticRelatedInformation[] {
    if (r.file?.fileName !== this.programFile) return [r];
    if (r.start === undefined) return [{ ...r, file: undefined }];
    const loc = this.toDocument(r.start, r.length ?? 0);
    const file = loc && fileOf(loc.fileName);
    return loc && file ? [{ ...r, file, start: loc.start, length: loc.length }] : [];
  }

  private cellIndexAt(fileName: string, pos: number): number {
    let found = -1;
    this.cells.forEach((c, i) => {
      if (c.fileName === fileName && pos >= c.docStart && pos <= c.docStart + c.text.length) found = i;
    });
    return found;
  }

  private rootFiles(): string[] {
    const files = [this.programFile, this.runtimeFiles.displayFile];
    if (this.settings.runtime === 'sandbox') files.push(this.runtimeFiles.sandboxFile);
    if (this.settings.runtime === 'bun' && !this.hasBunTypes()) files.push(this.runtimeFiles.bunFallbackFile);
    if (this.settings.runtime === 'deno' && this.settings.denoPath) {
      const deno = this.runtimeFiles.denoTypes(this.settings.denoPath);
      if (deno) files.push(deno);
    }
    return files;
  }

  /** `@types/bun` in one of the notebook's type roots (the folder the extension's installs put it in). */
  private hasBunTypes(): boolean {
    return this.typeRoots().some((r) => this.fs.fileExists(`${r}/bun/package.json`));
  }

  private typeRoots(): string[] {
    return [...this.settings.typeRoots, ...this.defaultTypeRoots(this.settings)];
  }

  private host(): ts.LanguageServiceHost {
    return (this.lsHost ??= this.createHost());
  }

  private createHost(): ts.LanguageServiceHost {
    const tsm = this.tsm;
    const dir = notebookFsPath(this.settings.key).replace(/[\\/][^\\/]*$/, '') || '/';
    const moduleHost: ts.ModuleResolutionHost = {
      fileExists: (f) => this.fs.fileExists(f),
      readFile: (f) => this.fs.readFile(f),
      ...(this.fs.directoryExists ? { directoryExists: (d: string) => this.fs.directoryExists!(d) } : {}),
      ...(this.fs.realpath ? { realpath: (p: string) => this.fs.realpath!(p) } : {}),
      ...(this.fs.getDirectories ? { getDirectories: (d: string) => this.fs.getDirectories!(d) } : {}),
    };
    const resolve = (name: string, containingFile: string, options: ts.CompilerOptions): ts.ResolvedModuleWithFailedLookupLocations =>
      this.fromDisk(`m\0${name}\0${containingFile}`, () => resolveFresh(name, containingFile, options));
    const cache = () =>
      (this.resolutionCache ??= tsm.createModuleResolutionCache(dir, (f) => f, compilerOptionsFor(tsm, this.settings.runtime, this.typeRoots())));
    const resolveFresh = (name: string, containingFile: string, options: ts.CompilerOptions): ts.ResolvedModuleWithFailedLookupLocations => {
      this.resolutionCache ??= cache();
      const spec = denoSpecifier(name);
      const first = tsm.resolveModuleName(spec, containingFile, options, moduleHost, this.resolutionCache);
      if (first.resolvedModule) return first;
      // the notebook's store: packages installed for it live outside any node_modules of the workspace
      for (const p of this.settings.modulePaths) {
        const r = tsm.resolveModuleName(spec, `${p}/__coda__.ts`, options, moduleHost);
        if (r.resolvedModule) return r;
      }
      return first;
    };
    return {
      getCompilationSettings: () => ({
        ...compilerOptionsFor(tsm, this.settings.runtime, this.typeRoots(), this.settings.runtime === 'bun' && this.hasBunTypes()),
        ...jsxOptions(tsm, this.jsxConfig()),
        ...this.decoratorOptions(),
      }),
      getScriptFileNames: () => this.rootFiles(),
      getScriptVersion: (f) => {
        if (f === this.programFile) return String(this.version);
        return this.fromDisk(`v\0${f}`, () => String(this.fs.getModifiedTime?.(f)?.getTime() ?? 0));
      },
      getScriptSnapshot: (f) => {
        if (f === this.programFile) return this.snapshot;
        // TypeScript asks for every file's snapshot on each update: read a declaration file again only when it changed
        const version = this.host().getScriptVersion(f);
        const cached = this.snapshots.get(f);
        if (cached && cached.version === version) return cached.snapshot;
        const text = this.fs.readFile(f);
        const snapshot = text === undefined ? undefined : tsm.ScriptSnapshot.fromString(text);
        this.snapshots.set(f, { version, snapshot });
        return snapshot;
      },
      getScriptKind: (f) => (f === this.programFile ? (this.jsx ? tsm.ScriptKind.TSX : tsm.ScriptKind.TS) : tsm.ScriptKind.Unknown),
      getCurrentDirectory: () => dir,
      // not in the public host type, but read by the language service (as tsserver's projects provide it): its
      // package.json cache also serves TypeScript's per-file module format lookups; without it each keystroke re-reads them
      ...({ getModuleResolutionCache: () => cache() } as object),
      getDefaultLibFileName: (o) => tsm.getDefaultLibFilePath(o),
      fileExists: (f) => f === this.programFile || this.fs.fileExists(f),
      readFile: (f) => (f === this.programFile ? this.snapshot.text : this.fs.readFile(f)),
      ...(this.fs.directoryExists ? { directoryExists: (d: string) => this.fs.directoryExists!(d) } : {}),
      ...(this.fs.getDirectories ? { getDirectories: (d: string) => this.fs.getDirectories!(d) } : {}),
      ...(this.fs.realpath ? { realpath: (p: string) => this.fs.realpath!(p) } : {}),
      resolveModuleNameLiterals: (literals, containingFile, _redirected, options) => literals.map((l) => resolve(l.text, containingFile, options)),
      resolveTypeReferenceDirectiveReferences: (refs, containingFile, redirected, options, containingSourceFile) =>
        refs.map((r) => {
          const name = typeof r === 'string' ? r : r.fileName.toLowerCase();
          const mode = typeof r === 'string' ? undefined : tsm.getModeForFileReference(r, containingSourceFile?.impliedNodeFormat);
          return this.fromDisk(`t\0${name}\0${containingFile}\0${mode}`, () =>
            tsm.resolveTypeReferenceDirective(name, containingFile, options, moduleHost, redirected, undefined, mode),
          );
        }),
    };
  }
}

function sameCell(a: DocumentCell, b: DocumentCell): boolean {
  return a.fileName === b.fileName && a.docStart === b.docStart && a.isTs === b.isTs && a.text === b.text;
}

/** Deno's `npm:name@version/path` is the package `name/path` to TypeScript. */
function denoSpecifier(spec: string): string {
  const m = /^npm:(@[^/@]+\/[^/@]+|[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(spec);
  return m ? `${m[1]}${m[2] ?? ''}` : spec;
}
