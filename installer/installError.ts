/** An install failure as the cell shows it: a name hosts can word (protocol InstallErrorName) and a message. */
import type { InstallErrorName } from '../protocol';

export class InstallError extends Error {
  constructor(name: InstallErrorName, message: string) {
    super(message);
    this.name = name;
  }
}
