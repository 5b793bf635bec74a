import 'server-only';
// The only place the panel talks to the root helper: one request per connection
// to the helper's socket (privileged-helper/root/serve.ts; root:jupyterhub-panel 0660,
// so only this account can connect), an argument array, a timeout, JSON-line
// parsing, and the shared table from exit code to an error code. Contract:
// docs/ARCHITECTURE.md "Helper command contract", privileged-helper/README.md.
import net from 'node:net';
import { isHelperReason, reasonValuesOf, type HelperReason } from '../shared/helper-reasons';

/** The helper service's socket (jupyterhub-panel-helper.socket, or the set-up's `helper --serve`). */
export const HELPER_SOCKET = process.env.JH4F_HELPER_SOCKET || '/run/jupyterhub4family/helper.sock';
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest line kept (a hub-status with 200 log lines is some 450 KB). */
const MAX_LINE_CHARS = 1024 * 1024;

// The command names are the one list, lib/shared/commands.ts; the typed calls of
// every command are lib/helper/commands.ts, the only module that calls runHelper.
export type { HelperCommand } from '../shared/commands';
import type { HelperCommand } from '../shared/commands';

// The exit-code table is shared with the helper (lib/shared/exit-codes.ts); what
// each code means for the answer and the audit row is lib/errors/error-table.ts.
export { EXIT_CODE_TABLE } from '../shared/exit-codes';
import { EXIT_CODE_TABLE, HELPER_EXIT_CODES, type HelperExitErrorCode } from '../shared/exit-codes';
import { PublicError } from '../errors/errors';

/** What a helper call can end with: the helper's own codes and the client's (polkit, socket, timeout). */
export type HelperErrorCode = HelperExitErrorCode | 'not_authorized' | 'unavailable' | 'timeout';

const NOT_AUTHORIZED_MESSAGE =
  `the panel may not connect to its helper (${HELPER_SOCKET} refused it): the socket must be root:jupyterhub-panel 0660 ` +
  'and the panel must run as jupyterhub-panel. Run the set-up command again.';
const UNAVAILABLE_MESSAGE =
  `the panel's helper service is not running (${HELPER_SOCKET}): check jupyterhub-panel-helper.socket ` +
  '(systemctl status jupyterhub-panel-helper.socket), or run the set-up command again where no systemd runs.';

/** Why the helper said no, as its line said it: a reason of the closed set and its checked values. */
export interface HelperWhy {
  reason: HelperReason | null;
  values: Record<string, string | number>;
}

/**
 * A failed helper call as the one error class; `message` is the helper's own
 * sentence (server log and audit row), the client sees the catalog's text. The
 * reason and values are the helper's (the use cases word them, never the sentence).
 */
export function helperError(code: HelperErrorCode, message: string, exitCode: number | null = null, why: HelperWhy | null = null): PublicError {
  return new PublicError(code, { logText: message, exitCode, helperReason: why?.reason ?? null, values: why?.reason ? why.values : {} });
}

export type HelperResult = { ok: true } & Record<string, unknown>;
type HelperFailureLine = { ok: false; error: string; message: string } & HelperWhy;

/**
 * The reason and values of an error line, checked: a reason outside the closed set
 * is no reason (and its values are dropped); values are only short strings and
 * finite numbers under plain keys, a few at most. Pure.
 */
export function helperWhyOf(line: Record<string, unknown>): HelperWhy {
  if (!isHelperReason(line.reason)) return { reason: null, values: {} };
  return { reason: line.reason, values: reasonValuesOf(line.values) };
}

export interface ParsedHelperOutput {
  progress: unknown[];
  /** The last line when it is a result line ({"ok": ...}), else null. */
  result: HelperResult | HelperFailureLine | null;
  /** Lines that were not JSON objects (should not happen; kept for the log). */
  garbage: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse one stdout line; null when it is not a JSON object. Pure. */
export function parseHelperLine(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return isRecord(v) ? v : null;
  } catch {
    return null;
  }
}

/** Split the helper's stdout into progress lines and the final result line. Pure. */
export function parseHelperOutput(stdout: string): ParsedHelperOutput {
  const progress: unknown[] = [];
  const garbage: string[] = [];
  let result: ParsedHelperOutput['result'] = null;
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  lines.forEach((line, i) => {
    const obj = parseHelperLine(line);
    if (!obj) {
      garbage.push(line.slice(0, 300));
      return;
    }
    if ('progress' in obj) {
      progress.push(obj.progress);
      return;
    }
    if (i === lines.length - 1 && typeof obj.ok === 'boolean') {
      result =
        obj.ok === true
          ? (obj as HelperResult)
          : {
              ok: false,
              error: typeof obj.error === 'string' ? obj.error : 'system_error',
              message: typeof obj.message === 'string' ? obj.message : '',
              ...helperWhyOf(obj),
            };
      return;
    }
    garbage.push(line.slice(0, 300));
  });
  return { progress, result, garbage };
}

/**
 * The error for a finished helper run, or null on success. Pure.
 * The exit code decides the error code (one table); the helper's message is
 * used when it gave one.
 */
