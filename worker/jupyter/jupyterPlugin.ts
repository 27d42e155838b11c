/**
 * The Jupyter compatibility (installJupyterCompat.ts) as the kernel's first built-in plugin, on the same hooks as any
 * plugin: `setup` installs the display APIs, `afterExecute` waits for a cell that called ijavascript's $$.async(), and
 * `displayValue` shows a value that renders itself (Symbol.for('Jupyter.display'), ijavascript's _toHtml…) as its
 * MIME bundle. Errors of user code it calls stay the user's (PluginHost passes a built-in plugin's errors through).
 */
import type { CodaPlugin } from '../../protocol';
import { installJupyterCompat, type JupyterCompat, type JupyterCompatOptions, type KernelDisplay } from './installJupyterCompat';

export const JUPYTER_PLUGIN = 'jupyter';

export function jupyterPlugin(display: KernelDisplay, options: JupyterCompatOptions): CodaPlugin {
  let compat: JupyterCompat | undefined;
  return {
    name: JUPYTER_PLUGIN,
    setup(context) {
      compat = installJupyterCompat(display, { ...options, target: context.globals });
    },
    async afterExecute(_cell, outcome) {
      if (outcome.status === 'ok') await compat?.cellCompletion();
    },
    displayValue: (value) => compat?.resultMedia(value),
  };
}
