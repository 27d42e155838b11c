/**
 * The `.coda` notebook file: JSON with a version, stored with cell sources as arrays of lines so that
 * git diffs are line-based. Parsing/serializing lives in ./codaFormat.ts (pure, no I/O).
 */
import type { RuntimeKind } from './messages';

export const CODA_FORMAT_VERSION = 1;
export const CODA_FILE_EXTENSION = '.coda';
/** VS Code notebook type id. */
export const CODA_NOTEBOOK_TYPE = 'codajs-notebook';

export type CodaCellKind = 'code' | 'markup';
export type CodaCellLanguage = 'javascript' | 'typescript' | 'markdown';

export interface CodaOutputItem {
  mime: string;
  /** Parsed JSON for JSON mimes (`application/json`, `*+json`), text for textual mimes, base64 for binary. */
  data: unknown;
  encoding?: 'base64';
}

export interface CodaOutput {
  items: CodaOutputItem[];
  metadata?: Record<string, unknown>;
}

export interface CodaExecutionSummary {
  order?: number;
  success?: boolean;
  durationMs?: number;
}

export interface CodaCell {
  kind: CodaCellKind;
  language: CodaCellLanguage;
  /** The cell text split on '\n' (no newline characters kept; '' last when the text ends with a newline). */
  source: string[];
  metadata?: Record<string, unknown>;
  outputs?: CodaOutput[];
  execution?: CodaExecutionSummary;
  /** Keys this version does not know, kept as they were (written after the known ones). */
  unknownKeys?: Record<string, unknown>;
}

export interface CodaNotebookMetadata {
  runtime?: RuntimeKind;
  /** Other keys (dependency lock, permissions, keys written by newer versions) are kept as they are. */
  [key: string]: unknown;
}

export interface CodaDocument {
  coda: typeof CODA_FORMAT_VERSION;
  metadata: CodaNotebookMetadata;
  cells: CodaCell[];
  /** Top-level keys this version does not know, kept as they were. */
  unknownKeys?: Record<string, unknown>;
}

/** Raised for a file that cannot be read; names the line, column and field. Never leads to a write. */
export interface CodaFormatProblem {
  message: string;
  /** 1-based. */
  line: number;
  column: number;
  /** JSON path of the offending field, e.g. `cells[2].language`. */
  path?: string;
}
