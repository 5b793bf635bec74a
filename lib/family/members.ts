import 'server-only';
import fs from 'node:fs';
// The family use cases: list, add, remove, onboard a kid, reset a password.
// Every privileged call goes through lib/helper/commands.ts and is audited before
// (detail.phase "start") and after (ok, or the error table's refused / failed,
// with the error code; never a password) by lib/store/audited.ts. The helper decides, under its lock; the
// panel's own checks (lib/accounts/account-policy.ts) only make the messages precise.
// Reading the family needs no root: the group, accounts and lock state come from
// the account files (lib/accounts/unix-accounts.ts), "protected" from the helper's rule as
// the panel mirrors it (lib/accounts/account-policy.ts), and "packages installed" from the
// panel's own job records (lib/jobs/store.ts), not from a look into the member's home.
import {
  accountFacts,
  candidateAccounts,
  isNameTaken,
  policyView,
  protectedReasonOf,
  searchCandidates,
  type Candidate,
  type CandidateSearch,
  type PolicyView,
} from '../accounts/account-policy';
import { audit, type AuditAction } from '../store/audit';
import { PublicError, type ErrorReason, type OnboardStep } from '../errors/errors';
import { HELPER_REASON_MESSAGES } from '../errors/error-table';
import type { HelperReason } from '../shared/helper-reasons';
import { protectedReasonFromParts } from '../shared/protection';
import * as helper from '../helper/commands';
import * as hubClient from '../hub/hub-client';
import { audited, errorDetail, errorText, outcomeOf, refuse, type Actor } from '../store/audited';
import { markCreated, markFinished, onboardingOf } from './onboarding-state';
import { installedPackagesOf } from '../jobs/store';
import { fullNameProblem, isValidUsername, usernameProblem } from '../shared/username-rule';
import { foldForSearch } from '../accounts/search-text';
import { lockState, type AccountsSnapshot } from '../accounts/unix-accounts';
import { ACCESS_GROUP, ADMIN_GROUP } from '../constants';
import { suggestPassphrase } from './passphrase';
import { suggestUsername } from './username-suggest';

export type { Actor } from '../store/audited';

export interface HubServerState {
  /** A server of this user is running (or starting/stopping). */
  running: boolean;
  /** ISO 8601, from the hub. */
  lastActivity: string | null;
}

/** A member of jupyterhub as the panel reads it (no root): the one Member wire type, shared with the helper's list-members. */
export type { Member } from '../shared/member';
import type { Member } from '../shared/member';

export interface FamilyMember extends Member {
  /** null when the hub is not connected (no service token) or did not answer. */
  hub: HubServerState | null;
}

export interface FamilyList {
  members: FamilyMember[];
  hub: { connected: boolean; error: string | null };
  /** Members matching the search, in all pages. */
  total: number;
  /** 1-based; the whole list is page 1 of 1. */
  page: number;
  pageSize: number;
  pages: number;
  /** The search as typed, spaces tidied ('' for none). */
  query: string;
}

export interface FamilyQuery {
  /** Words that must all occur in the username or full name (case and accents ignored). */
  q?: string;
  /** 1-based; past the end gives the last page. */
  page?: number;
  /** Members per page; without it, every match. */
  pageSize?: number;
}

// ---- the hub -----------------------------------------------------------------------
// lib/hub/hub-client.ts does the HTTP; this port is the small part the
// family use cases need, so tests (and a panel without a hub) can swap it.
export interface HubPort {
  /** The panel has a service token for the hub. */
  connected(): boolean;
  /** Servers and last activity per user; null when the hub is not connected. */
  usersWithServers(): Promise<Map<string, HubServerState> | null>;
  /** Stops the user's servers; true when some were running. */
  stopServer(user: string): Promise<boolean>;
}

const realHub: HubPort = {
  connected() {
    return hubClient.hubToken() !== null;
  },
  async usersWithServers() {
    if (hubClient.hubToken() === null) return null;
    const users = await hubClient.recentUsersWithServers();
    return new Map(users.map((u) => [u.name, { running: u.running > 0, lastActivity: u.lastActivity }]));
  },
  async stopServer(user) {
    if (hubClient.hubToken() === null) return false;
    try {
      return (await hubClient.stopServer(user)).stopped.length > 0;
    } catch (error) {
      // A member who never logged into the hub is no hub user: nothing to stop.
      if (error instanceof hubClient.HubError && error.status === 404) return false;
      throw error;
    }
  },
};

