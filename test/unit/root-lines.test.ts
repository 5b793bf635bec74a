// Root does only what needs root (issue 13): the root helper's bundle is built
// without the agent's modules and without the parsing of pip's or the hub's
// output, and the line counter of bench/root-lines.ts counts what it says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT_ENTRY, bundleLines, codeLines, ROOT_ENTRY } from '../../bench/root-lines';

test('codeLines counts neither blank lines nor comments', () => {
  assert.equal(codeLines('// a\n\nconst a = 1; // b\n/* c\n d */\n/** e */ const f = 2;\n  * not a comment start\n'), 3);
});

test("the root helper's bundle has none of the agent's modules, pip's output parsing or the hub's facts", async () => {
  const root = (await bundleLines(ROOT_ENTRY)).map((f) => f.file);
  assert.ok(root.includes('privileged-helper/commands/add-member.ts'), root.join(' '));
  // The rules both sides apply are the shared modules, bundled into root (issue 14).
  for (const shared of ['lib/shared/account-files.ts', 'lib/shared/protection.ts', 'lib/shared/names.ts']) assert.ok(root.includes(shared), `${shared} is not in the root bundle`);
  for (const f of root) {
    assert.doesNotMatch(f, /^privileged-helper\/agent\/|^lib\/(pip-output|hub-facts)\.ts$/, `${f} is bundled into the root helper`);
  }
  const agent = (await bundleLines(AGENT_ENTRY)).map((f) => f.file);
  assert.ok(agent.includes('privileged-helper/agent/run-as-account.ts') && agent.includes('lib/hub/hub-facts.ts'), agent.join(' '));
});
