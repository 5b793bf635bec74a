// UID_MIN / UID_MAX of /etc/login.defs: the range of human accounts. Pure; one
// parser for the root helper (privileged-helper/accounts.ts) and the panel's mirror
// of its rules (lib/account-policy.ts), so both draw the line at the same uid.
export interface UidRange {
  uidMin: number;
  uidMax: number;
}

/** Defaults 1000 / 60000, as shadow-utils has them. */
export function parseLoginDefs(text: string): UidRange {
  let uidMin = 1000;
  let uidMax = 60000;
  for (const raw of text.split('\n')) {
    const m = /^\s*(UID_MIN|UID_MAX)\s+(\d{1,10})\s*$/.exec(raw);
    if (!m) continue;
    if (m[1] === 'UID_MIN') uidMin = Number(m[2]);
    else uidMax = Number(m[2]);
  }
  return { uidMin, uidMax };
}
