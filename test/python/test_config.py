"""The family hub's configuration stays declarative: its logic is the package.

system/hub/jupyterhub_config.py defines no class or function and takes the
authenticator and the pre-spawn hook from jupyterhub4family, from the folder the
set-up command (system/lib/family-hub.sh) and the .deb (scripts/build-deb.sh)
install it to.
"""
import ast
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
CONFIG = REPO / 'system' / 'hub' / 'jupyterhub_config.py'
TREE = ast.parse(CONFIG.read_text('utf-8'))


def test_no_class_or_function_in_the_configuration():
    defined = [n.name for n in ast.walk(TREE) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    assert defined == []


def test_the_logic_comes_from_the_package():
    imported = {(n.module, a.name) for n in ast.walk(TREE) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert imported == {
        ('jupyterhub4family.auth', 'FamilyPAMAuthenticator'),
        ('jupyterhub4family.spawner', 'FamilySpawner'),
        ('jupyterhub4family.spawner', 'hours_pre_spawn_hook'),
    }
    text = CONFIG.read_text('utf-8')
    assert re.search(r'^c\.JupyterHub\.authenticator_class = FamilyPAMAuthenticator$', text, re.M)
    assert re.search(r'^c\.Spawner\.pre_spawn_hook = hours_pre_spawn_hook$', text, re.M)
    assert re.search(r'^c\.JupyterHub\.spawner_class = FamilySpawner$', text, re.M)


def test_the_package_folder_is_where_both_installations_put_it():
    path = re.search(r"^PYTHON = '([^']+)'$", CONFIG.read_text('utf-8'), re.M).group(1)
    assert path == '/usr/lib/jupyterhub4family/python'
    assert f'HUB_PYTHON={path}\n' in (REPO / 'system' / 'lib' / 'family-hub.sh').read_text('utf-8')
    deb = (REPO / 'scripts' / 'build-deb.sh').read_text('utf-8')
    assert f'system/hub/jupyterhub4family/*.py "$ROOT{path}/jupyterhub4family/"' in deb


def test_the_hub_makes_its_files_private_and_its_users_servers_do_not():
    text = CONFIG.read_text('utf-8')
    umask = text.index('\nos.umask(0o077)\n')
    assert umask < text.index('c.JupyterHub.db_url') and umask < text.index('c.JupyterHub.cookie_secret_file')
    assert re.search(r'^UMask=0077$', (REPO / 'system' / 'hub' / 'jupyterhub.service.d.conf').read_text('utf-8'), re.M)
