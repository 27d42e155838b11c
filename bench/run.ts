/**
 * `npm run bench`: speed and size figures, each beside the baseline it is measured against, with its target.
 * Runs the kernel figures on the system Node and on Node 24 when the tools are installed, then on Deno, Bun and the
 * sandbox when they are fetched (`coda runtimes fetch all --dir .tools`). Always exits 0.
 */
import { debugBench } from './debugBench';
import { depsBench } from './depsBench';
import { storeBench } from './storeBench';
import { extensionBench } from './extensionBench';
import { inspectBench } from './inspectBench';
import { kernelBench } from './kernelBench';
import { pendingBench } from './pendingBench';
import { runtimeBench } from './runtimeBench';
import { nodeBinaries } from '../test/nodeBinaries';
import { printTable } from './stats';

(async () => {
  console.log(`CodaJS benchmarks — ${new Date().toISOString()}, ${require('node:os').cpus().length} cores`);
  let nodeRoundTrip = '';
  for (const n of nodeBinaries()) {
    const rows = await kernelBench(n.path);
    nodeRoundTrip = rows[0]!.value;
    printTable(`Kernel on ${n.name}`, rows);
  }
  for (const runtime of ['deno', 'bun', 'sandbox'] as const) {
    try {
      printTable(`Kernel on ${runtime === 'sandbox' ? 'the sandbox' : runtime}`, await runtimeBench(runtime, Number.parseFloat(nodeRoundTrip)));
    } catch (err) {
      console.log(`\n${runtime}: not measured (${(err as Error).message.split('\n')[0]})`);
    }
  }
  printTable('Inspector views (Variables refresh)', await inspectBench(['node', 'deno', 'bun', 'sandbox']));
  printTable('Pending Work tracking (top-level awaits; promises elsewhere)', await pendingBench(['node', 'deno', 'bun']));
  for (const runtime of ['node', 'deno'] as const) {
    const name = runtime === 'node' ? 'Node' : 'Deno';
    try {
      printTable(`Debugging and checkpoints (${name} kernel)`, await debugBench(runtime));
    } catch (err) {
      console.log(`\nDebugging on ${name}: not measured (${(err as Error).message.split('\n')[0]})`);
    }
  }
  try {
    printTable('Dependencies (registry from your npm config)', await depsBench());
  } catch (err) {
    console.log(`\nDependencies: not measured (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    printTable('Shared store, warm installs, coda run (issue 17; registry from your npm config)', await storeBench());
  } catch (err) {
    console.log(`\nShared store: not measured (${(err as Error).message.split('\n')[0]})`);
  }
  // last: it rebuilds dist/ for production (npm run package)
  printTable('Extension', extensionBench());
})().catch((err) => {
  console.error('bench failed:', err);
  process.exitCode = 0;
});
