/**
 * What TypeScript's `emitDecoratorMetadata` records of a decorated member (`design:type`, `design:paramtypes`,
 * `design:returntype`), read from the type annotations of a TypeScript cell, which the type removal takes away: each
 * annotation is found from where its code is in the JavaScript (lines never move; TypeColumns maps the columns back),
 * in sucrase's tokens of the cell, and written as the value TypeScript writes for it: `String` for `string`, `Array`
 * for `T[]`, the class for a class's name (`Object` when the name is a type only), the cell's own enums and type
 * aliases looked through, and `Object` for what only a type checker could tell (an alias from another cell).
 */
import { textPositions } from '../../protocol/codaJsonChecks';
import type { Columns } from './ColumnMap';
import { afterBracket, type SucraseParser } from './valueNamespace';
import { lazy } from '../runtime/lazy';

type Token = ReturnType<SucraseParser['parse']>['tokens'][number];

const REFERENCE = lazy(() => /^([\p{ID_Start}$_][\p{ID_Continue}$]*(?:\s*\.\s*[\p{ID_Start}$_][\p{ID_Continue}$]*)*)\s*(?:<[\s\S]*>)?$/u);

export class DesignTypes {
  private readonly tokens: Token[];
  /** The cell's own enums (as the value TypeScript records for them) and type aliases (as their type's text). */
  private readonly locals: Map<string, { value: string } | { alias: string }>;

  constructor(
    private readonly s: SucraseParser,
    /** The cell (its parameter decorators hidden). */
    private readonly ts: string,
    js: string,
    columns: Columns,
    jsx: boolean,
    /** `ref(() => Name)`: how the lowered code reads a class by name. */
    private readonly ref: (name: string) => string,
    /** `strictNullChecks`: `string | null` is a union of two types (Object), not `string`. */
    private readonly strictNullChecks = false,
  ) {
    this.tokens = s.parse(ts, jsx, true, false).tokens;
    this.locals = this.localTypes();
    this.cellOffset = cellOffsets(js, ts, columns);
  }

  /** A property's (or an accessor field's) annotation, as a value; its key starts at `jsKey` in the JavaScript. */
  property(jsKey: number): string {
    let i = this.at(jsKey);
    if (this.is(i, this.s.TokenType.bracketL)) i = this.after(i);
    else i++;
    return this.annotation(i);
  }

  /** Each parameter's annotation, as a value (`jsParams`: where each parameter starts in the JavaScript). */
  parameters(jsParams: number[]): string[] {
    const T = this.s.TokenType;
    return jsParams.map((p) => {
      let i = this.at(p);
      const rest = this.is(i, T.ellipsis);
      if (rest) i++;
      if (this.is(i, T.braceL) || this.is(i, T.bracketL)) i = this.after(i);
      else i++;
      // a rest parameter records the type of its elements (`...ids: number[]` → Number)
      return this.annotation(i, 'Object', rest);
    });
  }

  /**
   * The return annotation of the function whose parameters open at `jsOpen` (`void 0` without one, as TypeScript
   * writes; an async function without one returns a Promise).
   */
  returns(jsOpen: number, async = false): string {
    const i = this.at(jsOpen);
    const none = async ? this.ref('Promise') : 'void 0';
    if (!this.is(i, this.s.TokenType.parenL)) return none;
    return this.annotation(this.after(i), none);
  }

  /** The annotation that starts at token `i` (`: Type`), as a value; Object when there is none. */
  private annotation(i: number, none = 'Object', rest = false): string {
    const T = this.s.TokenType;
    while (this.is(i, T.question) || this.is(i, T.bang)) i++;
    const colon = this.tokens[i];
    if (!colon || colon.type !== T.colon || !colon.isType) return none;
    let j = i + 1;
    while (this.tokens[j]?.isType) j++;
    if (j === i + 1) return none;
    const type = this.ts.slice(this.tokens[i + 1]!.start, this.tokens[j - 1]!.end);
    if (!rest) return this.serialize(type);
    const element = /^\s*(?:readonly\s+)?([\s\S]*?)\s*\[\s*\]\s*$/.exec(type)?.[1] ?? /^\s*Array\s*<([\s\S]*)>\s*$/.exec(type)?.[1];
    return element === undefined ? 'Object' : this.serialize(element);
  }

  /** A type as a value, the cell's own enums and type aliases looked through (`type Id = string` records String). */
  private serialize(type: string, depth = 0): string {
    const local = (name: string): string | undefined => {
      const found = this.locals.get(name);
      if (!found || depth > 8) return undefined;
      return 'value' in found ? found.value : this.serialize(found.alias, depth + 1);
    };
    return serialize(type, this.ref, this.strictNullChecks, local);
  }

