/** Whether `path` is a file (not a folder, and there at all): what an import can load. */
import { statSync } from 'node:fs';

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
