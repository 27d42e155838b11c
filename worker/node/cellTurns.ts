/**
 * The Node kernel starts each cell on a macrotask of its own (never in the dispatcher's frames, see NodeRuntime): a
 * message on a channel kept for this, the cells in the order they came. Not a setImmediate callback: a termination
 * there (an interrupt of a cell's `while (true) {}`) skips what Node's queue of immediates does when a callback
 * returns, and when another immediate ran before it in the same turn, Node's next turn of that queue throws on every
 * pass of the event loop: the kernel hung, interrupts and runs unanswered. A message port survives a termination: its
 * next message comes as usual. One channel: ~1 µs a turn (setImmediate ~4 µs; a new channel each turn ~25 µs).
 */

/** Taken when the worker loads: a cell may replace the global. */
const RealMessageChannel = MessageChannel;

export interface CellTurns {
  schedule(start: () => void): void;
  close(): void;
}

interface Turn {
  start: () => void;
  next: Turn | undefined;
}

export function cellTurns(): CellTurns {
  const { port1, port2 } = new RealMessageChannel();
  let head: Turn | undefined;
  let tail: Turn | undefined;
  port1.on('message', () => {
    const turn = head;
    if (!turn) return;
    head = turn.next;
    if (!head) tail = undefined;
    turn.start();
  });
  // (the kernel lives as long as its host channel: the channel never keeps it alive)
  port1.unref();
  const post = port2.postMessage.bind(port2);
  return {
    schedule(start) {
      const turn: Turn = { start, next: undefined };
      if (tail) tail.next = turn;
      else head = turn;
      tail = turn;
      post(null);
    },
    close() {
      port1.close();
      head = tail = undefined;
    },
  };
}
