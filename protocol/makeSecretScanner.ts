/**
 * Finds every written form of a notebook's secret values in a text, in one linear pass (an Aho-Corasick automaton
 * over UTF-16 code units, so a 200-character secret in ten forms never becomes a backtracking regex), and masks
 * them. The forms: as is, JSON-escaped, quoted as util.inspect (Node, Bun, Deno) and the Sandbox's inspector quote,
 * HTML-escaped, and percent-encoded as in a URL or a form body (encodeURIComponent, URLSearchParams, the WHATWG URL
 * parser's query, path, fragment and userinfo). Where a text was cut (by CodaJS, util.inspect, Node or V8), it also masks the part of a secret the cut left.
 *
 * Self-contained on purpose: ECMAScript built-ins only, captured when the scanner is built, no imports and no
 * reference to this module's scope. The Sandbox's prelude stringifies this function into the isolate
 * (worker/isolate/prelude/sandboxPrelude.ts), so the kernel, the isolate and the host mask with the same code.
 */
export interface ScannerOptions {
  /** What a secret (or the part of it a cut left) becomes. */
  mask: string;
  /** Values shorter than this are ignored. */
  minSecretLength: number;
  /** A cut that keeps at least this many leading characters of a secret's form masks them. */
  partialAtCut: number;
  /** An excerpt cut on both sides (V8's JSON.parse messages) is masked when it shares this many characters with a secret. */
  excerptOverlap: number;
}

export interface SecretScanner {
  readonly active: boolean;
  /** Length of the longest form: a cut at least this far from a secret's start cannot split it. */
  readonly longestForm: number;
  /** Every form masked, and what is left of a secret before each truncation marker (`…`, `...`, inspect's trailer). */
  text(s: string): string;
  /** `s` masked and cut to its first `max` characters: a secret across the cut is masked, never shown in part. */
  cut(s: string, max: number): string;
  /** The largest position <= end that is not inside a secret (where a stream may be split). */
  safeEnd(s: string, end: number): number;
  /**
   * Where the end of `s` may be the start of a secret's form that text written later completes (s.length when it
   * cannot be): a stream holds back from there and may pass on the rest.
   */
  heldFrom(s: string): number;
  /** Masks every string (keys included) inside plain data; the input is never modified. */
  value<T>(v: T): T;
}

