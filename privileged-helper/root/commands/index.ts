// The closed command set. A new command (install-packages, hub-status,
// restart-hub, connect-hub) is one module in this folder plus one line here.
import type { CommandSpec } from '../args';
import type { Command } from '../context';
import { addMember } from './add-member';
import { connectHub } from './connect-hub';
import { createUser } from './create-user';
import { diskUse } from './disk-use';
import { hubStatus } from './hub-status';
import { installPackages } from './install-packages';
import { listMembers } from './list-members';
import { removeMember } from './remove-member';
import { restartHub } from './restart-hub';
import { setHours } from './set-hours';
import { setPassword } from './set-password';

const ALL: readonly Command[] = [listMembers, addMember, removeMember, createUser, setPassword, hubStatus, restartHub, connectHub, installPackages, diskUse, setHours];

export const COMMANDS: ReadonlyMap<string, Command> = new Map(ALL.map((c) => [c.spec.name, c]));
export const COMMAND_SPECS: ReadonlyMap<string, CommandSpec> = new Map(ALL.map((c) => [c.spec.name, c.spec]));
