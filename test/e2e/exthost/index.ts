// Entry point of the extension-host suite: VS Code require()s the bundle and awaits run().
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import { apiSuite } from './api.suite';
import { notebookSuite } from './notebook.suite';

export function run(): Promise<void> {
  const lines: string[] = [];
  const reporterBase = Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void };
  const original = reporterBase.consoleLog;
  reporterBase.consoleLog = (...a: unknown[]) => {
    lines.push(format(...a));
    original(...a);
  };
  // CODA_E2E_GREP (in code-server's environment) runs only the matching tests, while working on them
  const mocha = new Mocha({
    ui: 'tdd',
    timeout: 60_000,
    color: false,
    reporter: 'spec',
    ...(process.env.CODA_E2E_GREP ? { grep: process.env.CODA_E2E_GREP } : {}),
  });
  mocha.suite.emit('pre-require', globalThis, 'exthost', mocha);
  notebookSuite();
  apiSuite();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      reporterBase.consoleLog = original;
      fs.writeFileSync(path.join(__dirname, 'results.txt'), `${lines.join('\n')}\n`);
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
