// Test support for install-packages (there is no PyPI in the sandbox): tiny but
// valid wheels built with python3's zipfile (METADATA, WHEEL, RECORD with
// hashes), one of them large so pip has something to download, and the lab one
// depending on the core one; a local "mirror" over HTTP that serves them slowly
// (a family's slow mirror, honestly: bytes trickle at a fixed rate); and the
// root-owned /etc/jupyterhub-panel/packages.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const WHEELHOUSE = '/var/lib/jh4f-test-wheelhouse';
export const PACKAGES_JSON = '/etc/jupyterhub-panel/packages.json';
export const DEMO = { core: 'jh4f-demo-core', lab: 'jh4f-demo-lab' } as const;

const MAKE_WHEELS = String.raw`
import base64, hashlib, os, sys, zipfile
def rec(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode(), str(len(data))
def wheel(outdir, name, version, requires=(), scripts=(), blob=0):
    dist = name.replace("-", "_")
    di = f"{dist}-{version}.dist-info"
    files = {f"{dist}/__init__.py": f"__version__ = {version!r}\ndef main():\n    print('ok')\n".encode()}
    if blob:
        files[f"{dist}/blob.bin"] = os.urandom(blob)
    files[f"{di}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: jh4f-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if scripts:
        files[f"{di}/entry_points.txt"] = ("[console_scripts]\n" + "".join(f"{s} = {dist}:main\n" for s in scripts)).encode()
    files[f"{di}/RECORD"] = ("\n".join([f"{p},{','.join(rec(d))}" for p, d in files.items()] + [f"{di}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(os.path.join(outdir, f"{dist}-{version}-py3-none-any.whl"), "w", zipfile.ZIP_STORED) as z:
        for p, d in files.items():
            z.writestr(p, d)
out, big = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
wheel(out, "jh4f-demo-core", "1.0", blob=big)
wheel(out, "jh4f-demo-lab", "2.1", requires=["jh4f-demo-core>=1.0"], scripts=["jh4f-demo-lab"])
`;

/** Builds the two wheels (core has `bigBytes` of random data) in a kid-readable directory. */
export function makeWheelhouse(bigBytes = 4_000_000, dir = WHEELHOUSE): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  execFileSync('/usr/bin/python3', ['-c', MAKE_WHEELS, dir, String(bigBytes)]);
  const files = fs.readdirSync(dir).sort();
  for (const f of files) fs.chmodSync(path.join(dir, f), 0o644);
  return files;
}

export interface SlowMirror {
  url: string;
  /** Bytes per second from now on. */
  setRate(bytesPerSecond: number): void;
  close(): Promise<void>;
}

/** A find-links page listing the wheels, served over loopback at a fixed byte rate. */
export function startSlowMirror(dir = WHEELHOUSE, bytesPerSecond = 1_000_000): Promise<SlowMirror> {
  let rate = bytesPerSecond;
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!name || name === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<html><body>${fs
          .readdirSync(dir)
          .map((f) => `<a href="${f}">${f}</a>`)
          .join('\n')}</body></html>`,
      );
      return;
    }
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const data = fs.readFileSync(file);
    res.setHeader('content-length', data.length);
    res.setHeader('content-type', 'application/octet-stream');
    let off = 0;
    const tick = () => {
      if (res.destroyed) return;
      if (off >= data.length) return void res.end();
      const chunk = Math.max(1024, Math.floor(rate / 10));
      res.write(data.subarray(off, off + chunk));
      off += chunk;
      setTimeout(tick, 100);
    };
    tick();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/`,
        setRate: (r) => void (rate = r),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Writes the root-owned packages.json (0644) the helper reads. */
export function writePackagesConfig(config: Record<string, unknown>): void {
  fs.writeFileSync(PACKAGES_JSON, JSON.stringify(config), { mode: 0o644 });
  fs.chownSync(PACKAGES_JSON, 0, 0);
  fs.chmodSync(PACKAGES_JSON, 0o644);
}

export function removePackagesConfig(): void {
  fs.rmSync(PACKAGES_JSON, { force: true });
}

/** Removes what pip --user put into a kid's home (back to the fixture state). */
export function removeUserPackages(user: string): void {
  fs.rmSync(`/home/${user}/.local`, { recursive: true, force: true });
  fs.rmSync(`/home/${user}/.cache/pip`, { recursive: true, force: true });
}

/** Files under the kid's ~/.local that belong to the demo packages. */
export function demoFiles(user: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (fs.existsSync(`/home/${user}/.local`)) walk(`/home/${user}/.local`);
  return out.filter((p) => p.includes('jh4f_demo') || p.includes('jh4f-demo'));
}
