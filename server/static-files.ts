// The build's static assets (/panel/_next/static/..., content-hashed names that
// never change) served straight from .next/static, before Next's request pipeline:
// brotli (or gzip) files made at build time (scripts/build.mjs) when the browser
// accepts them, so a cold sign-in downloads less and no request compresses anything.
// Anything this does not know (or an odd path) is left to Next, which answers 404.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

const PREFIX = '/panel/_next/static/';

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

// Hashed names and folders only: letters, digits, "-", "_", "." and "~", no "..".
const SAFE_PATH = /^(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*\/)*[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

interface Variant {
  file: string;
  size: number;
  encoding: 'br' | 'gzip' | null;
}

interface Entry {
  type: string;
  variants: Variant[];
}

/** Which encodings an Accept-Encoding header allows (q=0 refuses). Pure. */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** The asset path below PREFIX for a request URL, or null when it is not one this serves. Pure. */
export function assetPath(url: string): string | null {
  if (!url.startsWith(PREFIX)) return null;
  const rest = url.slice(PREFIX.length);
  if (rest.includes('?') || rest.includes('#') || rest.includes('%')) return null;
  if (!SAFE_PATH.test(rest) || rest.split('/').some((s) => s === '.' || s === '..')) return null;
  return rest;
}

export class StaticFiles {
  private readonly root: string;
  private readonly entries = new Map<string, Entry | null>();

  constructor(appDir: string) {
    this.root = path.join(appDir, '.next', 'static');
  }

  private lookup(rel: string): Entry | null {
    const known = this.entries.get(rel);
    if (known !== undefined) return known;
    const type = TYPES[path.extname(rel)];
    let entry: Entry | null = null;
    const file = path.join(this.root, rel);
    if (type && file.startsWith(this.root + path.sep)) {
      const variants: Variant[] = [];
      for (const [suffix, encoding] of [
        ['.br', 'br'],
        ['.gz', 'gzip'],
        ['', null],
      ] as const) {
        try {
          const st = fs.statSync(file + suffix);
          if (st.isFile()) variants.push({ file: file + suffix, size: st.size, encoding });
        } catch {
          /* no such variant */
        }
      }
      if (variants.some((v) => v.encoding === null)) entry = { type, variants };
    }
    // The build never changes under a running server; misses are remembered too (bounded).
    if (this.entries.size < 10_000) this.entries.set(rel, entry);
    return entry;
  }

  /** Answers the request when it is for a static asset this knows; false leaves it to Next. */
  serve(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const rel = assetPath(req.url ?? '');
    if (rel === null) return false;
    const entry = this.lookup(rel);
    if (!entry) return false;
    const accepted = acceptedEncodings(req.headers['accept-encoding'] as string | undefined);
    const variant = entry.variants.find((v) => v.encoding === null || accepted.has(v.encoding))!;
    const headers: Record<string, string | number> = {
      'content-type': entry.type,
      'content-length': variant.size,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'Accept-Encoding',
    };
    if (variant.encoding) headers['content-encoding'] = variant.encoding;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = fs.createReadStream(variant.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  }
}
