// The files under node_modules that the production server can load, one relative
// path per line: what the set-up command and the Debian package install:
// only what the server runs, from Next's output tracing.
//
//   node scripts/server-files.mjs REPO
//
// Two traces, united:
// - Next's own, written by `next build` (.next/next-server.js.nft.json, the
//   minimal server's, and one per page and route): the files Next's standalone
//   output would copy, native modules' binaries included;
// - a trace of our server (dist/server/server.js, which loads Next as a library),
//   leaving out what only `next dev` and `next build` load: the prebundled
//   compilers, the dev overlay, React's development builds (the server runs with
//   NODE_ENV=production), Next's docs. What the production server needs from
//   those folders is in Next's own trace.
// Every sandbox and package test runs the panel from the tree this list makes, so
// a file missing here fails them.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const repo = path.resolve(process.argv[2] ?? '.');
const require = createRequire(path.join(repo, 'package.json'));
const { nodeFileTrace } = require('next/dist/compiled/@vercel/nft');

const BUILD_ONLY = new RegExp(
  [
    '^node_modules/next/dist/compiled/(next-server|webpack|babel|babel-packages|next-devtools|@next|postcss-preset-env|cssnano-simple|@modelcontextprotocol|@edge-runtime)/',
    '^node_modules/next/dist/(docs|build/webpack|lib/upgrade)/',
    '\\.development\\.js$',
  ].join('|'),
);

const files = new Set();
const addTrace = (nftFile) => {
  const trace = JSON.parse(fs.readFileSync(nftFile, 'utf8'));
  for (const f of trace.files) files.add(path.relative(repo, path.resolve(path.dirname(nftFile), f)));
};

const nextDir = path.join(repo, '.next');
for (const name of ['next-server.js.nft.json', 'next-minimal-server.js.nft.json']) {
  const p = path.join(nextDir, name);
  if (fs.existsSync(p)) addTrace(p);
}
(function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.nft.json')) addTrace(p);
  }
})(path.join(nextDir, 'server'));

const ours = await nodeFileTrace([path.join(repo, 'dist/server/server.js')], {
  base: repo,
  ignore: (p) => BUILD_ONLY.test(p),
});
for (const f of ours.fileList) files.add(f);

// Native add-ons loaded through `bindings('NAME')`: nft finds better-sqlite3's
// binary but not node-linux-pam's (its name has no .node), and without it no
// parent can sign in. The built binaries of the packages Next keeps external
// (next.config.ts serverExternalPackages) are named here, from their build folder.
for (const pkg of ['better-sqlite3', 'node-linux-pam']) {
  const release = path.join(repo, 'node_modules', pkg, 'build', 'Release');
  const binaries = fs.existsSync(release) ? fs.readdirSync(release).filter((n) => n.endsWith('.node') && n !== 'test_extension.node') : [];
  if (binaries.length === 0) {
    console.error(`server-files: ${pkg} has no built binary in ${release}; run npm ci`);
    process.exit(1);
  }
  for (const n of binaries) files.add(path.relative(repo, path.join(release, n)));
}

// Native packages only the build uses, though Next's trace names them: the SWC
// compiler (the server hands Next the configuration the build produced, so it
// never compiles) and sharp with libvips (Next's image optimizer; the panel has no
// next/image). Neither belongs on a family machine, and lintian rejects the other
// C library's variants npm installs with them.
const NOT_SHIPPED = /^node_modules\/(@next\/swc-|@img\/|sharp\/)/;
const list = [...files].filter((f) => f.startsWith('node_modules/') && !NOT_SHIPPED.test(f)).sort();
if (!list.some((f) => f.startsWith('node_modules/next/'))) {
  console.error('server-files: the traces name no file of Next; was `next build` run?');
  process.exit(1);
}
process.stdout.write(list.map((f) => `${f}\n`).join(''));
