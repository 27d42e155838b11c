/**
 * The kernel plugins every notebook loads besides its own `plugins` metadata: the `coda.plugins` setting, then the
 * plugin files other extensions registered through the API (extension/api/createApi.ts). Read when a kernel starts.
 */
import * as vscode from 'vscode';

const registered = new Set<string>();

export function configuredPlugins(): string[] {
  const setting = vscode.workspace.getConfiguration('coda').get<unknown>('plugins');
  const fromSetting = Array.isArray(setting) ? setting.filter((s): s is string => typeof s === 'string') : [];
  return [...fromSetting, ...registered];
}

/** Adds a plugin (an absolute path, or a package name) to every kernel started from now on. */
export function registerConfiguredPlugin(spec: string): vscode.Disposable {
  registered.add(spec);
  return new vscode.Disposable(() => registered.delete(spec));
}
