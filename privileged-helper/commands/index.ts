// The closed command set. A new command (install-packages, hub-status,
// restart-hub, connect-hub) is one module in this folder plus one line here.
import type { CommandSpec } from '../args';
import type { Command } from '../context';
import { addMember } from './add-member';
import { createUser } from './create-user';
import { listMembers } from './list-members';
import { removeMember } from './remove-member';
import { setPassword } from './set-password';

const ALL: readonly Command[] = [listMembers, addMember, removeMember, createUser, setPassword];

export const COMMANDS: ReadonlyMap<string, Command> = new Map(ALL.map((c) => [c.spec.name, c]));
export const COMMAND_SPECS: ReadonlyMap<string, CommandSpec> = new Map(ALL.map((c) => [c.spec.name, c.spec]));
