// The closed command set: the names and shapes are lib/shared/commands.ts (the
// panel reads the same list); each has one module in this folder and one line here.
import { HELPER_COMMANDS, type HelperCommand } from '../../../lib/shared/commands';
import type { CommandSpec } from '../args';
import type { Command } from '../context';
import { addMember } from './add-member';
import { connectHub } from './connect-hub';
import { createUser } from './create-user';
import { diskUse } from './disk-use';
import { hubStatus } from './hub-status';
import { installPackages } from './install-packages';
import { listMembers } from './list-members';
import { makeHomePrivate } from './make-home-private';
import { removeMember } from './remove-member';
import { restartHub } from './restart-hub';
import { setHours } from './set-hours';
import { setPassword } from './set-password';
import { setUpdates } from './set-updates';
import { setLimits } from './set-limits';
import { upgradeSystem } from './upgrade-system';

// A record over the shared names: a command of the list without a module here does not compile.
const BY_NAME: Readonly<Record<HelperCommand, Command>> = {
  'list-members': listMembers,
  'add-member': addMember,
  'remove-member': removeMember,
  'create-user': createUser,
  'set-password': setPassword,
  'hub-status': hubStatus,
  'restart-hub': restartHub,
  'connect-hub': connectHub,
  'install-packages': installPackages,
  'disk-use': diskUse,
  'set-hours': setHours,
  'make-home-private': makeHomePrivate,
  'set-updates': setUpdates,
  'set-limits': setLimits,
  'upgrade-system': upgradeSystem,
};
const ALL: readonly Command[] = HELPER_COMMANDS.map((name) => BY_NAME[name]);

export const COMMANDS: ReadonlyMap<string, Command> = new Map(ALL.map((c) => [c.spec.name, c]));
export const COMMAND_SPECS: ReadonlyMap<string, CommandSpec> = new Map(ALL.map((c) => [c.spec.name, c.spec]));
