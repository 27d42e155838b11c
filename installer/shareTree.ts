/**
 * After arborist extracted a tree into the staging store, every package whose files no install script will touch
 * lands in the shared content store (host/deps/contentStore.ts) and the staging tree keeps hard links to it. A
 * package whose install scripts run keeps its own copy, so a script can only ever change that notebook's files.
 */
import { adoptPackage, type Landing } from '../host/deps/contentStore';
import { scriptJobs, type ScriptTreeNode } from './runInstallScripts';

export interface SharedNode extends ScriptTreeNode {
  integrity?: string | null;
  inBundle?: boolean;
}

export interface ShareOutcome {
  linked: number;
  copied: number;
  /** Locations of packages that keep their own files (their scripts run, or they have no sha512 to share by). */
  own: string[];
}

/** Moves the tree's packages into the content store at `contentRoot`; `scripted` says whether scripts will run. */
export async function shareTree(nodes: SharedNode[], contentRoot: string, scripted: boolean, log: (m: string) => void): Promise<ShareOutcome> {
  const withScripts = new Set(scripted ? scriptJobs(nodes).map((j) => j.node.location) : []);
  const outcome: ShareOutcome = { linked: 0, copied: 0, own: [] };
  for (const n of nodes) {
    if (n.isRoot || n.isLink || !n.location) continue;
    if (withScripts.has(n.location) || n.inBundle) {
      outcome.own.push(n.location);
      continue;
    }
    const landing: Landing | undefined = await adoptPackage(contentRoot, n.integrity, n.path);
    if (landing) outcome[landing]++;
    else outcome.own.push(n.location);
  }
  if (outcome.copied) log(`${outcome.copied} packages were copied, not linked: the store ${contentRoot} is on another file system`);
  return outcome;
}
