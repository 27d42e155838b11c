// The TypeScript server plugin as the package tsserver loads. VS Code starts tsserver with
// `--globalPlugins codajs-tsplugin --pluginProbeLocations <extension folder>`, and tsserver resolves that name as a
// package from `<extension folder>/node_modules` (a path is refused), so the installed extension needs
// `node_modules/codajs-tsplugin/`: two files that hand over the bundle in dist/. scripts/package.mjs adds them to the
// VSIX; scripts/build.mjs writes them into a checkout's own node_modules for the Extension Development Host.
export const TS_PLUGIN_NAME = 'codajs-tsplugin';

/** The package's files, by path from the extension folder. */
export function tsPluginPackageFiles(version) {
  const dir = `node_modules/${TS_PLUGIN_NAME}`;
  return [
    { path: `${dir}/package.json`, contents: JSON.stringify({ name: TS_PLUGIN_NAME, version, private: true, main: 'index.js' }, null, 2) + '\n' },
    { path: `${dir}/index.js`, contents: "module.exports = require('../../dist/tsplugin.js');\n" },
  ];
}
