/**
 * One plugin module into a CodaPlugin: `require`d as a cell would (the notebook folder, then the notebook's store;
 * an absolute path as is), its default export (or module.exports) taken as the plugin, or called with the options
 * when it is a function. Throws a PluginFailure naming the plugin.
 */
import { codaError, type CodaPlugin, type SerializedError } from '../../protocol';
import { PluginFailure } from './PluginFailure';

export function loadPlugin(spec: string, require: (id: string) => unknown, serialize: (err: unknown) => SerializedError): CodaPlugin {
  let exported: unknown;
  try {
    exported = require(spec);
  } catch (err) {
    const cause = serialize(err);
    throw new PluginFailure({ ...codaError('PluginLoadFailed', { plugin: spec, detail: `${cause.name}: ${cause.message}` }), cause });
  }
  const candidate = pluginOf(exported);
  let plugin: unknown;
  try {
    plugin = typeof candidate === 'function' ? (candidate as (o: Record<string, unknown>) => unknown)({}) : candidate;
  } catch (err) {
    const cause = serialize(err);
    throw new PluginFailure({ ...codaError('PluginFailed', { plugin: spec, hook: 'its factory', detail: `${cause.name}: ${cause.message}` }), cause });
  }
  if (!isPlugin(plugin)) throw new PluginFailure(codaError('PluginNotAPlugin', { plugin: spec }));
  return plugin;
}

/** `export default plugin`, `module.exports = plugin`, or an ES module's namespace from a bundler. */
function pluginOf(exported: unknown): unknown {
  if (exported && typeof exported === 'object' && 'default' in exported) {
    const d = (exported as { default: unknown }).default;
    if (d && (typeof d === 'object' || typeof d === 'function')) return d;
  }
  return exported;
}

function isPlugin(value: unknown): value is CodaPlugin {
  return !!value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string';
}
