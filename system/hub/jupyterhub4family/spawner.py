"""How the family hub starts a user's server.

FamilySpawner is the hub's spawner: Debian's LocalProcessSpawner (each server runs
as its user), except that the server starts with the umask 022 a login gives. The
hub itself runs with umask 077 (its database and cookie secret are root's alone),
and LocalProcessSpawner's child keeps the hub's umask: without this, every
notebook a kid saves would be closed even to the kid's own group, unlike the rest
of the kid's files.

Each server also goes into its own cgroup with the user's memory and CPU limits
(limits.py): root prepares it before the start, the child joins it in its preexec
while it is still root. Where nothing can enforce a limit the hub log says so at
every start; a start never fails for a limit the kernel refuses (logged).

hours_pre_spawn_hook is the hub's Spawner.pre_spawn_hook: a kid outside their
Jupyter hours cannot start a server, not even with a valid cookie (the login
check alone would not stop that).
"""
import os

from jupyterhub.spawner import LocalProcessSpawner
from tornado import web

from . import limits
from .hours import hours_allow, is_parent

# Debian's default for a login (login.defs UMASK, and systemd's for a service).
USER_UMASK = 0o022


class FamilySpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers get a user's usual umask, not the hub's."""

    cgroup_procs = ()

    def _prepare_limits(self):
        name = self.user.name
        where = limits.detect()
        if where['mode'] in ('none', 'systemd'):
            self.log.warning('Limits: %s\'s server runs without a memory limit here: %s', name, where['why'])
            return ()
        role = 'parents' if is_parent(name) else 'kids'
        try:
            total = limits.mem_total_mib()
            wanted = limits.effective_limits(limits.read_limits_file(self.log), name, role, total)
            procs = limits.prepare(where, name, wanted)
        except (OSError, limits.LimitsError) as e:
            self.log.error('Limits: %s\'s server runs without a memory limit: the kernel refused the cgroup (%s)', name, e)
            return ()
        self.log.info('Limits: %s\'s server: memory at most %d MiB, CPU weight %d, %d tasks (%s)',
                      name, wanted['memoryMiB'], wanted['cpuWeight'], wanted['tasksMax'], where['mode'])
        return tuple(procs)

    async def start(self):
        self.cgroup_procs = self._prepare_limits()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        procs, self.cgroup_procs = self.cgroup_procs, ()
        for path in procs:
            folder = os.path.dirname(path)
            kills = limits.oom_kills(folder)
            if kills:
                self.log.warning('Limits: the kernel stopped %d process(es) of %s\'s server for its memory limit',
                                 kills, self.user.name)
            try:
                os.rmdir(folder)
            except OSError as e:
                # A process of the server still in it (it ends later): the next start reuses the folder.
                self.log.info('Limits: %s stays (%s)', folder, e)

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        procs = self.cgroup_procs

        def preexec():
            # In the child, after fork and before exec: only the child's umask changes.
            os.umask(USER_UMASK)
            # Still root: join the server's cgroups before dropping to the user.
            limits.join(procs)
            become_user()

        return preexec


def hours_pre_spawn_hook(spawner):
    """Refuse (403) a server start outside the user's Jupyter hours."""
    name = spawner.user.name
    if not hours_allow(name, spawner.log):
        spawner.log.warning('Jupyter hours: %s is outside their hours: server start refused', name)
        raise web.HTTPError(403, f'{name} is outside their Jupyter hours')
