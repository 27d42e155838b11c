/**
 * Splits a sidecar's stdout into the agent's frames (lines behind FRAME_MARKER) and everything else, which is
 * user output written past the console (Deno.stdout.write, Bun.write, native code). Text before a marker on the
 * same line is output too, so a write without a newline never corrupts a frame.
 */
import { FRAME_MARKER, type FromAgentFrame } from '../../protocol/sidecar';

/** Characters of output without a newline held before they are passed on anyway. */
export const MAX_PENDING_OUTPUT = 64 * 1024;

export interface AgentOutputListener {
  frame(frame: FromAgentFrame): void;
  text(line: string): void;
  /** A marked line that is not JSON (a bug, never user output). */
  malformed(line: string, error: string): void;
}

export class AgentOutput {
  private pending = '';

  constructor(private readonly listener: AgentOutputListener) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
    const marker = this.pending.indexOf(FRAME_MARKER);
    if (marker > 0) {
      this.listener.text(this.pending.slice(0, marker));
      this.pending = this.pending.slice(marker);
    } else if (marker === -1 && this.pending.length > MAX_PENDING_OUTPUT) {
      this.listener.text(this.pending);
      this.pending = '';
    }
  }

  /** Passes on output left without a newline (the sidecar ended, or a cell finished). */
  flush(): void {
    if (this.pending && !this.pending.startsWith(FRAME_MARKER)) {
      this.listener.text(this.pending);
      this.pending = '';
    }
  }

  private line(line: string): void {
    const marker = line.indexOf(FRAME_MARKER);
    if (marker === -1) {
      this.listener.text(line);
      return;
    }
    if (marker > 0) this.listener.text(line.slice(0, marker));
    const json = line.slice(marker + FRAME_MARKER.length);
    try {
      this.listener.frame(JSON.parse(json) as FromAgentFrame);
    } catch (err) {
      this.listener.malformed(json.slice(0, 200), (err as Error).message);
    }
  }
}
