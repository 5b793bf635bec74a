// /etc/passwd, /etc/group, /etc/shadow and /etc/login.defs as text, parsed the
// one way both sides read them: the root helper (privileged-helper/root/accounts.ts)
// and the panel (lib/accounts/unix-accounts.ts, lib/shared/hub-facts.ts). Pure: the callers do
// the I/O. Local files only: the family machine has no NSS directory service,
// and the helper edits exactly these files through shadow-utils.

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  /** Supplementary members (4th field of /etc/group). */
  readonly members: readonly string[];
}

export interface UidRange {
  uidMin: number;
  uidMax: number;
}

const isUint = (s: string | undefined): s is string => s !== undefined && /^\d{1,10}$/.test(s);
/** NIS compat lines (+name, -name) are not accounts of this machine. */
const isLocalName = (name: string | undefined): name is string => !!name && !name.startsWith('+') && !name.startsWith('-');

/** name:pw:uid:gid:gecos:home:shell. Malformed and NIS lines are skipped; the first entry of a name wins, as getpwnam's. */
export function parsePasswd(text: string): Map<string, PasswdEntry> {
  const out = new Map<string, PasswdEntry>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== 7) continue;
    const [name, , uid, gid, gecos = '', home = '', shell = ''] = f;
    if (!isLocalName(name) || !isUint(uid) || !isUint(gid) || out.has(name)) continue;
    out.set(name, { name, uid: Number(uid), gid: Number(gid), gecos, home, shell });
  }
  return out;
}

/** name:pw:gid:member,member. Malformed and NIS lines are skipped; the first entry wins. */
export function parseGroup(text: string): Map<string, GroupEntry> {
  const out = new Map<string, GroupEntry>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length !== 4) continue;
    const [name, , gid, members = ''] = f;
    if (!isLocalName(name) || !isUint(gid) || out.has(name)) continue;
    out.set(name, { name, gid: Number(gid), members: members.split(',').filter((m) => m !== '') });
  }
  return out;
}

/** name -> password field (a hash, or the ! and * forms). */
export function parseShadow(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 2 || !f[0] || out.has(f[0])) continue;
    out.set(f[0], f[1]!);
  }
  return out;
}

/** UID_MIN / UID_MAX: the range of human accounts; shadow-utils' defaults 1000 / 60000. */
export function parseLoginDefs(text: string): UidRange {
  const range = { uidMin: 1000, uidMax: 60000 };
  for (const raw of text.split('\n')) {
    const m = /^\s*(UID_MIN|UID_MAX)\s+(\d{1,10})\s*$/.exec(raw);
    if (m) range[m[1] === 'UID_MIN' ? 'uidMin' : 'uidMax'] = Number(m[2]);
  }
  return range;
}

/** The full name: the first GECOS field. */
export const fullNameOf = (gecos: string): string => gecos.split(',')[0] ?? '';

/** Locked: the field starts with '!' (usermod -L, passwd -l, useradd without a password); no shadow line counts as locked. */
export const isLockedHash = (hash: string | undefined): boolean => hash === undefined || hash.startsWith('!');

/** A usable password hash (not empty, not locked, not the * of "no password"). */
export const isUsableHash = (hash: string | undefined): boolean => hash !== undefined && hash.length > 1 && !hash.startsWith('!') && !hash.startsWith('*');
