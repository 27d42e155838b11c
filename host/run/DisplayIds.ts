/**
 * Where each display id of one kernel is shown (protocol/messages.ts DisplayEvent, Jupyter's display_id): the outputs
 * a later display with that id replaces. Shared by the notebook controller (VS Code outputs) and `coda run` (its
 * report's display data); the host checks that an output is still shown before it replaces it.
 */
import type { DisplayEvent } from '../../protocol';

export interface DisplayRoute<T> {
  /** The outputs shown with the event's id, to show the event's data instead. */
  replace: T[];
  /** Whether the event adds an output of its own (every display but an update). */
  add: boolean;
}

export class DisplayIds<T> {
  private readonly shown = new Map<string, T[]>();

  /** @param live whether an output is still shown (a re-run cell's old outputs are gone): the others are forgotten. */
  constructor(private readonly live: (target: T) => boolean = () => true) {}

  route(event: Pick<DisplayEvent, 'displayId' | 'update'>): DisplayRoute<T> {
    const add = !event.update;
    if (event.displayId === undefined) return { replace: [], add };
    const targets = (this.shown.get(event.displayId) ?? []).filter(this.live);
    if (targets.length) this.shown.set(event.displayId, targets);
    else this.shown.delete(event.displayId);
    return { replace: [...targets], add };
  }

  /** A new output shown for `displayId` (after route() said to add it). */
  add(displayId: string, target: T): void {
    const list = this.shown.get(displayId);
    if (list) list.push(target);
    else this.shown.set(displayId, [target]);
  }

  clear(): void {
    this.shown.clear();
  }
}
