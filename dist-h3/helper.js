"use strict";

// privileged-helper/accounts.ts
var import_node_fs = require("node:fs");

// privileged-helper/errors.ts
var EXIT_CODES = {
  usage: 2,
  invalid_name: 3,
  no_such_user: 4,
  protected_account: 5,
  conflict: 6,
  busy: 7,
  system_error: 8
};
var HelperFailure = class extends Error {
  code;
  constructor(code, message) {
    super(message);
    this.name = "HelperFailure";
    this.code = code;
  }
  get exitCode() {
    return EXIT_CODES[this.code];
  }
};
var usage = (m) => new HelperFailure("usage", m);
var invalidName = (m) => new HelperFailure("invalid_name", m);
var noSuchUser = (user) => new HelperFailure("no_such_user", `there is no account named ${user}`);
var refused = (m) => new HelperFailure("protected_account", m);
var conflict = (m) => new HelperFailure("conflict", m);
var busy = (m) => new HelperFailure("busy", m);
var systemError = (m) => new HelperFailure("system_error", m);

// privileged-helper/accounts.ts
var PATHS = {
  passwd: "/etc/passwd",
  group: "/etc/group",
  shadow: "/etc/shadow",
  loginDefs: "/etc/login.defs",
  useraddDefaults: "/etc/default/useradd"
};
var isUint = (s) => s !== void 0 && /^\d{1,10}$/.test(s);
function parsePasswd(text) {
  const out = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length !== 7) continue;
    const [name, , uid, gid, gecos, home, shell] = f;
    if (!name || name.startsWith("+") || name.startsWith("-") || !isUint(uid) || !isUint(gid)) continue;
    if (!out.has(name)) out.set(name, { name, uid: Number(uid), gid: Number(gid), gecos, home, shell });
  }
  return out;
}
function parseGroup(text) {
  const out = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length !== 4) continue;
    const [name, , gid, members] = f;
    if (!name || name.startsWith("+") || name.startsWith("-") || !isUint(gid)) continue;
    if (!out.has(name)) out.set(name, { name, gid: Number(gid), members: members.split(",").filter((m) => m !== "") });
  }
  return out;
}
function parseShadow(text) {
  const out = /* @__PURE__ */ new Map();
  for (const line of text.split("\n")) {
    const f = line.split(":");
    if (f.length < 2 || !f[0]) continue;
    if (!out.has(f[0])) out.set(f[0], f[1]);
  }
  return out;
}
function parseLoginDefs(text) {
  let uidMin = 1e3;
  let uidMax = 6e4;
  for (const raw of text.split("\n")) {
    const m = /^\s*(UID_MIN|UID_MAX)\s+(\d{1,10})\s*$/.exec(raw);
    if (!m) continue;
    if (m[1] === "UID_MIN") uidMin = Number(m[2]);
    else uidMax = Number(m[2]);
  }
  return { uidMin, uidMax };
}
function parseUseraddHomeBase(text) {
  for (const raw of text.split("\n")) {
    const m = /^\s*HOME=(\/[^\s]*)\s*$/.exec(raw);
    if (m) return m[1].replace(/\/+$/, "") || "/";
  }
  return "/home";
}
function isLockedHash(hash) {
  return hash === void 0 || hash.startsWith("!");
}
function isUsableHash(hash) {
  return hash !== void 0 && hash.length > 1 && !hash.startsWith("!") && !hash.startsWith("*");
}
var SystemState = class {
  constructor(users, groups, loginDefs, shadowMap) {
    this.users = users;
    this.groups = groups;
    this.loginDefs = loginDefs;
    this.shadowMap = shadowMap;
  }
  users;
  groups;
  loginDefs;
  shadowMap;
  user(name) {
    return this.users.get(name);
  }
  userByUid(uid) {
    for (const a of this.users.values()) if (a.uid === uid) return a;
    return void 0;
  }
  group(name) {
    return this.groups.get(name);
  }
  /** Supplementary membership only (what JupyterHub's allowed_groups sees). */
  isSupplementaryMember(user, group) {
    return this.groups.get(group)?.members.includes(user) ?? false;
  }
  /** Primary or supplementary membership (what `id` and pam_succeed_if ingroup see). */
  isInGroup(user, group) {
    const g = this.groups.get(group);
    if (!g) return false;
    if (g.members.includes(user)) return true;
    return this.users.get(user)?.gid === g.gid;
  }
  shadowHash(user) {
    if (!this.shadowMap) throw systemError("internal: shadow file was not read");
    return this.shadowMap.get(user);
  }
};
function readText(path, optional = false) {
  try {
    return (0, import_node_fs.readFileSync)(path, "utf8");
  } catch (e) {
    if (optional && e.code === "ENOENT") return "";
    throw systemError(`cannot read ${path}: ${e.code ?? "error"}`);
  }
}
function readSystemState(opts = {}) {
  return new SystemState(
    parsePasswd(readText(PATHS.passwd)),
    parseGroup(readText(PATHS.group)),
    parseLoginDefs(readText(PATHS.loginDefs, true)),
    opts.shadow ? parseShadow(readText(PATHS.shadow)) : null
  );
}
function readHomeBase() {
  return parseUseraddHomeBase(readText(PATHS.useraddDefaults, true));
}

