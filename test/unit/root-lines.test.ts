// Root does only what needs root: the root helper's bundle is built without the
// agent's modules and without the parsing of pip's or the hub's output; both
// bundles take files from privileged-helper/ and lib/shared/ only (the contract
// folder), and the line counter of bench/root-lines.ts counts what it says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_ENTRY, bundleLines, codeLines, ROOT_ENTRY } from '../../bench/root-lines';

test('codeLines counts neither blank lines nor comments', () => {
  assert.equal(codeLines('// a\n\nconst a = 1; // b\n/* c\n d */\n/** e */ const f = 2;\n  * not a comment start\n'), 3);
});

test("the root helper's bundle has none of the agent's modules, pip's output parsing or the hub's facts", async () => {
  const root = (await bundleLines(ROOT_ENTRY)).map((f) => f.file);
  assert.ok(root.includes('privileged-helper/root/commands/add-member.ts'), root.join(' '));
  // The rules both sides apply are the shared modules, bundled into root.
  for (const shared of ['lib/shared/account-files.ts', 'lib/shared/protection.ts', 'lib/shared/names.ts']) assert.ok(root.includes(shared), `${shared} is not in the root bundle`);
  for (const f of root) {
    assert.doesNotMatch(f, /^privileged-helper\/agent\/|^lib\/shared\/hub-facts\.ts$|pip-output/, `${f} is bundled into the root helper`);
  }
  const agent = (await bundleLines(AGENT_ENTRY)).map((f) => f.file);
  assert.ok(agent.includes('privileged-helper/agent/run-as-account.ts') && agent.includes('lib/shared/hub-facts.ts'), agent.join(' '));
});

test('the root and agent bundles take files from privileged-helper/ and lib/shared/ only', async () => {
  for (const entry of [ROOT_ENTRY, AGENT_ENTRY]) {
    const files = (await bundleLines(entry)).map((f) => f.file);
    assert.ok(files.length > 10, `${entry}: ${files.length} files`);
    const outside = files.filter((f) => !/^(privileged-helper|lib\/shared)\//.test(f));
    assert.deepEqual(outside, [], `${entry} bundles files outside privileged-helper/ and lib/shared/`);
  }
});
