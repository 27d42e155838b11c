/**
 * CodaJS activation: registrations only. The kernel (a worker process with a real Node) is forked on the
 * first cell execution, never here.
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../protocol/codaFile';
import { findNode } from '../worker/host/findNode';
import { KernelProcess } from '../worker/host/KernelProcess';
import { registerCommands } from './commands';
import { DependencyManager } from './deps/DependencyManager';
import { CodaController } from './kernel/CodaController';
import { KernelManager } from './kernel/KernelManager';
import { Log } from './log';
import { CodaSerializer } from './notebook/CodaSerializer';
import { registerRendererBridge } from './renderer/RendererBridge';
import { registerScratch } from './scratch/registerScratch';
import { registerStatusBar } from './StatusBar';

export function activate(context: vscode.ExtensionContext) {
  const log = new Log();
  const config = () => vscode.workspace.getConfiguration('coda');
  const startKernel = async (init: Parameters<typeof KernelProcess.start>[0]['init']) => {
    const node = await findNode(config().get<string>('nodePath') || undefined);
    return KernelProcess.start({
      init,
      nodePath: node.path,
      workerPath: context.asAbsolutePath('dist/worker.js'),
      execArgv: [`--max-old-space-size=${config().get<number>('maxMemoryMb', 4096)}`],
      log: (level, message) => log.write(level, message),
    });
  };
  const dependencies = new DependencyManager(context, (m) => log.write('info', m), async () => (await findNode(config().get<string>('nodePath') || undefined)).path);
  let controller: CodaController | undefined;
  const manager = new KernelManager(startKernel, (nk, kernel) => context.subscriptions.push(controller!.attach(nk, kernel)), (nb) => [dependencies.modulePath(nb)]);
  controller = new CodaController(manager, { id: 'codajs-node', label: 'CodaJS: Node.js', runtime: 'node', maxStoredEntries: () => config().get<number>('console.maxStoredEntries', 5000), dependencies, failure: (m, err) => log.failure(m, err) });
  context.subscriptions.push(
    log,
    dependencies,
    vscode.workspace.registerNotebookSerializer(CODA_NOTEBOOK_TYPE, new CodaSerializer(), { transientOutputs: false }),
    manager,
    controller,
    registerRendererBridge(manager, controller, (m) => log.write('warn', m)),
    registerCommands(manager, log),
    registerStatusBar(manager),
  );
  registerScratch(context, { log: log.channel, startKernel });
  log.write('info', `CodaJS ${context.extension.packageJSON.version} activated`);
  return { startKernel };
}

export function deactivate(): void {}
