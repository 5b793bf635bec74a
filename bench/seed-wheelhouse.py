#!/usr/bin/python3
"""A local wheelhouse for the "seed's way" benchmark (bench/first-spawn.ts).

The seed (jupyterhub4family 1.0) pip-installed jupyterhub, jupyterlab and notebook
into a kid's ~/.local at the first spawn, from PyPI. This machine reaches no Python
package index, so the wheels are made here from what Debian has installed: each
Python distribution that the given Debian packages need (their Depends, followed
through every installed package that ships Python code), repacked as a wheel of
the files Debian installed for it (symlinks followed, so notebook's JavaScript that
Debian keeps in /usr/share/javascript is inside, as in PyPI's wheel). Debian strips
most install_requires from its metadata, so each wheel's Requires-Dist is made
from Debian's Depends instead: pip resolves `jupyterhub notebook` from the
wheelhouse to the same closure apt did.

    seed-wheelhouse.py OUT_DIR DEBIAN_PACKAGE...
prints one JSON line: {"wheels": N, "bytes": B, "roots": {dist: version}, "missing": [...]}.
Runs as root inside the sandbox; OUT_DIR must not exist (made 0755 here).
"""
import base64
import email.parser
import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile

DIST = '/usr/lib/python3/dist-packages'
META_RE = re.compile(r'^(?P<name>[^/]+?)-(?P<version>[^-/]+?)(?:-py[0-9.]+)?\.(?:egg|dist)-info$')


def dpkg(*args):
    return subprocess.run(['dpkg-query', *args], check=True, capture_output=True, text=True).stdout


def installed(pkg):
    r = subprocess.run(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', pkg], capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.startswith('ii')


def depends(pkg):
    """Installed packages pkg depends on (first installed one of each alternative)."""
    text = dpkg('-W', '-f=${Depends}, ${Pre-Depends}', pkg)
    out = []
    for clause in text.split(','):
        for alt in clause.split('|'):
            name = re.sub(r'\(.*?\)', '', alt).strip().split(':')[0]
            if name and installed(name):
                out.append(name)
                break
    return out


def python_files(pkg):
    """The package's paths directly under dist-packages (top-level modules, packages, metadata)."""
    tops = set()
    for line in dpkg('-L', pkg).splitlines():
        if line.startswith(DIST + '/'):
            tops.add(line[len(DIST) + 1:].split('/')[0])
    return sorted(tops)


def normalize(name):
    return re.sub(r'[-_.]+', '_', name).lower()


def walk(top):
    """(absolute path, path in the wheel) of every file of a top-level entry, symlinks followed, no caches."""
    path = os.path.join(DIST, top)
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path, followlinks=True):
            dirs[:] = sorted(d for d in dirs if d != '__pycache__')
            for f in sorted(files):
                if f.endswith('.pyc'):
                    continue
                full = os.path.join(root, f)
                if os.path.isfile(full):
                    yield full, os.path.relpath(full, DIST)
    elif os.path.isfile(path) and not top.endswith('.pyc'):
        yield path, top


def record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return f'{arcname},sha256={digest},{len(data)}'


