// One copy of each package version in a bundle. npm nests a version in every folder that needs it when the root's own
// tree holds another version of the name (lru-cache 11 sat in six folders under the root's lru-cache 6, a
// devDependency's; hosted-git-info 9 in three), and esbuild bundled each folder's copy. And an ES module import picks a
// package's ES build where CommonJS packages take its CommonJS build: tar 7 and minipass 7 ship both, each a whole
// minified bundle, and both were bundled. Now every import of a package resolves into the first folder (in sorted order,
// so every build picks the same) that holds its version, and the packages of TWO_BUILDS always to their CommonJS build.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Packages that ship an ES and a CommonJS build, each whole: always bundled as CommonJS (their CommonJS importers' build). */
export const TWO_BUILDS = ['tar', 'minipass'];

/** Every folder of every package in the tree under `root` (root/node_modules and the node_modules nested in it), sorted. */
export function packageFolders(root) {
  const found = new Map();
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(join(dir, 'node_modules'), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.')) continue;
      const scoped = e.name.startsWith('@');
      const packages = scoped ? readdirSync(join(dir, 'node_modules', e.name), { withFileTypes: true }).filter((s) => s.isDirectory()) : [e];
      for (const p of packages) {
        const name = scoped ? `${e.name}/${p.name}` : p.name;
        const folder = join(dir, 'node_modules', e.name, ...(scoped ? [p.name] : []));
        if (!found.has(name)) found.set(name, []);
        found.get(name).push(folder);
        walk(folder);
      }
    }
  };
  walk(root);
  for (const folders of found.values()) folders.sort();
  return found;
}

/** The version a package folder's package.json names, or undefined (then the folder is left as it is). */
function readVersion(folder) {
  try {
    return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

const BARE = /^((?:@[^/]+\/)?[^./][^/]*)(\/.*)?$/;

/** The esbuild plugin: each package import resolves as before, then into the first folder of its version. */
export function oneCopy(root, twoBuilds = TWO_BUILDS) {
  return {
    name: 'one-copy',
    setup(build) {
      // what one build reads of the tree, read once
      let folders;
      const versions = new Map();
      const versionOf = (folder) => {
        if (!versions.has(folder)) versions.set(folder, readVersion(folder));
        return versions.get(folder);
      };
      /** `name@version` -> the first folder holding it */
      const firsts = new Map();
      const first = (name, version) => {
        const key = `${name}@${version}`;
        if (!firsts.has(key)) {
          folders ??= packageFolders(root);
          firsts.set(
            key,
            (folders.get(name) ?? []).find((f) => versionOf(f) === version),
          );
        }
        return firsts.get(key);
      };
      build.onResolve({ filter: BARE }, async (args) => {
        // only esbuild's own resolutions: one another plugin asks for carries its pluginData (sideEffectFree's would
        // ask this one again, and this one it, without end), as does the one asked below
        if (args.pluginData !== undefined || args.path.startsWith('node:')) return undefined;
        const name = BARE.exec(args.path)[1];
        const kind = twoBuilds.includes(name) ? 'require-call' : args.kind;
        const resolved = await build.resolve(args.path, { kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'one-copy' });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file') return undefined;
        const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`;
        const at = resolved.path.lastIndexOf(marker);
        if (at < 0) return { path: resolved.path, sideEffects: resolved.sideEffects };
        const folder = resolved.path.slice(0, at + marker.length - 1);
        const version = versionOf(folder);
        const target = (version !== undefined && first(name, version)) || folder;
        return { path: join(target, relative(folder, resolved.path)), sideEffects: resolved.sideEffects };
      });
    },
  };
}
