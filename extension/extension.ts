/**
 * CodaJS activation: registrations only. The kernel (a worker process with a real Node) is forked on the
 * first cell execution, never here.
 */
import * as vscode from 'vscode';
import type { InitParams } from '../protocol';
import { CODA_NOTEBOOK_TYPE } from '../protocol/codaFile';
import { findNode } from '../host/kernel/findNode';
import { kernelLaunch } from '../host/kernel/kernelLaunch';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { createApi } from './api/createApi';
import { registerCommands } from './commands';
import { registerInspectViews } from './inspect/registerInspectViews';
import { ScratchKernels } from './inspect/ScratchKernels';
import { registerCheckpoints } from './debug/registerCheckpoints';
import { registerDebugging } from './debug/registerDebugging';
import { DependencyManager } from './deps/DependencyManager';
import { CodaController } from './kernel/CodaController';
import { KernelManager } from './kernel/KernelManager';
import { Log } from './log';
import { CodaSerializer } from './notebook/CodaSerializer';
import { registerIpynbCommands } from './notebook/ipynbCommands';
import { registerRendererBridge } from './renderer/RendererBridge';
import { RuntimeInstaller } from './runtimes/RuntimeInstaller';
import { registerScratch } from './scratch/registerScratch';
import { NotebookAccess } from './security/NotebookAccess';
import { registerSecurityCommands } from './security/securityCommands';
import { registerPrewarm } from './kernel/registerPrewarm';
import { registerStatusBar } from './StatusBar';
import { registerPruneCache } from './deps/pruneCache';
import { translateCodaErrors } from './translateCodaErrors';
import { TypesPluginConfig } from './types/TypesPluginConfig';
import { registerWalkthrough } from './walkthrough';

export function activate(context: vscode.ExtensionContext) {
  context.subscriptions.push(translateCodaErrors());
  const log = new Log();
  const config = () => vscode.workspace.getConfiguration('coda');
  const path = (key: string) => config().get<string>(key) || undefined;
  const storage = context.globalStorageUri.fsPath;
  const startKernel = async (init: InitParams) =>
    KernelProcess.start(
      await kernelLaunch(init, {
        workerPath: context.asAbsolutePath('dist/worker.js'),
        storage,
        nodePath: path('nodePath'),
        denoPath: path('denoPath'),
        bunPath: path('bunPath'),
        maxMemoryMb: config().get<number>('maxMemoryMb', 4096),
        sandboxMemoryMb: config().get<number>('sandbox.memoryMb', 128),
        sandboxCellTimeoutMs: config().get<number>('sandbox.cellTimeoutMs', 0),
        log: (level, message) => log.write(level, message),
      }),
    );
  const dependencies = new DependencyManager(
    context,
    (m) => log.write('info', m),
    () => findNode(path('nodePath')),
  );
  const runtimes = new RuntimeInstaller(
    storage,
    () => dependencies.installer(),
    (m) => log.write('info', m),
  );
  const access = new NotebookAccess(context);
  const debugging = registerDebugging(context, (m) => log.write('warn', m));
  // the manager calls back only once a kernel starts, long after the controller below exists
  const manager = new KernelManager(
    startKernel,
    (nk, kernel) => context.subscriptions.push(controller.attach(nk, kernel)),
    (nb) => [dependencies.modulePath(nb)],
    (m) => log.write('info', m),
  );
  const controller = new CodaController(manager, {
    maxStoredEntries: () => config().get<number>('console.maxStoredEntries', 5000),
    dependencies,
    access,
    offerRuntime: (err, runtime) => runtimes.offer(err, runtime),
    extensionId: context.extension.id,
    workspaceState: context.workspaceState,
    failure: (m, err) => log.failure(m, err),
    debug: debugging.cells,
  });
  context.subscriptions.push(
    log,
    debugging.disposable,
    dependencies,
    vscode.workspace.registerNotebookSerializer(CODA_NOTEBOOK_TYPE, new CodaSerializer(), { transientOutputs: false }),
    manager,
    controller,
    registerRendererBridge(manager, controller, (m) => log.write('warn', m)),
    registerCommands(manager, log),
    registerIpynbCommands(),
    registerSecurityCommands(context, access),
    vscode.commands.registerCommand('codajs.installRuntime', () => runtimes.pickAndFetch()),
    registerPruneCache(storage, (m) => log.write('info', m)),
    registerStatusBar(manager),
    registerPrewarm(manager, access, dependencies, (m) => log.write('info', m)),
    new TypesPluginConfig({
      modulePath: (nb) => dependencies.modulePath(nb),
      scratchModulePath: (doc) => dependencies.scratchModulePath(doc),
      onDidInstall: dependencies.onDidInstall,
      storage,
      setting: path,
      log: (m) => log.write('warn', m),
    }),
  );
  const scratchKernels = new ScratchKernels();
  context.subscriptions.push(
    registerInspectViews(manager, scratchKernels, (m) => log.write('warn', m)),
    registerCheckpoints(manager, scratchKernels, (m) => log.write('info', m)),
    registerWalkthrough(context, dependencies.onDidInstall),
  );
  registerScratch(context, {
    log: log.channel,
    startKernel: scratchKernels.wrap(startKernel),
    dependencies,
    offerRuntime: (err, runtime) => runtimes.offer(err, runtime),
    debug: debugging.scratch,
  });
  log.write('info', `CodaJS ${context.extension.packageJSON.version} activated`);
  // the published API (extension/api/codaApi.ts); startKernel stays for CodaJS's own tests
  return { ...createApi(manager, controller.onDidExecuteCell), startKernel };
}

export function deactivate(): void {}
