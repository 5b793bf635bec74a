import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseEnvFile, parsePublicOrigins } from '../../lib/config';

test('parseEnvFile reads KEY=VALUE lines, skips comments, strips quotes', () => {
  assert.deepEqual(parseEnvFile('# c\nA=1\n\nB = "two words"\nbroken\nC=\'x\'\n'), { A: '1', B: 'two words', C: 'x' });
});

test('loadConfig: defaults, the config file, and the environment over the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jh4f-config-'));
  const file = path.join(dir, 'panel.env');
  fs.writeFileSync(file, 'JH4F_PORT=9000\nJH4F_SESSION_IDLE_SECONDS=60\n');
  const fromFile = loadConfig({ JH4F_CONFIG: file });
  assert.equal(fromFile.port, 9000);
  assert.equal(fromFile.sessionIdleSeconds, 60);
  assert.equal(fromFile.sessionMaxSeconds, 12 * 3600);
  assert.equal(fromFile.dataDir, '/var/lib/jupyterhub-panel');
  assert.equal(loadConfig({ JH4F_CONFIG: file, JH4F_PORT: '9100' }).port, 9100);
  assert.equal(loadConfig({ JH4F_CONFIG: path.join(dir, 'missing') }).port, 8010);
});

test('loadConfig refuses plain HTTP on a non-loopback address and bad numbers', () => {
  assert.throws(() => loadConfig({ JH4F_CONFIG: '/nonexistent', JH4F_INSECURE_HTTP: '1', JH4F_HOST: '0.0.0.0' }), /loopback/);
  assert.equal(loadConfig({ JH4F_CONFIG: '/nonexistent', JH4F_INSECURE_HTTP: '1', JH4F_HOST: '127.0.0.1' }).insecureHttp, true);
  assert.throws(() => loadConfig({ JH4F_CONFIG: '/nonexistent', JH4F_PORT: '80a' }), /JH4F_PORT/);
  assert.throws(() => loadConfig({ JH4F_CONFIG: '/nonexistent', JH4F_SESSION_IDLE_SECONDS: '-5' }), /positive/);
});

test('JH4F_PUBLIC_ORIGINS: https origins, separated by spaces or commas; anything else stops the start with a clear error', () => {
  assert.deepEqual(loadConfig({ JH4F_CONFIG: '/nonexistent' }).publicOrigins, []);
  assert.deepEqual(parsePublicOrigins('https://Family.Example.org, https://panel.example.org:8443 https://family.example.org:443'), [
    'https://family.example.org',
    'https://panel.example.org:8443',
  ]);
  for (const bad of [
    'http://family.example.org',
    'family.example.org',
    'https://family.example.org/panel',
    'https://family.example.org/',
    'https://u:p@x.example',
    'https://*.example.org',
    'https://x.example?a=1',
  ]) {
    assert.throws(() => parsePublicOrigins(bad), /JH4F_PUBLIC_ORIGINS: .* is not an origin/, bad);
  }
  assert.throws(() => loadConfig({ JH4F_CONFIG: '/nonexistent', JH4F_PUBLIC_ORIGINS: 'evil' }), /JH4F_PUBLIC_ORIGINS/);
});
