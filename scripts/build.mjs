// Production build: the Next.js app, the HTTPS server around it, and the root helper.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

// No telemetry: the panel runs on family machines and this build machine has no internet.
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });

run('node_modules/.bin/next', ['build']);

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

// The helper runs as root: one file, node built-ins only, no npm packages at all.
await build({
  entryPoints: ['privileged-helper/main.ts'],
  outfile: 'dist/helper/helper.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'no-npm-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('node:') ? { path: args.path, external: true } : { errors: [{ text: `the helper may not import npm package ${args.path}` }] },
        );
      },
    },
  ],
});
console.log('build: dist/server/server.js, dist/helper/helper.js, .next/');
