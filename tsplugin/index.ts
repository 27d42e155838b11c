/**
 * Entry point tsserver loads (`contributes.typescriptServerPlugins` → `codajs-tsplugin`). Uses the TypeScript that
 * runs the server, never a bundled copy. Built as CommonJS whose `module.exports` is the factory.
 *
 * tsserver calls the factory once per project and sends each project the configuration; a project created later
 * only gets the latest message as `info.config`. One state per server keeps every notebook's description.
 */
import type * as ts from 'typescript';
import type * as tss from 'typescript/lib/tsserverlibrary';
import { createPlugin, PluginState } from './createPlugin';

const states = new WeakMap<object, PluginState>();

export default function init(modules: { typescript: typeof ts }): tss.server.PluginModule {
  let state = states.get(modules.typescript);
  if (!state) states.set(modules.typescript, (state = new PluginState(modules.typescript)));
  const shared = state;
  return {
    create: (info) => {
      // a project created after the extension configured the plugin gets the latest message here (applying it twice is harmless)
      if (info.config && typeof info.config === 'object' && Object.keys(info.config).some((k) => k !== 'name')) shared.configure(info.config);
      return createPlugin(shared, info) as unknown as tss.LanguageService;
    },
    onConfigurationChanged: (config: unknown) => shared.configure(config),
  };
}