export function errorForExit(exitCode: number | null, signal: NodeJS.Signals | null, parsed: Pick<ParsedHelperOutput, 'result'>, stderr = ''): PublicError | null {
  if (exitCode === 0) {
    if (parsed.result?.ok === true) return null;
    return helperError('system_error', 'the helper exited 0 without a result line', 0);
  }
  if (exitCode === null) {
    return helperError('system_error', `the helper was ended by ${signal ?? 'a signal'}`, null);
  }
  const code = EXIT_CODE_TABLE[exitCode] ?? 'system_error';
  if (code === 'not_authorized') {
    const detail = stderr.trim().split('\n').at(-1)?.slice(0, 200);
    return helperError(code, detail ? `${NOT_AUTHORIZED_MESSAGE} (pkexec: ${detail})` : NOT_AUTHORIZED_MESSAGE, exitCode);
  }
  const failure = parsed.result && parsed.result.ok === false ? parsed.result : null;
  const fallback = EXIT_CODE_TABLE[exitCode] ? `the helper failed: ${code}` : `the helper exited with unexpected code ${exitCode}`;
  // The reason belongs to the line's own error: a line the exit code contradicts says nothing of why.
  return helperError(code, failure?.message || fallback, exitCode, failure?.error === code ? failure : null);
}

export interface RunHelperOptions {
  /** Written to the helper's stdin, then stdin is closed. Without it stdin is /dev/null. */
  stdin?: string;
  timeoutMs?: number;
  onProgress?: (progress: unknown) => void;
  /**
   * Cancel for long commands (install-packages): the helper's stdin is kept
   * open as a pipe, and aborting closes it. The panel cannot signal the root
   * helper; the helper takes the closed pipe as "stop" (and ends on its own
   * when the panel dies, because the pipe closes then too).
   */
  cancel?: AbortSignal;
}

/** The contract's exit code for an error code a line names; 8 (system_error) for any other. Pure. */
export function exitCodeOfError(error: string): number {
  return Object.hasOwn(HELPER_EXIT_CODES, error) ? HELPER_EXIT_CODES[error as HelperExitErrorCode] : HELPER_EXIT_CODES.system_error;
}

/**
 * Run one helper command over the helper's socket. Resolves with the result
 * line; rejects with PublicError (a helper code). On timeout or cancel the connection is
 * closed, which the helper takes as "stop" for long commands (install-packages);
 * it bounds its own waits (lock 10 s, each tool 30 s) for the others.
 */
export function runHelper(command: HelperCommand, args: readonly string[], opts: RunHelperOptions = {}): Promise<HelperResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const sock = net.connect({ path: HELPER_SOCKET, allowHalfOpen: true });
    let stdout = '';
    let pending = '';
    let done = false;
    const finish = (err: PublicError | null, value?: HelperResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.cancel?.removeEventListener('abort', cancel);
      sock.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      finish(helperError('timeout', `the helper did not answer within ${Math.round(timeoutMs / 1000)} s (${command})`));
    }, timeoutMs);
    // Cancel: close our sending side. The helper stops the command, ends what it
    // started, then answers and closes; the answer says cancelled.
    let requested = false;
    const cancel = () => {
      if (requested) sock.end();
    };
    if (opts.cancel?.aborted) cancel();
    else opts.cancel?.addEventListener('abort', cancel, { once: true });

    sock.setEncoding('utf8');
    sock.on('connect', () => {
      const request: Record<string, unknown> = { argv: [command, ...args] };
      if (opts.stdin !== undefined) request.stdin = opts.stdin;
      sock.write(`${JSON.stringify(request)}\n`);
      requested = true;
      if (opts.cancel?.aborted) sock.end();
    });
    sock.on('data', (chunk: string) => {
      if (stdout.length < 4 * 1024 * 1024) stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const obj = parseHelperLine(line);
        if (obj && 'progress' in obj && opts.onProgress) {
          try {
            opts.onProgress(obj.progress);
          } catch {
            /* a failing listener must not break the run */
          }
        }
      }
      // The agent's lines come unread through root, as data of the account it ran
      // as (a kid's pip): a line without end is not kept growing.
      if (pending.length > MAX_LINE_CHARS) pending = '';
    });
    // The helper ends its sending side after its last line. Both ends allow half-open
    // connections (our end of sending is the helper's "cancel"), so without ending
    // ours here neither side would close and every answer would wait for the timeout
    // (found by test/systemd). After the answer, the helper takes our end as nothing.
    sock.on('end', () => sock.end());
    sock.on('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') finish(helperError('not_authorized', NOT_AUTHORIZED_MESSAGE));
      else if (code === 'ENOENT' || code === 'ECONNREFUSED') finish(helperError('unavailable', UNAVAILABLE_MESSAGE));
      else finish(helperError('system_error', `the connection to the helper failed: ${code ?? e.message}`));
    });
    sock.on('close', () => {
      if (done) return;
      const parsed = parseHelperOutput(stdout);
      if (!parsed.result) return finish(helperError('system_error', 'the helper closed the connection without an answer'));
      // The last line carries the contract's exit code, which decides the error (one
      // table); an answer the agent gave itself (passed on unread by root) names it by its error code.
      const raw = parseHelperLine(stdout.trimEnd().split('\n').at(-1) ?? '');
      const exitCode = typeof raw?.exitCode === 'number' ? raw.exitCode : parsed.result.ok === true ? 0 : exitCodeOfError(parsed.result.error);
      const err = errorForExit(exitCode, null, parsed);
      if (err) finish(err);
      else {
        const { exitCode: _omit, ...result } = parsed.result as HelperResult & { exitCode?: number };
        finish(null, result as HelperResult);
      }
    });
  });
}
