"""What the family hub asks before it starts a user's server.

hours_pre_spawn_hook is the hub's Spawner.pre_spawn_hook: a kid outside their
Jupyter hours cannot start a server, not even with a valid cookie (the login
check alone would not stop that).
"""
from tornado import web

from .hours import hours_allow


def hours_pre_spawn_hook(spawner):
    """Refuse (403) a server start outside the user's Jupyter hours."""
    name = spawner.user.name
    if not hours_allow(name, spawner.log):
        spawner.log.warning('Jupyter hours: %s is outside their hours: server start refused', name)
        raise web.HTTPError(403, f'{name} is outside their Jupyter hours')
