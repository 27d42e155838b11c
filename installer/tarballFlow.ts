/** How a tarball stream reaches its parser in entryWriter.ts: by hand, held back by two things, inflated off the main thread. */
import { createGunzip } from 'node:zlib';

/** Bytes per inflated chunk (zlib's default is 16 KB: each chunk costs the main thread one callback). */
const INFLATED_CHUNK = 128 * 1024;

export type TarballStream = NodeJS.ReadableStream & { pause(): void; resume(): void };

/** What a tarball's bytes are written into: the tar parser, or the gunzip in front of it. */
export interface TarSink {
  write(chunk: Buffer): boolean;
  end(): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

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

  into(parser: TarSink, overBudget: () => boolean, fail: (err: Error) => void): void {
    parser = new Inflating(parser, fail);
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

/**
 * A gzip stream (known by its magic bytes) is inflated by Node's zlib in libuv's thread pool before the parser sees it:
 * tar's own gunzip runs on the main thread, where the install's packuments and its resolver wait. Anything else goes
 * to the parser as it is (the parser reads it, or says why not).
 */
class Inflating implements TarSink {
  private target: TarSink | undefined;

  constructor(
    private readonly parser: TarSink,
    private readonly fail: (err: Error) => void,
  ) {}

  write(chunk: Buffer): boolean {
    this.target ??= chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b ? this.gunzip() : this.parser;
    return this.target.write(chunk);
  }

  end(): unknown {
    return (this.target ?? this.parser).end();
  }

  once(event: 'drain', listener: () => void): unknown {
    return (this.target ?? this.parser).once(event, listener);
  }

  private gunzip(): TarSink {
    const gunzip = createGunzip({ chunkSize: INFLATED_CHUNK });
    gunzip.on('data', (inflated: Buffer) => {
      if (!this.parser.write(inflated)) {
        gunzip.pause();
        this.parser.once('drain', () => gunzip.resume());
      }
    });
    gunzip.on('end', () => this.parser.end());
    gunzip.on('error', this.fail);
    return gunzip;
  }
}