// privileged-helper/args.ts
var ACTOR_OPTION = "--actor";
function usageText(specs) {
  return "usage: helper " + [...specs.values()].map((s) => s.synopsis).join(" | helper ");
}
function parseArgv(argv, specs) {
  const [command, ...rest] = argv;
  if (command === void 0) throw usage(`no command given; ${usageText(specs)}`);
  const spec = specs.get(command);
  if (!spec) throw usage(`unknown command ${JSON.stringify(command.slice(0, 64))}; ${usageText(specs)}`);
  if (rest.length < spec.positionals.length) {
    throw usage(`${command} needs ${spec.positionals.map((p) => p.toUpperCase()).join(" ")}; usage: helper ${spec.synopsis}`);
  }
  const positionals = rest.slice(0, spec.positionals.length);
  const allowed = new Set(spec.mutating ? [...spec.options, ACTOR_OPTION] : spec.options);
  const options = /* @__PURE__ */ Object.create(null);
  const tail = rest.slice(spec.positionals.length);
  for (let i = 0; i < tail.length; i += 2) {
    const opt = tail[i];
    if (!allowed.has(opt)) {
      const what = opt.startsWith("-") ? "unknown option" : "extra argument";
      throw usage(`${what} ${JSON.stringify(opt.slice(0, 64))} for ${command}; usage: helper ${spec.synopsis}`);
    }
    if (opt in options) throw usage(`option ${opt} given twice`);
    const value = tail[i + 1];
    if (value === void 0) throw usage(`option ${opt} needs a value`);
    options[opt] = value;
  }
  return { command, positionals, options };
}

// privileged-helper/policy.ts
var import_node_fs2 = require("node:fs");

// lib/names.ts
var USERNAME_RE = /^[a-z][-a-z0-9_]*$/;
var USERNAME_MAX_BYTES = 32;
var FULL_NAME_MAX_CHARS = 100;
function usernameProblem(s) {
  if (typeof s !== "string") return "the user name must be text";
  if (s.length === 0) return "the user name is empty";
  if (s.length > USERNAME_MAX_BYTES) return `the user name is longer than ${USERNAME_MAX_BYTES} characters`;
  if (!USERNAME_RE.test(s)) {
    return 'the user name must start with a lower-case letter a-z and contain only a-z, 0-9, "-" and "_"';
  }
  return null;
}
var FULL_NAME_BAD_CHAR_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]/u;
var LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function fullNameProblem(s) {
  if (typeof s !== "string") return "the full name must be text";
  if (s.length > FULL_NAME_MAX_CHARS * 2) return `the full name is longer than ${FULL_NAME_MAX_CHARS} characters`;
  if (LONE_SURROGATE_RE.test(s)) return "the full name is not valid UTF-8 text";
  if ([...s].length > FULL_NAME_MAX_CHARS) return `the full name is longer than ${FULL_NAME_MAX_CHARS} characters`;
  if (s.trim().length === 0) return "the full name is empty";
  if (s.includes(":")) return 'the full name must not contain ":"';
  if (s.includes(",")) return 'the full name must not contain ","';
  if (FULL_NAME_BAD_CHAR_RE.test(s)) return "the full name must not contain control characters";
  return null;
}

