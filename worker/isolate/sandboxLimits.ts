/**
 * The budgets the prelude applies inside the isolate: the same named constants the Node runtime uses, plus the
 * sandbox's own. They cross into the isolate as plain numbers in the prelude's config.
 */
import { MAX_BATCH } from '../node/ConsoleBatcher';
import { MAX_DISPLAY_JSON } from '../node/displayHelper';
import { MAX_CONSOLE_TEXT } from '../../protocol';
import { MAX_VALUES_PER_ENTRY } from '../inspect/ConsoleFormatter';
import { MAX_TABLE_CELL, MAX_TABLE_ROWS } from '../inspect/consoleTable';
import { MAX_PREVIEW_CHARS, MAX_PREVIEW_ITEMS, MAX_PREVIEW_STRING, MAX_RESULT_TEXT, MAX_STRING_CHARS, RESULT_TEXT_BUDGET } from '../inspect/inspectText';
import { ARRAY_NAMED_SCAN_LIMIT, MAX_PAGE_SIZE } from '../inspect/expandValue';
import { MAX_HANDLES_PER_CELL } from '../inspect/HandleRegistry';
import { MAX_FETCH_REQUEST_BYTES } from './sandboxFetch';

/** Characters of console text one execution may print before the rest is dropped. */
export const MAX_CONSOLE_CHARS_PER_CELL = 8 * 1024 * 1024;

export function sandboxLimits(maxTimers: number): Record<string, number> {
  return {
    maxStringChars: MAX_STRING_CHARS,
    maxPreviewChars: MAX_PREVIEW_CHARS,
    maxPreviewItems: MAX_PREVIEW_ITEMS,
    maxPreviewString: MAX_PREVIEW_STRING,
    maxResultText: MAX_RESULT_TEXT,
    resultTextDepth: RESULT_TEXT_BUDGET.depth,
    resultTextItems: RESULT_TEXT_BUDGET.maxArrayLength,
    resultTextBreak: RESULT_TEXT_BUDGET.breakLength,
    maxHandlesPerCell: MAX_HANDLES_PER_CELL,
    maxPageSize: MAX_PAGE_SIZE,
    arrayNamedScanLimit: ARRAY_NAMED_SCAN_LIMIT,
    maxConsoleText: MAX_CONSOLE_TEXT,
    maxValuesPerEntry: MAX_VALUES_PER_ENTRY,
    maxTableRows: MAX_TABLE_ROWS,
    maxTableCell: MAX_TABLE_CELL,
    maxConsoleBatch: MAX_BATCH,
    maxConsoleCharsPerCell: MAX_CONSOLE_CHARS_PER_CELL,
    maxDisplayChars: MAX_DISPLAY_JSON,
    maxTimers,
    // a request body over it is refused inside, before it is encoded (the host refuses it too)
    maxFetchRequestBytes: MAX_FETCH_REQUEST_BYTES,
  };
}
