// Modules a CodaJS install never runs, left out of the installer's bundle (a third of its size): each is replaced, for
// the one importer named, by a stub whose every use throws an error naming the module and why it is absent. The
// importers load them when they load, but reach into them only for features CodaJS does not use; the installs of the
// test suite (and those from the packaged VSIX) run the bundle built this way.
import { sep } from 'node:path';

export const ABSENT_MODULES = [
  {
    module: 'iconv-lite',
    importer: 'minipass-fetch',
    why: "minipass-fetch's textConverted() (legacy text encodings); CodaJS reads registry bodies as bytes and UTF-8",
  },
  {
    module: 'sigstore',
    importer: 'pacote',
    why: "pacote's registry signature and attestation checks (verifySignatures, verifyAttestations), which CodaJS never asks for",
  },
  {
    module: '@npmcli/query',
    importer: '@npmcli/arborist',
    why: "arborist's querySelectorAll (npm query), which CodaJS never calls",
  },
];

/** The stub of one absent module: any property is a function that throws; so is calling or constructing it. */
export function stubSource({ module, why }) {
  const message = JSON.stringify(`${module} is not part of CodaJS's installer: ${why}.`);
  return `const fail = (what) => { throw new Error(${message} + ' (' + what + ')'); };
module.exports = new Proxy(function absent() {}, {
  get: (_, key) => (typeof key === 'symbol' || key === '__esModule' ? undefined : () => fail(String(key))),
  apply: () => fail('called'),
  construct: () => fail('constructed'),
});
`;
}

/** The esbuild plugin: an absent module resolves to its stub when its importer (inside node_modules) asks for it. */
export function absentModules() {
  return {
    name: 'absent-modules',
    setup(build) {
      for (const absent of ABSENT_MODULES) {
        const filter = new RegExp(`^${absent.module.replace(/[/.@-]/g, '\\$&')}$`);
        const within = `${sep}node_modules${sep}${absent.importer.split('/').join(sep)}${sep}`;
        build.onResolve({ filter }, (args) => (args.importer.includes(within) ? { path: absent.module, namespace: 'coda-absent' } : undefined));
      }
      build.onLoad({ filter: /.*/, namespace: 'coda-absent' }, (args) => ({
        contents: stubSource(ABSENT_MODULES.find((a) => a.module === args.path)),
        loader: 'js',
      }));
    },
  };
}
