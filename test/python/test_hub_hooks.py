"""The family hub's authenticator and pre-spawn hook ask the hours (Debian's JupyterHub)."""
import asyncio
import json
import logging
import os
import types

import pytest
from tornado import web

from jupyterhub4family import auth, hours, spawner

NEVER = json.dumps({'version': 1, 'users': {'kid': {}}})


@pytest.fixture
def hours_file(tmp_path, monkeypatch):
    """The hours file at a test path: kid has no hours at all (never allowed)."""
    if os.geteuid() != 0:
        pytest.skip('the hours file must be root-owned')
    d = tmp_path / 'etc'
    d.mkdir()
    os.chmod(d, 0o755)
    p = d / 'hours.json'
    p.write_text(NEVER, encoding='utf-8')
    os.chmod(p, 0o644)
    monkeypatch.setattr(hours, 'HOURS_FILE', str(p))
    return p


def authenticator():
    a = auth.FamilyPAMAuthenticator()
    a.blocked_users = {'root', 'jupyterhub-panel'}
    return a


def test_login_outside_the_hours_is_refused(hours_file, caplog):
    a = authenticator()
    assert asyncio.run(a.check_blocked_users('kid')) is False
    assert 'kid is outside their hours: login refused' in caplog.text
    assert asyncio.run(a.check_blocked_users('ben')) is True


def test_the_blocked_users_stay_blocked(hours_file):
    hours_file.unlink()  # no hours at all: only the block list
    a = authenticator()
    assert asyncio.run(a.check_blocked_users('root')) is False
    assert asyncio.run(a.check_blocked_users('jupyterhub-panel')) is False
    assert asyncio.run(a.check_blocked_users('kid')) is True


def fake_spawner(name):
    return types.SimpleNamespace(user=types.SimpleNamespace(name=name), log=logging.getLogger('test_spawner'))


def test_a_server_start_outside_the_hours_is_refused(hours_file, caplog):
    with pytest.raises(web.HTTPError) as refused:
        spawner.hours_pre_spawn_hook(fake_spawner('kid'))
    assert refused.value.status_code == 403
    assert 'kid is outside their hours: server start refused' in caplog.text
    assert spawner.hours_pre_spawn_hook(fake_spawner('ben')) is None


def test_a_users_server_gets_the_usual_umask_not_the_hubs():
    """The hub runs with umask 077; LocalProcessSpawner's child would keep it."""
    if os.geteuid() != 0:
        pytest.skip('becoming another user needs root')
    import subprocess

    # daemon, not nobody: JupyterHub 5 changes into the user's home and, where there is
    # none (nobody's /nonexistent), makes a folder in /tmp as the user and leaves it.
    preexec = spawner.FamilySpawner().make_preexec_fn('daemon')
    old = os.umask(0o077)
    try:
        r = subprocess.run(['/bin/sh', '-c', 'umask; id -un'], preexec_fn=preexec, capture_output=True, text=True, check=True)
    finally:
        os.umask(old)
    assert r.stdout.split() == ['0022', 'daemon']
    assert spawner.FamilySpawner.__mro__[1].__name__ == 'LocalProcessSpawner'
