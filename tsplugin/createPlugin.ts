/**
 * The TypeScript server plugin: for the cells of a CodaJS notebook (and a configured `// %%` scratch file) every
 * semantic answer comes from that notebook's own program (NotebookLanguageService); everything else goes to
 * VS Code's service unchanged. In VS Code's service each cell is turned into a module (an `export {}` appended
 * past its end, so no position moves): its names no longer land in the global scope every script cell of every
 * open notebook shares, so one notebook's names are not offered in another, and nothing is answered twice.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as ts from 'typescript';
import type * as tss from 'typescript/lib/tsserverlibrary';
import type { TS } from './core/analyzeCell';
import { canonicalCellPath, CODA_NOTEBOOK_EXTENSION, parseCellPath } from './core/cellPaths';
import { cellClosers } from './core/cellClosers';
import { isolateCellText, unclosedDiagnostic } from './core/isolateCell';
import { isObjectLiteralCell } from './core/objectLiteralCell';
import { NODE_TYPES_DIR, nodeTypesMajor } from './core/nodeTypes';
import { checkMessage, type NotebookSettings } from './core/pluginConfig';
import { scratchCells } from './core/scratchCells';
import { ResultMapper } from './mapResults';
import { NotebookLanguageService, type DocumentCell, type FileSystemHost } from './NotebookLanguageService';
import { RuntimeFiles } from './runtimeFiles';
import { shippedTypesDir } from './shippedTypes';

/** State shared by every project of one tsserver: what the extension told us, the runtime declaration files. */
export class PluginState {
  readonly settings = new Map<string, NotebookSettings>();
  /** Folders the message named (tests), else none: each notebook then gets the shipped types of its Node major. */
  defaultTypeRoots: string[] = [];
  runtimeFiles: RuntimeFiles | undefined;
  readonly registry: ts.DocumentRegistry;
  private readonly listeners = new Set<() => void>();

  constructor(readonly tsm: TS) {
    this.registry = tsm.createDocumentRegistry();
  }

  files(): RuntimeFiles {
    return (this.runtimeFiles ??= new RuntimeFiles(undefined, () => this.changed()));
  }

  configure(raw: unknown): void {
    const msg = checkMessage(raw);
    if (msg.cacheDir && this.runtimeFiles?.dir !== msg.cacheDir) this.runtimeFiles = new RuntimeFiles(msg.cacheDir, () => this.changed());
    this.defaultTypeRoots = msg.defaultTypeRoots;
    this.settings.clear();
    for (const n of msg.notebooks) this.settings.set(n.key, n);
    this.changed();
  }

