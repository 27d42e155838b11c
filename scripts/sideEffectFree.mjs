// Packages whose module-level code only fills caches, marked free of side effects so that a bundle importing them
// without using them (the kernel worker, through protocol/index.ts) leaves them out: jsonc-parser's caches took 1.5 ms
// of every Node kernel's start. The package.json of each does not say so itself.
export const SIDE_EFFECT_FREE = ['jsonc-parser'];

/** The esbuild plugin: each package above resolves as usual, then is marked `sideEffects: false`. */
export function sideEffectFree() {
  return {
    name: 'side-effect-free',
    setup(build) {
      for (const name of SIDE_EFFECT_FREE) {
        const filter = new RegExp(`^${name.replace(/[/.@-]/g, '\\$&')}$`);
        build.onResolve({ filter }, async (args) => {
          if (args.pluginData === 'side-effect-free') return undefined;
          const resolved = await build.resolve(args.path, {
            kind: args.kind,
            importer: args.importer,
            resolveDir: args.resolveDir,
            pluginData: 'side-effect-free',
          });
          return resolved.errors.length > 0 ? undefined : { path: resolved.path, sideEffects: false };
        });
      }
    },
  };
}
