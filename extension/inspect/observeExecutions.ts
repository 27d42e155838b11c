/**
 * A kernel as the inspect views see it: the same object (a Proxy that forwards everything), except that `execute`
 * also tells a listener when each execution has ended, so the views refresh after every cell of a scratch file
 * without the scratch session knowing about them.
 */
import type { Kernel } from '../../host/kernel/Kernel';

export function observeExecutions(kernel: Kernel, ended: () => void): Kernel {
  return new Proxy(kernel, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'execute' && typeof value === 'function') {
        return (...args: Parameters<Kernel['execute']>) => {
          const reply = (value as Kernel['execute']).apply(target, args);
          reply.then(ended, ended);
          return reply;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
