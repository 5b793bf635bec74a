// Next.js calls register() once when the panel's server starts (server/server.ts's
// app.prepare()). The panel's background work starts here, inside Next's server
// bundle where lib/ lives; server/server.ts is bundled apart and cannot import
// lib/ (its modules are 'server-only').
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startBackground } = await import('./lib/background');
  startBackground();
}
