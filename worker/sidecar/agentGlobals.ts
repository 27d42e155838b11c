/**
 * Imported first by agentMain.ts: the CommonJS names that worker modules read while they load (`__dirname` for
 * dist/sucrase.js and dist/watchdog.js), which this ES module bundle does not have under Deno. Bun has them.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const agentFile = fileURLToPath(import.meta.url);

const g = globalThis as { __dirname?: string };
if (typeof g.__dirname !== 'string') {
  Object.defineProperty(globalThis, '__dirname', { value: dirname(agentFile), configurable: true, writable: true, enumerable: false });
}
