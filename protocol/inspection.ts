/**
 * What the Variables and Pending Work views ask a kernel (HostRequests `variables`, `pendingWork`, `cancelWork`):
 * the cells' top-level bindings as bounded previews with handles, and the background work the cells started.
 */
import type { RemoteValue } from './values';

/** One top-level binding a cell declared (const/let/var/function/class, or an import). */
export interface VariableInfo {
  name: string;
  /** The cell that last declared it. */
  cellId: string;
  /** Absent when the binding is an accessor (a getter is never run to read it) or was deleted. */
  value?: RemoteValue;
  accessor?: 'get' | 'set' | 'get/set';
}

export interface VariablesResult {
  variables: VariableInfo[];
  /** Bindings left out past the budget (the first ones declared are kept). */
  omitted: number;
}

/** `await`: a cell stopped at a top-level `await` of a promise that has not settled. */
export type WorkKind = 'await' | 'timeout' | 'interval' | 'immediate' | 'server' | 'socket' | 'child-process' | 'fetch';

/** One piece of pending background work a cell started. */
export interface WorkItem {
  /** Stable for the work's lifetime; `cancelWork` takes it. */
  id: string;
  kind: WorkKind;
  /** e.g. `await fetchAll()`, `setInterval 1000 ms`, `http server :3000`, `Deno.serve :8000`, `fetch GET https://example.com/`. */
  description: string;
  cellId: string;
  executionId: number;
  /** Where the cell created it: the first frame of the stack at creation that lies in a cell (else of the work or the top-level statement that created it); an await's own line. */
  location?: { cellId: string; cellLabel?: string; line: number; column: number };
  /** False for work the kernel lists but cannot stop (it only ends by itself). */
  cancellable: boolean;
}

export interface PendingWorkResult {
  items: WorkItem[];
  /**
   * What the runtime cannot list one by one (e.g. Bun: its timers and handles are not its own JavaScript), in words
   * the view shows; undefined when everything is listed.
   */
  limitation?: string;
}
