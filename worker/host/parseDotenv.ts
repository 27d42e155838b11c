/**
 * Reads a `.env` file: `NAME=value` lines, `export NAME=value`, `#` comments, single- or double-quoted values
 * (double quotes understand \n, \t, \", \\). Problems name their line; nothing is guessed.
 */
export interface Dotenv {
  values: Record<string, string>;
  problems: { line: number; message: string }[];
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

export function parseDotenv(text: string): Dotenv {
  const values: Record<string, string> = {};
  const problems: Dotenv['problems'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim() || raw.trim().startsWith('#')) return;
    const m = LINE.exec(raw);
    if (!m) {
      problems.push({ line: i + 1, message: 'expected NAME=value' });
      return;
    }
    const value = unquote(m[2]!);
    if (value === undefined) problems.push({ line: i + 1, message: `the value of ${m[1]} has an unclosed quote` });
    else values[m[1]!] = value;
  });
  return { values, problems };
}

function unquote(v: string): string | undefined {
  const q = v[0];
  if (q === '"' || q === "'") {
    const end = v.lastIndexOf(q);
    if (end <= 0) return undefined;
    const inner = v.slice(1, end);
    return q === "'" ? inner : inner.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[c]!);
  }
  return v.replace(/\s+#.*$/, '');
}
