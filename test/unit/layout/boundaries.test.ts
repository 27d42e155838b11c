/**
 * The process boundaries of docs/architecture.md hold as lint rules: a deliberate violation in each folder is an error
 * (and the same import where it belongs is not).
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from '../helpers/testKernel';

const eslint = new ESLint({ cwd: ROOT });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('process boundaries (lint rules)', function () {
  this.timeout(60_000);
  const violations: [string, string, RegExp][] = [
    ['worker/node/x.ts', "import * as vscode from 'vscode';\nvoid vscode;\n", /only extension\/ may import vscode/],
    ['host/kernel/x.ts', "import * as vscode from 'vscode';\nvoid vscode;\n", /only extension\/ may import vscode/],
    ['cli/x.ts', "import { window } from 'vscode';\nvoid window;\n", /only extension\/ may import vscode/],
    ['webview/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n", /no Node\.js modules here/],
    ['webview/x.ts', "import { join } from 'path';\nvoid join;\n", /no Node\.js modules here/],
    ['protocol/x.ts', "import { readFileSync } from 'fs';\nvoid readFileSync;\n", /no Node\.js modules here/],
    [
      'worker/node/x.ts',
      "import { CodaController } from '../../extension/kernel/CodaController';\nvoid CodaController;\n",
      /extension\/ is another process's code/,
    ],
    ['worker/node/x.ts', "import { KernelProcess } from '../../host/kernel/KernelProcess';\nvoid KernelProcess;\n", /host\/ is another process's code/],
    ['host/kernel/x.ts', "import { NodeRuntime } from '../../worker/node/NodeRuntime';\nvoid NodeRuntime;\n", /worker\/ is another process's code/],
    ['extension/kernel/x.ts', "import { install } from '../../installer/install';\nvoid install;\n", /installer\/ is another process's code/],
    ['webview/x.ts', "import { KernelProcess } from '../host/kernel/KernelProcess';\nvoid KernelProcess;\n", /host\/ is another process's code/],
    ['extension/pure/x.ts', "import * as vscode from 'vscode';\nvoid vscode;\n", /extension\/pure\/ is the editor logic tested without VS Code/],
    ['extension/pure/x.ts', "import { install } from '../../installer/install';\nvoid install;\n", /installer\/ is another process's code/],
  ];
  for (const [file, code, expected] of violations) {
    it(`${file}: ${code.split('\n')[0]}`, async () => {
      const errors = await importErrors(file, code);
      assert.ok(
        errors.some((e) => expected.test(e)),
        `no boundary error: ${JSON.stringify(errors)}`,
      );
    });
  }

  it('allows what each process may import', async () => {
    assert.deepEqual(
      await importErrors(
        'extension/kernel/x.ts',
        "import * as vscode from 'vscode';\nimport { KernelProcess } from '../../host/kernel/KernelProcess';\nvoid vscode; void KernelProcess;\n",
      ),
      [],
    );
    assert.deepEqual(
      await importErrors(
        'worker/node/x.ts',
        "import { readFileSync } from 'node:fs';\nimport { MASK } from '../../protocol';\nvoid readFileSync; void MASK;\n",
      ),
      [],
    );
    assert.deepEqual(
      await importErrors(
        'extension/pure/x.ts',
        "import { KernelSlot } from '../../host/run/KernelSlot';\nimport { ExecutionQueue } from '../kernel/ExecutionQueue';\nvoid KernelSlot; void ExecutionQueue;\n",
      ),
      [],
    );
    assert.deepEqual(await importErrors('webview/x.ts', "import { MIME_CONSOLE } from '../protocol/outputs';\nvoid MIME_CONSOLE;\n"), []);
  });
});
