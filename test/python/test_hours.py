"""The family hub's Jupyter-hours rule (system/hub/jupyterhub4family/hours.py).

The cases of test/fixtures/hours-cases.json, which test/unit/hours-cases.test.ts
runs against the panel's implementation, run here against the hub's: pure, and
through a real file as the hub reads it. Then what only a file can show: its
owner, mode, kind and folder, each failing closed.
"""
import datetime
import grp
import json
import logging
import os
import pathlib
import pwd
import types

import pytest

from jupyterhub4family import hours

CASES = json.loads((pathlib.Path(__file__).parent.parent / 'fixtures' / 'hours-cases.json').read_text('utf-8'))
LOG = logging.getLogger('test_hours')
NOBODY = 65534


def moment(day, time):
    """A local-time moment on that weekday: 2026-12-07 is a Monday."""
    h, m = (int(x) for x in time.split(':'))
    return datetime.datetime(2026, 12, 7 + hours.WEEKDAYS.index(day), h, m)


def minute(time):
    h, m = (int(x) for x in time.split(':'))
    return h * 60 + m


def entry_id(case):
    return case['name']


@pytest.fixture
def folder(tmp_path):
    """A folder like /etc/jupyterhub4family: root's, closed to others."""
    if os.geteuid() != 0:
        pytest.skip('the file checks need root (files owned by root and by others)')
    d = tmp_path / 'etc'
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    return d


def write(folder, text, mode=0o644, name='hours.json'):
    p = folder / name
    p.write_text(text, encoding='utf-8')
    os.chmod(p, mode)
    return str(p)


PARENTS_GID = 4242


@pytest.fixture
def parents(monkeypatch):
    """jupyterhub_adm with the member mum, and dad whose primary group it is (whatever this machine's accounts are)."""
    group = types.SimpleNamespace(gr_mem=['mum'], gr_gid=PARENTS_GID)

    def getgrnam(name):
        if name == hours.PARENTS_GROUP:
            return group
        raise KeyError(name)

    def getpwnam(name):
        gids = {'dad': PARENTS_GID, 'mum': 1000, 'kid': 1001, 'ben': 1002}
        if name in gids:
            return types.SimpleNamespace(pw_gid=gids[name])
        raise KeyError(name)
    monkeypatch.setattr(grp, 'getgrnam', getgrnam)
    monkeypatch.setattr(pwd, 'getpwnam', getpwnam)
    return group


def test_the_fixture_has_cases():
    assert len(CASES['entries']) >= 20 and len(CASES['files']) >= 10
    for case in CASES['files']:
        assert case['valid'] == bool(case.get('moments')), case['name']


@pytest.mark.parametrize('case', CASES['entries'], ids=entry_id)
def test_entry(case):
    if case['valid']:
        hours.parse_hours(case['hours'])
    else:
        with pytest.raises(hours.HoursError):
            hours.parse_hours(case['hours'])
    users = {'kid': case['hours']}
    for day, time, allowed in case['moments']:
        assert hours.entry_allows(users, 'kid', day, minute(time)) is allowed, f'{day} {time}'


@pytest.mark.parametrize('case', CASES['entries'], ids=entry_id)
def test_entry_as_the_hub_reads_it(case, folder, caplog):
    path = write(folder, json.dumps({'version': 1, 'users': {'kid': case['hours']}}))
    for day, time, allowed in case['moments']:
        assert hours.hours_allow('kid', LOG, moment(day, time), path=path) is allowed, f'{day} {time}'
        assert hours.hours_allow('other', LOG, moment(day, time), path=path) is True
    assert ('malformed' in caplog.text) is (not case['valid'])


@pytest.mark.parametrize('case', CASES['files'], ids=entry_id)
def test_file(case):
    if not case['valid']:
        with pytest.raises(hours.HoursError):
            hours.parse_hours_file(case['text'])
        return
    users = hours.parse_hours_file(case['text'])
    for user, day, time, allowed in case['moments']:
        assert hours.entry_allows(users, user, day, minute(time)) is allowed, f'{user} {day} {time}'


@pytest.mark.parametrize('case', CASES['files'], ids=entry_id)
def test_file_as_the_hub_reads_it(case, folder, parents):
    path = write(folder, case['text'])
    if not case['valid']:
        # Not our JSON: every user but the parents refused.
        assert hours.read_hours_file(LOG, path) is hours.BROKEN
        assert hours.hours_allow('kid', LOG, moment('mon', '12:00'), path=path) is False
        assert hours.hours_allow('mum', LOG, moment('mon', '12:00'), path=path) is True
        return
    for user, day, time, allowed in case['moments']:
        assert hours.hours_allow(user, LOG, moment(day, time), path=path) is allowed, f'{user} {day} {time}'


def test_no_file_no_restrictions(folder):
    assert hours.read_hours_file(LOG, str(folder / 'hours.json')) is None
    assert hours.hours_allow('kid', LOG, moment('mon', '03:00'), path=str(folder / 'hours.json')) is True


def test_the_default_path_is_the_helpers_file(monkeypatch):
    assert hours.HOURS_FILE == '/etc/jupyterhub4family/hours.json'
    seen = []
    monkeypatch.setattr(hours.os, 'open', lambda p, flags: seen.append(p) or (_ for _ in ()).throw(FileNotFoundError(p)))
    assert hours.hours_allow('kid', LOG) is True
    assert seen == ['/etc/jupyterhub4family/hours.json']


