// The table "Parents on the hub" of docs/ARCHITECTURE.md, read as data: for each
// helper command that takes a USER, what it does when USER is a parent. The docs
// are the statement; the unit test keeps a row for every such command, the
// sandbox test runs every row against the real helper.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ParentOutcome = { kind: 'allowed' } | { kind: 'refused' | 'conflict'; reason: string };

export interface ParentRow {
  command: string;
  outcome: ParentOutcome;
  /** The cell as written. */
  text: string;
}

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'ARCHITECTURE.md');
export const PARENTS_SECTION = '## Parents on the hub';

/** The rows of the section's first table; a cell that is not "allowed" or "refused|conflict: `reason`" throws. */
export function parentRows(doc: string = readFileSync(DOC, 'utf8')): ParentRow[] {
  const start = doc.indexOf(PARENTS_SECTION);
  if (start < 0) throw new Error(`docs/ARCHITECTURE.md has no section "${PARENTS_SECTION}"`);
  const next = doc.indexOf('\n## ', start + PARENTS_SECTION.length);
  const section = doc.slice(start, next < 0 ? undefined : next);
  const rows: ParentRow[] = [];
  for (const line of section.split('\n')) {
    const cells = /^\|\s*`([a-z-]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (!cells) continue;
    const [, command, text] = cells as unknown as [string, string, string];
    const m = /^(?:(allowed)|(refused|conflict): `([a-z_]+)`)$/.exec(text);
    if (!m) throw new Error(`"${PARENTS_SECTION}": the row of ${command} says "${text}", not "allowed" or "refused: \`reason\`"`);
    rows.push({ command, text, outcome: m[1] ? { kind: 'allowed' } : { kind: m[2] as 'refused' | 'conflict', reason: m[3]! } });
  }
  return rows;
}
