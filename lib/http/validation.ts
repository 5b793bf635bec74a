// Every input schema of the panel, in one place. Variants come from .pick/.extend
// so a rule is written once. The username rule is lib/shared/username-rule.ts, shared with the
// root helper and checked against test/fixtures/names.json.
import { z } from 'zod';
import { FULL_NAME_MAX_CHARS, fullNameProblem, isValidUsername, USERNAME_MAX_BYTES } from '../shared/username-rule';

/** Longest password the panel passes on (to PAM or to the helper). */
export const PASSWORD_MAX_CHARS = 1024;
/** Shortest password the panel sets for a member. */
export const NEW_PASSWORD_MIN_CHARS = 8;

export const usernameSchema = z
  .string()
  // The length check first, so a huge string never reaches the regex.
  .max(USERNAME_MAX_BYTES, { message: 'too_long' })
  .refine(isValidUsername, { message: 'invalid_username' });

/**
 * A password as typed at login. PAM receives a C string, so a NUL would cut it
 * short (and "secret\0anything" would pass as "secret"): refused, like an
 * absurd length, before any PAM call.
 */
export const passwordSchema = z
  .string()
  .min(1, { message: 'empty' })
  .max(PASSWORD_MAX_CHARS, { message: 'too_long' })
  .refine((s) => !s.includes('\0'), { message: 'contains_nul' });

/** A password the panel sets: the helper reads it as one line, so no line breaks either. */
export const newPasswordSchema = z
  .string()
  .min(NEW_PASSWORD_MIN_CHARS, { message: 'too_short' })
  .max(PASSWORD_MAX_CHARS, { message: 'too_long' })
  .refine((s) => !/[\0\r\n]/.test(s), { message: 'contains_line_break_or_nul' });

export const fullNameSchema = z
  .string()
  .max(FULL_NAME_MAX_CHARS * 2, { message: 'too_long' })
  .refine((s) => fullNameProblem(s) === null, { message: 'invalid_full_name' });

export const loginSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
});

/** Onboarding a new family member: create the account, set its password, add it. */
export const onboardSchema = z.strictObject({
  username: usernameSchema,
  fullName: fullNameSchema,
  password: newPasswordSchema,
  installPackages: z.boolean().default(true),
});

export const addMemberSchema = onboardSchema.pick({ username: true });
export const setPasswordSchema = onboardSchema.pick({ password: true });
/** Path parameter {username} of /api/members/{username}/... */
export const memberParamsSchema = addMemberSchema;

export const auditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional(),
});

/** A search text: words matched against usernames and full names. */
const searchSchema = z.string().max(200, { message: 'too_long' });

/**
 * GET /api/members: without parameters the whole list (as before); `q` filters it,
 * `page` / `pageSize` page it (20 a page when only `page` is given).
 */
export const familyQuerySchema = z.object({
  q: searchSchema.optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  pageSize: z.coerce.number().int().min(1).max(200).optional(),
});

/** GET /api/accounts/candidates: without `q` every candidate (as before); with it, at most `limit` matches. */
export const candidateQuerySchema = z.object({
  q: searchSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const FAMILY_PAGE_SIZE = 20;

export type LoginInput = z.infer<typeof loginSchema>;
export type OnboardInput = z.infer<typeof onboardSchema>;
export type AddMemberInput = z.infer<typeof addMemberSchema>;
export type SetPasswordInput = z.infer<typeof setPasswordSchema>;

/** zod issues -> {field: problem}, for the `fields` of a 400 invalid_input. Never echoes the input. */
export function fieldProblems(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '_';
    if (out[field]) continue;
    out[field] = issue.code === 'custom' || issue.code === 'too_big' || issue.code === 'too_small' ? issue.message : issue.code;
  }
  return out;
}

// --- family (lib/family/members.ts) ---------------------------------------------------
// The target name of add/remove/reset/onboard is checked by the use case with
// usernameSchema's rule (lib/shared/username-rule.ts), so that a refused name is audited too.
const rawTargetName = z.string().max(4096, { message: 'too_long' });

/** POST /api/members */
export const memberTargetBodySchema = z.strictObject({ username: rawTargetName });
/** {username} of /api/members/{username}[/...] */
export const memberPathSchema = z.strictObject({ username: rawTargetName });
/** POST /api/onboard */
export const onboardRequestSchema = onboardSchema.extend({ username: rawTargetName });
/** GET /api/audit?limit=&before=&target= */
export const familyAuditQuerySchema = auditQuerySchema.extend({ target: z.string().max(256).optional() });
/** GET /api/onboard/suggest?fullName= */
export const suggestQuerySchema = z.strictObject({ fullName: z.string().max(400).default('') });

// --- jobs (lib/jobs/) -----------------------------------------------------------
/** {id} of /api/jobs/{id}[/...]: the random id lib/jobs/ makes (base64url). */
export const jobPathSchema = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, { message: 'invalid_job_id' }) });