  /** The type roots a notebook falls back to: the message's, else the shipped `@types/node` of its Node major. */
  typeRootsFor(settings: NotebookSettings): readonly string[] {
    return this.defaultTypeRoots.length ? this.defaultTypeRoots : shippedTypeRoots(settings.nodeMajor, this.files().dir);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Node's types shipped with CodaJS (`node<major>/node_modules/@types/node` and its `undici-types`, shippedTypes.ts),
 * so a Node notebook has the types of the Node that runs it in a workspace that has none. `cacheDir`: where the VSIX's
 * archive of them is unpacked.
 */
export function shippedTypeRoots(kernelMajor: number | undefined, cacheDir: string): string[] {
  const dir = shippedTypesDir(__dirname, cacheDir);
  const major = dir === undefined ? undefined : nodeTypesMajor(shippedMajors(dir), kernelMajor);
  return major === undefined ? [] : [join(dir!, `node${major}`, 'node_modules', '@types')];
}

const majorsIn = new Map<string, number[]>();
function shippedMajors(dir: string): number[] {
  let majors = majorsIn.get(dir);
  if (!majors) {
    majors = readdirSync(dir)
      .map((n) => NODE_TYPES_DIR.exec(n)?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number);
    majorsIn.set(dir, majors);
  }
  return majors;
}

export function defaultSettings(key: string): NotebookSettings {
  return { key, runtime: 'node', cellOrder: [], modulePaths: [], typeRoots: [], denoPath: undefined, nodeMajor: undefined, scratch: false };
}

export function createPlugin(state: PluginState, info: tss.server.PluginCreateInfo): ts.LanguageService {
  const tsm = state.tsm;
  const inner = info.languageService as unknown as ts.LanguageService;
  const host = info.languageServiceHost as unknown as ts.LanguageServiceHost;
  const project = info.project;
  const serverHost = info.serverHost;
  const fsHost: FileSystemHost = {
    fileExists: (f) => serverHost.fileExists(f),
    readFile: (f) => serverHost.readFile(f),
    directoryExists: (d) => serverHost.directoryExists(d),
    getDirectories: (d) => serverHost.getDirectories(d),
    ...(serverHost.realpath ? { realpath: (p: string) => serverHost.realpath!(p) } : {}),
    ...(serverHost.getModifiedTime ? { getModifiedTime: (p: string) => serverHost.getModifiedTime!(p) } : {}),
  };
  const services = new Map<string, NotebookLanguageService>();
  const stop = state.onChange(() => {
    if (project.isClosed()) {
      stop();
      for (const svc of services.values()) svc.ls.dispose();
      services.clear();
      return;
    }
    for (const [key, svc] of services) svc.configure(state.settings.get(key) ?? defaultSettings(key));
    (project as { refreshDiagnostics?: () => void }).refreshDiagnostics?.();
  });

  const originalSnapshot = host.getScriptSnapshot.bind(host);
  const notebookOf = (fileName: string): string | undefined => {
    const cell = parseCellPath(fileName);
    if (!cell) return undefined;
    return cell.notebook.endsWith(CODA_NOTEBOOK_EXTENSION) || state.settings.has(cell.notebook) ? cell.notebook : undefined;
  };
  /** A cell read with JSX, as its kernel runs it (NotebookLanguageService.jsx: Deno notebooks, JSX pragmas). */
  let creatingService = false;
  const jsxCell = (fileName: string): boolean => {
    const nb = notebookOf(fileName);
    if (!nb) return false;
    const deno = state.settings.get(nb)?.runtime === 'deno';
    // asked before the notebook's first semantic request too: its service (the cells in order) answers; reading the
    // cells asks for their script kind again, which then goes by the runtime alone
    if (creatingService) return services.get(nb)?.jsx ?? deno;
    creatingService = true;
    try {
      return (services.get(nb) ?? serviceFor(fileName))?.jsx ?? deno;
    } finally {
      creatingService = false;
    }
  };
  host.getScriptSnapshot = (fileName) => {
    const snap = originalSnapshot(fileName);
    if (!snap || !notebookOf(fileName)) return snap;
    const text = snap.getText(0, snap.getLength());
    return tsm.ScriptSnapshot.fromString(isolateCellText(text, cellClosers(tsm, text, jsxCell(fileName))));
  };
  // VS Code's own service parses such a cell as TSX (JSX for a JavaScript cell), so it reports no syntax error for JSX
  const originalKind = host.getScriptKind?.bind(host);
  if (originalKind)
    host.getScriptKind = (fileName) => {
      const kind = originalKind(fileName);
      if (!jsxCell(fileName)) return kind;
      return kind === tsm.ScriptKind.TS ? tsm.ScriptKind.TSX : kind === tsm.ScriptKind.JS ? tsm.ScriptKind.JSX : kind;
    };

  // a cell's text is re-read only when its version changes: a keystroke re-reads one cell, not the notebook
  const texts = new Map<string, { version: string; text: string | undefined }>();
  const textOf = (fileName: string): string | undefined => {
    const version = host.getScriptVersion(fileName);
    const cached = texts.get(fileName);
    if (cached && cached.version === version) return cached.text;
    const snap = originalSnapshot(fileName);
    const text = snap?.getText(0, snap.getLength());
    texts.set(fileName, { version, text });
    return text;
  };
  const isTsFile = (fileName: string): boolean => {
    const kind = host.getScriptKind?.(fileName);
    if (kind !== undefined && kind !== tsm.ScriptKind.Unknown) return kind === tsm.ScriptKind.TS || kind === tsm.ScriptKind.TSX;
    return /\.(c|m)?tsx?$/i.test(fileName);
  };

  /** The cells of the notebook (or scratch file) in order, read from the documents the server has open. */
  const cellsOf = (key: string, settings: NotebookSettings): DocumentCell[] => {
    if (settings.scratch) {
      const text = textOf(key);
      if (text === undefined) return [];
      const isTs = isTsFile(key);
      return scratchCells(text).map((r) => ({ fileName: key, docStart: r.start, text: text.slice(r.start, r.end), isTs: isTs && !r.javascript }));
    }
    const order = new Map(settings.cellOrder.map((f, i) => [canonicalCellPath(f), i]));
    // a cell the extension did not list (just added, message still on its way) goes last, by creation order
    const files = project
      .getScriptFileNames()
      .filter((f) => parseCellPath(f)?.notebook === key)
      .map((f) => ({ f, rank: order.get(canonicalCellPath(f)) ?? Number.MAX_SAFE_INTEGER, handle: parseCellPath(f)?.handle ?? 0 }))
      .sort((a, b) => a.rank - b.rank || a.handle - b.handle);
    if (texts.size > files.length * 4 + 1024) for (const k of texts.keys()) if (!project.getScriptInfo(k)) texts.delete(k);
    return files.flatMap(({ f }) => {
      const text = textOf(f);
      return text === undefined ? [] : [{ fileName: f, docStart: 0, text, isTs: isTsFile(f) }];
    });
  };

  /** The notebook program a document belongs to, up to date, or undefined for an ordinary file. */
  const serviceFor = (fileName: string): NotebookLanguageService | undefined => {
    const key = notebookOf(fileName) ?? (state.settings.get(fileName)?.scratch ? fileName : undefined);
    if (!key) return undefined;
    const settings = state.settings.get(key) ?? defaultSettings(key);
    const cells = cellsOf(key, settings);
    let svc = services.get(key);
    if (cells.length === 0) {
      // the notebook's last cell closed: its program goes with it
      svc?.ls.dispose();
      services.delete(key);
      return undefined;
    }
    if (!svc) services.set(key, (svc = new NotebookLanguageService(tsm, settings, fsHost, state.files(), (s) => state.typeRootsFor(s), state.registry)));
    svc.update(cells);
    return svc;
  };
  const at = (fileName: string, pos: number) => {
    const svc = serviceFor(fileName);
    const p = svc?.toProgram(fileName, pos);
    return svc && p !== undefined ? { svc, p, map: new ResultMapper(svc) } : undefined;
  };
  const sourceFileOf = (fileName: string) => inner.getProgram()?.getSourceFile(fileName);

  const proxy = Object.create(null) as ts.LanguageService;
  for (const k of Object.keys(inner) as (keyof ts.LanguageService)[]) {
    const fn = inner[k];
    if (typeof fn === 'function')
      (proxy as unknown as Record<string, unknown>)[k] = (...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(inner, args);
  }

  // VS Code's TypeScript extension drops the semantic channel for notebook cells (`vscode-notebook-cell` documents:
  // without a plugin a cell's semantic errors were mostly wrong), and shows the suggestion channel by each
  // diagnostic's category: a cell's semantic errors travel with its suggestions, once (scratch files are ordinary
  // documents and keep the semantic channel)
  const viaSuggestions = (fileName: string) => notebookOf(fileName) !== undefined;
  proxy.getSemanticDiagnostics = (fileName) => {
    const svc = serviceFor(fileName);
    if (!svc) return inner.getSemanticDiagnostics(fileName);
    return viaSuggestions(fileName) ? [] : svc.diagnostics(fileName, 'semantic', sourceFileOf);
  };
  proxy.getSuggestionDiagnostics = (fileName) => {
    const svc = serviceFor(fileName);
    if (!svc) return inner.getSuggestionDiagnostics(fileName);
    const suggestions = svc.diagnostics(fileName, 'suggestion', sourceFileOf);
    return (viaSuggestions(fileName) ? [...svc.diagnostics(fileName, 'semantic', sourceFileOf), ...suggestions] : suggestions) as ts.DiagnosticWithLocation[];
  };
  proxy.getSyntacticDiagnostics = (fileName) => {
    const diags = inner.getSyntacticDiagnostics(fileName);
    if (!notebookOf(fileName)) return diags;
    // pasted JSON reads as a block here, with errors; the kernel runs it as the object it is (objectLiteralCell.ts)
    if (diags.length && isObjectLiteralCell(tsm, textOf(fileName) ?? '')) return [];
    // what lies past the cell's own text (closers, module tail) is not the user's: an error there is an error at
    // the cell's end, and the closers stand for the one error the cell's own end has
    const text = textOf(fileName) ?? '';
    const end = text.length;
    const out: ts.DiagnosticWithLocation[] = [];
    const seen = new Set<string>();
    const add = (d: ts.DiagnosticWithLocation) => {
      const key = `${d.code}@${d.start}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(d);
      }
    };
    for (const d of diags) add(d.start > end ? { ...d, start: end, length: 0 } : { ...d, length: Math.min(d.length, end - d.start) });
    const unclosed = unclosedDiagnostic(cellClosers(tsm, text, jsxCell(fileName)));
    const file = diags[0]?.file ?? sourceFileOf(fileName);
    if (unclosed && file) add({ file, start: end, length: 0, code: unclosed.code, category: tsm.DiagnosticCategory.Error, messageText: unclosed.message });
    return out;
  };
  proxy.getCompletionsAtPosition = (fileName, pos, options, fmt) => {
    const t = at(fileName, pos);
    return t
      ? t.map.completions(t.svc.ls.getCompletionsAtPosition(t.svc.programFile, t.p, options, fmt))
      : inner.getCompletionsAtPosition(fileName, pos, options, fmt);
  };
  proxy.getCompletionEntryDetails = (fileName, pos, name, fmt, source, prefs, data) => {
    const t = at(fileName, pos);
    if (!t) return inner.getCompletionEntryDetails(fileName, pos, name, fmt, source, prefs, data);
    const d = t.svc.ls.getCompletionEntryDetails(t.svc.programFile, t.p, name, fmt, source, prefs, data);
    return d && { ...d, codeActions: d.codeActions?.map((a) => ({ ...a, changes: t.map.fileChanges(a.changes, fileName) })) };
  };
  proxy.getCompletionEntrySymbol = (fileName, pos, name, source) => {
    const t = at(fileName, pos);
    return t ? t.svc.ls.getCompletionEntrySymbol(t.svc.programFile, t.p, name, source) : inner.getCompletionEntrySymbol(fileName, pos, name, source);
  };
  proxy.getQuickInfoAtPosition = (fileName, pos, ...rest) => {
    const t = at(fileName, pos);
    if (!t) return inner.getQuickInfoAtPosition(fileName, pos, ...rest);
    const q = t.svc.ls.getQuickInfoAtPosition(t.svc.programFile, t.p, ...rest);
    const span = q && t.map.span(q.textSpan);
    return q && span ? { ...q, textSpan: span } : undefined;
  };
  proxy.getDefinitionAndBoundSpan = (fileName, pos) => {
    const t = at(fileName, pos);
    if (!t) return inner.getDefinitionAndBoundSpan(fileName, pos);
    const d = t.svc.ls.getDefinitionAndBoundSpan(t.svc.programFile, t.p);
    const span = d && t.map.span(d.textSpan);
    return d && span ? { textSpan: span, definitions: t.map.locations(d.definitions) } : undefined;
  };
  for (const name of ['getDefinitionAtPosition', 'getTypeDefinitionAtPosition', 'getImplementationAtPosition', 'getReferencesAtPosition'] as const) {
    const original = inner[name].bind(inner) as (f: string, p: number) => readonly { fileName: string; textSpan: ts.TextSpan }[] | undefined;
    (proxy as unknown as Record<string, unknown>)[name] = (fileName: string, pos: number) => {
      const t = at(fileName, pos);
      if (!t) return original(fileName, pos);
      const fn = t.svc.ls[name].bind(t.svc.ls) as typeof original;
      return t.map.locations(fn(t.svc.programFile, t.p));
    };
  }
  proxy.findReferences = (fileName, pos) => {
    const t = at(fileName, pos);
    if (!t) return inner.findReferences(fileName, pos);
    return t.svc.ls.findReferences(t.svc.programFile, t.p)?.flatMap((s) => {
      const definition = t.map.location(s.definition);
      return definition ? [{ definition, references: t.map.locations(s.references) ?? [] }] : [];
    });
  };
  proxy.getDocumentHighlights = (fileName, pos, filesToSearch) => {
    const t = at(fileName, pos);
    if (!t) return inner.getDocumentHighlights(fileName, pos, filesToSearch);
    const h = t.svc.ls.getDocumentHighlights(t.svc.programFile, t.p, [t.svc.programFile]);
    const spans = h?.flatMap((d) => d.highlightSpans.flatMap((s) => t.map.locations([{ ...s, fileName: t.svc.programFile }]) ?? []));
    const mine = spans?.filter((s) => s.fileName === fileName);
    return mine && mine.length ? [{ fileName, highlightSpans: mine }] : undefined;
  };
  proxy.getRenameInfo = (fileName, pos, prefs) => {
    const t = at(fileName, pos);
    if (!t) return inner.getRenameInfo(fileName, pos, prefs);
    const r = t.svc.ls.getRenameInfo(t.svc.programFile, t.p, prefs);
    if (!r.canRename) return r;
    const span = t.map.span(r.triggerSpan);
    return span ? { ...r, triggerSpan: span } : { canRename: false, localizedErrorMessage: 'This name is not inside a cell.' };
  };
  proxy.findRenameLocations = ((fileName: string, pos: number, inStrings: boolean, inComments: boolean, prefs: ts.UserPreferences | boolean | undefined) => {
    const t = at(fileName, pos);
    if (!t) return inner.findRenameLocations(fileName, pos, inStrings, inComments, prefs as ts.UserPreferences);
    return t.map.locations(t.svc.ls.findRenameLocations(t.svc.programFile, t.p, inStrings, inComments, prefs as ts.UserPreferences));
  }) as ts.LanguageService['findRenameLocations'];
  proxy.getSignatureHelpItems = (fileName, pos, options) => {
    const t = at(fileName, pos);
    if (!t) return inner.getSignatureHelpItems(fileName, pos, options);
    const s = t.svc.ls.getSignatureHelpItems(t.svc.programFile, t.p, options);
    const span = s && t.map.span(s.applicableSpan);
    return s && span ? { ...s, applicableSpan: span } : undefined;
  };
  proxy.getCodeFixesAtPosition = (fileName, start, end, codes, fmt, prefs) => {
    const a = at(fileName, start);
    const b = at(fileName, end);
    if (!a || !b) return inner.getCodeFixesAtPosition(fileName, start, end, codes, fmt, prefs);
    return a.svc.ls
      .getCodeFixesAtPosition(a.svc.programFile, a.p, b.p, codes, fmt, prefs)
      .map((f) => ({ ...f, changes: a.map.fileChanges(f.changes, fileName) }));
  };
  proxy.getEncodedSemanticClassifications = (fileName, span, format) => {
    const svc = serviceFor(fileName);
    if (!svc) return inner.getEncodedSemanticClassifications(fileName, span, format);
    const map = new ResultMapper(svc);
    // only the program text of this document's cells (its hoisted imports sit at the top of the program)
    const spans = svc
      .programRanges(fileName, span.start, span.start + span.length)
      .flatMap((r) => map.classifications(svc.ls.getEncodedSemanticClassifications(svc.programFile, r, format).spans, fileName));
    return { spans: sortTriples(spans), endOfLineState: tsm.EndOfLineState.None };
  };
  proxy.provideInlayHints = (fileName, span, prefs) => {
    const svc = serviceFor(fileName);
    if (!svc) return inner.provideInlayHints(fileName, span, prefs);
    return svc.programRanges(fileName, span.start, span.start + span.length).flatMap((r) =>
      svc.ls.provideInlayHints(svc.programFile, r, prefs).flatMap((h) => {
        const at = svc.toDocument(h.position, 0);
        return at && at.fileName === fileName ? [{ ...h, position: at.start }] : [];
      }),
    );
  };
  return proxy;
}

function sortTriples(spans: number[]): number[] {
  const triples: [number, number, number][] = [];
  for (let i = 0; i + 2 < spans.length; i += 3) triples.push([spans[i]!, spans[i + 1]!, spans[i + 2]!]);
  return triples.sort((a, b) => a[0] - b[0]).flat();
}