// privileged-helper/policy.ts
var HUB_ACCOUNT = "jupyterhub";
var PANEL_ACCOUNT = "jupyterhub-panel";
var MEMBERS_GROUP = "jupyterhub";
var ADMINS_GROUP = "jupyterhub_adm";
var DEFAULT_PROTECTED_GROUPS = ["sudo", "adm", "wheel", "root", "shadow"];
var CONFIG_DIR = "/etc/jupyterhub-panel";
var CONFIG_PATH = `${CONFIG_DIR}/helper.json`;
function configFromJson(data) {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw systemError(`${CONFIG_PATH} must hold a JSON object`);
  }
  const pg = data.protectedGroups;
  if (pg === void 0) return { protectedGroups: DEFAULT_PROTECTED_GROUPS, ignoredReason: null };
  if (!Array.isArray(pg) || !pg.every((g) => typeof g === "string" && g.length <= 32 && USERNAME_RE.test(g))) {
    throw systemError(`${CONFIG_PATH}: protectedGroups must be a list of group names`);
  }
  return { protectedGroups: [...new Set(pg)], ignoredReason: null };
}
function isRootOnlyWritable(st) {
  return st.uid === 0 && (st.mode & 18) === 0;
}
function loadConfig() {
  const defaults = (ignoredReason) => ({
    protectedGroups: DEFAULT_PROTECTED_GROUPS,
    ignoredReason
  });
  let fd;
  try {
    fd = (0, import_node_fs2.openSync)(CONFIG_PATH, import_node_fs2.constants.O_RDONLY | import_node_fs2.constants.O_NOFOLLOW | import_node_fs2.constants.O_NONBLOCK);
  } catch (e) {
    const code = e.code;
    if (code === "ENOENT" || code === "ENOTDIR") return defaults(null);
    return defaults(`${CONFIG_PATH} cannot be opened (${code})`);
  }
  try {
    const st = (0, import_node_fs2.fstatSync)(fd);
    if (!st.isFile()) return defaults(`${CONFIG_PATH} is not a regular file`);
    if (!isRootOnlyWritable(st)) return defaults(`${CONFIG_PATH} is not owned by root or is writable by others`);
    const dir = (0, import_node_fs2.lstatSync)(CONFIG_DIR);
    if (!dir.isDirectory() || !isRootOnlyWritable(dir)) {
      return defaults(`${CONFIG_DIR} is not a root-owned directory closed to others`);
    }
    if (st.size > 64 * 1024) throw systemError(`${CONFIG_PATH} is too large`);
    let data;
    try {
      data = JSON.parse((0, import_node_fs2.readFileSync)(fd, "utf8"));
    } catch {
      throw systemError(`${CONFIG_PATH} is not valid JSON`);
    }
    return configFromJson(data);
  } finally {
    (0, import_node_fs2.closeSync)(fd);
  }
}
function protectedReason(account, state, config) {
  if (account.uid === 0) return `${account.name} has uid 0`;
  if (account.name === HUB_ACCOUNT) return `${account.name} is the hub account`;
  if (account.name === PANEL_ACCOUNT) return `${account.name} is the panel's service account`;
  const { uidMin, uidMax } = state.loginDefs;
  if (account.uid < uidMin || account.uid > uidMax) {
    return `${account.name} is a system account (uid ${account.uid} outside ${uidMin}..${uidMax})`;
  }
  for (const g of config.protectedGroups) {
    if (state.isInGroup(account.name, g)) return `${account.name} is a member of the group ${g}`;
  }
  return null;
}

