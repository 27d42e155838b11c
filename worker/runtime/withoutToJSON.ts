/**
 * Serialising a frame with JSON.stringify calls any `toJSON` found on the frame's objects and arrays. In the Node
 * kernel and the Deno/Bun agent cells share the realm, so a cell that plants `Object.prototype.toJSON` would turn
 * every reply and event into its return value. This lifts such methods off the two prototypes frames are made of
 * for the length of one synchronous call, and puts them back: cell code cannot run in between. One that cannot be
 * lifted (made non-configurable) is shadowed instead, by an own `toJSON: undefined` on every object of the frame.
 */
const PROTOTYPES: readonly object[] = [Object.prototype, Array.prototype];
const KEY = 'toJSON';
/** Nesting followed when shadowing a frame (frames are a few levels deep; previews are bounded). */
const MAX_SHADOW_DEPTH = 64;

export function withoutToJSON<T>(frame: unknown, serialise: () => T): T {
  const lifted: [object, PropertyDescriptor][] = [];
  let stuck = false;
  for (const proto of PROTOTYPES) {
    const own = Reflect.getOwnPropertyDescriptor(proto, KEY);
    if (!own) continue;
    if (Reflect.deleteProperty(proto, KEY)) lifted.push([proto, own]);
    else stuck = true;
  }
  try {
    if (stuck) shadow(frame, 0);
    return serialise();
  } finally {
    for (const [proto, own] of lifted) Reflect.defineProperty(proto, KEY, own);
  }
}

function shadow(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > MAX_SHADOW_DEPTH) return;
  Reflect.defineProperty(value, KEY, { value: undefined, enumerable: false, writable: true, configurable: true });
  for (const child of Object.values(value)) shadow(child, depth + 1);
}
