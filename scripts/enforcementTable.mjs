// Prints the "what each runtime enforces" table of docs/security.md from protocol/enforcement.ts (the grant prompt's
// words). Usage: node --import tsx scripts/enforcementTable.mjs
import { enforcementTableMarkdown } from '../protocol/enforcement.ts';
console.log(enforcementTableMarkdown());
