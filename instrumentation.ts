// Next.js calls register() once when the server prepares the app: the panel's
// background work starts here, in the server process (never in a browser or
// the edge runtime).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startHoursScheduler } = await import('./lib/hours-scheduler');
  startHoursScheduler();
}