// privileged-helper/run.ts
var import_node_child_process = require("node:child_process");
var CHILD_ENV = Object.freeze({
  PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C"
});
var TOOLS = {
  gpasswd: "/usr/bin/gpasswd",
  useradd: "/usr/sbin/useradd",
  userdel: "/usr/sbin/userdel",
  chpasswd: "/usr/sbin/chpasswd",
  logger: "/usr/bin/logger"
};
function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
}
function runTool(path, args, opts = {}) {
  const r = (0, import_node_child_process.spawnSync)(path, [...args], {
    env: { ...CHILD_ENV },
    cwd: "/",
    ...opts.input ? { input: opts.input, stdio: ["pipe", "pipe", "pipe"] } : { stdio: ["ignore", "pipe", "pipe"] },
    timeout: opts.timeoutMs ?? 3e4,
    killSignal: "SIGKILL",
    maxBuffer: 1024 * 1024,
    shell: false,
    windowsHide: true
  });
  if (r.error && r.error.code !== "ETIMEDOUT") {
    throw systemError(`cannot run ${path}: ${r.error.code ?? r.error.message}`);
  }
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout?.toString("utf8") ?? "",
    stderr: r.stderr?.toString("utf8") ?? "",
    timedOut: r.error?.code === "ETIMEDOUT"
  };
}
var SHADOW_LOCK_RE = /cannot lock|unable to lock|try again later/i;
function lastLine(text) {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? "").slice(0, 300);
}
function runShadowTool(path, args, opts = {}) {
  const deadline = Date.now() + (opts.waitMs ?? 1e4);
  for (; ; ) {
    const r = runTool(path, args, { input: opts.input });
    if (r.timedOut) throw systemError(`${path} did not finish in time`);
    if (r.status === 0 || !SHADOW_LOCK_RE.test(r.stderr)) return r;
    if (Date.now() >= deadline) {
      throw busy(`the account files are locked by another program (${lastLine(r.stderr)}); try again later`);
    }
    sleepMs(Math.min(opts.retryDelayMs ?? 250, Math.max(0, deadline - Date.now())));
  }
}
function expectSuccess(what, r) {
  if (r.status === 0) return;
  const how = r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  throw systemError(`${what} failed (${how}): ${lastLine(r.stderr) || "no message"}`);
}

// privileged-helper/commands/common.ts
function target(ctx) {
  const user = ctx.args.positionals[0];
  if (user === void 0) throw systemError("internal: no user operand");
  return user;
}
function requireUnprotectedAccount(ctx, state, user) {
  const account = state.user(user);
  if (!account) throw noSuchUser(user);
  const reason = protectedReason(account, state, ctx.config);
  if (reason) throw refused(`refused: ${reason}; the panel does not change protected accounts`);
  return account;
}
function requireMembersGroup(state) {
  if (!state.group(MEMBERS_GROUP)) throw systemError(`the group ${MEMBERS_GROUP} does not exist`);
}
function changeMembership(user, add) {
  const r = runShadowTool(TOOLS.gpasswd, [add ? "-a" : "-d", user, "--", MEMBERS_GROUP]);
  expectSuccess(`gpasswd ${add ? "-a" : "-d"} ${user}`, r);
  const now = readSystemState().isSupplementaryMember(user, MEMBERS_GROUP);
  if (now !== add) {
    throw systemError(`gpasswd reported success but ${user} is ${now ? "still" : "not"} in ${MEMBERS_GROUP}`);
  }
}
function setPasswordWithChpasswd(user, password) {
  const input = Buffer.concat([Buffer.from(`${user}:`, "utf8"), password, Buffer.from("\n")]);
  try {
    const r = runShadowTool(TOOLS.chpasswd, [], { input });
    expectSuccess("chpasswd", r);
  } finally {
    input.fill(0);
  }
}

// privileged-helper/commands/add-member.ts
var addMember = {
  spec: {
    name: "add-member",
    positionals: ["user"],
    options: [],
    mutating: true,
    readsPassword: false,
    synopsis: "add-member USER --actor NAME"
  },
  run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (state.isSupplementaryMember(user, MEMBERS_GROUP)) return { changed: false, user };
    changeMembership(user, true);
    return { changed: true, user };
  }
};

