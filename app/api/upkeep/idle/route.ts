// PUT {minutes}: how long a hub server may sit idle before the panel stops it
// (null: never). Audited as setting_change (a refused value too).
import { PublicError } from '@/lib/errors/errors';
import { SettingError, setIdleStopMinutes } from '@/lib/store/family-settings';
import { guarded } from '@/lib/http/guard';
import { idleSettingBodySchema } from '@/lib/upkeep/upkeep';

export const dynamic = 'force-dynamic';

export const PUT = guarded({ body: idleSettingBodySchema }, ({ input, actor }) => {
  try {
    return setIdleStopMinutes(actor, input.minutes);
  } catch (error) {
    if (error instanceof SettingError) throw new PublicError('invalid_input', { fields: { minutes: 'whole_hours' } });
    throw error;
  }
});
