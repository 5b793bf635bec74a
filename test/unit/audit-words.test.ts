// lib/store/audit-words.ts: an audit row's reason in the reader's language, its codes apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditWords } from '../../lib/store/audit-words';
import { catalogs, format } from '../../lib/i18n/messages';

test('a row with a message key reads in the reader language; the codes go to the details line', () => {
  const e = {
    target: 'jupyterhub-panel',
    error: "protected_account: refused: jupyterhub-panel is the panel's service account",
    detail: { phase: 'done', code: 'protected_account', messageKey: 'family.errors.protectedBecause', helperReason: 'panel_account', values: { protectedReason: 'panel_account' } },
  };
  const de = auditWords(e, 'de');
  assert.equal(de.reason, format(catalogs.de.family.errors.protectedBecause, { user: 'jupyterhub-panel', protectedReason: catalogs.de.family.protectedReasons.panelAccount }));
  assert.doesNotMatch(de.reason ?? '', /protected_account|panel_account|refused|service account/);
  assert.equal(de.codes, 'protected_account · panel_account · protectedReason=panel_account');
  assert.equal(
    auditWords(e, 'en').reason,
    format(catalogs.en.family.errors.protectedBecause, { user: 'jupyterhub-panel', protectedReason: catalogs.en.family.protectedReasons.panelAccount }),
  );
});

test("an onboarding row says its step in the reader's language first", () => {
  const e = { target: 'mia', error: 'busy: locked', detail: { step: 'password', code: 'busy', messageKey: 'helperErrors.busy' } };
  assert.equal(auditWords(e, 'de').reason, `${catalogs.de.onboard.steps.password} ${catalogs.de.helperErrors.busy}`);
});

test('rows from before the message key: worded from their code; with no code, their own text as it is', () => {
  const coded = { target: 'anna', error: 'invalid_name: That is not a valid user name.', detail: { phase: 'done', code: 'invalid_name' } };
  assert.equal(auditWords(coded, 'de').reason, catalogs.de.helperErrors.invalidName);
  assert.equal(auditWords(coded, 'de').codes, 'invalid_name');
  // A refused login keeps its code as `reason`.
  assert.equal(auditWords({ target: 'x', error: null, detail: { reason: 'invalid_credentials' } }, 'de').reason, catalogs.de.login.invalidCredentials);
  const prose = { target: null, error: 'PAM error 7', detail: null };
  assert.deepEqual(auditWords(prose, 'de'), { reason: 'PAM error 7', codes: '' });
  assert.deepEqual(auditWords({ target: null, error: null, detail: { phase: 'done' } }, 'de'), { reason: null, codes: '' });
});
