"""Memory and CPU limits per server: the family hub's side.

The file /etc/jupyterhub4family/limits.json (root:root 0644 in root's own folder,
written only by the panel's root helper, set-limits) holds
{"version": 1, "kids": {"memoryMiB": 2048, "cpuWeight": 100}, "parents": {...},
 "users": {"anna": {"memoryMiB": 3072}}}, every field optional. The panel's side
of the same rule is lib/shared/limits-rule.ts; both run the cases of
test/fixtures/limits-cases.json. A server's limit is the user's own entry, else
the family's for kids or parents, else the machine's: a kid at most half of the
memory, a parent three quarters; CPU weight 100 for a kid, 200 for a parent.

Which mechanism can enforce them is read from the cgroup files themselves, never
guessed (detect()):
- "v2": a cgroup2 hierarchy whose root lists the memory controller;
- "v1": a cgroup v1 memory hierarchy (memory.limit_in_bytes), with cpu.shares
  where the cpu controller is mounted too;
- "none": neither; the server runs without a limit and the hub log says so.
Under systemd the tree is systemd's (it may move processes back), so "systemd"
is reported and the hub does not write into it: placing servers in transient
scopes is not done yet (README, Known limitations).

Each server goes into its own cgroup under the hub's own one,
.../jupyterhub4family/<user>: root creates it (in the cgroup file system, which
only root can write) and writes the limits before the server starts; the child
moves itself there in its preexec, before it drops to the user, so its kernels
and terminals are inside from their first byte.
"""
import json
import os
import stat

LIMITS_FILE = '/etc/jupyterhub4family/limits.json'
CGROUP_ROOT = '/sys/fs/cgroup'
MIN_MEMORY_MIB = 256
MAX_CPU_WEIGHT = 10000
TASKS_MAX = {'kids': 512, 'parents': 2048}
MAX_BYTES = 256 * 1024
SUBTREE = 'jupyterhub4family'


class LimitsError(ValueError):
    """A limits file that is not ours."""


