/**
 * Runs INSIDE the isolate (stringified into the prelude): self-contained, ECMAScript built-ins only.
 *
 * The sandbox's `console`: Node's semantics as data, every call becomes a ConsoleEntry (protocol/console.ts) with
 * format specifiers (%s %d %i %f %j %o %O %c %%), groups, table, count, time, assert and trace, attributed to
 * the cell that started the work. Entries go to `sink`, which batches them across the bridge.
 */
export interface ConsoleLimits {
  maxConsoleText: number;
  maxValuesPerEntry: number;
  maxTableRows: number;
  maxTableCell: number;
  /** The width Node's console lays values out in (util.inspect's breakLength, as a result's text). */
  resultTextBreak: number;
}

export function makeConsole(
  inspector: any,
  sink: (entry: any) => void,
  current: () => { cellId: string; executionId: number; instrument: boolean },
  limits: ConsoleLimits,
  /** console.time's clock in ms: the prelude's performance.now (the host's clock in steps of 0.1 ms). */
  clock: () => number,
  /** The box-drawn table (worker/runtime/makeDrawTable.ts). */
  drawTable: (columns: string[], rows: string[][]) => string,
  /** preludeMain's append, which no setter a cell put on an index of Array.prototype sees. */
  append: (list: unknown[], v: unknown) => void,
): any {
  'use strict';
  const apply = Reflect.apply;
  const strSlice = String.prototype.slice;
  const strIndexOf = String.prototype.indexOf;
  const now = Date.now;
  const keysOf = Object.keys;
  const gOPD = Object.getOwnPropertyDescriptor;
  const StringCtor = String;
  const NumberCtor = Number;
  const pInt = parseInt;
  const pFloat = parseFloat;
  const stringify = JSON.stringify;
  const ErrorCtor = Error;
  const MapCtor = Map;
  const mapEntriesOf = Map.prototype.entries;
  const setValuesOf = Set.prototype.values;
  const mapIterNext = Object.getPrototypeOf(new Map().entries()).next;
  const setIterNext = Object.getPrototypeOf(new Set().values()).next;
  const isArray = Array.isArray;
  const arrIncludes = Array.prototype.includes;
  const includes = (list: unknown[], v: unknown): boolean => apply(arrIncludes, list, [v]);
  /** The items of `list` from `from` on, read by index. */
  const from = (list: unknown[], start: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = start; i < list.length; i++) append(out, list[i]);
    return out;
  };
  // console.count's and console.time's labels, kept with Map's methods as they are now
  const mapGet = MapCtor.prototype.get;
  const mapSet = MapCtor.prototype.set;
  const mapHas = MapCtor.prototype.has;
  const mapDelete = MapCtor.prototype.delete;
  const strIncludes = String.prototype.includes;
  const mapSize = gOPD(Map.prototype, 'size')!.get!;
  const setSize = gOPD(Set.prototype, 'size')!.get!;
  const LEVEL: Record<string, string> = { info: 'info', warn: 'warn', error: 'error', debug: 'debug', assert: 'error' };
  // the notebook's secrets: every text is masked before it is cut to a limit
  const secrets = inspector.secrets;
  // Node's console layout: over lines where a value does not fit, lists in columns, errors with their stacks
  const consoleOpts = { depth: 2, maxItems: 100, maxString: 10_000, maxChars: limits.maxConsoleText, errorStack: true, breakLength: limits.resultTextBreak };
  const inspect = (v: unknown, depth = 2) => inspector.format(v, { ...consoleOpts, depth });

  let depth = 0;
  const counts = new MapCtor<string, number>();
  const timers = new MapCtor<string, number>();

  const isObject = (v: unknown) => (typeof v === 'object' && v !== null) || typeof v === 'function';
  const label = (args: unknown[]) => (args[0] === undefined ? 'default' : StringCtor(args[0]));
  const stack = () => {
    try {
      return StringCtor(new ErrorCtor().stack ?? '');
    } catch {
      return '';
    }
  };

  function formatArgs(args: unknown[]): string {
    // a format string is masked before it is applied: a secret in it holding `%i` or `%%` would come out changed
    // (no longer the secret the masker looks for) and the rest of it shown
    const first = typeof args[0] === 'string' && args.length > 1 ? secrets.text(args[0]) : args[0];
    let i = 0;
    let out = '';
    if (typeof first === 'string') {
      i = 1;
      if (args.length === 1) return first;
      let last = 0;
      for (let p = 0; p < first.length - 1; p++) {
        if (first[p] !== '%') continue;
        const c = first[p + 1];
        if (c === '%') {
          out += apply(strSlice, first, [last, p]) + '%';
          last = p + 2;
          p++;
          continue;
        }
        if (i >= args.length || !apply(strIncludes, 'sdifjoOc', [c])) continue;
        const a = args[i];
        let rep: string;
        switch (c) {
          case 's':
            rep =
              typeof a === 'bigint'
                ? `${a}n`
                : isObject(a)
                  ? inspect(a, 1)
                  : inspector.primitive(a, 10_000) !== undefined && typeof a !== 'string'
                    ? inspector.primitive(a, 10_000)
                    : StringCtor(a);
            break;
          case 'd':
          case 'i':
            rep =
              typeof a === 'bigint'
                ? `${a}n`
                : typeof a === 'symbol' || isObject(a)
                  ? 'NaN'
                  : c === 'd'
                    ? fmtNumber(NumberCtor(a))
                    : fmtNumber(pInt(StringCtor(a)));
            break;
          case 'f':
            rep = typeof a === 'symbol' ? 'NaN' : fmtNumber(pFloat(StringCtor(a)));
            break;
          case 'j':
            try {
              rep = StringCtor(stringify(a));
            } catch {
              rep = '[Circular]';
            }
            break;
          case 'o':
            // (Node's %o: showProxy too)
            rep = inspector.format(a, { ...consoleOpts, depth: 4, showProxy: true });
            break;
          case 'O':
            rep = inspect(a);
            break;
          default:
            rep = '';
        }
        out += apply(strSlice, first, [last, p]) + rep;
        last = p + 2;
        p++;
        i++;
      }
      out += apply(strSlice, first, [last]);
    }
    for (; i < args.length; i++) {
      const a = args[i];
      if (out || i > 0) out += ' ';
      out += typeof a === 'string' ? a : inspect(a);
    }
    return out;
  }
  /** The line argument by argument (no format string): text, or `{ value: i }` where the i-th object stands. */
  function segments(method: string, args: unknown[]): any[] | undefined {
    if (method !== 'log' && method !== 'info' && method !== 'warn' && method !== 'error' && method !== 'debug') return undefined;
    if (typeof args[0] === 'string' && apply(strIndexOf, args[0], ['%']) !== -1) return undefined;
    const out: any[] = [];
    let slot = 0;
    let length = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const sep = i > 0 ? ' ' : '';
      if (isObject(a)) {
        if (slot >= limits.maxValuesPerEntry) return undefined;
        if (sep) append(out, sep);
        append(out, { value: slot++ });
        continue;
      }
      const text = sep + (typeof a === 'string' ? a : inspect(a));
      length += text.length;
      if (length > limits.maxConsoleText) return undefined;
      append(out, secrets.text(text));
    }
    return out;
  }
  function fmtNumber(n: number): string {
    return Object.is(n, -0) ? '-0' : StringCtor(n);
  }

  function entry(method: string, text: string, args: unknown[] = [], withStack = false): any {
    const cell = current();
    let masked: string;
    const e: any = {
      method,
      level: LEVEL[method] ?? 'log',
      cellId: cell.cellId,
      executionId: cell.executionId,
      time: now(),
      depth,
      // masked first: the count of what was cut is of masked text (the original's would tell a secret's length)
      text:
        (masked = secrets.text(text)).length > limits.maxConsoleText
          ? `${secrets.cut(masked, limits.maxConsoleText)}… (${masked.length - limits.maxConsoleText} more characters)`
          : masked,
    };
    const values: any[] = [];
    for (let i = 0; i < args.length && values.length < limits.maxValuesPerEntry; i++) {
      if (isObject(args[i])) append(values, inspector.describe(args[i], cell.cellId));
    }
    if (values.length) {
      e.values = values;
      const segs = segments(method, args);
      if (segs) e.segments = segs;
    }
    if (withStack || cell.instrument) e.stack = stack();
    if (method === 'error') {
      for (let i = 0; i < args.length; i++) {
        if (!inspector.isError(args[i])) continue;
        e.errorStack = inspector.errorData(args[i]).stack;
        break;
      }
    }
    return e;
  }
  const emit = (e: any) => sink(e);
  const warn = (method: string, text: string) => {
    const e = entry(method, text);
    e.level = 'warn';
    emit(e);
  };

  function cellText(v: unknown): string {
    const s = isObject(v)
      ? inspector.format(v, { depth: 0, maxItems: 10, maxString: 60, maxChars: limits.maxTableCell })
      : typeof v === 'string'
        ? inspector.format(v, { depth: 0, maxItems: 10, maxString: limits.maxTableCell, maxChars: limits.maxTableCell })
        : inspector.primitive(v, 60);
    return s.length > limits.maxTableCell ? `${secrets.cut(s, limits.maxTableCell - 1)}…` : secrets.text(s);
  }
  function field(obj: any, k: string): { has: boolean; text: string } {
    const d = gOPD(obj, k);
    if (!d) return { has: false, text: '' };
    return { has: true, text: 'value' in d ? cellText(d.value) : '[Getter]' };
  }
  /**
   * console.table's columns, rows and text, as Node lays them out. The cell's data is read by index and through
   * methods captured when the console was made: a cell that replaces Array's, Map's or Set's methods (or their
   * iterators) changes no table.
   */
  function table(data: unknown, filter?: string[]): any {
    // a revoked proxy has no rows to read: logged, `<Revoked Proxy>`
    if (data === null || typeof data !== 'object' || inspector.proxyOf(data) === null) return undefined;
    const records: [string, unknown][] = [];
    let indexHeader = '(index)';
    let isMap = false;
    let isSet = false;
    try {
      apply(mapSize, data, []);
      isMap = true;
    } catch {
      try {
        apply(setSize, data, []);
        isSet = true;
      } catch {
        // a plain object or array
      }
    }
    if (isMap || isSet) {
      indexHeader = '(iteration index)';
      const it = apply(isMap ? mapEntriesOf : setValuesOf, data, []);
      const next = isMap ? mapIterNext : setIterNext;
      for (let i = 0; records.length <= limits.maxTableRows; i++) {
        const step: any = apply(next, it, []);
        if (step.done) break;
        append(records, [StringCtor(i), isMap ? { Key: step.value[0], Values: step.value[1] } : step.value]);
      }
    } else {
      const keys = keysOf(data);
      for (let i = 0; i < keys.length && records.length <= limits.maxTableRows; i++) {
        const d = gOPD(data, keys[i]!);
        append(records, [keys[i], d && 'value' in d ? d.value : undefined]);
      }
    }
    const shown = records.length > limits.maxTableRows ? limits.maxTableRows : records.length;
    const keys: string[] = [];
    let hasValues = false;
    for (let r = 0; r < shown; r++) {
      const v = records[r]![1];
      if (v === null || typeof v !== 'object') {
        hasValues = true;
        continue;
      }
      const own = keysOf(v);
      for (let i = 0; i < own.length; i++) if (!includes(keys, own[i]) && (!filter || includes(filter, own[i]))) append(keys, own[i]);
    }
    const dataCols = filter ?? keys;
    const columns: string[] = [indexHeader];
    for (let i = 0; i < dataCols.length; i++) append(columns, secrets.text(dataCols[i]!));
    if (hasValues) append(columns, 'Values');
    const rows: string[][] = [];
    for (let r = 0; r < shown; r++) {
      const k = records[r]![0];
      const v = records[r]![1];
      const row: string[] = [secrets.text(k)];
      const obj = v !== null && typeof v === 'object' ? v : undefined;
      for (let i = 0; i < dataCols.length; i++) append(row, obj ? field(obj, dataCols[i]!).text : '');
      if (hasValues) append(row, obj ? '' : cellText(v));
      append(rows, row);
    }
    let text = drawTable(columns, rows);
    if (records.length > shown) text += `\n… more rows`;
    return { columns, rows, text };
  }

  const methods: Record<string, (...args: unknown[]) => void> = {
    log: (...a) => emit(entry('log', formatArgs(a), a)),
    info: (...a) => emit(entry('info', formatArgs(a), a)),
    warn: (...a) => emit(entry('warn', formatArgs(a), a)),
    error: (...a) => emit(entry('error', formatArgs(a), a)),
    debug: (...a) => emit(entry('debug', formatArgs(a), a)),
    dirxml: (...a) => emit(entry('dirxml', formatArgs(a), a)),
    dir: (...a) => {
      const opts: any = a[1] && typeof a[1] === 'object' ? a[1] : {};
      const d = gOPD(opts, 'depth');
      const level = d && typeof d.value === 'number' ? Math.min(d.value, 10) : 2;
      emit(entry('dir', inspect(a[0], level), [a[0]]));
    },
    trace: (...a) => emit(entry('trace', `Trace${a.length ? ': ' + formatArgs(a) : ''}`, a, true)),
    assert: (...a) => {
      if (a[0]) return;
      const rest = from(a, 1);
      emit(entry('assert', rest.length ? `Assertion failed: ${formatArgs(rest)}` : 'Assertion failed', rest, true));
    },
    table: (...a) => {
      let filter: string[] | undefined;
      if (isArray(a[1])) {
        filter = [];
        for (let i = 0; i < a[1].length; i++) append(filter, StringCtor(a[1][i]));
      }
      const t = table(a[0], filter);
      if (!t) return emit(entry('log', formatArgs(a), a));
      const e = entry('table', t.text);
      e.table = { columns: t.columns, rows: t.rows };
      emit(e);
    },
    group: (...a) => {
      emit(entry('group', a.length ? formatArgs(a) : '', a));
      depth++;
    },
    groupCollapsed: (...a) => {
      const e = entry('groupCollapsed', a.length ? formatArgs(a) : '', a);
      e.collapsed = true;
      emit(e);
      depth++;
    },
    groupEnd: () => {
      depth = Math.max(0, depth - 1);
    },
    count: (...a) => {
      const l = label(a);
      const n = ((apply(mapGet, counts, [l]) as number | undefined) ?? 0) + 1;
      apply(mapSet, counts, [l, n]);
      emit(entry('count', `${l}: ${n}`));
    },
    countReset: (...a) => {
      const l = label(a);
      if (!apply(mapHas, counts, [l])) return warn('countReset', `Count for '${l}' does not exist`);
      apply(mapSet, counts, [l, 0]);
    },
    time: (...a) => {
      const l = label(a);
      if (apply(mapHas, timers, [l])) return warn('time', `Label '${l}' already exists for console.time()`);
      apply(mapSet, timers, [l, clock()]);
    },
    timeEnd: (...a) => timeLog('timeEnd', a),
    timeLog: (...a) => timeLog('timeLog', a),
    clear: () => {
      depth = 0;
      emit(entry('clear', ''));
    },
  };
  function timeLog(method: string, a: unknown[]): void {
    const l = label(a);
    const started = apply(mapGet, timers, [l]) as number | undefined;
    if (started === undefined) return warn(method, `No such label '${l}' for console.${method}()`);
    if (method === 'timeEnd') apply(mapDelete, timers, [l]);
    const extra = method === 'timeLog' ? from(a, 1) : [];
    const ms = clock() - started;
    const text = `${l}: ${ms >= 1000 ? `${(ms / 1000).toFixed(3)}s` : `${ms.toFixed(3)}ms`}${extra.length ? ' ' + formatArgs(extra) : ''}`;
    emit(entry(method, text, extra));
  }

  const con: any = {};
  for (const name of keysOf(methods)) {
    const fn = methods[name]!;
    // named, non-constructible functions of this realm: nothing of the host behind them
    // (its arguments handed on by index: a cell's replaced array iterator never sees them)
    con[name] = { [name]: (...args: unknown[]) => apply(fn, undefined, args) }[name];
  }
  return { console: con, formatArgs };
}
