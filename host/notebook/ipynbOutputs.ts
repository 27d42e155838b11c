/**
 * Cell outputs between the two formats. Jupyter's four output types map onto CodaJS's own outputs:
 *   stream (stdout/stderr)   ⇄ one console output (stderr lines are `error` entries; warn and error go to stderr)
 *   execute_result            ⇄ a value output (its preview travels in the bundle under CodaJS's own MIME type),
 *                               or, for results another kernel saved, the MIME bundle as it was
 *   error                     ⇄ an error output (`traceback` from the mapped stack)
 *   display_data              ⇄ display() output, item by item
 * Jupyter's stream and error outputs have no room for more than text, so an exported cell keeps CodaJS's console
 * and error data (levels, groups, expandable previews, mapped frames, causes) in its `codajs.outputs` metadata, by
 * output index; reading it back uses them only while the Jupyter outputs are still the ones they were written as
 * (a notebook re-run in Jupyter gets its new outputs). What only Jupyter had (output metadata, a coloured traceback)
 * is kept under `ipynb` in the CodaJS output's metadata. Pure: no Node, DOM or vscode.
 */
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ConsoleOutput, type ErrorOutput, type ValueOutput } from '../../protocol/outputs';
import { loadedOutputData, savedOutputData } from '../../protocol/savedOutputs';
import type { CodaOutput, CodaOutputItem } from '../../protocol/codaFile';
import type { ConsoleEntry } from '../../protocol/console';
import { formatConsoleEntry, formatError, valueText } from '../format/formatText';
import { joinMultiline, sameJson, splitMultiline, type IpynbOutput, type IpynbStreamOutput, type MimeBundle } from './ipynbTypes';

/** The key under which a CodaJS output keeps what only Jupyter had. */
export const IPYNB_KEY = 'ipynb';

/** What a CodaJS output remembers of the Jupyter output it came from. */
interface IpynbOutputMemo {
  outputType?: 'execute_result';
  metadata?: Record<string, unknown>;
  traceback?: string[];
}

/** Where an exported display output keeps the order of its items. */
const MIME_ORDER_KEY = 'mimeOrder';

/** CodaJS's own data of exported console and error outputs, by the index of their (first) Jupyter output. */
export type KeptOutputs = Record<string, CodaOutputItem>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const isJsonMime = (mime: string) => /^application\/(?:.+\+)?json$/i.test(mime);
/** Jupyter stores these base64-encoded; everything else that is not JSON is text. */
export const isBinaryMime = (mime: string) => /^(?:image\/(?!svg\+xml$)|audio\/|video\/|application\/(?:pdf|octet-stream|zip)$)/i.test(mime);

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const stripAnsi = (s: string) => s.replace(ANSI, '');
const label = (id: string) => id;

// ---- Jupyter → CodaJS -----------------------------------------------------------------------------------------

export function outputsFromIpynb(outputs: unknown[], kept: Record<string, unknown>, warn: (message: string) => void): CodaOutput[] {
  const out: CodaOutput[] = [];
  let streams: { name: 'stdout' | 'stderr'; text: string }[] = [];
  let streamsAt = 0;
  const flush = () => {
    if (streams.length) out.push(keptConsole(kept[String(streamsAt)], streams) ?? consoleOutput(streams));
    streams = [];
  };
  outputs.forEach((o, i) => {
    if (!isObject(o)) return warn(`output ${i} is not an object; left out`);
    if (o.output_type === 'stream') {
      if (!streams.length) streamsAt = i;
      streams.push({ name: o.name === 'stderr' ? 'stderr' : 'stdout', text: joinMultiline(o.text) });
      return;
    }
    flush();
    switch (o.output_type) {
      case 'execute_result':
      case 'display_data':
        out.push(bundleOutput(o));
        return;
      case 'error':
        out.push(keptError(kept[String(i)], o) ?? errorOutput(o));
        return;
      default:
        warn(`output ${i} has an unknown output_type ${JSON.stringify(o.output_type)}; left out`);
    }
  });
  flush();
  return out;
}

function bundleOutput(o: Record<string, unknown>): CodaOutput {
  const data = isObject(o.data) ? o.data : {};
  const value = data[MIME_VALUE];
  if (o.output_type === 'execute_result' && isObject(value) && isObject(value.value)) {
    return {
      items: [
        { mime: MIME_VALUE, data: value },
        { mime: 'text/plain', data: joinMultiline(data['text/plain']) || valueText((value as unknown as ValueOutput).value) },
      ],
    };
  }
  const memo: IpynbOutputMemo = {};
  if (o.output_type === 'execute_result') memo.outputType = 'execute_result';
  // `codajs` holds the metadata of the CodaJS output this one was exported from
  const { codajs, ...jupyterMetadata } = isObject(o.metadata) ? o.metadata : {};
  if (Object.keys(jupyterMetadata).length) memo.metadata = jupyterMetadata;
  const { [MIME_ORDER_KEY]: order, ...codajsMetadata } = isObject(codajs) ? codajs : {};
  const items = bundleItems(data);
  if (Array.isArray(order)) items.sort((a, b) => order.indexOf(a.mime) - order.indexOf(b.mime));
  const output: CodaOutput = { items };
  const metadata = { ...codajsMetadata, ...(Object.keys(memo).length ? { [IPYNB_KEY]: memo } : {}) };
  if (Object.keys(metadata).length) output.metadata = metadata;
  return output;
}