// privileged-helper/commands/create-user.ts
var import_node_fs3 = require("node:fs");
var FULL_NAME_OPTION = "--full-name";
var USERADD_NAME_IN_USE = 9;
function useraddArgs(user, fullName) {
  return [
    "--create-home",
    "--user-group",
    "--shell",
    "/bin/bash",
    "--groups",
    MEMBERS_GROUP,
    "--key",
    "HOME_MODE=0700",
    ...fullName !== void 0 ? ["--comment", fullName] : [],
    "--",
    user
  ];
}
function exists(path) {
  try {
    (0, import_node_fs3.lstatSync)(path);
    return true;
  } catch {
    return false;
  }
}
function verifyAccount(ctx, user) {
  const state = readSystemState();
  const account = state.user(user);
  if (!account) throw systemError(`useradd reported success but ${user} is not in /etc/passwd`);
  const reason = protectedReason(account, state, ctx.config);
  if (reason) throw systemError(`the new account came out protected (${reason})`);
  let home;
  try {
    home = (0, import_node_fs3.statSync)(account.home);
  } catch {
    throw systemError(`the home directory ${account.home} of ${user} was not created`);
  }
  if (!home.isDirectory() || home.uid !== account.uid) {
    throw systemError(`the home directory ${account.home} is not a directory owned by ${user}`);
  }
  if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) {
    throw systemError(`the new account ${user} is not in ${MEMBERS_GROUP}`);
  }
}
function rollback(user) {
  const r = runShadowTool(TOOLS.userdel, ["--remove", "--", user]);
  if (readSystemState().user(user)) {
    throw systemError(`could not undo the half-made account ${user} (userdel: ${lastLine(r.stderr) || `exit ${r.status}`}); remove it by hand with userdel -r ${user}`);
  }
}
var createUser = {
  spec: {
    name: "create-user",
    positionals: ["user"],
    options: [FULL_NAME_OPTION],
    mutating: true,
    readsPassword: true,
    synopsis: "create-user USER [--full-name TEXT] --actor NAME  (password: one line on stdin)"
  },
  run(ctx) {
    const user = target(ctx);
    const fullName = ctx.args.options[FULL_NAME_OPTION];
    const password = ctx.password;
    if (!password) throw systemError("internal: no password read");
    const state = readSystemState();
    requireMembersGroup(state);
    if (state.user(user)) throw conflict(`an account named ${user} exists already`);
    if (state.group(user)) throw conflict(`a group named ${user} exists already`);
    const home = `${readHomeBase()}/${user}`;
    if (exists(home)) throw conflict(`${home} exists already`);
    let created = false;
    try {
      const r = runShadowTool(TOOLS.useradd, useraddArgs(user, fullName));
      if (r.status !== 0) {
        if (r.status === USERADD_NAME_IN_USE) throw conflict(`an account named ${user} exists already`);
        created = readSystemState().user(user) !== void 0;
        expectSuccess("useradd", r);
      }
      created = true;
      verifyAccount(ctx, user);
      ctx.progress({ step: "account", user });
      setPasswordWithChpasswd(user, password);
      if (!isUsableHash(readSystemState({ shadow: true }).shadowHash(user))) {
        throw systemError(`chpasswd reported success but ${user} has no password`);
      }
      ctx.progress({ step: "password", user });
    } catch (e) {
      if (created) {
        rollback(user);
        if (e instanceof HelperFailure) {
          throw new HelperFailure(e.code, `${e.message} (the account was removed again)`);
        }
      }
      throw e;
    }
    return { changed: true, user, created: true };
  }
};

// privileged-helper/commands/list-members.ts
var import_node_fs4 = require("node:fs");
function isFile(path) {
  try {
    return (0, import_node_fs4.statSync)(path).isFile();
  } catch {
    return false;
  }
}
function packagesInstalled(home) {
  if (!home.startsWith("/")) return false;
  return isFile(`${home}/.local/bin/jupyterhub-singleuser`) && isFile(`${home}/.local/bin/jupyter-lab`);
}
var listMembers = {
  spec: {
    name: "list-members",
    positionals: [],
    options: [],
    mutating: false,
    readsPassword: false,
    synopsis: "list-members"
  },
  run(ctx) {
    const state = readSystemState({ shadow: true });
    const group = state.group(MEMBERS_GROUP);
    if (!group) throw systemError(`the group ${MEMBERS_GROUP} does not exist`);
    const members = [];
    for (const name of [...new Set(group.members)].sort()) {
      const account = state.user(name);
      if (!account) continue;
      const reason = protectedReason(account, state, ctx.config);
      members.push({
        user: name,
        uid: account.uid,
        fullName: account.gecos.split(",")[0] ?? "",
        locked: isLockedHash(state.shadowHash(name)),
        protected: reason !== null,
        protectedReason: reason,
        familyAdmin: state.isInGroup(name, ADMINS_GROUP),
        packagesInstalled: packagesInstalled(account.home)
      });
    }
    return { members };
  }
};

// privileged-helper/commands/remove-member.ts
var removeMember = {
  spec: {
    name: "remove-member",
    positionals: ["user"],
    options: [],
    mutating: true,
    readsPassword: false,
    synopsis: "remove-member USER --actor NAME"
  },
  run(ctx) {
    const user = target(ctx);
    const state = readSystemState();
    requireMembersGroup(state);
    if (!state.user(user)) throw noSuchUser(user);
    if (user === HUB_ACCOUNT) throw refused("refused: the hub account jupyterhub must stay in its group");
    requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) return { changed: false, user };
    changeMembership(user, false);
    return { changed: true, user };
  }
};

