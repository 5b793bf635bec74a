// PUT {mode: "security" | "all" | "off"}: the family's automatic updates (the root
// helper's set-updates writes our apt drop-in). Audited as setting_change with the
// old and the new mode; an unknown mode is 400 invalid_input, audited as refused.
import { guarded } from '@/lib/http/guard';
import { setUpdateMode, updateModeBodySchema } from '@/lib/machine/update-mode';

export const dynamic = 'force-dynamic';

export const PUT = guarded({ body: updateModeBodySchema }, async ({ input, actor }) => setUpdateMode(actor, input.mode));
