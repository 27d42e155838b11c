/**
 * The Sandbox's answers for the Variables and Pending Work views, checked as they leave the isolate: the prelude's
 * binding reads (untrusted JSON: values go through bridgeChecks like every other value) and the host's own record of
 * the timers and fetches it bridges (BackgroundWork), located through the cell's stack.
 */
import type { RemoteValue, WorkItem } from '../../protocol';
import type { StackMapper } from '../node/stackMapper';
import type { BindingRead } from '../node/TopLevelBindings';
import type { WorkItem as SandboxWork } from './BackgroundWork';
import { isRecord } from './bridgeChecks';

export function sandboxVariableReads(json: unknown, value: (raw: unknown) => RemoteValue): BindingRead[] {
  const reply: unknown = JSON.parse(String(json));
  if (!isRecord(reply) || !Array.isArray(reply.variables)) throw new Error('the variables could not be read');
  return reply.variables.map((read: unknown): BindingRead => {
    if (!isRecord(read)) return undefined;
    if (read.accessor === 'get' || read.accessor === 'set' || read.accessor === 'get/set') return { accessor: read.accessor };
    return { value: value(read.value) };
  });
}

export function sandboxWorkItems(work: SandboxWork[], mapper: StackMapper): WorkItem[] {
  return work.map((w) => {
    const item: WorkItem = { id: w.key, kind: w.kind, description: w.description, cellId: w.cellId, executionId: w.executionId, cancellable: true };
    const frame = mapper.frames(w.stack).find((f) => f.cellId !== undefined);
    if (frame?.cellId !== undefined) item.location = { cellId: frame.cellId, cellLabel: frame.cellLabel, line: frame.line, column: frame.column };
    return item;
  });
}
