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
import sys

# traitlets runs this file with get_config and load_subconfig in its namespace;
# taken from there by name, so that pyflakes checks everything else here.
get_config = globals()['get_config']
load_subconfig = globals()['load_subconfig']
c = get_config()

ETC = '/etc/jupyterhub4family'
STATE = '/var/lib/jupyterhub'  # Debian's WorkingDirectory for its jupyterhub.service

# Everything the hub creates is root's alone: its database (users, tokens, the
# panel's service), the cookie secret, the proxy's pid file. The set-up keeps
# STATE root:root 0700 as well; this covers files made later, however the hub was
# started with this configuration (our drop-in and family-hub set it too). Kids'
# servers get the usual 022 back (FamilySpawner below).
os.umask(0o077)

# Our code for the hub is the package jupyterhub4family, root's, outside Python's
# own folders (never a file of Debian's packages): put there by the set-up command
# or shipped there by the .deb. No bytecode cache is written next to it: the
# folder stays exactly as installed (and a removed package leaves nothing behind).
PYTHON = '/usr/lib/jupyterhub4family/python'
sys.path.insert(0, PYTHON)
_write_bytecode = sys.dont_write_bytecode
sys.dont_write_bytecode = True
# Imported here, not at the top: the package is found only through the path just inserted.
from jupyterhub4family.auth import FamilyPAMAuthenticator
from jupyterhub4family.spawner import FamilySpawner, hours_pre_spawn_hook
sys.dont_write_bytecode = _write_bytecode

if os.path.isfile('/etc/jupyterhub/jupyterhub_config.py'):
    load_subconfig('/etc/jupyterhub/jupyterhub_config.py')

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

# Jupyter hours per kid, the parents' rule (/etc/jupyterhub4family/hours.json,
# written only by the panel's root helper): the hub itself refuses a kid outside
# their hours at login (the authenticator) and at a server start (the hook). The
# rule and how the file fails closed: jupyterhub4family/hours.py.
c.JupyterHub.authenticator_class = FamilyPAMAuthenticator
c.Spawner.pre_spawn_hook = hours_pre_spawn_hook

# Each kid's server runs as the kid (the hub runs as root for that), from Debian's
# packages: nothing is installed at the first spawn. JupyterLab where Debian has it
# (13), the classic Notebook otherwise (12). FamilySpawner is Debian's
# LocalProcessSpawner with the kid's usual umask 022 instead of the hub's 077 (a
# local_config.py that picks another spawner gives its servers the hub's 077).
c.JupyterHub.spawner_class = FamilySpawner
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
    load_subconfig(f'{ETC}/local_config.py')