const HUB_KEY = Symbol.for('jh4f.members.hub');
const hubHolder = globalThis as { [HUB_KEY]?: HubPort };
function hub(): HubPort {
  return hubHolder[HUB_KEY] ?? realHub;
}
/** Plugs the hub client in (and tests: a fake). */
export function setHubPort(port: HubPort | null): void {
  if (port) hubHolder[HUB_KEY] = port;
  else delete hubHolder[HUB_KEY];
}

// ---- auditing: lib/store/audited.ts (the one audited() and the one refused/failed rule) ----

/** The target name of a request: refused (400, audited) unless valid per lib/shared/username-rule.ts. */
function checkTarget(actor: Actor, action: AuditAction, target: unknown): string {
  if (isValidUsername(target)) return target;
  const shown = typeof target === 'string' ? target : JSON.stringify(target ?? null);
  return refuse(actor, action, shown, new PublicError('invalid_name', { values: { problem: usernameProblem(target) ?? '' } }));
}

/** How the family's messages word the helper's reasons (the protection rule's are `protected`, below). */
const FAMILY_REASONS: Partial<Record<HelperReason, ErrorReason>> = HELPER_REASON_MESSAGES;

/**
 * A helper error with the family's message for the reason the helper gave (same
 * code, so same status and outcome). Only the reason and its values are read, never
 * the helper's sentence, and the accounts are not read again: the helper decided
 * under its lock, and says why.
 */
function explain(e: PublicError, user: string, step: OnboardStep | null = null, accountExists: boolean | null = null): PublicError {
  const same = { step, accountExists, logText: e.message, exitCode: e.exitCode, helperReason: e.helperReason, cause: e };
  const values = { ...e.values, user };
  const protectedReason = e.helperReason ? protectedReasonFromParts(e.helperReason, e.values) : null;
  if (protectedReason) return new PublicError(e.code, { ...same, reason: 'protected', values: { ...values, protectedReason } });
  return new PublicError(e.code, { ...same, reason: (e.helperReason && FAMILY_REASONS[e.helperReason]) ?? null, values });
}

/** What audited() rethrows is always the one class; this only satisfies the type checker. */
function asPublic(error: unknown): PublicError {
  if (error instanceof PublicError) return error;
  throw error;
}

// ---- use cases -------------------------------------------------------------------

// ---- reading the family ------------------------------------------------------------

interface Indexed {
  user: string;
  folded: string;
}

let memberIndex: { accounts: AccountsSnapshot; list: Indexed[] } | null = null;

/** Supplementary members of jupyterhub that are accounts, by name, with their search text (kept per snapshot). */
function indexedMembers(view: PolicyView): Indexed[] {
  if (memberIndex?.accounts === view.accounts) return memberIndex.list;
  const list: Indexed[] = [];
  // As the helper lists them: the group's supplementary members, sorted, without dangling names.
  for (const user of [...view.accounts.supplementary(ACCESS_GROUP)].sort()) {
    const account = view.accounts.getAccount(user);
    if (account) list.push({ user, folded: foldForSearch(`${user} ${account.fullName}`) });
  }
  memberIndex = { accounts: view.accounts, list };
  return list;
}

function memberOf(user: string, view: PolicyView, locked: ((u: string) => boolean) | null, packages: Map<string, Record<string, string>>): Member {
  const account = view.accounts.getAccount(user)!;
  const reason = protectedReasonOf(account, view);
  const installed = packages.get(user) ?? null;
  return {
    user,
    uid: account.uid,
    fullName: account.fullName,
    locked: locked ? locked(user) : null,
    protected: reason !== null,
    protectedReason: reason,
    familyAdmin: view.accounts.isGroupMember(user, ADMIN_GROUP),
    packagesInstalled: installed !== null,
    packages: installed,
    homeOpen: homeOpenOf(account.home, account.gid),
  };
}

/**
 * May accounts other than the member enter their home folder? lstat only (the
 * folder itself, no link followed, nothing inside read), as the panel. A group
 * other than the member's own primary group counts; their own (Debian's
 * user-private group) does not. Null when the home is not a folder. Exported for tests.
 */
export function homeOpenOf(home: string, gid: number, lstat: (p: string) => fs.Stats | undefined = (p) => fs.lstatSync(p, { throwIfNoEntry: false })): boolean | null {
  let st: fs.Stats | undefined;
  try {
    st = lstat(home);
  } catch {
    return null;
  }
  if (!st || !st.isDirectory()) return null;
  const others = (st.mode & 0o005) !== 0;
  const group = st.gid !== gid && (st.mode & 0o050) !== 0;
  return others || group;
}

