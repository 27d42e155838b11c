/**
 * The files a relative import the editor's types accept may name: they resolve as a bundler does (TypeScript's
 * `moduleResolution: bundler`), so `./util` is util.ts, util.js or util/index.ts, and `./util.js` in TypeScript is
 * util.ts. Node wants the exact file name: the kernel's resolve hook tries these after it (worker/node/
 * localModuleHooks.ts), and the host reads the same files for a helper's packages (host/deps/helperModules.ts).
 */

/** What an import path without its file's extension may name, in the order TypeScript's bundler resolution looks. */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** A package's file (inside a node_modules folder): never one of the notebook's own modules. */
export const inNodeModules = (file: string) => /[\\/]node_modules[\\/]/.test(file);

/** A path an import names as a file: relative, absolute, or a file: URL (not a package, a built-in or another URL). */
export const isPathSpecifier = (spec: string) => /^(?:\.{0,2}\/|file:)/.test(spec);

/** What `spec` may name besides itself, in the order to try (a `?query` or `#fragment` kept on each). */
export function candidates(spec: string): string[] {
  const at = spec.search(/[?#]/);
  const [path, rest] = at === -1 ? [spec, ''] : [spec.slice(0, at), spec.slice(at)];
  const typed = /\.(m|c)?js(x?)$/.exec(path);
  if (typed) return [`${path.slice(0, typed.index)}.${typed[1] ?? ''}ts${typed[2]}${rest}`];
  if (/\.[a-z0-9]+$/i.test(path.slice(path.lastIndexOf('/') + 1))) return [];
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  return [...(path.endsWith('/') ? [] : EXTENSIONS.map((e) => base + e)), ...EXTENSIONS.map((e) => `${base}/index${e}`)].map((p) => p + rest);
}