def main():
    out_dir, roots = sys.argv[1], sys.argv[2:]
    os.mkdir(out_dir, 0o755)
    # Debian packages reachable from the roots that ship Python code.
    seen, todo, pkgs = set(), list(roots), []
    while todo:
        pkg = todo.pop(0)
        if pkg in seen:
            continue
        seen.add(pkg)
        tops = python_files(pkg)
        if tops or pkg in roots:
            pkgs.append(pkg)
            todo.extend(depends(pkg))
    # Each package's distributions (its *.dist-info / *.egg-info) and their files.
    dists = {}  # normalized name -> info
    owner = {}  # package -> [normalized names]
    for pkg in pkgs:
        tops = python_files(pkg)
        metas = [t for t in tops if META_RE.match(t) and os.path.isdir(os.path.join(DIST, t))]
        code = [t for t in tops if t not in metas and t != '__pycache__']
        owner[pkg] = []
        for meta in metas:
            path = os.path.join(DIST, meta)
            header = 'METADATA' if meta.endswith('.dist-info') else 'PKG-INFO'
            with open(os.path.join(path, header), encoding='utf-8', errors='replace') as f:
                msg = email.parser.Parser().parse(f, headersonly=True)
            top_level = []
            if os.path.isfile(os.path.join(path, 'top_level.txt')):
                with open(os.path.join(path, 'top_level.txt'), encoding='utf-8') as f:
                    top_level = [l.strip() for l in f if l.strip()]
            key = normalize(msg['Name'])
            dists[key] = {'name': msg['Name'], 'version': msg['Version'], 'summary': msg.get('Summary', ''), 'meta': path,
                          'top_level': top_level, 'package': pkg, 'code': []}
            owner[pkg].append(key)
        # One distribution: all the package's code; several: split by top_level.txt.
        for top in code:
            stem = top.split('.')[0]
            keys = owner[pkg]
            if not keys:
                continue
            match = [k for k in keys if stem in dists[k]['top_level']] or keys[:1]
            dists[match[0]]['code'].append(top)
    # Requires-Dist from Debian's Depends: every distribution of every dependency.
    for key, info in dists.items():
        info['requires'] = sorted({dists[k]['name'] for dep in depends(info['package']) for k in owner.get(dep, [])} - {info['name']})

    platform_tag = 'cp{0}{1}-cp{0}{1}-{2}'.format(*sys.version_info[:2], sysconfig.get_platform().replace('-', '_').replace('.', '_'))
    total = 0
    for key, info in sorted(dists.items()):
        files = [pair for top in info['code'] for pair in walk(top)]
        binary = any(a.endswith('.so') or '.so.' in a for _, a in files)
        tag = platform_tag if binary else 'py3-none-any'
        version = re.sub(r'[^A-Za-z0-9.+]', '.', info['version'])
        stem = f"{key}-{version}"
        dist_info = f'{stem}.dist-info'
        wheel = os.path.join(out_dir, f'{stem}-{tag}.whl')
        records = []
        with zipfile.ZipFile(wheel, 'w', zipfile.ZIP_DEFLATED) as z:
            for full, arc in files:
                with open(full, 'rb') as f:
                    data = f.read()
                z.writestr(arc, data)
                records.append(record_line(arc, data))
            metadata = [f"Metadata-Version: 2.1", f"Name: {info['name']}", f"Version: {version}",
                        f"Summary: {info['summary']} (repacked from Debian's {info['package']} for a benchmark)"]
            metadata += [f'Requires-Dist: {r}' for r in info['requires']]
            extra = {
                'METADATA': '\n'.join(metadata) + '\n',
                'WHEEL': f'Wheel-Version: 1.0\nGenerator: jupyterhub4family bench/seed-wheelhouse.py\nRoot-Is-Purelib: {"false" if binary else "true"}\nTag: {tag}\n',
            }
            for name in ('entry_points.txt', 'top_level.txt'):
                if os.path.isfile(os.path.join(info['meta'], name)):
                    with open(os.path.join(info['meta'], name), encoding='utf-8') as f:
                        extra[name] = f.read()
            for name, text in extra.items():
                data = text.encode()
                z.writestr(f'{dist_info}/{name}', data)
                records.append(record_line(f'{dist_info}/{name}', data))
            records.append(f'{dist_info}/RECORD,,')
            z.writestr(f'{dist_info}/RECORD', '\n'.join(records) + '\n')
        os.chmod(wheel, 0o644)
        total += os.path.getsize(wheel)
    root_dists = {dists[k]['name']: dists[k]['version'] for r in roots for k in owner.get(r, [])}
    print(json.dumps({'wheels': len(dists), 'bytes': total, 'roots': root_dists, 'packages': len(pkgs)}))


if __name__ == '__main__':
    main()
