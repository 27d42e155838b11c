/**
 * A value made the first time it is asked for, then kept: for what a kernel's start does not need (the worker bundle's
 * first regular expression with a Unicode property class, `\p{ID_Start}`, costs V8 0.6 ms to build).
 */
export function lazy<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}
