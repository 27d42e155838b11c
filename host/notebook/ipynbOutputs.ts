/**
 * Cell outputs between the two formats. Jupyter's four output types map onto CodaJS's own outputs:
 *   stream (stdout/stderr)   ⇄ one console output (stderr lines are `error` entries)
 *   execute_result            ⇄ a value output (CodaJS's value preview travels in the bundle under its own MIME type)
 *                               or, for results another kernel saved, the MIME bundle as it was
 *   error                     ⇄ an error output (`traceback` from the mapped stack)
 *   display_data              ⇄ display() output, item by item
 * What one format holds and the other has no field for is kept under an `ipynb` key of the CodaJS output's metadata
 * (Jupyter output metadata, a traceback with colours) or in the Jupyter cell's `codajs` metadata (CodaJS's error
 * details, which an `error` output has no room for). Pure: no Node, DOM or vscode.
 */
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ErrorOutput, type ValueOutput } from '../../protocol/outputs';
import { loadedOutputData, savedOutputData } from '../../protocol/savedOutputs';
import type { CodaOutput, CodaOutputItem } from '../../protocol/codaFile';
import type { ConsoleEntry } from '../../protocol/console';
import { formatConsoleEntry, formatError, valueText } from '../../cli/formatText';
import { joinMultiline, splitMultiline, type IpynbOutput, type MimeBundle } from './ipynbTypes';

/** The key under which a CodaJS output keeps what only Jupyter had. */
export const IPYNB_KEY = 'ipynb';

