/**
 * Ctrl-C in a terminal sends SIGINT to every process of the foreground group: to `coda run`, and to its kernel (this
 * worker, and a Deno or Bun sidecar it started) too. Node's, Deno's and Bun's default for it ends the process, and a
 * kernel's state with it. The runner decides what a Ctrl-C means: the first interrupts the running cell through the
 * control pipe (state kept), a second ends the run (cli/main.ts). So a kernel takes no action of its own on the signal;
 * a cell may still listen for it, as a script run in a terminal would.
 */
export function ignoreTerminalInterrupt(proc: Pick<NodeJS.Process, 'on'> = process): void {
  proc.on('SIGINT', () => undefined);
}
