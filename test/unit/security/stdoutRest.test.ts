import { strict as assert } from 'node:assert';
import { startKernel } from '../helpers/testKernel';

// found by the secrets property test (seed 762460605): the worker's unfinished last stdout line was trimmed before it
// was masked, so a secret ending in a space was no longer recognised and the rest of it reached the kernel log
describe("the worker's last stdout text at exit", () => {
  it('is masked before it is trimmed: a secret ending in a space never reaches the log', async () => {
    const secret = 'sk-ends-in-a-space-1234 ';
    const logs: string[] = [];
    const k = await startKernel({ init: { env: { TOKEN: secret }, maskedValues: [secret] }, log: (_level, message) => logs.push(message) });
    const exited = new Promise<void>((resolve) => k.kernel.onExit(() => resolve()));
    await k.run('require("fs").writeSync(1, "before " + process.env.TOKEN); process.exit(0)').catch(() => undefined);
    await exited;
    const line = logs.find((l) => l.startsWith('[worker stdout] before'));
    assert.ok(line, `the rest was logged: ${JSON.stringify(logs)}`);
    assert.ok(!line.includes('sk-ends-in-a-space'), line);
  });
});