// privileged-helper/commands/set-password.ts
var setPassword = {
  spec: {
    name: "set-password",
    positionals: ["user"],
    options: [],
    mutating: true,
    readsPassword: true,
    synopsis: "set-password USER --actor NAME  (password: one line on stdin)"
  },
  run(ctx) {
    const user = target(ctx);
    const password = ctx.password;
    if (!password) throw systemError("internal: no password read");
    const state = readSystemState({ shadow: true });
    requireMembersGroup(state);
    requireUnprotectedAccount(ctx, state, user);
    if (!state.isSupplementaryMember(user, MEMBERS_GROUP)) {
      throw refused(`refused: ${user} is not a member of ${MEMBERS_GROUP}; the panel only resets family members' passwords`);
    }
    if (state.isInGroup(user, ADMINS_GROUP)) {
      throw refused(`refused: ${user} is a family admin (${ADMINS_GROUP}); parents change their own password themselves`);
    }
    const before = state.shadowHash(user);
    setPasswordWithChpasswd(user, password);
    const after = readSystemState({ shadow: true }).shadowHash(user);
    if (!isUsableHash(after) || after === before) {
      throw systemError(`chpasswd reported success but the password of ${user} did not change`);
    }
    return { changed: true, user };
  }
};

// privileged-helper/commands/index.ts
var ALL = [listMembers, addMember, removeMember, createUser, setPassword];
var COMMANDS = new Map(ALL.map((c) => [c.spec.name, c]));
var COMMAND_SPECS = new Map(ALL.map((c) => [c.spec.name, c.spec]));

