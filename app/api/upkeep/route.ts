// GET ?users=a,b: the idle-stop setting, the free space of /home, and for each
// named member their home size (from the background measurement: queued when
// missing or old, never measured on this request) and their last automatic stop.
import { guardedRead } from '@/lib/http/guard';
import * as hub from '@/lib/hub/hub-client';
import { upkeepFor, upkeepQuerySchema } from '@/lib/upkeep/upkeep';

export const dynamic = 'force-dynamic';

export const GET = guardedRead({ query: upkeepQuerySchema }, async ({ input }) => {
  let running = new Set<string>();
  try {
    running = new Set((await hub.activeUsers()).filter((u) => u.running > 0).map((u) => u.name));
  } catch {
    /* hub not connected or down: the notes show as stored */
  }
  return upkeepFor(input.users, running) as unknown as Record<string, unknown>;
});
