# The family hub of jupyterhub4family: Debian's JupyterHub, configured for a family.
#
# Written by the set-up command (system/install.sh) and the jupyterhub4family-panel
# package as /etc/jupyterhub4family/jupyterhub_config.py, and replaced by them on
# every update: put your own changes into /etc/jupyterhub4family/local_config.py
# (loaded last). Run by Debian's jupyterhub.service through our drop-in
# (jupyterhub.service.d/jupyterhub4family.conf), or without systemd by
# /usr/libexec/jupyterhub-panel/family-hub. Works with Debian 12's JupyterHub 3.0
# and Debian 13's 5.2.
import importlib.util
import json
import os
import re

c = get_config()  # noqa: F821 (traitlets provides it)

ETC = '/etc/jupyterhub4family'
STATE = '/var/lib/jupyterhub'  # Debian's WorkingDirectory for its jupyterhub.service

# Debian's own configuration file first (Debian 13 has one); ours wins where both set a value.
if os.path.isfile('/etc/jupyterhub/jupyterhub_config.py'):
    load_subconfig('/etc/jupyterhub/jupyterhub_config.py')  # noqa: F821

# https on port 8000 of every address, with our certificate (subjectAltNames for
# this machine's names and addresses, made at set-up).
c.JupyterHub.bind_url = 'https://:8000'
c.JupyterHub.ssl_cert = f'{ETC}/tls/cert.pem'
c.JupyterHub.ssl_key = f'{ETC}/tls/key.pem'
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = 8081
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:8001'
c.ConfigurableHTTPProxy.command = ['/usr/bin/configurable-http-proxy']
c.ConfigurableHTTPProxy.pid_file = f'{STATE}/jupyterhub-proxy.pid'
# Debian's proxy finds its modules in /usr/share/nodejs; a Node.js from elsewhere
# (NodeSource's on Debian 12) does not look there by itself.
os.environ.setdefault('NODE_PATH', '/usr/share/nodejs')

c.JupyterHub.db_url = f'sqlite:///{STATE}/jupyterhub.sqlite'
c.JupyterHub.cookie_secret_file = f'{STATE}/jupyterhub_cookie_secret'

# Who gets in: members of the unix group jupyterhub, with their unix password.
# The panel's root helper decides who is in that group and never lets root, system
# accounts or admins in; the hub refuses them too (defence in depth).
c.PAMAuthenticator.allowed_groups = {'jupyterhub'}
c.PAMAuthenticator.open_sessions = False
c.Authenticator.admin_users = set()
c.Authenticator.blocked_users = {'root', 'jupyterhub-panel'}

# Jupyter hours per kid, the parents' rule: /etc/jupyterhub4family/hours.json,
# root:root 0644, written only by the panel's root helper (set-hours). The hub
# itself enforces it, in the machine's local time: a kid outside their hours
# cannot log in (the allow check) or start a server (pre_spawn_hook); the panel
# stops servers still running when the hours end. No file, or one root cannot
# read: no restrictions. A file another account could write, or one that is not
# our JSON: everyone but the parents refused. A malformed entry: that kid refused.
# The same rule as lib/shared/hours-rule.ts (test/unit/hours.test.ts); keep the two in step.
import datetime  # noqa: E402
import grp  # noqa: E402
import stat  # noqa: E402

from jupyterhub.auth import PAMAuthenticator  # noqa: E402
from jupyterhub.utils import maybe_future  # noqa: E402
from tornado import web  # noqa: E402

HOURS_FILE = f'{ETC}/hours.json'
_WEEKDAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
_TIME = re.compile(r'([01][0-9]|2[0-4]):([0-5][0-9])')
_BROKEN = object()


def _hours_users(log):
    """The users' entries; None when there is no file (no restrictions); _BROKEN."""
    try:
        fd = os.open(HOURS_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        log.warning('Jupyter hours: %s cannot be opened (%s): no restrictions', HOURS_FILE, e)
        return None
    try:
        st = os.fstat(fd)
        folder = os.lstat(ETC)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o022
                or folder.st_uid != 0 or folder.st_mode & 0o022 or st.st_size > 256 * 1024):
            log.error('Jupyter hours: %s is not a root-owned file closed to others: kids refused', HOURS_FILE)
            return _BROKEN
        data = json.loads(os.read(fd, 256 * 1024 + 1).decode('utf-8'))
    except (OSError, ValueError) as e:
        log.error('Jupyter hours: %s cannot be read as JSON (%s): kids refused', HOURS_FILE, e)
        return _BROKEN
    finally:
        os.close(fd)
    if not isinstance(data, dict) or data.get('version') != 1 or not isinstance(data.get('users'), dict):
        log.error('Jupyter hours: %s is not {"version": 1, "users": {...}}: kids refused', HOURS_FILE)
        return _BROKEN
    return data['users']


