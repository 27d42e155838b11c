/**
 * What the Variables and Pending Work views show, as plain rows (no vscode import, unit-tested): a binding's or
 * property's name, type and short preview, the paging of an expanded value (the object inspector's page size), and
 * pending work grouped by the cell that started it.
 */
import type { PropertyItem, PropertyPage, RemoteValue, VariableInfo, WorkItem } from '../../protocol';
import { valueText } from '../../host/format/formatText';

/** A preview is cut to this many characters in a row (the tooltip has the whole bounded preview). */
export const MAX_ROW_PREVIEW = 120;
/** Items fetched per page when a value expands, as in the object inspector (webview/ObjectTree.ts PAGE_SIZE). */
export const VARIABLES_PAGE_SIZE = 100;

export interface ValueRow {
  label: string;
  description: string;
  tooltip: string;
  /** The handle to expand, when the value has children. */
  handleId?: number;
  dimmed?: boolean;
  /** An accessor: the view says it is not run (in the user's language). */
  accessor?: 'get' | 'set' | 'get/set';
}

export function typeName(value: RemoteValue): string {
  if (value.type !== 'object') return value.type;
  if (value.subtype === 'function' || value.subtype === 'class') return value.subtype;
  return value.className || value.subtype;
}

export function variableRow(v: VariableInfo): ValueRow {
  if (!v.value) return { label: v.name, description: '', tooltip: v.name, accessor: v.accessor ?? 'get' };
  return valueRow(v.name, v.value);
}

export function propertyRow(item: PropertyItem): ValueRow {
  const dimmed = item.internal === true || item.enumerable === false;
  const label = item.key ? `${cut(valueText(item.key), 40)} =>` : item.name;
  if (!item.value) return { label, description: '', tooltip: item.name, dimmed, accessor: item.accessor ?? 'get' };
  return { ...valueRow(label, item.value), dimmed };
}

function valueRow(label: string, value: RemoteValue): ValueRow {
  const type = typeName(value);
  const preview = valueText(value);
  // primitives show their type first; an object's preview already starts with it (`Map(2) {…}`, `ƒ f()`)
  const typed = value.type !== 'object' && value.type !== 'undefined' && value.type !== 'null';
  const row: ValueRow = { label, description: cut(typed ? `${type} ${preview}` : preview, MAX_ROW_PREVIEW), tooltip: `${label}: ${type}\n${preview}` };
  if (value.type === 'object' && value.handle) row.handleId = value.handle.id;
  return row;
}

/** Where the next page of an expanded value starts, or undefined when the page was the last one. */
export function nextPage(page: PropertyPage): { start: number; count: number } | undefined {
  const end = page.start + page.items.length;
  if (end >= page.total || page.items.length === 0) return undefined;
  return { start: end, count: Math.min(VARIABLES_PAGE_SIZE, page.total - end) };
}

export interface WorkGroup {
  cellId: string;
  /** e.g. `[3]`, from the cell label the work's creation stack names; the cell id when no frame is in a cell. */
  label: string;
  items: WorkItem[];
}

export function workGroups(items: readonly WorkItem[]): WorkGroup[] {
  const groups = new Map<string, WorkGroup>();
  for (const item of items) {
    let g = groups.get(item.cellId);
    if (!g) groups.set(item.cellId, (g = { cellId: item.cellId, label: '', items: [] }));
    g.items.push(item);
    if (!g.label && item.location?.cellId === item.cellId && item.location.cellLabel) g.label = item.location.cellLabel;
  }
  for (const g of groups.values()) g.label ||= g.cellId;
  return [...groups.values()];
}

function cut(text: string, max: number): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
