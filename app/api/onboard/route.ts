// POST {username, fullName, password, installPackages}: create the account, set its
// password, add it to jupyterhub; 201 {member, resumed}. Running it again after a
// half-way failure continues. installPackages: also starts a package-install job
// (lib/jobs/) and answers its jobId; a job that cannot start never fails the onboarding.
import { guarded, json } from '@/lib/http/guard';
import { startInstall } from '@/lib/jobs';
import { onboardKid } from '@/lib/family/members';
import { onboardRequestSchema } from '@/lib/http/validation';

export const dynamic = 'force-dynamic';

export const POST = guarded({ body: onboardRequestSchema }, async ({ input, actor }) => {
  const r = await onboardKid(actor, input);
  let jobId: string | undefined;
  if (input.installPackages) {
    try {
      jobId = startInstall(actor, r.member.user).job.id;
    } catch (error) {
      // Refused or failed to queue: audited by lib/jobs/install-packages.ts; the member is onboarded anyway.
      process.stderr.write(`${new Date().toISOString()} onboard: package install not started: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return json({ member: r.member, resumed: r.resumed, ...(jobId ? { jobId } : {}) }, { status: 201 });
});
