/**
 * dist/installer.js, the installer process's entry: loads the installer itself (dist/installer-main.js, built from
 * ./main.ts) through V8's code cache (common/node/codeCachedBundle.ts), which halves what the start of a process
 * loading arborist, pacote and the rest costs (Node's own compile cache keeps only the code compiled as files load, and
 * exists from Node 22.1 only).
 *
 * The host names the file (INSTALLER_CODE_CACHE_FILE_ENV). Unlike a kernel, the installer runs no user code: packages'
 * files are only data to it, and install scripts run in processes of their own, which cannot write the cache folder
 * (runInstallScripts.ts). So the installer writes the file itself, as it exits after at least one install, when it had
 * none V8 accepted: it then holds the code an install runs. Node built-ins only: nothing else loads first.
 */
import { join } from 'node:path';
import { loadCachedBundle } from '../common/node/codeCachedBundle';
import { INSTALLER_CODE_CACHE_FILE_ENV } from '../protocol/workerCodeCache';

const cacheFile = process.env[INSTALLER_CODE_CACHE_FILE_ENV] || undefined;
// not in the environment of the install scripts the installer runs
delete process.env[INSTALLER_CODE_CACHE_FILE_ENV];

const installer = loadCachedBundle('installer', join(__dirname, 'installer-main.js'), module, cacheFile);
if (installer.status !== 'accepted' && installer.status !== 'off') {
  process.once('exit', () => {
    if ((installer.module.exports as { installsAnswered(): number }).installsAnswered() > 0) installer.save();
  });
}