  /** The enums and type aliases the cell declares. */
  private localTypes(): Map<string, { value: string } | { alias: string }> {
    const T = this.s.TokenType;
    const K = this.s.ContextualKeyword;
    const locals = new Map<string, { value: string } | { alias: string }>();
    const tokens = this.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const name = tokens[i + 1];
      if (name?.type !== T.name) continue;
      const id = this.ts.slice(name.start, name.end);
      if (t.type === T._enum && tokens[i + 2]?.type === T.braceL) {
        // a numeric enum records Number, a string one String, a mixed one Object
        const close = this.after(i + 2);
        let strings = 0;
        let others = 0;
        for (let j = i + 3; j < close - 1; j++) {
          const member = tokens[j]!;
          const first = j === i + 3 || tokens[j - 1]!.type === T.comma;
          if (!first || (member.type !== T.name && member.type !== T.string)) continue;
          if (tokens[j + 1]?.type === T.eq && tokens[j + 2]?.type === T.string) strings++;
          else others++;
        }
        locals.set(id, { value: strings && others ? 'Object' : strings ? 'String' : 'Number' });
      } else if (t.type === T.name && t.contextualKeyword === K._type && t.isType) {
        let j = i + 2;
        if (this.is(j, T.lessThan)) while (j < tokens.length && !this.is(j, T.greaterThan)) j++;
        if (this.is(j, T.greaterThan)) j++;
        if (!this.is(j, T.eq)) continue;
        let k = j + 1;
        while (tokens[k]?.isType && !this.is(k, T.semi)) k++;
        if (k > j + 1) locals.set(id, { alias: this.ts.slice(tokens[j + 1]!.start, tokens[k - 1]!.end) });
      }
    }
    return locals;
  }

  /** Where the code at JavaScript offset `js` is in the cell. */
  readonly cellOffset: (js: number) => number;

  /** The index of the first token at or after the cell's offset for JavaScript offset `js`. */
  private at(js: number): number {
    const offset = this.cellOffset(js);
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid]!.start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The index after the bracket that closes the one opened at `i`. */
  private after(i: number): number {
    return afterBracket(this.s, this.tokens, i);
  }

  private is(i: number, type: number): boolean {
    return this.tokens[i]?.type === type;
  }
}

/** The value TypeScript's `emitDecoratorMetadata` writes for a type (as text). */
export function serialize(
  type: string,
  ref: (name: string) => string,
  strictNullChecks = false,
  local: (name: string) => string | undefined = () => undefined,
): string {
  let t = type.trim();
  while (t.startsWith('(') && closes(t, 0) === t.length - 1) t = t.slice(1, -1).trim();
  const union = splitTop(t, '|');
  if (union.length > 1) {
    // without strictNullChecks, null and undefined are in every type: TypeScript leaves them out of a union
    const parts = union.map((p) => p.trim()).filter((p) => p && p !== 'never' && (strictNullChecks || (p !== 'null' && p !== 'undefined')));
    if (!parts.length) return 'void 0';
    const values = parts.map((p) => serialize(p, ref, strictNullChecks, local));
    return values.every((v) => v === values[0]) ? values[0]! : 'Object';
  }
  if (splitTop(t, '&').length > 1) return 'Object';
  if (/^(?:abstract\s+)?(?:new\s*)?(?:<[^>]*>\s*)?\(/.test(t) && /=>/.test(t)) return 'Function';
  if (/\[\s*\]$/.test(t) || /^(?:readonly\s+)?\[/.test(t) || /^Array\s*</.test(t)) return 'Array';
  if (/^(?:string\b|["'`])/.test(t)) return 'String';
  if (/^-?\d[\d_]*n$/.test(t)) return 'BigInt';
  if (/^(?:number\b|-?\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?$|-?0[xob])/i.test(t)) return 'Number';
  if (/^(?:boolean|true|false)$/.test(t)) return 'Boolean';
  if (/^bigint$/.test(t)) return 'BigInt';
  if (/^(?:unique\s+)?symbol$/.test(t)) return 'Symbol';
  if (/^(?:void|undefined|null|never)$/.test(t)) return 'void 0';
  if (/^(?:any|unknown|object)$/.test(t)) return 'Object';
  if (/^(?:keyof|typeof|infer|asserts)\b/.test(t) || t.startsWith('{') || /\bextends\b[\s\S]*\?/.test(t)) return 'Object';
  const name = REFERENCE().exec(t)?.[1]?.replace(/\s+/g, '');
  return name ? (local(name) ?? ref(name)) : 'Object';
}

/** `t` split at `sep` where no bracket, brace, paren or angle bracket is open. */
function splitTop(t: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if ('([{<'.includes(c)) depth++;
    else if (')]}>'.includes(c) && !(c === '>' && t[i - 1] === '=')) depth--;
    else if (c === sep && depth === 0) {
      parts.push(t.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(t.slice(from));
  return parts.filter((p, i) => i > 0 || p.trim() || parts.length === 1);
}

/** The index of the `)` closing the `(` at `open` in `t`. */
function closes(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Where each offset of `js` (which sucrase and the like made of `cell`, lines kept) is in `cell`, by `columns`. */
export function cellOffsets(js: string, cell: string, columns: Columns): (offset: number) => number {
  const lines = [0];
  for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) lines.push(i + 1);
  const position = textPositions(js);
  return (offset) => {
    const { line, column } = position(offset);
    return (lines[line - 1] ?? 0) + columns.original(line, column) - 1;
  };
}