/** One member as the family list shows it, or null when the account is not a member. */
export function memberFacts(user: string): Member | null {
  const view = policyView();
  if (!view.accounts.supplementary(ACCESS_GROUP).has(user) || !view.accounts.getAccount(user)) return null;
  return memberOf(user, view, lockState(), installedPackagesOf([user]));
}

async function hubState(): Promise<{ users: Map<string, HubServerState> | null; error: string | null }> {
  return hub()
    .usersWithServers()
    .then((users) => ({ users, error: null as string | null }))
    .catch((e: unknown) => ({ users: null, error: e instanceof Error ? e.message : String(e) }));
}

/**
 * Members of jupyterhub, searched and paged on the server, with their hub server
 * state when the hub is connected. Without a query: every member (the old list).
 */
export async function listFamily(query: FamilyQuery = {}): Promise<FamilyList> {
  const hubRead = hubState();
  const view = policyView();
  const q = foldForSearch(query.q ?? '');
  const words = q.split(' ').filter(Boolean);
  const all = indexedMembers(view);
  const matches = words.length ? all.filter((m) => words.every((w) => m.folded.includes(w))) : all;
  const total = matches.length;
  const pageSize = query.pageSize ?? Math.max(total, 1);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const shown = matches.slice((page - 1) * pageSize, page * pageSize).map((m) => m.user);
  const locked = lockState();
  const packages = installedPackagesOf(shown);
  const members = shown.map((user) => memberOf(user, view, locked, packages));
  const hubNow = await hubRead;
  return {
    members: members.map((m) => ({ ...m, hub: hubNow.users ? (hubNow.users.get(m.user) ?? { running: false, lastActivity: null }) : null })),
    hub: { connected: hub().connected(), error: hubNow.error },
    total,
    page,
    pageSize,
    pages,
    query: (query.q ?? '').replace(/\s+/g, ' ').trim(),
  };
}

export async function addMember(actor: Actor, rawUsername: unknown): Promise<helper.ChangeResult> {
  const user = checkTarget(actor, 'member_add', rawUsername);
  try {
    return await audited(actor, 'member_add', user, () => helper.addMember(user, actor.username));
  } catch (error) {
    throw explain(asPublic(error), user);
  }
}

export interface RemoveResult extends helper.ChangeResult {
  /** Whether the hub was asked to stop the member's servers (false when not connected). */
  serversStopped: boolean;
  /** The hub could not stop them (the member is removed anyway). */
  serverStopError: string | null;
}

export async function removeMember(actor: Actor, rawUsername: unknown): Promise<RemoveResult> {
  const user = checkTarget(actor, 'member_remove', rawUsername);
  let result: helper.ChangeResult;
  try {
    result = await audited(actor, 'member_remove', user, () => helper.removeMember(user, actor.username));
  } catch (error) {
    const e = asPublic(error);
    throw explain(e, user);
  }
  // Group membership is only checked at hub login: a running server would keep going.
  let serversStopped = false;
  let serverStopError: string | null = null;
  if (hub().connected())
    try {
      serversStopped = await audited(actor, 'server_stop', user, async () => ({ changed: await hub().stopServer(user) }), {
        detail: { reason: 'member_removed' },
      }).then((r) => r.changed);
    } catch (error) {
      serverStopError = error instanceof Error ? error.message : String(error);
    }
  return { ...result, serversStopped, serverStopError };
}

/** Closes a member's home folder to group and others (the helper's make-home-private, done as the member). */
export async function makeHomePrivate(actor: Actor, rawUsername: unknown): Promise<helper.HomePrivateResult & { user: string }> {
  const user = checkTarget(actor, 'home_private', rawUsername);
  try {
    const r = await audited(actor, 'home_private', user, () => helper.makeHomePrivate(user, actor.username, { timeoutMs: 30_000 }), {
      summary: (result) => ({ changed: result.before !== result.after, before: result.before, after: result.after }),
    });
    return { ...r, user };
  } catch (error) {
    throw explain(asPublic(error), user);
  }
}

export async function resetPassword(actor: Actor, rawUsername: unknown, password: string): Promise<helper.ChangeResult> {
  const user = checkTarget(actor, 'password_set', rawUsername);
  try {
    return await audited(actor, 'password_set', user, () => helper.setPassword(user, password, actor.username));
  } catch (error) {
    throw explain(asPublic(error), user);
  }
}

export interface OnboardInput {
  username: unknown;
  fullName: string;
  password: string;
}

export interface OnboardResult {
  member: Member;
  /** The account existed from an earlier, unfinished onboarding and was completed. */
  resumed: boolean;
}

