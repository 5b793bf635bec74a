import type { NextConfig } from 'next';
import { BASE_PATH } from './lib/constants';

// The panel lives under /panel so that its session cookie (Path=/panel) is never
// sent to anything else on the host, and so that a reverse proxy can mount it.
const nextConfig: NextConfig = {
  basePath: BASE_PATH,
  poweredByHeader: false,
  reactStrictMode: true,
  // Native modules are loaded by Node at run time, never bundled.
  serverExternalPackages: ['better-sqlite3', 'node-linux-pam'],
  // Type checking is one step of the test command (`npm run typecheck`, which also
  // covers the helper, the server and the tests), not of every build.
  typescript: { ignoreBuildErrors: true },
  // Security headers (CSP with a nonce, HSTS, ...) are set by server/server.ts on
  // every response, static files included.
  //
  // Memory (the panel idles for days on a family machine): every page and route
  // is rendered per request, so Next's in-memory cache for cached data and pages
  // (50 MB by default) would hold nothing worth keeping; and the routes are
  // loaded when first used instead of all at start-up (a parent uses a few).
  cacheMaxMemorySize: 0,
  experimental: { preloadEntriesOnStart: false },
};

export default nextConfig;
