/** Text from a package or a lock (names, URLs, commands, script output) without control characters that would drive a terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
