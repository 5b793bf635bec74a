// The sandbox's fixture accounts (made by test/sandbox/fixtures.sh), for tests.
import assert from 'node:assert/strict';

export const parents = { mama: 'mama-pass-1', papa: 'papa-pass-1' } as const;
export const kids = { anna: 'anna-pass-1', ben: 'ben-pass-1' } as const;
export const others = { kim: 'kim-pass-1', sudoer: 'sudoer-pass-1', locked: 'locked-pass-1', expired: 'expired-pass-1' } as const;

export interface SandboxEnv {
  panelUrl: string;
  panelOrigin: string;
  panelCa: string;
  hubUrl: string;
  hubCa: string;
  hubToken: string;
  db: string;
  state: string;
  /** family: the set-up made the family hub; seed: a jupyterhub4family 1.0 hub (JH4F_SANDBOX_HUB). */
  hubKind: 'family' | 'seed';
}

/** Fails (never skips) when a sandbox test is started outside test/sandbox/run.sh. */
export function sandboxEnv(): SandboxEnv {
  assert.equal(process.env.JH4F_SANDBOX, '1', 'this test runs only inside the sandbox: sudo bash test/sandbox/run.sh node --import tsx --test FILE');
  const need = (name: string) => {
    const value = process.env[name];
    assert.ok(value, `${name} is not set by the sandbox`);
    return value;
  };
  const panelUrl = need('JH4F_PANEL_URL');
  return {
    panelUrl,
    panelOrigin: new URL(panelUrl).origin,
    panelCa: need('JH4F_PANEL_CA'),
    hubUrl: need('JH4F_HUB_URL'),
    hubCa: need('JH4F_HUB_CA'),
    hubToken: need('JH4F_HUB_TOKEN'),
    db: need('JH4F_DB'),
    state: need('JH4F_SANDBOX_STATE'),
    hubKind: need('JH4F_SANDBOX_HUB') === 'seed' ? 'seed' : 'family',
  };
}

/**
 * A test file written for one kind of machine fails (never skips) in the other
 * sandbox. scripts/test.sh runs the files that ask for 'seed' in a seed sandbox
 * (JH4F_SANDBOX_HUB=seed) and all others in a family one.
 */
export function requireSandboxHub(kind: 'family' | 'seed'): SandboxEnv {
  const env = sandboxEnv();
  assert.equal(env.hubKind, kind, `this test needs a ${kind} machine: JH4F_SANDBOX_HUB=${kind} bash test/sandbox/run.sh ...`);
  return env;
}
