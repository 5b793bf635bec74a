"""The family hub's limits (system/hub/jupyterhub4family/limits.py).

The cases of test/fixtures/limits-cases.json (test/unit/limits.test.ts runs them
against the panel's side), then which mechanism detect() finds on fixture cgroup
trees, and what prepare() writes into one.
"""
import json
import pathlib

import pytest

from jupyterhub4family import limits

CASES = json.loads((pathlib.Path(__file__).parent.parent / 'fixtures' / 'limits-cases.json').read_text('utf-8'))


@pytest.mark.parametrize('case', CASES['defaults'])
def test_machine_defaults(case):
    assert limits.machine_defaults(case['totalMiB']) == {'kids': case['kids'], 'parents': case['parents']}


@pytest.mark.parametrize('case', CASES['effective'])
def test_effective(case):
    file = None if case['file'] is None else limits.parse_limits_file(json.dumps(case['file']))
    assert limits.effective_limits(file, case['user'], case['role'], case['totalMiB']) == case['want']


@pytest.mark.parametrize('text', CASES['brokenFiles'])
def test_broken_files(text):
    with pytest.raises(limits.LimitsError):
        limits.parse_limits_file(text)


def tree(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


V1_SELF = '9:name=systemd:/\n8:pids:/\n4:memory:/box\n1:cpu,cpuacct:/\n0::/\n'


def test_v1_hybrid_without_systemd(tmp_path):
    tree(tmp_path, {'memory/box/memory.limit_in_bytes': '9223372036854771712\n', 'memory/memory.limit_in_bytes': '',
                    'cpu/cpu.shares': '1024\n', 'pids/pids.max': 'max\n', 'unified/cgroup.procs': ''})
    where = limits.detect(str(tmp_path), V1_SELF, systemd_running=False)
    assert where['mode'] == 'v1'
    assert where['memory'] == str(tmp_path / 'memory' / 'box')
    assert where['cpu'] == str(tmp_path / 'cpu')
    assert where['pids'] == str(tmp_path / 'pids')


def test_v1_prepare_writes_the_limits(tmp_path):
    tree(tmp_path, {'memory/memory.limit_in_bytes': '', 'cpu/cpu.shares': '1024\n', 'pids/pids.max': 'max\n'})
    where = limits.detect(str(tmp_path), '4:memory:/\n1:cpu:/\n8:pids:/\n', systemd_running=False)
    procs = limits.prepare(where, 'anna', {'memoryMiB': 2048, 'cpuWeight': 50, 'tasksMax': 512})
    cg = tmp_path / 'memory' / 'jupyterhub4family' / 'anna'
    assert (cg / 'memory.limit_in_bytes').read_text() == str(2048 * 1024 * 1024)
    assert (tmp_path / 'cpu' / 'jupyterhub4family' / 'anna' / 'cpu.shares').read_text() == '512'
    assert (tmp_path / 'pids' / 'jupyterhub4family' / 'anna' / 'pids.max').read_text() == '512'
    assert procs == [str(p / 'jupyterhub4family' / 'anna' / 'cgroup.procs') for p in (tmp_path / 'memory', tmp_path / 'cpu', tmp_path / 'pids')]


def test_v2_with_memory(tmp_path):
    tree(tmp_path, {'cgroup.controllers': 'cpuset cpu io memory pids\n', 'hub/cgroup.procs': ''})
    where = limits.detect(str(tmp_path), '0::/hub\n', systemd_running=False)
    assert (where['mode'], where['memory'], where['cpu']) == ('v2', str(tmp_path / 'hub'), str(tmp_path / 'hub'))
    limits.prepare(where, 'ben', {'memoryMiB': 1024, 'cpuWeight': 100, 'tasksMax': 512})
    cg = tmp_path / 'hub' / 'jupyterhub4family' / 'ben'
    assert (cg / 'memory.max').read_text() == str(1 << 30)
    assert (cg / 'cpu.weight').read_text() == '100'
    assert (tmp_path / 'hub' / 'cgroup.subtree_control').read_text() == '+memory +cpu +pids'


def test_v2_without_controllers_is_none(tmp_path):
    # As in test/systemd's booted container without systemd: a cgroup2 mount that lists no controller.
    tree(tmp_path, {'cgroup.controllers': '\n'})
    where = limits.detect(str(tmp_path), '0::/\n', systemd_running=False)
    assert where['mode'] == 'none'
    assert 'no limit' in where['why']


def test_systemd_is_reported_not_written(tmp_path):
    tree(tmp_path, {'cgroup.controllers': 'cpu memory pids\n'})
    assert limits.detect(str(tmp_path), '0::/system.slice/jupyterhub.service\n', systemd_running=True)['mode'] == 'systemd'


def test_nothing_mounted_is_none(tmp_path):
    assert limits.detect(str(tmp_path), '', systemd_running=False)['mode'] == 'none'


def test_oom_counter(tmp_path):
    tree(tmp_path, {'v2/memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
                    'v1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n'})
    assert limits.oom_kills(str(tmp_path / 'v2')) == 1
    assert limits.oom_kills(str(tmp_path / 'v1')) == 2
    assert limits.oom_kills(str(tmp_path / 'none')) is None
