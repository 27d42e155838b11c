/**
 * Modules the kernel's Jupyter compatibility provides (worker/jupyter): an import of one of them is answered inside
 * the kernel, so the dependency analysis (host/deps) must not fetch it from npm.
 */
export const JUPYTER_VIRTUAL_MODULES: readonly string[] = ['tslab'];
