/** How a tarball stream reaches its parser in entryWriter.ts: by hand, held back by two things. */

export type TarballStream = NodeJS.ReadableStream & { pause(): void; resume(): void };

/**
 * A tarball stream fed to its parser by hand, so that two things can stop it: the parser's own backpressure (until it
 * drains) and the writer's budget of bytes waiting to be written (until released). It flows when neither holds it.
 */
export class Flow {
  private draining = false;
  private held = false;

  constructor(
    private readonly stream: TarballStream,
    readonly entry: string,
  ) {}

  into(parser: { write(chunk: Buffer): boolean; end(): unknown; once(event: 'drain', l: () => void): unknown }, overBudget: () => boolean): void {
    this.stream.on('data', (chunk: Buffer) => {
      if (!parser.write(chunk)) {
        this.draining = true;
        this.stream.pause();
        parser.once('drain', () => {
          this.draining = false;
          if (overBudget()) this.held = true;
          this.flow();
        });
      }
    });
    this.stream.on('end', () => parser.end());
  }

  hold(): void {
    this.held = true;
    this.stream.pause();
  }

  release(): void {
    this.held = false;
    this.flow();
  }

  private flow(): void {
    if (!this.draining && !this.held) this.stream.resume();
  }
}