function consoleOutput(streams: { name: string; text: string }[]): CodaOutput {
  const entries: ConsoleEntry[] = [];
  for (const s of streams) {
    const lines = s.text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const level = s.name === 'stderr' ? 'error' : 'log';
    for (const text of lines) entries.push({ method: level, level, depth: 0, text, cellId: '', executionId: 0, time: 0 });
  }
  return withPlainText(savedOutputData(MIME_CONSOLE, { entries }));
}

/** A console output with its text/plain sibling, written as the extension writes it. */
function withPlainText(saved: unknown): CodaOutput {
  return {
    items: [
      { mime: MIME_CONSOLE, data: saved },
      {
        mime: 'text/plain',
        data: consoleLines(saved)
          .map((l) => l.text)
          .join('\n'),
      },
    ],
  };
}

/** The console output a notebook was exported from, while its streams are still the ones it was written as. */
function keptConsole(kept: unknown, streams: { name: string; text: string }[]): CodaOutput | undefined {
  if (!isObject(kept) || kept.mime !== MIME_CONSOLE || !isObject(kept.data)) return undefined;
  const written = streamsOf(kept.data).map((s) => ({ name: (s as IpynbStreamOutput).name, text: joinMultiline((s as IpynbStreamOutput).text) }));
  const found = streams.map((s) => ({ name: s.name, text: s.text }));
  return JSON.stringify(written) === JSON.stringify(found) ? withPlainText(kept.data) : undefined;
}

function keptError(kept: unknown, o: Record<string, unknown>): CodaOutput | undefined {
  if (!isObject(kept) || kept.mime !== MIME_ERROR || !isObject(kept.data) || !isObject(kept.data.error)) return undefined;
  const payload = kept.data as unknown as ErrorOutput;
  const written = errorOf(payload, undefined);
  if (
    written.output_type !== 'error' ||
    written.ename !== o.ename ||
    written.evalue !== o.evalue ||
    JSON.stringify(written.traceback) !== JSON.stringify(o.traceback)
  )
    return undefined;
  return {
    items: [
      { mime: MIME_ERROR, data: payload },
      { mime: 'text/plain', data: errorText(payload) },
    ],
  };
}

function errorOutput(o: Record<string, unknown>): CodaOutput {
  const name = typeof o.ename === 'string' ? o.ename : 'Error';
  const message = typeof o.evalue === 'string' ? o.evalue : '';
  const traceback = Array.isArray(o.traceback) ? o.traceback.map((l) => (typeof l === 'string' ? l : String(l))) : [];
  const stack = stripAnsi(traceback.join('\n'));
  const payload: ErrorOutput = { error: stack ? { name, message, stack } : { name, message } };
  const output: CodaOutput = {
    items: [
      { mime: MIME_ERROR, data: payload },
      { mime: 'text/plain', data: stack || `${name}: ${message}` },
    ],
  };
  // colours and the kernel's own line split come back on export
  if (!sameJson(errorOf(payload, undefined), { output_type: 'error', ename: name, evalue: message, traceback }))
    output.metadata = { [IPYNB_KEY]: { traceback } satisfies IpynbOutputMemo };
  return output;
}

/** A MIME bundle as output items, in the bundle's order. */
export function bundleItems(data: MimeBundle): CodaOutputItem[] {
  return Object.entries(data).map(([mime, value]): CodaOutputItem => {
    if (isJsonMime(mime)) return { mime, data: value };
    const text = joinMultiline(value);
    return isBinaryMime(mime) ? { mime, data: text, encoding: 'base64' } : { mime, data: text };
  });
}

// ---- CodaJS → Jupyter -----------------------------------------------------------------------------------------

export interface ExportedOutputs {
  outputs: IpynbOutput[];
  /** For the cell's `codajs.outputs` metadata. */
  kept: KeptOutputs;
}

