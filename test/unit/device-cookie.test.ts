import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { tempPanel } from './support/temp-panel';
import { db, migrate, MIGRATIONS, setDatabaseForTests } from '../../lib/store/db';
import { deviceCookieName, deviceKey, deviceSetCookie, signDeviceCookie, trustedDeviceOf, verifyDeviceCookie } from '../../lib/auth/device-cookie';

const tmp = tempPanel();
after(() => {
  setDatabaseForTests(null);
  tmp.cleanup();
});

const KEY = crypto.randomBytes(32);
const OTHER_KEY = crypto.randomBytes(32);

/** The same text with the character at `i` replaced by another base64url character. */
const changed = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

test('a signed cookie verifies for its name and gives its nonce; its shape is v1.<16 bytes>.<32 bytes>', () => {
  const value = signDeviceCookie('mama', KEY);
  const [version, nonce, mac] = value.split('.');
  assert.equal(version, 'v1');
  assert.equal(Buffer.from(nonce!, 'base64url').length, 16);
  assert.equal(Buffer.from(mac!, 'base64url').length, 32);
  const expected = crypto.createHmac('sha256', KEY).update(`jh4f-device\0mama\0${nonce}`).digest('base64url');
  assert.equal(mac, expected, 'the HMAC of the documented message');
  assert.equal(verifyDeviceCookie('mama', value, KEY), nonce);
  assert.notEqual(signDeviceCookie('mama', KEY), value, 'a fresh nonce every time');
});

test('another name, another key, another version or any changed character: not verified', () => {
  const value = signDeviceCookie('mama', KEY);
  assert.equal(verifyDeviceCookie('papa', value, KEY), null, 'made for mama, presented for papa');
  assert.equal(verifyDeviceCookie('mama', value, OTHER_KEY), null, 'made with another key');
  assert.equal(verifyDeviceCookie('mama', value.replace(/^v1\./, 'v2.'), KEY), null, 'an unknown version');
  // Every position, the last one included (its base64url character has 2 unused bits).
  for (let i = 3; i < value.length; i++) {
    if (value[i] === '.') continue;
    assert.equal(verifyDeviceCookie('mama', changed(value, i), KEY), null, `character ${i} changed`);
  }
  for (const bad of ['', 'v1', 'v1..', `${value}.x`, value.slice(0, -1), `${value}A`, value.replace(/\./g, ''), 'v1.%%%%.%%%%'])
    assert.equal(verifyDeviceCookie('mama', bad, KEY), null, JSON.stringify(bad));
});

test('trustedDeviceOf reads only the cookie named for this parent, and ignores what does not verify', () => {
  const mama = signDeviceCookie('mama', KEY);
  const papa = signDeviceCookie('papa', KEY);
  const nonceOf = (v: string) => v.split('.')[1];
  assert.equal(trustedDeviceOf(`jh4f_session=x; jh4f_device_mama=${mama}; jh4f_device_papa=${papa}`, 'mama', KEY), nonceOf(mama));
  assert.equal(trustedDeviceOf(`jh4f_device_papa=${papa}`, 'mama', KEY), null, "papa's cookie under his own name");
  assert.equal(trustedDeviceOf(`jh4f_device_mama=${papa}`, 'mama', KEY), null, "papa's cookie renamed to mama's");
  assert.equal(trustedDeviceOf(`jh4f_device_mama=${changed(mama, 10)}`, 'mama', KEY), null, 'tampered');
  assert.equal(trustedDeviceOf(`jh4f_device_mama=junk; jh4f_device_mama=${mama}`, 'mama', KEY), nonceOf(mama), 'a bad value before the good one');
  assert.equal(trustedDeviceOf(null, 'mama', KEY), null);
  assert.equal(trustedDeviceOf(`jh4f_device_=${mama}`, '', KEY), null, 'no name, no cookie');
});

test('the key: 32 random bytes made once in panel.db, the same after a reopen', () => {
  const key = deviceKey();
  assert.equal(key.length, 32);
  assert.deepEqual(db().prepare("SELECT value FROM panel_keys WHERE name = 'device_cookie_hmac'").pluck().get(), key);
  setDatabaseForTests(null); // a restart
  assert.deepEqual(deviceKey(), key);
  const value = signDeviceCookie('mama');
  assert.equal(verifyDeviceCookie('mama', value), value.split('.')[1]);
});

test("Set-Cookie: one per parent, the session cookie's attributes, 180 days", () => {
  assert.equal(deviceCookieName('mama'), 'jh4f_device_mama');
  assert.equal(deviceSetCookie('mama', 'v1.x.y'), 'jh4f_device_mama=v1.x.y; Path=/panel; Max-Age=15552000; HttpOnly; SameSite=Strict; Secure');
});

test("migration 6 keeps the throttle's rows and admits the kind 'device'", () => {
  const conn = new Database(':memory:');
  try {
    for (const sql of MIGRATIONS.slice(0, 5)) conn.exec(sql);
    conn.pragma('user_version = 5');
    conn.prepare("INSERT INTO login_throttle (kind, key, failures, last_failure, blocked_until) VALUES ('name_address', 'mama 10.0.0.1', 7, 100, 200)").run();
    assert.throws(() => conn.prepare("INSERT INTO login_throttle (kind, key, failures, last_failure) VALUES ('device', 'n', 1, 1)").run(), /CHECK/);
    migrate(conn);
    assert.deepEqual(conn.prepare('SELECT kind, key, failures, last_failure, blocked_until FROM login_throttle').all(), [
      { kind: 'name_address', key: 'mama 10.0.0.1', failures: 7, last_failure: 100, blocked_until: 200 },
    ]);
    conn.prepare("INSERT INTO login_throttle (kind, key, failures, last_failure) VALUES ('device', 'n', 1, 1)").run();
    assert.throws(() => conn.prepare("INSERT INTO login_throttle (kind, key, failures, last_failure) VALUES ('username', 'n', 1, 1)").run(), /CHECK/);
  } finally {
    conn.close();
  }
});
