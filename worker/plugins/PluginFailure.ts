/** A plugin's failure on its way to a cell error: the catalogue error (naming the plugin) as plain data, ready to send. */
import type { SerializedError } from '../../protocol';

export class PluginFailure extends Error {
  constructor(readonly error: SerializedError) {
    super(error.message);
  }
}
