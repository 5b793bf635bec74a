// One line per change to syslog (authpriv), through logger(1) with an
// argument array. Skipped when there is no /dev/log (no syslog daemon).
import { existsSync } from 'node:fs';
import { runTool, TOOLS } from './run';

export const SYSLOG_TAG = 'jupyterhub-panel-helper';

/** Render key=value pairs; values that are not plain tokens are JSON-quoted (no newlines reach the log). Pure. */
export function formatLogMessage(fields: Readonly<Record<string, string | number | boolean | null | undefined>>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    const s = String(v).slice(0, 300);
    parts.push(`${k}=${/^[A-Za-z0-9_.@()/-]+$/.test(s) ? s : JSON.stringify(s)}`);
  }
  return parts.join(' ');
}

/** Awaited by the request it logs, so its answer comes once the line is written (logger is awaited, never blocks). */
export async function logChange(fields: Readonly<Record<string, string | number | boolean | null | undefined>>): Promise<void> {
  if (!existsSync('/dev/log')) return;
  try {
    await runTool(TOOLS.logger, ['-p', 'authpriv.notice', '-t', SYSLOG_TAG, '--', formatLogMessage(fields)], {
      timeoutMs: 5000,
    });
  } catch {
    // Logging must not turn a done change into a reported failure.
  }
}
