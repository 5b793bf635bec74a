import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, securityHeaders } from '../../lib/http/security-headers';

test('the CSP allows scripts only by nonce and closes objects, base, framing', () => {
  const csp = contentSecurityPolicy('abc123');
  const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d]));
  assert.match(directives.get('script-src')!, /'nonce-abc123'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(directives.get('object-src'), "object-src 'none'");
  assert.equal(directives.get('base-uri'), "base-uri 'none'");
  assert.equal(directives.get('frame-ancestors'), "frame-ancestors 'none'");
});

test('HSTS only over HTTPS; nosniff and Referrer-Policy always', () => {
  assert.match(securityHeaders('n', true)['Strict-Transport-Security']!, /max-age=31536000/);
  assert.equal(securityHeaders('n', false)['Strict-Transport-Security'], undefined);
  for (const https of [true, false]) {
    assert.equal(securityHeaders('n', https)['X-Content-Type-Options'], 'nosniff');
    assert.equal(securityHeaders('n', https)['Referrer-Policy'], 'no-referrer');
  }
});