NEVER = json.dumps({'version': 1, 'users': {'kid': {}}})
OPEN = json.dumps({'version': 1, 'users': {}})


def assert_kids_refused(path, caplog, reason):
    assert hours.read_hours_file(LOG, path) is hours.BROKEN
    assert hours.hours_allow('kid', LOG, moment('mon', '12:00'), path=path) is False
    assert hours.hours_allow('mum', LOG, moment('mon', '12:00'), path=path) is True
    assert reason in caplog.text


def test_a_file_others_may_write_refuses_kids(folder, parents, caplog):
    for mode in (0o664, 0o646, 0o666):
        assert_kids_refused(write(folder, OPEN, mode), caplog, 'not a root-owned file closed to others')


def test_a_file_of_another_owner_refuses_kids(folder, parents, caplog):
    path = write(folder, OPEN)
    os.chown(path, NOBODY, 0)
    assert_kids_refused(path, caplog, 'not a root-owned file closed to others')


def test_a_folder_others_may_write_or_own_refuses_kids(folder, parents, caplog):
    path = write(folder, OPEN)
    os.chmod(folder, 0o775)
    assert_kids_refused(path, caplog, 'not a root-owned file closed to others')
    os.chmod(folder, 0o755)
    os.chown(folder, NOBODY, 0)
    assert_kids_refused(path, caplog, 'not a root-owned file closed to others')


def test_not_json_refuses_kids(folder, parents, caplog):
    assert_kids_refused(write(folder, '{"version": 1, "users": {'), caplog, 'not our file')
    # Not UTF-8 either.
    path = folder / 'hours.json'
    path.write_bytes(b'{"version": 1, "users": {"\xff": {}}}')
    assert_kids_refused(str(path), caplog, 'cannot be read as JSON')


def test_a_file_too_big_refuses_kids(folder, parents, caplog):
    text = json.dumps({'version': 1, 'users': {}, 'pad': 'x' * hours.MAX_BYTES})
    assert_kids_refused(write(folder, text), caplog, 'not a root-owned file closed to others')


def test_a_fifo_refuses_kids_without_waiting(folder, parents, caplog):
    path = str(folder / 'hours.json')
    os.mkfifo(path, 0o644)
    assert_kids_refused(path, caplog, 'not a root-owned file closed to others')


def test_a_folder_instead_refuses_kids(folder, parents, caplog):
    path = folder / 'hours.json'
    path.mkdir(mode=0o755)
    assert hours.hours_allow('kid', LOG, moment('mon', '12:00'), path=str(path)) is False


def test_a_link_is_not_followed_no_restrictions(folder, caplog):
    # Only root can put a link into root's folder; the hub does not follow it and
    # applies no restrictions (as for a file root cannot open), and says so.
    target = write(folder, NEVER, name='elsewhere.json')
    path = folder / 'hours.json'
    path.symlink_to(target)
    assert hours.hours_allow('kid', LOG, moment('mon', '12:00'), path=str(path)) is True
    assert 'cannot be opened' in caplog.text


def test_a_broken_file_with_no_parents_group_refuses_everyone(folder, monkeypatch):
    def getgrnam(name):
        raise KeyError(name)
    monkeypatch.setattr(grp, 'getgrnam', getgrnam)
    path = write(folder, 'x')
    assert hours.hours_allow('mum', LOG, moment('mon', '12:00'), path=path) is False


def test_a_parent_is_never_held_to_hours_not_even_an_entry_of_their_own(folder, parents):
    # An entry under a parent's name is one left from before they became a parent
    # (set-hours refuses parents, so nobody could clear it): the panel says
    # "parents are not limited", and the hub agrees. The kid next to it is held.
    never = {'mon': [], 'tue': [], 'wed': [], 'thu': [], 'fri': [], 'sat': [], 'sun': []}
    path = write(folder, json.dumps({'version': 1, 'users': {'mum': never, 'dad': never, 'kid': never}}))
    assert hours.hours_allow('mum', LOG, moment('mon', '12:00'), path=path) is True
    assert hours.hours_allow('dad', LOG, moment('mon', '12:00'), path=path) is True
    assert hours.hours_allow('kid', LOG, moment('mon', '12:00'), path=path) is False


def test_a_parent_by_primary_group_counts_as_a_parent(parents):
    # As the panel and the helper count it (and `id` shows it): primary or supplementary.
    assert hours.is_parent('mum') is True
    assert hours.is_parent('dad') is True
    assert hours.is_parent('kid') is False
    assert hours.is_parent('nobody-here') is False


def test_now_is_the_machines_local_time(folder, monkeypatch):
    class Fixed(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 12, 8, 17, 30)  # a Tuesday
    monkeypatch.setattr(hours.datetime, 'datetime', Fixed)
    path = write(folder, json.dumps({'version': 1, 'users': {'kid': {'tue': ['17:00-18:00']}, 'ben': {'mon': ['17:00-18:00']}}}))
    assert hours.hours_allow('kid', LOG, path=path) is True
    assert hours.hours_allow('ben', LOG, path=path) is False
