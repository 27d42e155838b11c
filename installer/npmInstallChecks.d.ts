/** The part of npm-install-checks (npm's own platform and engine checks, which arborist uses) the installer calls. */
declare module 'npm-install-checks' {
  interface Target {
    name?: string;
    version?: string;
    engines?: Record<string, string>;
    os?: string[];
    cpu?: string[];
    libc?: string[];
  }
  /** Throws EBADENGINE when `nodeVersion` (or `npmVersion`) is outside the target's engines. */
  export function checkEngine(target: Target, npmVersion: string | undefined, nodeVersion: string | undefined, force?: boolean): void;
  /** Throws EBADPLATFORM when this machine (or `environment`) is not one the target's os, cpu and libc allow. */
  export function checkPlatform(target: Target, force?: boolean, environment?: { os?: string; cpu?: string; libc?: string }): void;
}