/** What a CodaJS output remembers of the Jupyter output it came from. */
interface IpynbOutputMemo {
  outputType?: 'execute_result';
  metadata?: Record<string, unknown>;
  traceback?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const isJsonMime = (mime: string) => /^application\/(?:.+\+)?json$/i.test(mime);
/** Jupyter stores these base64-encoded; everything else that is not JSON is text. */
export const isBinaryMime = (mime: string) => /^(?:image\/(?!svg\+xml$)|audio\/|video\/|application\/(?:pdf|octet-stream|zip)$)/i.test(mime);

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const stripAnsi = (s: string) => s.replace(ANSI, '');

// ---- Jupyter → CodaJS -----------------------------------------------------------------------------------------

/**
 * `errors` are the CodaJS error details an exported notebook kept in the cell's `codajs` metadata, by output index;
 * they are used only when the Jupyter output still names the same error.
 */
export function outputsFromIpynb(outputs: unknown[], errors: Record<string, unknown>, warn: (message: string) => void): CodaOutput[] {
  const out: CodaOutput[] = [];
  let streams: { name: string; text: string }[] = [];
  const flush = () => {
    if (streams.length) out.push(consoleOutput(streams));
    streams = [];
  };
  outputs.forEach((o, i) => {
    if (!isObject(o)) return warn(`output ${i} is not an object; left out`);
    if (o.output_type === 'stream') {
      streams.push({ name: o.name === 'stderr' ? 'stderr' : 'stdout', text: joinMultiline(o.text) });
      return;
    }
    flush();
    switch (o.output_type) {
      case 'execute_result':
      case 'display_data': {
        const data = isObject(o.data) ? o.data : {};
        const value = data[MIME_VALUE];
        if (o.output_type === 'execute_result' && isObject(value) && isObject(value.value)) {
          out.push({ items: [{ mime: MIME_VALUE, data: value }, { mime: 'text/plain', data: joinMultiline(data['text/plain']) || valueText((value as unknown as ValueOutput).value) }] });
          return;
        }
        const memo: IpynbOutputMemo = {};
        if (o.output_type === 'execute_result') memo.outputType = 'execute_result';
        // `codajs` holds the metadata of a CodaJS output this notebook was exported from
        const { codajs, ...jupyterMetadata } = isObject(o.metadata) ? o.metadata : {};
        if (Object.keys(jupyterMetadata).length) memo.metadata = jupyterMetadata;
        const output: CodaOutput = { items: bundleItems(data) };
        const metadata = { ...(isObject(codajs) ? codajs : {}), ...(Object.keys(memo).length ? { [IPYNB_KEY]: memo } : {}) };
        if (Object.keys(metadata).length) output.metadata = metadata;
        out.push(output);
        return;
      }
      case 'error':
        out.push(errorOutput(o, errors[String(i)]));
        return;
      default:
        warn(`output ${i} has an unknown output_type ${JSON.stringify(o.output_type)}; left out`);
    }
  });
  flush();
  return out;
}

function consoleOutput(streams: { name: string; text: string }[]): CodaOutput {
  const entries: ConsoleEntry[] = [];
  for (const s of streams) {
    const lines = s.text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const level = s.name === 'stderr' ? 'error' : 'log';
    for (const text of lines) entries.push({ method: level, level, depth: 0, text, cellId: '', executionId: 0, time: 0 });
  }
  return {
    items: [
      { mime: MIME_CONSOLE, data: savedOutputData(MIME_CONSOLE, { entries }) },
      { mime: 'text/plain', data: streams.map((s) => s.text).join('') },
    ],
  };
}

function errorOutput(o: Record<string, unknown>, kept: unknown): CodaOutput {
  const name = typeof o.ename === 'string' ? o.ename : 'Error';
  const message = typeof o.evalue === 'string' ? o.evalue : '';
  const traceback = Array.isArray(o.traceback) ? o.traceback.map((l) => (typeof l === 'string' ? l : String(l))) : [];
  if (isObject(kept) && isObject(kept.error) && kept.error.name === name && kept.error.message === message) {
    const payload = kept as unknown as ErrorOutput;
    return { items: [{ mime: MIME_ERROR, data: payload }, { mime: 'text/plain', data: errorText(payload) }] };
  }
  const stack = stripAnsi(traceback.join('\n'));
  const payload: ErrorOutput = { error: stack ? { name, message, stack } : { name, message } };
  const output: CodaOutput = { items: [{ mime: MIME_ERROR, data: payload }, { mime: 'text/plain', data: stack || `${name}: ${message}` }] };
  // colours and the kernel's own line split come back on export
  if (traceback.join('\n') !== stack || stack.split('\n').length !== traceback.length) output.metadata = { [IPYNB_KEY]: { traceback } satisfies IpynbOutputMemo };
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
  /** CodaJS error details by Jupyter output index, for the cell's `codajs` metadata. */
  errors: Record<string, ErrorOutput>;
}

export function outputsToIpynb(outputs: readonly CodaOutput[], executionCount: number | null): ExportedOutputs {
  const result: ExportedOutputs = { outputs: [], errors: {} };
  for (const o of outputs) {
    const memo: IpynbOutputMemo = isObject(o.metadata?.[IPYNB_KEY]) ? (o.metadata![IPYNB_KEY] as IpynbOutputMemo) : {};
    const item = (mime: string) => o.items.find((i) => i.mime === mime);
    const consoleItem = item(MIME_CONSOLE);
    const valueItem = item(MIME_VALUE);
    const errorItem = item(MIME_ERROR);
    if (consoleItem) result.outputs.push(...streamsOf(consoleItem.data));
    else if (valueItem && isObject(valueItem.data) && isObject(valueItem.data.value)) {
      const plainText = item('text/plain');
      const text = typeof plainText?.data === 'string' ? plainText.data : valueText((valueItem.data as unknown as ValueOutput).value);
      result.outputs.push({ output_type: 'execute_result', data: { 'text/plain': splitMultiline(text), [MIME_VALUE]: valueItem.data }, metadata: {}, execution_count: executionCount });
    } else if (errorItem && isObject(errorItem.data) && isObject(errorItem.data.error)) {
      const payload = errorItem.data as unknown as ErrorOutput;
      result.errors[String(result.outputs.length)] = payload;
      result.outputs.push(errorOf(payload, memo.traceback));
    } else {
      const data = bundleOf(o.items);
      const metadata = { ...(isObject(memo.metadata) ? memo.metadata : {}), ...otherMetadata(o.metadata) };
      if (memo.outputType === 'execute_result') result.outputs.push({ output_type: 'execute_result', data, metadata, execution_count: executionCount });
      else result.outputs.push({ output_type: 'display_data', data, metadata });
    }
  }
  return result;
}

/** Console entries as Jupyter streams: stdout for log/info/debug, stderr for warn/error (as Node prints them). */
function streamsOf(data: unknown): IpynbOutput[] {
  const loaded = loadedOutputData(MIME_CONSOLE, data) as { entries?: ConsoleEntry[]; omitted?: number };
  const out: { output_type: 'stream'; name: 'stdout' | 'stderr'; text: string }[] = [];
  const push = (name: 'stdout' | 'stderr', line: string) => {
    const last = out[out.length - 1];
    if (last && last.name === name) last.text += `${line}\n`;
    else out.push({ output_type: 'stream', name, text: `${line}\n` });
  };
  const entries = loaded.entries ?? [];
  const half = Math.ceil(entries.length / 2);
  entries.forEach((e, i) => {
    // the omitted middle of a flood sat between the two halves CodaJS kept
    if (loaded.omitted && i === half) push('stdout', `… ${loaded.omitted} console lines not saved …`);
    push(e.level === 'error' || e.level === 'warn' ? 'stderr' : 'stdout', formatConsoleEntry(e, (id) => id));
  });
  return out.map((s) => ({ ...s, text: splitMultiline(s.text) }));
}

function errorOf(payload: ErrorOutput, traceback: string[] | undefined): IpynbOutput {
  const { name, message } = payload.error;
  return { output_type: 'error', ename: name, evalue: message, traceback: Array.isArray(traceback) ? traceback : errorText(payload).split('\n') };
}

/** An error as text: CodaJS's mapped frames when it has them, else the stack the kernel wrote. */
function errorText(payload: ErrorOutput): string {
  if (payload.interrupted) return 'Interrupted';
  return payload.error.frames?.length || !payload.error.stack ? formatError(payload.error, (id) => id) : payload.error.stack;
}

function bundleOf(items: readonly CodaOutputItem[]): MimeBundle {
  const data: MimeBundle = {};
  for (const i of items) {
    if (i.mime in data) continue; // a bundle holds one representation per MIME type; VS Code shows the first too
    if (isJsonMime(i.mime) || i.encoding === 'base64') data[i.mime] = i.data;
    else data[i.mime] = splitMultiline(typeof i.data === 'string' ? i.data : JSON.stringify(i.data));
  }
  return data;
}

/** CodaJS output metadata other than what came from Jupyter travels under `codajs`. */
function otherMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  const { [IPYNB_KEY]: _memo, ...rest } = metadata;
  return Object.keys(rest).length ? { codajs: rest } : {};
}
