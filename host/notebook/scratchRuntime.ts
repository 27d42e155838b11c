/**
 * The runtime a scratch file runs on: a `// @coda-runtime deno` comment in the file (node, deno, bun or sandbox),
 * else the `coda.scratch.runtime` setting, else Node. Pure.
 */
import { codaErrorMessage, runtimeNamed, type RuntimeKind } from '../../protocol';

const MAGIC = /^\s*\/\/\s*@coda-runtime\s+(\S+)/m;

export type ScratchRuntime = { runtime: RuntimeKind } | { error: string };

export function scratchRuntime(text: string, setting: string | undefined): ScratchRuntime {
  const named = MAGIC.exec(text)?.[1];
  if (named !== undefined) {
    const runtime = runtimeNamed(named);
    return runtime ? { runtime } : { error: codaErrorMessage('ScratchRuntimeUnknown', { runtime: named }) };
  }
  return { runtime: runtimeNamed(setting) ?? 'node' };
}