export function makeSecretScanner(secrets: readonly string[], opts: ScannerOptions): SecretScanner {
  'use strict';
  const apply = Reflect.apply;
  const charCodeAt = String.prototype.charCodeAt;
  const fromCharCode = String.fromCharCode;
  const strSlice = String.prototype.slice;
  const indexOf = String.prototype.indexOf;
  const toUpper = String.prototype.toUpperCase;
  const numToString = Number.prototype.toString;
  const regExec = RegExp.prototype.exec;
  const arraySort = Array.prototype.sort;
  const arraySlice = Array.prototype.slice;
  const stringify = JSON.stringify;
  const isArray = Array.isArray;
  const keysOf = Object.keys;
  const create = Object.create;
  const getProto = Object.getPrototypeOf;
  const defineProp = Object.defineProperty;
  const ObjectProto = Object.prototype;
  const max = Math.max;
  const min = Math.min;
  const imul = Math.imul;
  const MAX_DEPTH = 64;
  const MASK = opts.mask;

  const code = (s: string, i: number): number => apply(charCodeAt, s, [i]);
  const sub = (s: string, a: number, b?: number): string => apply(strSlice, s, b === undefined ? [a] : [a, b]);
  const has = (s: string, part: string): boolean => apply(indexOf, s, [part]) !== -1;
  const hex = (c: number, width: number, upper: boolean): string => {
    let h: string = apply(numToString, c, [16]);
    if (upper) h = apply(toUpper, h, []);
    while (h.length < width) h = '0' + h;
    return h;
  };

  // ---- the forms a secret is written in ----
  /** How one quoting escapes: named escapes, hex case, and whether C1 controls and lone surrogates are escaped. */
  interface Quoting {
    named: Record<number, string>;
    upper: boolean;
    c1: boolean;
    lone: boolean;
  }
  const NAMED: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
  const QUOTINGS: Quoting[] = [
    // Node's and Bun's util.inspect
    { named: NAMED, upper: true, c1: true, lone: true },
    // Deno's node:util inspect
    { named: { ...NAMED, 11: '\\v' }, upper: false, c1: true, lone: false },
    // the Sandbox inspector (worker/isolate/prelude/makeInspector.ts)
    { named: { 9: '\\t', 10: '\\n', 13: '\\r' }, upper: false, c1: false, lone: false },
  ];
  /** A quoted string's content: `\\`, control characters, maybe C1 and lone surrogates, and `'` when quoted with `'`. */
  const quotedForm = (s: string, q: Quoting, single: boolean): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      if (c === 0x27) out += single ? "\\'" : "'";
      else if (c === 0x5c) out += '\\\\';
      else if (c < 0x20 || (q.c1 && c >= 0x7f && c <= 0x9f)) out += q.named[c] ?? '\\x' + hex(c, 2, q.upper);
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && code(s, i + 1) >= 0xdc00 && code(s, i + 1) <= 0xdfff) {
        out += sub(s, i, i + 2);
        i++;
      } else if (q.lone && c >= 0xd800 && c <= 0xdfff) out += '\\u' + hex(c, 4, false);
      else out += sub(s, i, i + 1);
    }
    return out;
  };
  const jsonEscape = (s: string): string => {
    const j: string = stringify(s);
    return sub(j, 1, j.length - 1);
  };
  /** display.table's HTML escaping (worker/runtime/makeHtmlEscape.ts writes it; this copy stays self-contained). */
  const htmlEscape = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      out += c === 0x26 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27 ? '&#' + apply(numToString, c, [10]) + ';' : sub(s, i, i + 1);
    }
    return out;
  };

  /**
   * Percent-encodings (a secret in a URL or a form body): the printable ASCII characters each leaves as they are, and
   * whether a space is `+`; the others, control characters and non-ASCII (as UTF-8, a lone surrogate as U+FFFD's
   * bytes) are `%XX`, in upper case as encodeURIComponent and WHATWG URL write them.
   */
  interface PercentSet {
    kept: boolean[];
    plus: boolean;
  }
  const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const percentSet = (kept: string, plus: boolean): PercentSet => {
    const table: boolean[] = [];
    for (let c = 0; c < 128; c++) table[c] = false;
    for (let i = 0; i < kept.length; i++) table[code(kept, i)] = true;
    return { kept: table, plus };
  };
  /** Printable ASCII but the characters of `encoded` (and the space). */
  const except = (encoded: string): string => {
    let out = '';
    for (let c = 0x21; c < 0x7f; c++) if (!has(encoded, fromCharCode(c))) out += fromCharCode(c);
    return out;
  };
  const PERCENT_SETS: PercentSet[] = [
    // encodeURIComponent
    percentSet(ALNUM + "-_.!~*'()", false),
    // application/x-www-form-urlencoded: URLSearchParams, a form body
    percentSet(ALNUM + '*-._', true),
    // the WHATWG URL parser (Node 24's): a query of a special URL (http, https…) and of another, a path, a fragment,
    // a username or password
    percentSet(except('"#\'<>'), false),
    percentSet(except('"#<>'), false),
    percentSet(except('"#<>?\\^`{}'), false),
    percentSet(except('"<>`'), false),
    percentSet(except('"#/:;<=>?@[\\]^`{|}'), false),
  ];
  const percentForm = (s: string, set: PercentSet): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      let c = code(s, i);
      if (c < 0x80) {
        out += c === 0x20 && set.plus ? '+' : set.kept[c] ? sub(s, i, i + 1) : '%' + hex(c, 2, true);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && code(s, i + 1) >= 0xdc00 && code(s, i + 1) <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (code(s, i + 1) - 0xdc00);
        i++;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      const bytes =
        c < 0x800
          ? [0xc0 | (c >> 6)]
          : c < 0x10000
            ? [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63)]
            : [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63)];
      bytes[bytes.length] = 0x80 | (c & 63);
      for (let b = 0; b < bytes.length; b++) out += '%' + hex(bytes[b]!, 2, true);
    }
    return out;
  };

  /** A secret as the WHATWG URL parser reads it: without tabs and line breaks, and, at the end of a URL, without the control characters and spaces it ends with. */
  const urlInput = (s: string, atEnd: boolean): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) out += sub(s, i, i + 1);
    }
    let end = out.length;
    while (atEnd && end > 0 && code(out, end - 1) <= 0x20) end--;
    return sub(out, 0, end);
  };

  const forms: string[] = [];
  const seen: Record<string, true> = create(null);
  const addForm = (f: string) => {
    if (seen[f] === true) return;
    seen[f] = true;
    forms[forms.length] = f;
  };
  /** What a lone surrogate becomes once the text went through UTF-8 (an environment variable, a raw write to stderr). */
  const wellFormed = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && code(s, i + 1) >= 0xdc00 && code(s, i + 1) <= 0xdfff;
      if (pair) {
        out += sub(s, i, i + 2);
        i++;
      } else out += c >= 0xd800 && c <= 0xdfff ? '\ufffd' : sub(s, i, i + 1);
    }
    return out;
  };
  const written: string[] = [];
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < opts.minSecretLength) continue;
    written[written.length] = s;
    const w = wellFormed(s);
    if (w !== s) written[written.length] = w;
  }
  for (const s of written) {
    const json = jsonEscape(s);
    addForm(s);
    addForm(json);
    addForm(jsonEscape(json));
    addForm(htmlEscape(s));
    for (const q of QUOTINGS) {
      for (const single of [true, false]) {
        const quoted = quotedForm(s, q, single);
        addForm(quoted);
        addForm(htmlEscape(quoted));
        addForm(quotedForm(json, q, single));
      }
    }
    // in a URL or a form body, and that quoted (only `'` and `\` are left to escape); a URL parser drops tabs and
    // line breaks, and control characters and spaces at the end of its input
    const inUrl = urlInput(s, false);
    const atEnd = urlInput(s, true);
    for (const t of inUrl === s ? (atEnd === s ? [s] : [s, atEnd]) : atEnd === inUrl ? [s, inUrl] : [s, inUrl, atEnd]) {
      // (what is left must still be as long as a secret may be, or it would mask ordinary text)
      if (t.length < opts.minSecretLength) continue;
      for (const set of PERCENT_SETS) {
        const percent = percentForm(t, set);
        addForm(percent);
        addForm(jsonEscape(percent));
        addForm(quotedForm(percent, QUOTINGS[0]!, true));
      }
    }
  }

  // ---- the automaton, in typed arrays (a 200-character secret has ~40 forms: objects per state would cost 100s
  // of MB): children as first-child/next-sibling lists (the root as a table), failure links, and the longest form
  // ending at each state ----
  let total = 1;
  for (const f of forms) total += f.length;
  // no secrets, no table (every process that loads the protocol builds the empty masker)
  const rootNext = new Int32Array(forms.length ? 0x10000 : 0);
  const firstChild = new Int32Array(total);
  const sibling = new Int32Array(total);
  const chr = new Uint16Array(total);
  const fail = new Int32Array(total);
  const depth = new Int32Array(total);
  const longestEnding = new Int32Array(total);
  // 0 is "none": the root is nobody's child
  const child = (n: number, c: number): number => {
    if (n === 0) return rootNext[c]!;
    for (let k = firstChild[n]!; k !== 0; k = sibling[k]!) if (chr[k] === c) return k;
    return 0;
  };
  let states = 1;
  let longestForm = 0;
  for (const f of forms) {
    let n = 0;
    for (let i = 0; i < f.length; i++) {
      const c = code(f, i);
      let m = child(n, c);
      if (m === 0) {
        m = states++;
        chr[m] = c;
        depth[m] = depth[n]! + 1;
        if (n === 0) rootNext[c] = m;
        else {
          sibling[m] = firstChild[n]!;
          firstChild[n] = m;
        }
      }
      n = m;
    }
    if (longestEnding[n]! < f.length) longestEnding[n] = f.length;
    if (f.length > longestForm) longestForm = f.length;
  }
  const queue = new Int32Array(states);
  let queued = 0;
  for (let c = 0; c < rootNext.length; c++) if (rootNext[c] !== 0) queue[queued++] = rootNext[c]!;
  for (let qi = 0; qi < queued; qi++) {
    const n = queue[qi]!;
    for (let m = firstChild[n]!; m !== 0; m = sibling[m]!) {
      const c = chr[m]!;
      let f = fail[n]!;
      let g = child(f, c);
      while (g === 0 && f !== 0) {
        f = fail[f]!;
        g = child(f, c);
      }
      fail[m] = g !== m ? g : 0;
      if (longestEnding[fail[m]!]! > longestEnding[m]!) longestEnding[m] = longestEnding[fail[m]!]!;
      queue[queued++] = m;
    }
  }

  // a hash set of the n-grams of every form, for excerpts cut on both sides (a collision only masks more)
  const G = opts.excerptOverlap;
  let gramCount = 0;
  for (const f of forms) gramCount += max(0, f.length - G + 1);
  let gramSlots = 2;
  while (gramSlots < gramCount * 2) gramSlots *= 2;
  const grams = new Int32Array(gramSlots);
  const gramHash = (s: string, at: number): number => {
    let h = 0x811c9dc5;
    for (let k = 0; k < G; k++) h = imul(h ^ code(s, at + k), 0x01000193);
    return h | 1;
  };
  const gramSlot = (h: number): number => {
    let slot = h & (gramSlots - 1);
    while (grams[slot] !== 0 && grams[slot] !== h) slot = (slot + 1) & (gramSlots - 1);
    return slot;
  };
  for (const f of forms) for (let i = 0; i + G <= f.length; i++) grams[gramSlot(gramHash(f, i))] = gramHash(f, i);
  const hasGram = (s: string, at: number): boolean => grams[gramSlot(gramHash(s, at))] !== 0;

  const active = forms.length > 0;

  /** Intervals [start, end) to mask in s[0..end): every form, and the start of a form before each cut position. */
  function scan(s: string, end: number, cuts: number[], found: number[]): void {
    let n = 0;
    let ci = 0;
    for (let i = 0; i <= end; i++) {
      while (ci < cuts.length && cuts[ci]! <= i) {
        if (cuts[ci] === i && depth[n]! >= opts.partialAtCut) add(found, i - depth[n]!, i);
        ci++;
      }
      if (i === end) break;
      n = step(n, code(s, i));
      if (longestEnding[n]) add(found, i + 1 - longestEnding[n]!, i + 1);
    }
  }
  /** The automaton's state after state `n` reads code unit `c`. */
  function step(n: number, c: number): number {
    let m = child(n, c);
    while (m === 0 && n !== 0) {
      n = fail[n]!;
      m = child(n, c);
    }
    return m;
  }
  function add(found: number[], a: number, b: number): void {
    found[found.length] = a;
    found[found.length] = b;
  }

  // truncation markers: CodaJS's `…`, Node's and V8's `...`, util.inspect's `'...'... N more characters`
  // (escaped: a non-ASCII character in a bundle makes Node read the whole file as a two-byte string, more slowly)
  const MARKER = /\u2026|\.\.\./g;
  const LONE_HIGH_ESCAPE = /\\u[dD][89abAB][0-9a-fA-F]{2}$/;
  // excerpts of the input that parsers quote, cut on both sides: V8's (Node, Deno, the Sandbox) and JavaScriptCore's (Bun)
  const EXCERPTS = [/(?:\.\.\.)?"([\s\S]{1,48}?)"(?:\.\.\.)? is not valid JSON/g, /Unexpected identifier "([^"\n]{1,400})"/g];
  const SPLIT_JOIN = /\\n(['"`]) \+\n *(['"`])/g;

  function cutsIn(s: string, end: number): number[] {
    const cuts: number[] = [];
    if (!has(s, '…') && !has(s, '...')) return cuts;
    MARKER.lastIndex = 0;
    for (let m = apply(regExec, MARKER, [s]); m && m.index < end; m = apply(regExec, MARKER, [s])) {
      let at: number = m.index;
      cuts[cuts.length] = at;
      const q = at > 0 ? code(s, at - 1) : 0;
      // util.inspect closes the cut string before its trailer; a cut astral character shows as a lone `\udXXX`
      if (q === 0x27 || q === 0x22 || q === 0x60) {
        cuts[cuts.length] = at - 1;
        at -= 1;
      }
      const lone = apply(regExec, LONE_HIGH_ESCAPE, [sub(s, max(0, at - 6), at)]);
      if (lone) cuts[cuts.length] = at - 6;
    }
    return apply(arraySort, cuts, [(a: number, b: number) => a - b]);
  }

  function excerpts(s: string, found: number[]): void {
    if (!has(s, ' is not valid JSON') && !has(s, 'Unexpected identifier "')) return;
    for (let e = 0; e < EXCERPTS.length; e++) {
      const re = EXCERPTS[e]!;
      re.lastIndex = 0;
      for (let m = apply(regExec, re, [s]); m; m = apply(regExec, re, [s])) {
        const frag: string = m[1] ?? '';
        const start: number = m.index + apply(indexOf, m[0], ['"']) + 1;
        for (let i = 0; i + G <= frag.length; i++) {
          if (hasGram(frag, i)) {
            add(found, start, start + frag.length);
            break;
          }
        }
      }
    }
  }

  /**
   * util.inspect splits long strings at `\n` into `'…\n' +\n  '…'`, each piece quoted on its own (so `'` is escaped
   * in some pieces and not in others): look for secrets with the joins taken out and `\'` read as `'`.
   */
  function splitStrings(s: string, found: number[], cutAt = -1): void {
    if (!has(s, ' +\n')) return;
    let view = '';
    const at: number[] = [];
    let last = 0;
    SPLIT_JOIN.lastIndex = 0;
    const copy = (a: number, b: number) => {
      for (let i = a; i < b; i++) {
        if (code(s, i) === 0x5c && i + 1 < b) {
          if (code(s, i + 1) !== 0x27) {
            at[at.length] = i;
            view += '\\';
          }
          i++;
        }
        at[at.length] = i;
        view += sub(s, i, i + 1);
      }
    };
    for (let m = apply(regExec, SPLIT_JOIN, [s]); m; m = apply(regExec, SPLIT_JOIN, [s])) {
      copy(last, m.index + 2);
      last = m.index + m[0].length;
    }
    if (last === 0) return;
    copy(last, s.length);
    const inView: number[] = [];
    const cuts = cutsIn(view, view.length);
    if (cutAt >= 0) {
      let j = 0;
      while (j < at.length && at[j]! < cutAt) j++;
      cuts[cuts.length] = j;
      apply(arraySort, cuts, [(a: number, b: number) => a - b]);
    }
    scan(view, view.length, cuts, inView);
    for (let i = 0; i < inView.length; i += 2) add(found, at[inView[i]!]!, at[inView[i + 1]! - 1]! + 1);
  }

  /** Merged intervals, sorted. */
  function merged(found: number[]): number[] {
    const pairs: number[][] = [];
    for (let i = 0; i < found.length; i += 2) pairs[pairs.length] = [found[i]!, found[i + 1]!];
    apply(arraySort, pairs, [(a: number[], b: number[]) => a[0]! - b[0]!]);
    const out: number[] = [];
    for (let i = 0; i < pairs.length; i++) {
      const a = pairs[i]![0]!;
      const b = pairs[i]![1]!;
      if (out.length && a <= out[out.length - 1]!) {
        if (b > out[out.length - 1]!) out[out.length - 1] = b;
      } else add(out, a, b);
    }
    return out;
  }

  function render(s: string, spans: number[], limit: number): string {
    let out = '';
    let pos = 0;
    for (let i = 0; i < spans.length && pos < limit; i += 2) {
      const a = spans[i]!;
      if (a >= limit) break;
      if (a > pos) out += sub(s, pos, a);
      out += MASK;
      pos = spans[i + 1]!;
    }
    if (pos < limit) out += sub(s, pos, limit);
    return out;
  }

  function text(s: string): string {
    if (!active || s.length < opts.partialAtCut) return s;
    const found: number[] = [];
    scan(s, s.length, cutsIn(s, s.length), found);
    excerpts(s, found);
    splitStrings(s, found);
    return found.length ? render(s, merged(found), s.length) : s;
  }

  function cut(s: string, limit: number): string {
    if (s.length <= limit) return text(s);
    // never leave half of a surrogate pair at the end
    const c = code(s, limit - 1);
    if (c >= 0xd800 && c <= 0xdbff) limit -= 1;
    if (!active) return sub(s, 0, limit);
    const window = sub(s, 0, min(s.length, limit + longestForm));
    const cuts = cutsIn(window, limit);
    cuts[cuts.length] = limit;
    const found: number[] = [];
    scan(window, window.length, cuts, found);
    excerpts(sub(window, 0, limit), found);
    splitStrings(window, found, limit);
    return render(window, merged(found), limit);
  }

  function heldFrom(s: string): number {
    if (!active) return s.length;
    // the automaton's state after the whole text is the longest end of it that begins some form
    let n = 0;
    for (let i = 0; i < s.length; i++) n = step(n, code(s, i));
    return s.length - depth[n]!;
  }

  function safeEnd(s: string, end: number): number {
    if (!active) return end;
    const found: number[] = [];
    scan(s, min(s.length, end + longestForm), [], found);
    const spans = merged(found);
    for (let i = 0; i < spans.length; i += 2) if (spans[i]! < end && end < spans[i + 1]!) return spans[i]!;
    return end;
  }

  function walk(v: unknown, level: number): unknown {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object' || level > MAX_DEPTH) return v;
    if (isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const m = walk(v[i], level + 1);
        if (m !== v[i]) {
          if (!copy) copy = apply(arraySlice, v, []) as unknown[];
          copy[i] = m;
        }
      }
      return copy ?? v;
    }
    const proto = getProto(v);
    if (proto !== ObjectProto && proto !== null) return v;
    let copy: Record<string, unknown> | undefined;
    const src = v as Record<string, unknown>;
    const keys = keysOf(src);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const item = src[k];
      const m = walk(item, level + 1);
      const mk = text(k);
      if (m !== item || mk !== k) {
        if (!copy) {
          copy = {};
          for (let j = 0; j < keys.length; j++) defineProp(copy, keys[j]!, { value: src[keys[j]!], writable: true, enumerable: true, configurable: true });
        }
        if (mk !== k) delete copy[k];
        defineProp(copy, mk, { value: m, writable: true, enumerable: true, configurable: true });
      }
    }
    return copy ?? v;
  }

  return {
    active,
    longestForm,
    text,
    cut,
    safeEnd,
    heldFrom,
    value: <T>(v: T): T => (active ? (walk(v, 0) as T) : v),
  };
}
