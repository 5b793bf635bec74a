// POST {hours: "always" | {"mon": ["16:00-20:00"], ...}}: set a kid's Jupyter
// hours (the helper's set-hours; the hub enforces them). Bad hours: 400
// invalid_hours, audited as refused, nothing changed.
import { z } from 'zod';
import { guarded } from '@/lib/http/guard';
import { setKidHours } from '@/lib/hours/hours-actions';
import { memberPathSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

// The hours themselves are checked by lib/shared/hours-rule.ts inside setKidHours, so that a
// refusal is audited like the helper's own.
const bodySchema = z.strictObject({ hours: z.unknown() });

export const POST = guarded({ params: memberPathSchema, body: bodySchema }, async ({ params, input, actor }) => {
  const r = await setKidHours(actor, params.username, input.hours);
  return { user: r.user, changed: r.changed, hours: r.hours };
});
