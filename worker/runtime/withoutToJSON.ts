/**
 * Serialising a frame with JSON.stringify calls any `toJSON` found on the frame's objects and arrays. In the Node
 * kernel and the Deno/Bun agent cells share the realm, so a cell that plants `Object.prototype.toJSON` would turn
 * every reply and event into its return value. This lifts such methods off the two prototypes frames are made of
 * for the length of one synchronous call, and puts them back: cell code cannot run in between.
 */
const PROTOTYPES: readonly object[] = [Object.prototype, Array.prototype];
const KEY = 'toJSON';

export function withoutToJSON<T>(serialise: () => T): T {
  const lifted: [object, PropertyDescriptor][] = [];
  for (const proto of PROTOTYPES) {
    const own = Reflect.getOwnPropertyDescriptor(proto, KEY);
    if (own && Reflect.deleteProperty(proto, KEY)) lifted.push([proto, own]);
  }
  try {
    return serialise();
  } finally {
    for (const [proto, own] of lifted) Reflect.defineProperty(proto, KEY, own);
  }
}
