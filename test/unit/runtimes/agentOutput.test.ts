/**
 * A sidecar's stdout split into frames and output (worker/sidecar/AgentOutput.ts), however the pipe cuts it into
 * chunks: without secrets it takes a path of its own (only the new chunk searched for line ends), which must split
 * exactly as the masking path does.
 */
import { strict as assert } from 'node:assert';
import { createMasker, NO_SECRETS, type Masker } from '../../../protocol/maskSecrets';
import { encodeFrame, FRAME_MARKER, type FromAgentFrame } from '../../../protocol/sidecar';
import { AgentOutput, MAX_PENDING_OUTPUT } from '../../../worker/sidecar/AgentOutput';

type Heard = ['frame', FromAgentFrame] | ['text', string] | ['malformed', string];

function split(stream: string, chunks: number[], mask: Masker): Heard[] {
  const heard: Heard[] = [];
  const out = new AgentOutput(
    {
      frame: (f) => heard.push(['frame', f]),
      text: (t) => heard.push(['text', t]),
      malformed: (line) => heard.push(['malformed', line]),
    },
    mask,
  );
  let at = 0;
  for (const n of chunks) {
    out.push(stream.slice(at, at + n));
    at += n;
  }
  out.push(stream.slice(at));
  out.flush();
  return heard;
}

/** A deterministic pseudo-random source (the cases are the same on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function stream(r: () => number): string {
  let text = '';
  const parts = 1 + Math.floor(r() * 40);
  for (let i = 0; i < parts; i++) {
    const pick = r();
    if (pick < 0.45) {
      const entries = Array.from({ length: Math.floor(r() * 300) }, (_, n) => ({ method: 'log', text: `line ${n} ü✓\t"q"` }));
      text += encodeFrame({ kind: 'event', event: 'console', body: { entries } } as unknown as FromAgentFrame, true);
    } else if (pick < 0.75) text += `raw output ${i}${'x'.repeat(Math.floor(r() * 3000))}\n`;
    else if (pick < 0.9) text += `no newline before a frame ${i}`;
    else if (pick < 0.95) text += `${FRAME_MARKER}{not json\n`;
    else text += '\n';
  }
  return text;
}

describe('a sidecar stdout split into frames and output', () => {
  it('without secrets, splits as the masking path does, for 400 streams cut into random chunks', () => {
    // a secret that never occurs: the masking path, with nothing to mask
    const inert = createMasker(['a-secret-that-no-stream-holds-7f3e9c']);
    for (let seed = 1; seed <= 400; seed++) {
      const r = random(seed);
      const s = stream(r);
      const chunks: number[] = [];
      for (let left = s.length; left > 0;) {
        const n = 1 + Math.floor(r() * (r() < 0.5 ? 64 : 70_000));
        chunks.push(n);
        left -= n;
      }
      assert.deepEqual(split(s, chunks, NO_SECRETS), split(s, chunks, inert), `seed ${seed}`);
    }
  });

  it('passes on a long write without a newline in pieces, nothing lost or doubled', () => {
    const long = 'y'.repeat(3 * MAX_PENDING_OUTPUT + 17);
    const heard = split(`${long}\n${FRAME_MARKER}${JSON.stringify({ kind: 'event', event: 'log', body: {} })}\n`, [1000, 70_000, 5, 90_000], NO_SECRETS);
    const texts = heard.filter((h) => h[0] === 'text').map((h) => h[1] as string);
    assert.ok(texts.length > 1);
    assert.equal(texts.join(''), long);
    assert.deepEqual(heard.at(-1), ['frame', { kind: 'event', event: 'log', body: {} }]);
  });

  it('keeps text written just before a frame, on the frame line, as output', () => {
    const frame = encodeFrame({ kind: 'event', event: 'log', body: { n: 1 } } as unknown as FromAgentFrame, true);
    for (const mask of [NO_SECRETS, createMasker(['zzz-never'])]) {
      assert.deepEqual(split(`partial${frame}`, [3, 9], mask), [
        ['text', 'partial'],
        ['frame', { kind: 'event', event: 'log', body: { n: 1 } }],
      ]);
    }
  });
});