def machine_defaults(total_mib):
    """The machine's defaults, rounded down to 64 MiB, never below the minimum."""
    def rnd(n):
        return max(MIN_MEMORY_MIB, int(n // 64) * 64)
    return {
        'kids': {'memoryMiB': rnd(total_mib / 2), 'cpuWeight': 100},
        'parents': {'memoryMiB': rnd(total_mib * 3 / 4), 'cpuWeight': 200},
    }


def _entry(raw):
    if not isinstance(raw, dict):
        raise LimitsError('an entry is not an object')
    out = {}
    for key, value in raw.items():
        if key not in ('memoryMiB', 'cpuWeight'):
            raise LimitsError(f'unknown field {key[:40]!r}')
        if not isinstance(value, int) or isinstance(value, bool):
            raise LimitsError(f'{key} is not a whole number')
        if key == 'memoryMiB' and value < MIN_MEMORY_MIB:
            raise LimitsError('a memory limit below the minimum')
        if key == 'cpuWeight' and not 1 <= value <= MAX_CPU_WEIGHT:
            raise LimitsError('a CPU weight out of range')
        out[key] = value
    return out


def parse_limits_file(text):
    try:
        data = json.loads(text)
    except ValueError:
        raise LimitsError('not valid JSON') from None
    if not isinstance(data, dict) or data.get('version') != 1:
        raise LimitsError('not a version 1 object')
    users = data.get('users', {})
    if not isinstance(users, dict):
        raise LimitsError('"users" is not an object')
    return {
        'kids': _entry(data.get('kids', {})),
        'parents': _entry(data.get('parents', {})),
        'users': {name: _entry(e) for name, e in users.items()},
    }


def effective_limits(file, user, role, total_mib):
    own = (file or {}).get('users', {}).get(user, {})
    family = (file or {}).get(role, {})
    machine = machine_defaults(total_mib)[role]
    memory_from = 'user' if 'memoryMiB' in own else 'family' if 'memoryMiB' in family else 'machine'
    return {
        'memoryMiB': own.get('memoryMiB', family.get('memoryMiB', machine['memoryMiB'])),
        'cpuWeight': own.get('cpuWeight', family.get('cpuWeight', machine['cpuWeight'])),
        'tasksMax': TASKS_MAX[role],
        'memoryFrom': memory_from,
    }


def read_limits_file(log, path=None):
    """The file's entries; None when there is none or it is not believed (the machine's defaults then apply)."""
    path = path or LIMITS_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        folder = os.lstat(os.path.dirname(path) or '.')
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022
                or folder.st_uid != 0 or folder.st_mode & 0o022 or st.st_size > MAX_BYTES):
            log.error('Limits: %s is not a root-owned file closed to others: the machine\'s defaults apply', path)
            return None
        text = os.read(fd, MAX_BYTES + 1).decode('utf-8')
    finally:
        os.close(fd)
    try:
        return parse_limits_file(text)
    except LimitsError as e:
        log.error('Limits: %s is not our file (%s): the machine\'s defaults apply', path, e)
        return None


def mem_total_mib(meminfo='/proc/meminfo'):
    with open(meminfo, encoding='ascii') as f:
        for line in f:
            if line.startswith('MemTotal:'):
                return int(line.split()[1]) // 1024
    raise LimitsError('/proc/meminfo has no MemTotal')


def _read(path):
    try:
        with open(path, encoding='ascii') as f:
            return f.read()
    except OSError:
        return None


def own_cgroups(proc_self_cgroup):
    """/proc/self/cgroup's text -> {controller or '' (v2): path}."""
    out = {}
    for line in proc_self_cgroup.splitlines():
        parts = line.split(':', 2)
        if len(parts) != 3:
            continue
        names = parts[1].split(',') if parts[1] else ['']
        for name in names:
            out[name] = parts[2]
    return out


def detect(root=CGROUP_ROOT, proc_self_cgroup=None, systemd_running=None):
    """Which mechanism can hold a server to its limits here, read from the cgroup files.

    {'mode': 'systemd'|'v2'|'v1'|'none', 'memory': dir or None, 'cpu': dir or None,
     'pids': dir or None, 'why': text}. The dirs are the hub's own cgroups, under which
    the servers' go.
    """
    if proc_self_cgroup is None:
        proc_self_cgroup = _read('/proc/self/cgroup') or ''
    if systemd_running is None:
        systemd_running = os.path.isdir('/run/systemd/system')
    own = own_cgroups(proc_self_cgroup)
    result = {'mode': 'none', 'memory': None, 'cpu': None, 'pids': None}
    controllers = _read(os.path.join(root, 'cgroup.controllers'))
    v1_memory = os.path.join(root, 'memory')
    if systemd_running and (controllers is not None and 'memory' in controllers.split()
                            or os.path.exists(os.path.join(v1_memory, 'memory.limit_in_bytes'))):
        result.update(mode='systemd', why='systemd manages the cgroup tree; servers are not placed in scopes yet')
        return result
    if controllers is not None and '' in own:
        if 'memory' in controllers.split():
            base = os.path.normpath(os.path.join(root, own[''].lstrip('/')))
            cpu = base if 'cpu' in controllers.split() else None
            pids = base if 'pids' in controllers.split() else None
            result.update(mode='v2', memory=base, cpu=cpu, pids=pids, why='cgroup v2 with the memory controller')
            return result
    if os.path.exists(os.path.join(v1_memory, 'memory.limit_in_bytes')) and 'memory' in own:
        def v1(name):
            d = os.path.join(root, name)
            path = own.get(name)
            return os.path.normpath(os.path.join(d, path.lstrip('/'))) if path is not None and os.path.isdir(d) else None
        cpu = v1('cpu')
        if cpu and not os.path.exists(os.path.join(cpu, 'cpu.shares')):
            cpu = None
        pids = v1('pids')
        if pids and not os.path.exists(os.path.join(pids, 'pids.max')):
            pids = None
        result.update(mode='v1', memory=v1('memory'), cpu=cpu, pids=pids, why='cgroup v1 memory controller')
        return result
    result['why'] = 'no memory controller this process can use: no limit is enforced'
    return result


def _write(path, value):
    with open(path, 'w', encoding='ascii') as f:
        f.write(value)


def prepare(where, user, limits):
    """Create the user's cgroups and write the limits (as root). The cgroup.procs files to join.

    Raises OSError when the kernel refuses (the caller logs it: no limit then).
    """
    mode = where['mode']
    procs = []
    mem_bytes = limits['memoryMiB'] * 1024 * 1024
    if mode == 'v2':
        base = where['memory']
        sub = os.path.join(base, SUBTREE)
        os.makedirs(sub, mode=0o755, exist_ok=True)
        # A v2 cgroup hands a controller to its children only through subtree_control.
        wanted = ['memory'] + (['cpu'] if where['cpu'] else []) + (['pids'] if where['pids'] else [])
        for d in (base, sub):
            _write(os.path.join(d, 'cgroup.subtree_control'), ' '.join('+' + c for c in wanted))
        cg = os.path.join(sub, user)
        os.makedirs(cg, mode=0o755, exist_ok=True)
        _write(os.path.join(cg, 'memory.max'), str(mem_bytes))
        # Swap would only slow the machine down instead of stopping the one server.
        if os.path.exists(os.path.join(cg, 'memory.swap.max')):
            _write(os.path.join(cg, 'memory.swap.max'), '0')
        if where['cpu']:
            _write(os.path.join(cg, 'cpu.weight'), str(limits['cpuWeight']))
        if where['pids']:
            _write(os.path.join(cg, 'pids.max'), str(limits['tasksMax']))
        procs.append(os.path.join(cg, 'cgroup.procs'))
    elif mode == 'v1':
        cg = os.path.join(where['memory'], SUBTREE, user)
        os.makedirs(cg, mode=0o755, exist_ok=True)
        # Memory plus swap gets the same figure, so a server cannot swap past its limit.
        # The kernel wants memsw >= the memory limit at every moment: raising, memsw
        # goes first (and fails when lowering), lowering, it goes after.
        memsw = os.path.join(cg, 'memory.memsw.limit_in_bytes')
        for step in ('memsw', 'memory', 'memsw'):
            if step == 'memory':
                _write(os.path.join(cg, 'memory.limit_in_bytes'), str(mem_bytes))
            elif os.path.exists(memsw):
                try:
                    _write(memsw, str(mem_bytes))
                except OSError:
                    pass
        procs.append(os.path.join(cg, 'cgroup.procs'))
        if where['cpu']:
            cpu = os.path.join(where['cpu'], SUBTREE, user)
            os.makedirs(cpu, mode=0o755, exist_ok=True)
            # cpu.shares' usual 1024 is CPUWeight's 100.
            _write(os.path.join(cpu, 'cpu.shares'), str(max(2, limits['cpuWeight'] * 1024 // 100)))
            procs.append(os.path.join(cpu, 'cgroup.procs'))
        if where['pids']:
            pids = os.path.join(where['pids'], SUBTREE, user)
            os.makedirs(pids, mode=0o755, exist_ok=True)
            _write(os.path.join(pids, 'pids.max'), str(limits['tasksMax']))
            procs.append(os.path.join(pids, 'cgroup.procs'))
    return procs


def join(procs):
    """In the child, before it drops to the user: move this process into each cgroup."""
    pid = str(os.getpid())
    for path in procs:
        _write(path, pid)


def oom_kills(cgroup_dir):
    """The kernel's count of OOM kills in a cgroup (v2 memory.events, v1 memory.oom_control); None when unknown."""
    for name in ('memory.events', 'memory.oom_control'):
        text = _read(os.path.join(cgroup_dir, name))
        if text is None:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(' ')
            if key == 'oom_kill':
                return int(value)
    return None
