// POST {hours: "always" | {"mon": ["16:00-20:00"], ...}}: set a kid's Jupyter
// hours (the helper's set-hours; the hub enforces them). Bad hours: 400
// invalid_hours, audited as refused, nothing changed.
import { z } from 'zod';
import { guarded, json } from '@/lib/guard';
import { HoursInputError, setKidHours } from '@/lib/hours-actions';
import { catalogs } from '@/lib/i18n/messages';
import { memberPathSchema } from '@/lib/validation';

export const dynamic = 'force-dynamic';

// The hours themselves are checked by lib/hours.ts inside setKidHours, so that a
// refusal is audited like the helper's own.
const bodySchema = z.strictObject({ hours: z.unknown() });

export const POST = guarded({ params: memberPathSchema, body: bodySchema }, async ({ params, input, session, clientAddress, locale }) => {
  try {
    const r = await setKidHours({ username: session.username, clientAddress }, params.username, input.hours);
    return { user: r.user, changed: r.changed, hours: r.hours };
  } catch (error) {
    if (error instanceof HoursInputError) {
      return json({ error: 'invalid_hours', message: `${catalogs[locale].hours.invalid} (${error.message})` }, { status: 400 });
    }
    throw error;
  }
});
