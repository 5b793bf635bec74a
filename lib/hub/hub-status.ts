import 'server-only';
// What the hub's files say, for the dashboard: a seed hub's through the root
// helper's hub-status (its account's crontab, screen, certificate, config and log
// are the hub account's), the family hub's straight from root's world-readable
// certificate and log (no root needed).
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import * as hub from './hub-client';
import * as helper from '../helper/commands';
import { detectHubKind, FAMILY_HUB_CERT, FAMILY_HUB_LOG } from '../shared/hub-kind';
import { CHECK_TIMEOUT_MS } from './check-rules';

export type { HubStatusFacts } from '../helper/commands';
import type { HubStatusFacts } from '../helper/commands';

/** The helper's hub-status, reshaped. Rejects with PublicError (lib/errors/errors.ts). */
export async function hubStatus(opts: { logLines?: number; timeoutMs?: number } = {}): Promise<HubStatusFacts> {
  const facts = await helper.hubStatus({ logLines: opts.logLines, timeoutMs: opts.timeoutMs ?? CHECK_TIMEOUT_MS });
  if (facts.cert?.pem) hub.rememberHubCertificate(facts.cert.pem);
  return facts;
}

/** The family hub's certificate (root's, world-readable) in the shape hub-status gives. */
export async function familyStatus(): Promise<HubStatusFacts> {
  try {
    const cert = new X509Certificate(await fs.promises.readFile(FAMILY_HUB_CERT, 'utf8'));
    return { installed: true, cert: { exists: true, problem: null, pem: cert.toString(), notAfter: new Date(cert.validTo).toISOString(), fingerprint256: cert.fingerprint256 } };
  } catch {
    return { installed: true, cert: { exists: false, problem: `${FAMILY_HUB_CERT} cannot be read` } };
  }
}

/**
 * The hub's log: the background family hub's file (root's, readable by the panel's
 * group); the journal of jupyterhub.service and a seed hub's bootstrap.log through
 * the helper (as root, or as the hub account).
 */
export async function bootstrapLog(lines = 50): Promise<{ path: string; lines: string[]; exists: boolean }> {
  if (detectHubKind() === 'family-background') {
    try {
      const text = await readTail(FAMILY_HUB_LOG, lines * 4096);
      const all = text.split('\n');
      if (all.at(-1) === '') all.pop();
      return { path: FAMILY_HUB_LOG, lines: all.slice(-lines).map((l) => l.slice(0, 2000)), exists: true };
    } catch {
      return { path: FAMILY_HUB_LOG, lines: [], exists: false };
    }
  }
  const facts = await hubStatus({ logLines: lines, timeoutMs: 10_000 });
  return { path: facts.log?.path ?? '', lines: facts.log?.lines ?? [], exists: facts.log?.exists ?? false };
}

/** At most maxBytes from the end of a regular file (opened without waiting on a FIFO). */
async function readTail(path: string, maxBytes: number): Promise<string> {
  const handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    const start = Math.max(0, st.size - maxBytes);
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}
