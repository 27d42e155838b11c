/**
 * Splits a sidecar's stdout into the agent's frames (lines behind FRAME_MARKER) and everything else, which is
 * user output written past the console (Deno.stdout.write, Bun.write, native code). Text before a marker on the
 * same line is output too, so a write without a newline never corrupts a frame.
 */
import { maskedLines, NO_SECRETS, type Masker } from '../../protocol/maskSecrets';
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

  /** `mask`: the notebook's secrets, masked before output is split into lines or cut (a secret may hold line breaks). */
  constructor(
    private readonly listener: AgentOutputListener,
    private readonly mask: Masker = NO_SECRETS,
  ) {}

  push(chunk: string): void {
    if (this.mask.active) {
      // frames (already masked by the agent) pass as they are: masking JSON text could break it
      const { lines, rest } = maskedLines(this.mask, this.pending + chunk, (line) => line.includes(FRAME_MARKER));
      this.pending = rest;
      for (const line of lines) this.line(line);
    } else {
      // no secrets: only the new chunk is searched for line ends, and a line held in part is joined once (a frame of
      // a thousand console entries arrives in several chunks: searching and copying what was held again for each
      // cost the worker a fifth of its time relaying them)
      let start = 0;
      for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
        const line = this.pending + chunk.slice(start, end);
        this.pending = '';
        start = end + 1;
        this.line(line);
      }
      this.pending += chunk.slice(start);
    }
    const marker = this.pending.indexOf(FRAME_MARKER);
    if (marker > 0) {
      this.listener.text(this.mask.text(this.pending.slice(0, marker)));
      this.pending = this.pending.slice(marker);
    } else if (marker === -1 && this.pending.length > MAX_PENDING_OUTPUT) {
      // passed on without its newline, where no secret is cut in two
      const end = this.mask.active ? this.mask.safeEnd(this.pending, this.pending.length - this.mask.longestForm) : this.pending.length;
      this.listener.text(this.mask.text(this.pending.slice(0, end)));
      this.pending = this.pending.slice(end);
    }
  }

  /** Passes on output left without a newline (the sidecar ended, or a cell finished). */
  flush(): void {
    if (this.pending && !this.pending.startsWith(FRAME_MARKER)) {
      this.listener.text(this.mask.text(this.pending));
      this.pending = '';
    }
  }

  private line(line: string): void {
    const marker = line.indexOf(FRAME_MARKER);
    if (marker === -1) {
      this.listener.text(line);
      return;
    }
    if (marker > 0) this.listener.text(this.mask.text(line.slice(0, marker)));
    const json = line.slice(marker + FRAME_MARKER.length);
    try {
      this.listener.frame(JSON.parse(json) as FromAgentFrame);
    } catch (err) {
      this.listener.malformed(this.mask.cut(json, 200), (err as Error).message);
    }
  }
}