def _minutes(text):
    m = _TIME.fullmatch(text)
    if not m or int(m.group(1)) * 60 + int(m.group(2)) > 24 * 60:
        raise ValueError(f'{text!r} is not a time HH:MM')
    return int(m.group(1)) * 60 + int(m.group(2))


def _ranges(entry):
    """Weekday -> sorted [(start, end)] minutes; ValueError for what lib/shared/hours-rule.ts refuses."""
    if entry == 'always':
        return None
    if not isinstance(entry, dict):
        raise ValueError('not an object')
    week = {}
    for day, items in entry.items():
        if day not in _WEEKDAYS or not isinstance(items, list) or len(items) > 4:
            raise ValueError(f'bad day {day!r}')
        ranges = []
        for item in items:
            if not isinstance(item, str) or item.count('-') != 1:
                raise ValueError(f'bad range {item!r}')
            start, end = (_minutes(part) for part in item.split('-'))
            if start >= 24 * 60 or end <= start:
                raise ValueError(f'bad range {item!r}')
            ranges.append((start, end))
        ranges.sort()
        if any(ranges[i][0] < ranges[i - 1][1] for i in range(1, len(ranges))):
            raise ValueError(f'overlapping ranges on {day}')
        week[day] = ranges
    return week


def hours_allow(username, log, now=None):
    """Whether username may use Jupyter now (machine's local time)."""
    users = _hours_users(log)
    if users is None:
        return True
    if users is _BROKEN:
        try:
            return username in grp.getgrnam('jupyterhub_adm').gr_mem
        except KeyError:
            return False
    if username not in users:
        return True
    try:
        week = _ranges(users[username])
    except ValueError as e:
        log.error('Jupyter hours: the entry of %s is malformed (%s): refused', username, e)
        return False
    if week is None:
        return True
    now = now or datetime.datetime.now()
    minute = now.hour * 60 + now.minute
    return any(start <= minute < end for start, end in week.get(_WEEKDAYS[now.weekday()], []))


class FamilyPAMAuthenticator(PAMAuthenticator):
    """PAM, the group jupyterhub, and the kid's Jupyter hours at every login."""

    # The hours go into the "blocked" check: in JupyterHub 3.0 and 5.2 alike it is
    # called at every login and only there, and unlike check_allowed it is not
    # skipped when a local_config.py sets Authenticator.allow_all (5.x).
    async def check_blocked_users(self, username, authentication=None):
        passed = await maybe_future(super().check_blocked_users(username, authentication))
        if not passed:
            return False
        if not hours_allow(username, self.log):
            self.log.warning('Jupyter hours: %s is outside their hours: login refused', username)
            return False
        return True


def _hours_pre_spawn_hook(spawner):
    if not hours_allow(spawner.user.name, spawner.log):
        spawner.log.warning('Jupyter hours: %s is outside their hours: server start refused', spawner.user.name)
        raise web.HTTPError(403, f'{spawner.user.name} is outside their Jupyter hours')


c.JupyterHub.authenticator_class = FamilyPAMAuthenticator
c.Spawner.pre_spawn_hook = _hours_pre_spawn_hook

# Each kid's server runs as the kid (the hub runs as root for that), from Debian's
# packages: nothing is installed at the first spawn. JupyterLab where Debian has it
# (13), the classic Notebook otherwise (12).
c.JupyterHub.spawner_class = 'jupyterhub.spawner.LocalProcessSpawner'
c.JupyterHub.allow_named_servers = True
c.Spawner.cmd = ['/usr/bin/jupyterhub-singleuser']
c.Spawner.default_url = '/lab' if importlib.util.find_spec('jupyterlab') else '/tree'
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120

# The panel is a hub service: it sees running servers and stops them with this
# token, made at set-up (root:jupyterhub-panel 0640).
with open(f'{ETC}/panel-service.json', encoding='utf-8') as f:
    _panel = json.load(f)
try:
    with open('/etc/jupyterhub-panel/hub-token', encoding='ascii') as f:
        _token = f.read().strip()
except FileNotFoundError:
    _token = ''
if re.fullmatch(r'[0-9a-f]{64}', _token):
    c.JupyterHub.services = [{'name': _panel['name'], 'api_token': _token}]
    c.JupyterHub.load_roles = [{'name': _panel['name'], 'scopes': _panel['scopes'], 'services': [_panel['name']]}]

if os.path.isfile(f'{ETC}/local_config.py'):
    load_subconfig(f'{ETC}/local_config.py')  # noqa: F821
