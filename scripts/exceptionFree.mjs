// Dependencies whose "is this valid?" answers cost an exception each, rewritten as they are bundled to answer the
// same without one. A cold install resolves thousands of dependency specs (npm-package-arg): for each, hosted-git-info
// asks Node's URL parser twice whether a range such as `^4.17.21` is a URL (it throws: TypeError with a stack), and
// npm-package-arg asks semver whether the range is a version (its constructor throws the same way); hosted-git-info's
// cache keeps only the specs that are git URLs (an answer of `undefined` is never cached). 20,000 resolves of ranges:
// 1,200 ms before, ~250 ms after. Each patch replaces one exact piece of the file; a file the filter matches that no
// longer holds that piece fails the build, so an upgrade of the dependency is looked at again.

export const EXCEPTION_FREE = [
  {
    // hosted-git-info's lib/parse-url.js (v7 to v9): URL.canParse (Node >= 19.9) says what `new URL` would throw on
    file: /[\\/]hosted-git-info[\\/]lib[\\/]parse-url\.js$/,
    from: '    return new url.URL(u)\n',
    to: '    return url.URL.canParse === undefined || url.URL.canParse(u) ? new url.URL(u) : undefined\n',
  },
  {
    // semver's functions/parse.js (v7): a string the constructor refuses for its form (the regular expression it
    // matches first) is refused without constructing; anything else goes to the constructor as before
    file: /[\\/]semver[\\/]functions[\\/]parse\.js$/,
    from: 'const parse = (version, options, throwErrors = false) => {\n  if (version instanceof SemVer) {\n    return version\n  }\n',
    to:
      "const { safeRe: codaRe, t: codaT } = require('../internal/re')\n" +
      "const codaOptions = require('../internal/parse-options')\n" +
      'const parse = (version, options, throwErrors = false) => {\n  if (version instanceof SemVer) {\n    return version\n  }\n' +
      "  if (!throwErrors && typeof version === 'string' && !version.trim().match(codaOptions(options).loose ? codaRe[codaT.LOOSE] : codaRe[codaT.FULL])) {\n" +
      '    return null\n  }\n',
  },
];

/** The patched source of `source` (the file at `path`), or an error when a patch's piece is not in it. */
export function patchSource(path, source) {
  let out = source;
  for (const patch of EXCEPTION_FREE) {
    if (!patch.file.test(path)) continue;
    if (!out.includes(patch.from)) throw new Error(`scripts/exceptionFree.mjs: ${path} no longer holds the piece it patches; look at the dependency again`);
    out = out.replace(patch.from, patch.to);
  }
  return out;
}

/** The esbuild plugin: each file a patch names is loaded patched. */
export function exceptionFree() {
  return {
    name: 'exception-free',
    setup(build) {
      for (const patch of EXCEPTION_FREE) {
        build.onLoad({ filter: patch.file }, async (args) => {
          const { readFile } = await import('node:fs/promises');
          return { contents: patchSource(args.path, await readFile(args.path, 'utf8')), loader: 'js' };
        });
      }
    },
  };
}
