// PUT {target: "kids" | "parents" | "kid:NAME", memoryMiB?: N | null, cpuWeight?: N | null}:
// the family's memory and CPU limits (the helper's set-limits writes the file the
// hub reads at each server start). null goes back to the default. Bad figures:
// 400 invalid_input, audited as refused, nothing changed.
import { guarded } from '@/lib/http/guard';
import { limitsBodySchema, setFamilyLimits } from '@/lib/limits/limits';

export const dynamic = 'force-dynamic';

export const PUT = guarded({ body: limitsBodySchema }, async ({ input, actor }) => setFamilyLimits(actor, input.target, input.memoryMiB, input.cpuWeight));
