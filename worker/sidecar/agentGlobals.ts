/**
 * Imported first by agentMain.ts: the folder and file of this bundle, which worker modules read as `__dirname` and
 * `__filename` (dist/sucrase.js, dist/watchdog.js) and which an ES module has not under Deno. The build renames those
 * two names to the globals set here (scripts/build.mjs), so they never meet the `__dirname` and `__filename` that
 * cells see, which are the notebook's (worker/node/importMeta.ts).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const agentFile = fileURLToPath(import.meta.url);

for (const [name, value] of [
  ['__coda$agentDir', dirname(agentFile)],
  ['__coda$agentFile', agentFile],
] as const) {
  Object.defineProperty(globalThis, name, { value, configurable: false, writable: false, enumerable: false });
}
