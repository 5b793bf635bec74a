import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FamilyError, familyErrorBody, helperCodeMessage, HTTP_STATUS_OF, protectedReasonText } from '../../lib/family-errors';
import { catalogs, locales } from '../../lib/i18n/messages';

const CODES = ['invalid_name', 'no_such_user', 'protected_account', 'conflict', 'busy', 'system_error', 'not_authorized', 'unavailable', 'timeout', 'usage'] as const;

test('family errors: every helper code has its HTTP status (ARCHITECTURE.md) and a distinct message in every language', () => {
  assert.deepEqual(
    { invalid_name: 400, no_such_user: 404, protected_account: 403, conflict: 409, busy: 503, system_error: 500, not_authorized: 502, unavailable: 503 },
    Object.fromEntries(Object.entries(HTTP_STATUS_OF).filter(([k]) => !['usage', 'timeout'].includes(k))),
  );
  for (const locale of locales) {
    const messages = CODES.map((c) => helperCodeMessage(c, catalogs[locale]));
    assert.equal(new Set(messages).size, CODES.length, locale);
    for (const m of messages) assert.ok(m.length > 10);
    assert.match(helperCodeMessage('unavailable', catalogs[locale]), /jupyterhub-panel-helper\.socket/);
  }
});

test('family errors: a parent, a protected account and a half-way onboarding read plainly, in English and German', () => {
  const parent = familyErrorBody(new FamilyError('protected_account', { reason: 'is_parent', values: { user: 'papa' } }), 'en');
  assert.equal(parent.error, 'protected_account');
  assert.match(parent.message, /papa is a parent/);
  const de = familyErrorBody(new FamilyError('protected_account', { reason: 'protected', values: { user: 'sudoer', protectedReason: 'group:sudo' } }), 'de');
  assert.match(de.message, /sudoer ist geschützt \(es ist Mitglied der Gruppe sudo\)/);
  const halfway = familyErrorBody(new FamilyError('busy', { step: 'add', accountExists: true, values: { user: 'mia' } }), 'en');
  assert.equal(halfway.step, 'add');
  assert.equal(halfway.accountExists, true);
  assert.match(halfway.message, /^Adding the account to the group jupyterhub failed\. .*busy.*run onboarding again/i);
  const unknownReason = protectedReasonText('uid0', catalogs.en);
  assert.match(unknownReason, /administrator/);
});
