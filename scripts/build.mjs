// Production build: the Next.js app, the HTTPS server around it, and the root helper.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

// No telemetry: the panel runs on family machines and this build machine has no internet.
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });

run('node_modules/.bin/next', ['build']);

// Static assets compressed once, at the highest levels, next to the originals:
// server/static-files.ts sends the .br (or .gz) file when the browser accepts it.
const COMPRESSIBLE = /\.(js|css|json|map|txt|svg)$/;
let raw = 0;
let brotli = 0;
for (const entry of fs.readdirSync('.next/static', { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath ?? entry.path, entry.name);
  if (!entry.isFile() || !COMPRESSIBLE.test(file)) continue;
  const data = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  fs.writeFileSync(`${file}.br`, br);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
  raw += data.length;
  brotli += br.length;
}
console.log(`build: static assets ${Math.round(raw / 1024)} KiB, brotli ${Math.round(brotli / 1024)} KiB`);

// The server is bundled except for its npm dependencies, which stay in node_modules.
await build({
  entryPoints: ['server/server.ts'],
  outfile: 'dist/server/server.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});

// The helper: one file, node built-ins only, no npm packages at all. Two bundles:
// the root part (helper.js) and the agent (agent.js) that the root part starts
// with the ids of the account the work belongs to (privileged-helper/agent/).
const noNpmPackages = {
  name: 'no-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') ? { path: args.path, external: true } : { errors: [{ text: `the helper may not import npm package ${args.path}` }] },
    );
  },
};
for (const [entry, outfile] of [
  ['privileged-helper/root/main.ts', 'dist/helper/helper.js'],
  ['privileged-helper/agent/main.ts', 'dist/helper/agent.js'],
]) {
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', plugins: [noNpmPackages] });
}
console.log('build: dist/server/server.js, dist/helper/helper.js, dist/helper/agent.js, .next/');
