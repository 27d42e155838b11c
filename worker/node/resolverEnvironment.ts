/**
 * The system resolver reads its configuration from the environment of the process (glibc: LOCALDOMAIN, RES_OPTIONS,
 * HOSTALIASES; musl and macOS read some of these too). The network seat belt trusts the system resolver's answers for
 * granted names, so a cell that could set these variables could steer a granted name to an address of its choosing.
 * Under declared permissions they keep the value the kernel started with: setting them (directly, through
 * Object.assign or defineProperty, or from a file with process.loadEnvFile) is denied unless `env` grants them.
 */
import { ANY, type Permissions } from '../../protocol';
import { permissionError } from './permissionError';

/** Variables that change what the system resolver does. */
export const RESOLVER_VARIABLES: readonly string[] = [
  'LOCALDOMAIN',
  'RES_OPTIONS',
  'HOSTALIASES',
  'RESOLV_HOST_CONF',
  'RESOLV_ADD_TRIM_DOMAINS',
  'RESOLV_MULTI',
  'RESOLV_REORDER',
  'NIS_PATH',
];

export function guardResolverEnvironment(permissions: Permissions): void {
  const granted = permissions.env ?? [];
  if (granted.includes(ANY)) return;
  const blocked = new Set(RESOLVER_VARIABLES.filter((n) => !granted.includes(n)));
  const deny = (name: string | symbol) => {
    if (typeof name === 'string' && blocked.has(name.toUpperCase())) throw permissionError('env', name);
  };
  const env = process.env;
  const guarded = new Proxy(env, {
    set(target, name, value) {
      deny(name);
      return Reflect.set(target, name, value);
    },
    defineProperty(target, name, descriptor) {
      deny(name);
      return Reflect.defineProperty(target, name, descriptor);
    },
  });
  Object.defineProperty(process, 'env', { value: guarded, writable: false, configurable: false, enumerable: true });
  const loadEnvFile = (process as { loadEnvFile?: (path?: string) => void }).loadEnvFile;
  if (typeof loadEnvFile === 'function') {
    // it writes the variables from native code, past the proxy: only files that set none of them are loaded
    (process as { loadEnvFile?: (path?: string) => void }).loadEnvFile = function (this: unknown, path?: string) {
      const before = new Map([...blocked].map((n) => [n, env[n]]));
      Reflect.apply(loadEnvFile, process, path === undefined ? [] : [path]);
      for (const [name, value] of before) {
        if (env[name] === value) continue;
        if (value === undefined) delete env[name];
        else env[name] = value;
        throw permissionError('env', name);
      }
    };
  }
}
