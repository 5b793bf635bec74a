// Liveness of the panel itself, no authentication: used by the set-up command,
// the systemd unit's checks and monitoring. The production server answers it
// before Next (server/server.ts, lib/http/health.ts); this handler serves `next dev`.
import { healthBody } from '@/lib/http/health';

export const dynamic = 'force-dynamic';

export function GET() {
  return new Response(healthBody(), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}
