// Liveness of the panel itself, no authentication: used by the set-up command,
// the systemd unit's checks and monitoring.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(
    { ok: true, service: 'jupyterhub-panel', uptimeSeconds: Math.round(process.uptime()) },
    { headers: { 'cache-control': 'no-store' } },
  );
}
