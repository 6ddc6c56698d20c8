#!/usr/bin/env python
"""Run ansible-test on a copy of the collection at .../ansible_collections/netraven/netraven.

    python scripts/ansible_test.py --venv .venv sanity [ansible-test args...]
    python scripts/ansible_test.py --venv .venv-newest units [ansible-test args...]

ansible-test must run from inside an ansible_collections/<namespace>/<name>/ tree; the repo
root is the collection root but not at such a path.  So:

* the files git would ship (tracked, plus untracked files that are not ignored:
  `git ls-files -co --exclude-standard`) are copied afresh into
  .tmp/ansible-test/<command>-<core X.Y>/ansible_collections/netraven/netraven/, which is made
  a git repository (ansible-test lists files with git when it can);
* ansible-test runs with a HOME of its own, .cache/ansible-test/home-<command>-<core X.Y>, so
  parallel runs do not collide while its venvs (~/.ansible/test/venv) survive between runs;
* that HOME gets the stand-in for the pip bootstrap script ansible-test would download
  (scripts/get_pip_standin.py, at ~/.ansible/test/cache/get_pip_<pin>.py for every pip
  version this ansible-test pins), and a pip.conf that carries the caller's pip settings
  (user pip.conf and PIP_* variables: ansible-test passes only HOME, PATH and a few others to
  pip), with the caller's pip cache;
* `--python X.Y` is the venv's own version (interpreter auto-detection trips over pyenv
  shims); `units` also gets `--requirements` (a no-op when the venv has everything).
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE, NAME = 'netraven', 'netraven'
STANDIN = os.path.join(ROOT, 'scripts', 'get_pip_standin.py')
# Never copied when git is unavailable (the walk fallback).
WALK_EXCLUDE = {'.git', '.tmp', '.cache', '.collections', '.demo', '.pytest_cache', '__pycache__'}

PIN_PROBE = r'''
import json, types
from ansible_test._internal import python_requirements as pr
from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS
pins = sorted({pr.get_venv_packages(types.SimpleNamespace(version=v))['pip'] for v in SUPPORTED_PYTHON_VERSIONS})
import ansible.release
print(json.dumps({"core": ansible.release.__version__, "pins": pins}))
'''


def log(msg: str) -> None:
    print(f'[ansible-test wrapper] {msg}', file=sys.stderr, flush=True)


def venv_info(python: str) -> dict:
    """ansible-core version, Python X.Y and the pip versions ansible-test bootstraps."""
    import json

    out = subprocess.run([python, '-c', PIN_PROBE], capture_output=True, text=True, check=False)
    if out.returncode == 0:
        info = json.loads(out.stdout)
    else:  # internal API changed: read the pin from the source instead
        log('could not ask ansible-test for its pip pin, reading its source')
        src = subprocess.run([python, '-c', 'import ansible_test, ansible.release, os; '
                              'print(os.path.dirname(ansible_test.__file__)); print(ansible.release.__version__)'],
                             capture_output=True, text=True, check=True).stdout.split('\n')
        with open(os.path.join(src[0], '_internal', 'python_requirements.py'), encoding='utf-8') as handle:
            pins = sorted(set(re.findall(r"""\bpip\s*=\s*['"]([0-9][^'"]*)['"]""", handle.read())))
        if not pins:
            raise SystemExit('cannot find the pip version ansible-test pins')
        info = {'core': src[1].strip(), 'pins': pins}
    info['python'] = subprocess.run([python, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
                                    capture_output=True, text=True, check=True).stdout.strip()
    info['core_xy'] = '.'.join(info['core'].split('.')[:2])
    return info


def collection_files() -> list[str]:
    try:
        out = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard', '-z'], cwd=ROOT,
                             capture_output=True, check=True).stdout
        return [p for p in out.decode('utf-8', 'surrogateescape').split('\0') if p]
    except (OSError, subprocess.CalledProcessError):
        log('not a git checkout: copying the tree minus build/venv/cache directories')
        files = []
        for dirpath, dirnames, filenames in os.walk(ROOT):
            rel = os.path.relpath(dirpath, ROOT)
            dirnames[:] = [d for d in dirnames if d not in WALK_EXCLUDE and not d.startswith('.venv')
                           and os.path.normpath(os.path.join(rel, d)) != os.path.join('tests', 'output')]
            files.extend(os.path.normpath(os.path.join(rel, f)) for f in filenames)
        return files


def make_tree(label: str) -> str:
    base = os.path.join(ROOT, '.tmp', 'ansible-test', label)
    tree = os.path.join(base, 'ansible_collections', NAMESPACE, NAME)
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(tree)
    count = 0
    for rel in collection_files():
        src = os.path.join(ROOT, rel)
        if not os.path.lexists(src):  # tracked but deleted in the work tree
            continue
        dst = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isfile(src):
            shutil.copy2(src, dst)
        else:
            continue
        count += 1
    if shutil.which('git'):
        git = ['git', '-c', 'init.defaultBranch=main', '-c', 'core.autocrlf=false']
        subprocess.run(git + ['init', '-q'], cwd=tree, check=True)
        subprocess.run(git + ['add', '-A'], cwd=tree, check=True)
    log(f'{count} files copied to {os.path.relpath(tree, ROOT)}')
    return tree


def caller_pip_config() -> configparser.RawConfigParser:
    """The caller's user-level pip settings and PIP_* variables, as one config file."""
    conf = configparser.RawConfigParser()
    home = os.path.expanduser('~')
    xdg = os.environ.get('XDG_CONFIG_HOME') or os.path.join(home, '.config')
    files = [os.path.join(home, '.pip', 'pip.conf'), os.path.join(xdg, 'pip', 'pip.conf')]
    if os.environ.get('PIP_CONFIG_FILE') and os.path.isfile(os.environ['PIP_CONFIG_FILE']):
        files.append(os.environ['PIP_CONFIG_FILE'])
    conf.read([f for f in files if os.path.isfile(f)], encoding='utf-8')
    if not conf.has_section('global'):
        conf.add_section('global')
    for key, value in os.environ.items():
        if key.startswith('PIP_') and key != 'PIP_CONFIG_FILE':
            conf.set('global', key[4:].lower().replace('_', '-'), value)
    if not any(conf.has_option('global', k) for k in ('cache-dir', 'no-cache-dir')):
        cache = os.environ.get('XDG_CACHE_HOME') or os.path.join(home, '.cache')
        conf.set('global', 'cache-dir', os.path.join(cache, 'pip'))
    return conf


