// Packages bundled once however often npm nests them: npm cannot hoist a version the root's own tree already holds in
// another (lru-cache 11 sits in six folders under the root's lru-cache 6, a devDependency's), and an ES module import
// picks a package's ES build where CommonJS packages take its CommonJS build (tar 7 ships both, each a whole minified
// bundle). Each of these resolves, from any importer, to the CommonJS build of one copy of its version: the first folder
// in sorted order, so that every build picks the same.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const ONE_COPY = ['tar', 'lru-cache', 'minipass'];

/** Every folder of package `name` in the tree under `root` (root/node_modules and the node_modules nested in it). */
export function copiesOf(root, name) {
  const found = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(join(dir, 'node_modules'), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const scoped = e.name.startsWith('@');
      const packages = scoped ? readdirSync(join(dir, 'node_modules', e.name), { withFileTypes: true }).filter((s) => s.isDirectory()) : [e];
      for (const p of packages) {
        const folder = join(dir, 'node_modules', ...(scoped ? [e.name, p.name] : [p.name]));
        if ((scoped ? `${e.name}/${p.name}` : p.name) === name) found.push(folder);
        walk(folder);
      }
    }
  };
  walk(root);
  return found.sort();
}

const versionOf = (folder) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;

/** The esbuild plugin: a package of `names` resolves as CommonJS would require it, then into its version's first folder. */
export function oneCopy(root, names = ONE_COPY) {
  return {
    name: 'one-copy',
    setup(build) {
      /** name -> version -> the folder every copy of that version resolves into */
      const firsts = new Map();
      const first = (name, version) => {
        if (!firsts.has(name)) {
          const byVersion = new Map();
          for (const folder of copiesOf(root, name)) if (!byVersion.has(versionOf(folder))) byVersion.set(versionOf(folder), folder);
          firsts.set(name, byVersion);
        }
        return firsts.get(name).get(version);
      };
      const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.@-]/g, '\\$&')).join('|')})(/.*)?$`);
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'one-copy') return undefined;
        const name = filter.exec(args.path)[1];
        const resolved = await build.resolve(args.path, { kind: 'require-call', importer: args.importer, resolveDir: args.resolveDir, pluginData: 'one-copy' });
        if (resolved.errors.length > 0) return undefined;
        const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
        const at = resolved.path.lastIndexOf(marker);
        if (at < 0) return { path: resolved.path };
        const folder = resolved.path.slice(0, at + marker.length - 1);
        const target = first(name, versionOf(folder)) ?? folder;
        return { path: join(target, relative(folder, resolved.path)) };
      });
    },
  };
}
