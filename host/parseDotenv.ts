/**
 * Reads a `.env` file the way the `dotenv` package reads it, since that is what the user's own tools see: its
 * `parse` gives the values (multi-line double-quoted values such as PEM keys, `\n` and `\r` in double quotes,
 * single quotes and backticks literal, `export KEY=`, `KEY: value`, `#` starting a comment in an unquoted
 * value, CRLF). dotenv skips a line it cannot read without a word; CodaJS names it instead (the CLI prints
 * `file:line: message`), so a secret the user thinks is set is never silently missing.
 */
import { parse } from 'dotenv';

export interface Dotenv {
  values: Record<string, string>;
  problems: { line: number; message: string }[];
}

/**
 * dotenv's own line rule (dotenv `parse`, its default parser), used only to find where each assignment starts
 * and ends, so that the lines no assignment covers can be reported with their numbers.
 */
const ASSIGNMENT = /\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$)/dmy;
const QUOTES = new Set(["'", '"', '`']);

export function parseDotenv(text: string): Dotenv {
  const normalized = text.replace(/\r\n?/g, '\n');
  const parsed = parse(normalized);
  const { problems, unclosed } = problemsOf(normalized, parsed);
  const values: Record<string, string> = {};
  // a value flagged as unclosed is not injected half-read
  for (const [k, v] of Object.entries(parsed)) if (!unclosed.has(k)) values[k] = v;
  return { values, problems };
}

function problemsOf(text: string, values: Record<string, string>): { problems: Dotenv['problems']; unclosed: Set<string> } {
  const problems: Dotenv['problems'] = [];
  const unclosed = new Set<string>();
  let line = 1;
  for (let at = 0; at < text.length;) {
    const eol = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
    ASSIGNMENT.lastIndex = at;
    const m = ASSIGNMENT.exec(text);
    if (m) {
      const raw = (m[2] ?? '').trim();
      // a value that opens a quote it never closes is read by dotenv as it stands, quote included: say so
      if (QUOTES.has(raw[0] ?? '') && values[m[1]!] === raw && !(raw.length > 1 && raw.endsWith(raw[0]!))) {
        problems.push({ line: line + countLines(text, at, m.indices![1]![0]), message: `the value of ${m[1]} has an unclosed quote` });
        unclosed.add(m[1]!);
      }
      const end = m.index + m[0].length;
      line += countLines(text, at, end);
      at = end;
      if (text[at] === '\n') {
        at += 1;
        line += 1;
      }
      continue;
    }
    const content = text.slice(at, eol).trim();
    if (content && !content.startsWith('#')) problems.push({ line, message: 'expected NAME=value' });
    at = eol + 1;
    line += 1;
  }
  return { problems, unclosed };
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