def prepare_home(label: str, pins: list[str]) -> str:
    home = os.path.join(ROOT, '.cache', 'ansible-test', f'home-{label}')
    cache = os.path.join(home, '.ansible', 'test', 'cache')
    os.makedirs(cache, exist_ok=True)
    with open(STANDIN, 'rb') as handle:
        standin = handle.read()
    for pin in pins:
        # ansible-test's name for the cached script: get_pip_<version with . -> _>.py
        path = os.path.join(cache, 'get_pip_%s.py' % pin.replace('.', '_'))
        if not os.path.exists(path) or open(path, 'rb').read() != standin:
            with open(path, 'wb') as handle:
                handle.write(standin)
    pipdir = os.path.join(home, '.config', 'pip')
    os.makedirs(pipdir, exist_ok=True)
    fd = os.open(os.path.join(pipdir, 'pip.conf'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, 'w', encoding='utf-8') as handle:
        caller_pip_config().write(handle)
    return home


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--venv', default='.venv', help='virtualenv holding ansible-core (default .venv)')
    parser.add_argument('command', choices=('sanity', 'units'))
    args, extra = parser.parse_known_args()

    venv = os.path.abspath(os.path.join(ROOT, args.venv))
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.exists(python):
        raise SystemExit(f'{args.venv} does not exist: run `make venv` first')
    info = venv_info(python)
    label = f'{args.command}-{info["core_xy"]}'
    log(f'ansible-core {info["core"]}, Python {info["python"]}, pip bootstrap pin(s) {", ".join(info["pins"])}')

    tree = make_tree(label)
    home = prepare_home(label, info['pins'])

    cmd = [os.path.join(venv, 'bin', 'ansible-test'), args.command, '--python', info['python']]
    if args.command == 'units':
        cmd.append('--requirements')
    cmd += extra
    env = dict(os.environ, HOME=home, PATH=os.path.join(venv, 'bin') + os.pathsep + os.environ.get('PATH', ''))
    env.pop('VIRTUAL_ENV', None)
    log(f'HOME={os.path.relpath(home, ROOT)}; running: {" ".join(cmd[1:])}')
    sys.stdout.flush()
    os.chdir(tree)
    os.execve(cmd[0], cmd, env)  # signals go straight to ansible-test


if __name__ == '__main__':
    sys.exit(main())
