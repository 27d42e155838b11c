/** A CodaJS notebook as the extension saves it, with every kind of output and the metadata only CodaJS has. */
import { DISPLAY_ID_KEY, MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type CodaDocument } from '../../../protocol';

/** 1×1 PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export function codaOnlyDocument(): CodaDocument {
  return {
    coda: 1,
    metadata: {
      runtime: 'bun',
      permissions: { net: ['api.example.com'], read: ['./data'] },
      secrets: ['API_KEY'],
    },
    cells: [
      { kind: 'markup', language: 'markdown', source: ['# Report', '', 'Numbers from the API.'], metadata: { tags: ['intro'] } },
      {
        kind: 'code',
        language: 'typescript',
        source: ['const m = new Map([["a", 1]]);', 'console.log("line 0"); console.log("line 1");', 'm'],
        execution: { order: 4, success: true, durationMs: 12 },
        outputs: [
          {
            items: [
              {
                mime: MIME_CONSOLE,
                data: {
                  entries: [
                    { method: 'log', level: 'log', depth: 0, lines: ['line 0', 'line 1'] },
                    { method: 'group', level: 'log', depth: 0, text: 'group' },
                    { method: 'info', level: 'info', depth: 1, text: 'inside the group' },
                    { method: 'warn', level: 'warn', depth: 0, text: 'careful' },
                    {
                      method: 'log',
                      level: 'log',
                      depth: 0,
                      text: 'config { retries: 3 }',
                      values: [{ type: 'object', subtype: 'object', className: 'Object', preview: '{retries: 3}' }],
                    },
                  ],
                },
              },
              { mime: 'text/plain', data: 'line 0\nline 1\ngroup\n  inside the group\ncareful\nconfig { retries: 3 }' },
            ],
          },
          {
            items: [
              { mime: MIME_VALUE, data: { value: { type: 'object', subtype: 'map', className: 'Map', preview: 'Map(1) {a => 1}', size: 1 } } },
              { mime: 'text/plain', data: 'Map(1) {a => 1}' },
            ],
          },
          {
            items: [
              { mime: 'text/html', data: '<b>hi</b>\n<i>there</i>' },
              { mime: 'image/png', data: PNG_BASE64, encoding: 'base64' },
              { mime: 'application/json', data: { a: [1, 2], b: { c: null } } },
            ],
          },
          // a display shown with a display id, as its last update left it
          { items: [{ mime: 'text/plain', data: 'progress 100%' }], metadata: { [DISPLAY_ID_KEY]: 'progress' } },
        ],
      },
      {
        kind: 'code',
        language: 'javascript',
        source: ['load("data.json")'],
        execution: { success: false },
        outputs: [
          {
            items: [
              {
                mime: MIME_ERROR,
                data: {
                  cellLabel: '[2]',
                  error: {
                    name: 'TypeError',
                    message: 'Cannot read data.json',
                    stack: 'TypeError: Cannot read data.json\n    at load (cell[2]:3:7)',
                    frames: [
                      { functionName: 'load', cellId: '[2]', cellLabel: '[2]', line: 3, column: 7 },
                      { functionName: '', file: '~/work/node_modules/x/index.js', line: 1, column: 1 },
                    ],
                    location: { cellId: '[2]', line: 3, column: 7 },
                    cause: { name: 'Error', message: 'inner' },
                  },
                },
              },
              {
                mime: 'text/plain',
                data: 'TypeError: Cannot read data.json\n    at load (cell[2]:3:7)\n    at ~/work/node_modules/x/index.js:1:1\nCaused by: Error: inner',
              },
            ],
          },
        ],
      },
    ],
  };
}