// privileged-helper/lock.ts
var import_node_fs5 = require("node:fs");
var LOCK_PATH = "/run/jupyterhub-panel-helper.lock";
function processStartTime(pid) {
  try {
    const stat = (0, import_node_fs5.readFileSync)(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19] ?? null;
  } catch {
    return null;
  }
}
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code !== "ESRCH";
  }
}
function parseLockContent(text) {
  const m = /^(\d{1,10})(?: (\d{1,20}))?\n?$/.exec(text);
  if (!m) return null;
  const pid = Number(m[1]);
  return pid > 0 ? { pid, start: m[2] ?? null } : null;
}
function inspect(path) {
  let fd;
  try {
    fd = (0, import_node_fs5.openSync)(path, import_node_fs5.constants.O_RDONLY | import_node_fs5.constants.O_NOFOLLOW);
  } catch (e) {
    if (e.code === "ENOENT") return { kind: "absent" };
    throw systemError(`cannot read the lock ${path}: ${e.code}`);
  }
  try {
    const content = (0, import_node_fs5.readFileSync)(fd, "utf8");
    const parsed = parseLockContent(content);
    if (!parsed) {
      const age = Date.now() - (0, import_node_fs5.fstatSync)(fd).mtimeMs;
      return age > 2e3 ? { kind: "stale", content } : { kind: "live" };
    }
    if (!pidAlive(parsed.pid)) return { kind: "stale", content };
    const start = processStartTime(parsed.pid);
    if (parsed.start !== null && start !== null && start !== parsed.start) return { kind: "stale", content };
    return { kind: "live" };
  } finally {
    (0, import_node_fs5.closeSync)(fd);
  }
}
function myContent() {
  const start = processStartTime("self");
  return start ? `${process.pid} ${start}
` : `${process.pid}
`;
}
function tryCreate(path, content) {
  let fd;
  try {
    fd = (0, import_node_fs5.openSync)(path, import_node_fs5.constants.O_WRONLY | import_node_fs5.constants.O_CREAT | import_node_fs5.constants.O_EXCL | import_node_fs5.constants.O_NOFOLLOW, 420);
  } catch (e) {
    if (e.code === "EEXIST") return false;
    throw systemError(`cannot create the lock ${path}: ${e.code}`);
  }
  try {
    (0, import_node_fs5.writeSync)(fd, content);
  } finally {
    (0, import_node_fs5.closeSync)(fd);
  }
  return true;
}
function unlinkIfContent(path, content) {
  try {
    if ((0, import_node_fs5.readFileSync)(path, "utf8") === content) (0, import_node_fs5.unlinkSync)(path);
  } catch {
  }
}
function takeOverStale(path, staleContent) {
  const guard = `${path}.takeover`;
  const mine = myContent();
  if (!tryCreate(guard, mine)) {
    const g = inspect(guard);
    if (g.kind === "stale") unlinkIfContent(guard, g.content);
    return false;
  }
  try {
    const again = inspect(path);
    if (again.kind === "stale" && again.content === staleContent) (0, import_node_fs5.unlinkSync)(path);
    return true;
  } finally {
    unlinkIfContent(guard, mine);
  }
}
function acquireLock(path = LOCK_PATH, waitMs = 1e4) {
  const deadline = Date.now() + waitMs;
  const mine = myContent();
  for (; ; ) {
    if (tryCreate(path, mine)) {
      return { release: () => unlinkIfContent(path, mine) };
    }
    const holder = inspect(path);
    if (holder.kind === "absent") continue;
    if (holder.kind === "stale" && takeOverStale(path, holder.content)) continue;
    if (Date.now() >= deadline) {
      throw busy(`another change is still running (lock ${path}); try again later`);
    }
    sleepMs(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}

// privileged-helper/output.ts
var import_node_fs6 = require("node:fs");
function writeLine(obj) {
  const data = Buffer.from(JSON.stringify(obj) + "\n", "utf8");
  let off = 0;
  while (off < data.length) {
    try {
      off += (0, import_node_fs6.writeSync)(1, data, off);
    } catch (e) {
      const code = e.code;
      if (code === "EAGAIN") continue;
      return;
    }
  }
}
function emitProgress(progress) {
  writeLine({ progress });
}
function emitResult(fields) {
  writeLine({ ok: true, ...fields });
}
function emitError(error, message) {
  writeLine({ ok: false, error, message });
}

// privileged-helper/password.ts
var import_node_fs7 = require("node:fs");
var import_node_tty = require("node:tty");
var PASSWORD_MAX_BYTES = 512;
var READ_LIMIT = 4096;
function passwordFromInput(input) {
  let end = input.length;
  const nl = input.indexOf(10);
  if (nl !== -1) {
    if (nl !== input.length - 1) throw usage("the password must be one line (it contains a line break)");
    end = nl;
  }
  const pw = input.subarray(0, end);
  if (pw.length === 0) throw usage("no password given on standard input");
  if (pw.length > PASSWORD_MAX_BYTES) throw usage(`the password is longer than ${PASSWORD_MAX_BYTES} bytes`);
  if (pw.includes(0)) throw usage("the password must not contain a NUL character");
  if (pw.includes(13)) throw usage("the password must not contain a carriage return");
  return Buffer.from(pw);
}
function readPasswordFromStdin() {
  const chunks = [];
  let total = 0;
  let tty = false;
  try {
    tty = (0, import_node_tty.isatty)(0);
    (0, import_node_fs7.fstatSync)(0);
  } catch {
    throw usage("no password given on standard input");
  }
  const buf = Buffer.alloc(1024);
  for (; ; ) {
    let n;
    try {
      n = (0, import_node_fs7.readSync)(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = e.code;
      if (code === "EAGAIN") {
        sleepMs(10);
        continue;
      }
      if (code === "EOF") break;
      throw usage(`cannot read the password from standard input (${code})`);
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > READ_LIMIT) break;
    if (tty && buf.subarray(0, n).includes(10)) break;
  }
  buf.fill(0);
  const input = Buffer.concat(chunks);
  for (const c of chunks) c.fill(0);
  if (total > READ_LIMIT) {
    input.fill(0);
    throw usage(`the password is longer than ${PASSWORD_MAX_BYTES} bytes`);
  }
  try {
    return passwordFromInput(input);
  } finally {
    input.fill(0);
  }
}

// privileged-helper/syslog.ts
var import_node_fs8 = require("node:fs");
var SYSLOG_TAG = "jupyterhub-panel-helper";
function formatLogMessage(fields) {
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === void 0 || v === null) continue;
    const s = String(v).slice(0, 300);
    parts.push(`${k}=${/^[A-Za-z0-9_.@()\/-]+$/.test(s) ? s : JSON.stringify(s)}`);
  }
  return parts.join(" ");
}
function logChange(fields) {
  if (!(0, import_node_fs8.existsSync)("/dev/log")) return;
  try {
    runTool(TOOLS.logger, ["-p", "authpriv.notice", "-t", SYSLOG_TAG, "--", formatLogMessage(fields)], {
      timeoutMs: 5e3
    });
  } catch {
  }
}

// privileged-helper/helper.ts
function clearEnvironment() {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, CHILD_ENV);
}
function callerUid(pkexecUid, realUid) {
  if (pkexecUid === void 0) return realUid;
  if (!/^\d{1,10}$/.test(pkexecUid)) throw systemError("PKEXEC_UID is not a number");
  return Number(pkexecUid);
}
function validateNames(args) {
  const spec = COMMAND_SPECS.get(args.command);
  spec.positionals.forEach((kind, i) => {
    if (kind !== "user") return;
    const problem = usernameProblem(args.positionals[i]);
    if (problem) throw invalidName(problem);
  });
  const actor = args.options[ACTOR_OPTION];
  if (actor !== void 0) {
    const problem = usernameProblem(actor);
    if (problem) throw invalidName(`--actor: ${problem}`);
  }
  const fullName = args.options[FULL_NAME_OPTION];
  if (fullName !== void 0) {
    const problem = fullNameProblem(fullName);
    if (problem) throw invalidName(problem);
  }
}
function resolveCaller(uid) {
  const account = readSystemState().userByUid(uid);
  if (!account) throw systemError(`the calling uid ${uid} has no account in /etc/passwd`);
  return { uid, name: account.name, isPanel: account.name === PANEL_ACCOUNT };
}
function actorFor(caller, actorOption) {
  if (caller.isPanel) {
    if (actorOption === void 0) throw usage(`${PANEL_ACCOUNT} must name the acting parent with ${ACTOR_OPTION}`);
    return actorOption;
  }
  if (actorOption !== void 0 && actorOption !== caller.name) {
    throw refused(`refused: ${ACTOR_OPTION} ${actorOption} is not the calling user ${caller.name}`);
  }
  return caller.name;
}
function checkActorIsAdmin(caller, actor) {
  if (!caller.isPanel) return;
  const state = readSystemState();
  if (!state.user(actor)) throw refused(`refused: the actor ${actor} has no account`);
  if (!state.isInGroup(actor, ADMINS_GROUP)) {
    throw refused(`refused: the actor ${actor} is not a family admin (member of ${ADMINS_GROUP})`);
  }
}
function main(argv) {
  const pkexecUid = process.env.PKEXEC_UID;
  clearEnvironment();
  process.umask(18);
  const commandName = argv[0];
  const spec = commandName !== void 0 ? COMMAND_SPECS.get(commandName) : void 0;
  const log = {
    command: spec?.name,
    target: void 0,
    actor: void 0,
    caller: void 0
  };
  const held = { lock: null };
  try {
    if (process.geteuid?.() !== 0) {
      throw systemError("the helper must run as root; call it through pkexec /usr/libexec/jupyterhub-panel/helper");
    }
    const args = parseArgv(argv, COMMAND_SPECS);
    const command = COMMANDS.get(args.command);
    const rawTarget = args.positionals[0];
    log.target = rawTarget === void 0 || usernameProblem(rawTarget) === null ? rawTarget : "(invalid name)";
    validateNames(args);
    const caller = resolveCaller(callerUid(pkexecUid, process.getuid()));
    log.caller = caller.name;
    const config = loadConfig();
    let actor = null;
    if (command.spec.mutating) {
      actor = actorFor(caller, args.options[ACTOR_OPTION]);
      log.actor = actor;
    }
    const password = command.spec.readsPassword ? readPasswordFromStdin() : null;
    let result;
    try {
      if (command.spec.mutating) {
        held.lock = acquireLock();
        checkActorIsAdmin(caller, actor);
      }
      const ctx = { args, caller, actor, config, password, progress: emitProgress };
      result = command.run(ctx);
    } finally {
      password?.fill(0);
      held.lock?.release();
      held.lock = null;
    }
    emitResult(result);
    if (spec?.mutating) logChange({ ...log, result: "ok", changed: result.changed });
    return 0;
  } catch (e) {
    held.lock?.release();
    const failure = e instanceof HelperFailure ? e : systemError(`unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    emitError(failure.code, failure.message);
    if (spec?.mutating) logChange({ ...log, result: failure.code === "protected_account" ? "refused" : "failed", error: failure.code, message: failure.message });
    return failure.exitCode;
  }
}

// privileged-helper/main.ts
process.exitCode = main(process.argv.slice(2));
