/** A cell failure: `Name: message`, clickable stack frames, the cause chain, AggregateError members. */
import type { SerializedError } from '../protocol/errors';
import { uncaughtHeading, type ErrorOutput } from '../protocol/outputs';
import { ansiNodes } from './ansiNodes';
import { h } from './dom';
import { frameList, type RevealFrame } from './frames';

export function renderError(output: ErrorOutput, label: (cellId: string) => string, reveal?: RevealFrame): HTMLElement {
  if (output.interrupted) return h('div', { class: 'coda-error-view coda-interrupted', text: 'Interrupted' });
  const root = h('div', { class: 'coda-error-view' });
  if (output.background) root.append(h('div', { class: 'coda-dim', text: uncaughtHeading(output.cellLabel, output.rejected) }));
  root.append(errorBlock(output.error, label, reveal, 0));
  return root;
}

function errorBlock(e: SerializedError, label: (cellId: string) => string, reveal: RevealFrame | undefined, depth: number): HTMLElement {
  const block = h('div', { class: 'coda-error-block' }, h('div', { class: 'coda-error-head' }, ...ansiNodes(`${e.name}${e.message ? `: ${e.message}` : ''}`)));
  if (e.frames?.length) block.append(frameList(e.frames, label, reveal));
  if (e.props) block.append(h('div', { class: 'coda-dim' }, ...Object.entries(e.props).map(([k, v]) => h('div', { text: `${k}: ${v}` }))));
  if (depth < 5) {
    for (const member of e.errors ?? []) block.append(h('div', { class: 'coda-error-member' }, errorBlock(member, label, reveal, depth + 1)));
    if (e.cause)
      block.append(h('div', { class: 'coda-cause' }, h('span', { class: 'coda-dim', text: 'Caused by: ' }), errorBlock(e.cause, label, reveal, depth + 1)));
  }
  return block;
}
