"""How the family hub starts a user's server.

FamilySpawner is the hub's spawner: Debian's LocalProcessSpawner (each server runs
as its user), except that the server starts with the umask 022 a login gives. The
hub itself runs with umask 077 (its database and cookie secret are root's alone),
and LocalProcessSpawner's child keeps the hub's umask: without this, every
notebook a kid saves would be closed even to the kid's own group, unlike the rest
of the kid's files.

hours_pre_spawn_hook is the hub's Spawner.pre_spawn_hook: a kid outside their
Jupyter hours cannot start a server, not even with a valid cookie (the login
check alone would not stop that).
"""
import os

from jupyterhub.spawner import LocalProcessSpawner
from tornado import web

from .hours import hours_allow

# Debian's default for a login (login.defs UMASK, and systemd's for a service).
USER_UMASK = 0o022


class FamilySpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers get a user's usual umask, not the hub's."""

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)

        def preexec():
            # In the child, after fork and before exec: only the child's umask changes.
            os.umask(USER_UMASK)
            become_user()

        return preexec


def hours_pre_spawn_hook(spawner):
    """Refuse (403) a server start outside the user's Jupyter hours."""
    name = spawner.user.name
    if not hours_allow(name, spawner.log):
        spawner.log.warning('Jupyter hours: %s is outside their hours: server start refused', name)
        raise web.HTTPError(403, f'{name} is outside their Jupyter hours')
