// The panel's liveness answer (GET /panel/api/health, no authentication). Pure and
// free of Next: server/server.ts answers it before Next's request pipeline (the
// set-up, monitoring and load balancers poll it, so it must be cheap), and the
// route handler app/api/health/route.ts gives the same answer under `next dev`.
export const HEALTH_PATH = '/panel/api/health';

export function healthBody(): string {
  return JSON.stringify({ ok: true, service: 'jupyterhub-panel', uptimeSeconds: Math.round(process.uptime()) });
}
