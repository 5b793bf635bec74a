// JSON lines on stdout, written synchronously so nothing is lost on exit.
import { writeSync } from 'node:fs';

export function writeLine(obj: unknown): void {
  writeBytes(Buffer.from(JSON.stringify(obj) + '\n', 'utf8'));
}

export function writeBytes(data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(1, data, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      return; // EPIPE etc.: the reader went away; the exit code still tells.
    }
  }
}

export function emitProgress(progress: unknown): void {
  writeLine({ progress });
}
