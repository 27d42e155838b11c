/**
 * A cell's execution ends once, whoever ends it first: its completion, its error, an interrupt or a limit. Every
 * runtime settles its running cell through this, with its own bookkeeping run just before the result is delivered.
 */
import type { ExecuteResult } from '../../protocol';

export function settleOnce(resolve: (result: ExecuteResult) => void, beforeResolve: () => void): (result: ExecuteResult) => void {
  let done = false;
  return (result) => {
    if (done) return;
    done = true;
    beforeResolve();
    resolve(result);
  };
}