export function outputsToIpynb(outputs: readonly CodaOutput[], executionCount: number | null): ExportedOutputs {
  const result: ExportedOutputs = { outputs: [], kept: {} };
  for (const o of outputs) {
    const memo: IpynbOutputMemo = isObject(o.metadata?.[IPYNB_KEY]) ? (o.metadata![IPYNB_KEY] as IpynbOutputMemo) : {};
    const item = (mime: string) => o.items.find((i) => i.mime === mime);
    const consoleItem = item(MIME_CONSOLE);
    const valueItem = item(MIME_VALUE);
    const errorItem = item(MIME_ERROR);
    if (consoleItem && isObject(consoleItem.data)) {
      const streams = streamsOf(consoleItem.data);
      if (!streams.length) continue;
      if (!isPlainStreams(consoleItem.data)) result.kept[String(result.outputs.length)] = consoleItem;
      result.outputs.push(...streams);
    } else if (valueItem && isObject(valueItem.data) && isObject(valueItem.data.value)) {
      const plainText = item('text/plain');
      const text = typeof plainText?.data === 'string' ? plainText.data : valueText((valueItem.data as unknown as ValueOutput).value);
      result.outputs.push({
        output_type: 'execute_result',
        data: { 'text/plain': splitMultiline(text), [MIME_VALUE]: valueItem.data },
        metadata: {},
        execution_count: executionCount,
      });
    } else if (errorItem && isObject(errorItem.data) && isObject(errorItem.data.error)) {
      const payload = errorItem.data as unknown as ErrorOutput;
      const error = errorOf(payload, memo.traceback);
      // an error read from Jupyter is nothing but its traceback: it needs no copy
      if (!sameJson(errorOutput(error as unknown as Record<string, unknown>).items[0], errorItem)) result.kept[String(result.outputs.length)] = errorItem;
      result.outputs.push(error);
    } else {
      const data = bundleOf(o.items);
      const metadata = {
        ...(isObject(memo.metadata) ? memo.metadata : {}),
        ...otherMetadata(
          o.metadata,
          o.items.map((i) => i.mime),
        ),
      };
      if (memo.outputType === 'execute_result') result.outputs.push({ output_type: 'execute_result', data, metadata, execution_count: executionCount });
      else result.outputs.push({ output_type: 'display_data', data, metadata });
    }
  }
  return result;
}

function consoleLines(data: unknown): { stream: 'stdout' | 'stderr'; text: string }[] {
  const loaded = loadedOutputData(MIME_CONSOLE, data) as Partial<ConsoleOutput>;
  const entries = Array.isArray(loaded.entries) ? loaded.entries : [];
  const half = Math.ceil(entries.length / 2);
  const lines: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  entries.forEach((e, i) => {
    // the omitted middle of a flood sat between the two halves CodaJS kept (worded as the extension words it)
    if (loaded.omitted && i === half) lines.push({ stream: 'stdout', text: `… ${loaded.omitted} lines omitted …` });
    lines.push({ stream: e.level === 'error' || e.level === 'warn' ? 'stderr' : 'stdout', text: formatConsoleEntry(e, label) });
  });
  return lines;
}

/** Console entries as Jupyter streams: stdout for log/info/debug, stderr for warn/error (as Node prints them). */
function streamsOf(data: unknown): IpynbOutput[] {
  const out: { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }[] = [];
  for (const { stream, text } of consoleLines(data)) {
    const last = out[out.length - 1];
    if (last && last.name === stream) last.text += `${text}\n`;
    else out.push({ output_type: 'stream', name: stream, text: `${text}\n` });
  }
  return out.map((s) => ({ ...s, text: splitMultiline(s.text) }));
}

/** A console output that reading its streams would give back as it is (plain log and error lines) needs no copy. */
function isPlainStreams(data: Record<string, unknown>): boolean {
  const lines = consoleLines(data);
  const again = consoleOutput(lines.map((l) => ({ name: l.stream, text: `${l.text}\n` })));
  return sameJson(again.items[0]!.data, data);
}

function errorOf(payload: ErrorOutput, traceback: string[] | undefined): IpynbOutput {
  const { name, message } = payload.error;
  return { output_type: 'error', ename: name, evalue: message, traceback: Array.isArray(traceback) ? traceback : errorText(payload).split('\n') };
}

/** An error as text: CodaJS's mapped frames when it has them, else the stack the kernel wrote. */
function errorText(payload: ErrorOutput): string {
  if (payload.interrupted) return 'Interrupted';
  return payload.error.frames?.length || !payload.error.stack ? formatError(payload.error, label) : payload.error.stack;
}

function bundleOf(items: readonly CodaOutputItem[]): MimeBundle {
  const data: MimeBundle = {};
  for (const i of items) {
    if (i.mime in data) continue; // a bundle holds one representation per MIME type
    if (isJsonMime(i.mime) || i.encoding === 'base64') data[i.mime] = i.data;
    else data[i.mime] = splitMultiline(typeof i.data === 'string' ? i.data : JSON.stringify(i.data));
  }
  return data;
}

/**
 * CodaJS output metadata other than what came from Jupyter travels under `codajs`, and so does the order of the
 * output's items when it is not the sorted order Jupyter writes bundles in.
 */
function otherMetadata(metadata: Record<string, unknown> | undefined, mimes: string[]): Record<string, unknown> {
  const { [IPYNB_KEY]: _memo, ...rest } = metadata ?? {};
  const unique = [...new Set(mimes)];
  const codajs = { ...rest, ...(unique.join('\n') !== [...unique].sort().join('\n') ? { [MIME_ORDER_KEY]: unique } : {}) };
  return Object.keys(codajs).length ? { codajs } : {};
}
