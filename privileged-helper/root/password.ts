// The password comes only on stdin, as one line. It stays a Buffer (never a
// string in a log or a message), is handed to chpasswd on its stdin, and is
// zeroed afterwards.
import { fstatSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isatty } from 'node:tty';
import { usage } from '../common/errors';

export const PASSWORD_MAX_BYTES = 512;
const READ_LIMIT = 4096;

/**
 * Check the bytes read from stdin and cut off the line end. Pure.
 * Accepts "pw" or "pw\n"; refuses empty, several lines, CR, NUL, too long.
 * Messages never contain the password.
 */
export function passwordFromInput(input: Buffer): Buffer {
  let end = input.length;
  const nl = input.indexOf(0x0a);
  if (nl !== -1) {
    if (nl !== input.length - 1) throw usage('the password must be one line (it contains a line break)', 'bad_password');
    end = nl;
  }
  const pw = input.subarray(0, end);
  if (pw.length === 0) throw usage('no password given on standard input', 'bad_password');
  if (pw.length > PASSWORD_MAX_BYTES) throw usage(`the password is longer than ${PASSWORD_MAX_BYTES} bytes`, 'bad_password');
  if (pw.includes(0x00)) throw usage('the password must not contain a NUL character', 'bad_password');
  if (pw.includes(0x0d)) throw usage('the password must not contain a carriage return', 'bad_password');
  return Buffer.from(pw);
}

/** Read stdin: a pipe or file up to EOF, a terminal up to the first line end (a stdin not ready yet: retried after an awaited pause). */
export async function readPasswordFromStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tty = false;
  try {
    tty = isatty(0);
    fstatSync(0);
  } catch {
    throw usage('no password given on standard input', 'bad_password');
  }
  const buf = Buffer.alloc(1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        await sleep(10);
        continue;
      }
      if (code === 'EOF') break;
      throw usage(`cannot read the password from standard input (${code})`, 'bad_password');
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > READ_LIMIT) break;
    if (tty && buf.subarray(0, n).includes(0x0a)) break;
  }
  buf.fill(0);
  const input = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  if (total > READ_LIMIT) {
    input.fill(0);
    throw usage(`the password is longer than ${PASSWORD_MAX_BYTES} bytes`, 'bad_password');
  }
  try {
    return passwordFromInput(input);
  } finally {
    input.fill(0);
  }
}