/**
 * Was this account made by the panel for onboarding, and is that onboarding
 * unfinished (or the kid removed since)? Then running it again continues.
 * Any other existing account is a conflict: use "add" or "reset password".
 */
function resumable(user: string): { ok: boolean; facts: ReturnType<typeof accountFacts> } {
  const facts = accountFacts(user);
  if (!facts.exists || facts.protectedReason || facts.familyAdmin) return { ok: false, facts };
  const state = onboardingOf(user);
  return { ok: state !== null && (!facts.member || state.finishedAt === null), facts };
}

export async function onboardKid(actor: Actor, input: OnboardInput): Promise<OnboardResult> {
  const user = checkTarget(actor, 'onboard', input.username);
  if (fullNameProblem(input.fullName)) {
    refuse(actor, 'onboard', user, new PublicError('invalid_name', { values: { user } }));
  }
  const finish = (outcome: 'ok' | 'refused' | 'failed', detail: Record<string, unknown>, error: string | null = null) =>
    audit.record({ actor: actor.username, action: 'onboard', target: user, outcome, detail, error, clientAddress: actor.clientAddress ?? null });

  const existing = accountFacts(user);
  let resumed = false;
  if (!existing.exists) {
    // create-user does account, password and membership in one helper call and
    // undoes the account when a later part fails; its progress says how far it got.
    let reached: 'none' | 'account' | 'password' = 'none';
    try {
      await audited(
        actor,
        'user_create',
        user,
        () =>
          helper.createUser(user, input.fullName, input.password, actor.username, (p) => {
            const step = (p as { step?: unknown } | null)?.step;
            if (step === 'account' || step === 'password') reached = step;
          }),
        { detail: { fullName: input.fullName } },
      );
      markCreated(user);
    } catch (error) {
      const e = asPublic(error);
      const step: OnboardStep = reached === 'none' ? 'create' : 'password';
      const nowExists = accountFacts(user).exists;
      // create-user made the account and could not undo it: running onboarding again continues it.
      if (nowExists && e.code !== 'conflict') markCreated(user);
      finish(outcomeOf(e), { step, accountExists: nowExists, ...errorDetail(e) }, errorText(e));
      if (e.code === 'conflict') throw new PublicError(e.code, { reason: 'exists', step, values: { user }, accountExists: nowExists, logText: e.message, cause: e });
      throw explain(e, user, step, nowExists);
    }
  } else {
    const { ok, facts } = resumable(user);
    if (!ok) {
      const error = facts.protectedReason
        ? new PublicError('protected_account', { reason: 'protected', step: 'create', values: { user, protectedReason: facts.protectedReason } })
        : new PublicError('conflict', { reason: 'exists', step: 'create', values: { user }, accountExists: true });
      finish(outcomeOf(error), { step: 'create', checkedBy: 'panel', accountExists: true }, `${error.code}: ${error.reason ?? ''}`);
      throw error;
    }
    resumed = true;
    // set-password only serves members, so membership comes first here.
    for (const step of ['add', 'password'] as const) {
      try {
        const resume = { detail: { onboard: 'resume' } };
        if (step === 'add') await audited(actor, 'member_add', user, () => helper.addMember(user, actor.username), resume);
        else await audited(actor, 'password_set', user, () => helper.setPassword(user, input.password, actor.username), resume);
      } catch (error) {
        const e = asPublic(error);
        finish(outcomeOf(e), { step, resumed: true, accountExists: true, ...errorDetail(e) }, errorText(e));
        throw explain(e, user, step, true);
      }
    }
  }
  finish('ok', { resumed, fullName: input.fullName });
  markFinished(user);
  const member = memberFacts(user) ?? {
    user,
    uid: -1,
    fullName: input.fullName,
    locked: null,
    protected: false,
    protectedReason: null,
    familyAdmin: false,
    packagesInstalled: false,
    packages: null,
  };
  return { member, resumed };
}

/** Accounts a parent may add: human, unprotected, not yet members. */
export function listCandidates(): Candidate[] {
  return candidateAccounts();
}

/** Candidates matching a search (username or full name), at most `limit`. */
export function findCandidates(query: string, limit: number): CandidateSearch {
  return searchCandidates(query, limit);
}

/** A username suggestion for a full name (free of accounts, groups and home directories) and a passphrase. */
export function suggestions(fullName: string): { username: string | null; passphrase: string } {
  const clipped = fullName.slice(0, 200);
  return { username: suggestUsername(clipped, isNameTaken), passphrase: suggestPassphrase() };
}
