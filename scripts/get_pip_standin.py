#!/usr/bin/env python
"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test (ansible_test/_util/target/setup/requirements.py, bootstrap()) creates each test
venv with `python -m venv --without-pip`, then runs, inside that venv,

    python quiet_pip.py --disable-pip-version-check pip==<pin> [--no-setuptools] [--no-wheel]

with GET_PIP=~/.ansible/test/cache/get_pip_<pin with _ for .>.py; quiet_pip.py runs that file
as __main__ with those arguments.  It downloads the file from a host we cannot reach unless the
cache file exists, so scripts/ansible_test.py puts this script there.

What it does: bring pip into the running interpreter with ensurepip (or, where the interpreter
has no ensurepip, from the pip wheel on the package index), then `python -m pip install` the
requested packages (normally the exact pip version ansible-test pins).  --no-setuptools /
--no-wheel are get-pip's own options: setuptools/wheel that ensurepip brought in are removed.

ensurepip deletes every PIP_* variable and sets PIP_CONFIG_FILE=/dev/null in os.environ (see
ensurepip.bootstrap); the environment is therefore copied before anything else runs, and the
pip install gets that original copy, so the index, find-links and certificate settings apply.
"""

from __future__ import annotations

import importlib.util
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request

GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def log(msg: str) -> None:
    print('get-pip stand-in: %s' % msg, file=sys.stderr, flush=True)


def run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        log('failed (exit %d): %s' % (proc.returncode, ' '.join(cmd)))
        sys.exit(proc.returncode)


def requested_pip(packages: list[str]) -> str | None:
    for spec in packages:
        if spec.lower().startswith('pip=='):
            return spec.split('==', 1)[1]
    return None


def pip_from_index(version: str | None, env: dict[str, str]) -> None:
    """Install pip from its wheel on PyPI (for interpreters built without ensurepip)."""
    context = ssl.create_default_context()
    for cafile in (env.get('PIP_CERT'), env.get('SSL_CERT_FILE'), '/etc/ssl/certs/ca-certificates.crt'):
        if cafile and os.path.isfile(cafile):
            context.load_verify_locations(cafile)
    url = 'https://pypi.org/pypi/pip/%s/json' % version if version else 'https://pypi.org/pypi/pip/json'
    with urllib.request.urlopen(url, context=context, timeout=120) as response:
        meta = json.load(response)
    wheel = next(item for item in meta['urls'] if item['filename'].endswith('.whl'))
    with tempfile.TemporaryDirectory(prefix='get-pip-') as tmp:
        path = os.path.join(tmp, wheel['filename'])
        with urllib.request.urlopen(wheel['url'], context=context, timeout=300) as response, open(path, 'wb') as out:
            out.write(response.read())
        # A pip wheel runs from the zip: install it with itself.
        run([sys.executable, os.path.join(path, 'pip'), 'install', '--no-index', '--disable-pip-version-check', path], env)


def main() -> None:
    original_env = dict(os.environ)  # before ensurepip can strip PIP_* (see the docstring)
    original_env.pop('GET_PIP', None)

    args = sys.argv[1:]
    options = [a for a in args if a.startswith('-') and a not in GET_PIP_ONLY]
    packages = [a for a in args if not a.startswith('-')]
    had_setuptools = importlib.util.find_spec('setuptools') is not None
    had_wheel = importlib.util.find_spec('wheel') is not None

    if importlib.util.find_spec('pip') is None:
        if importlib.util.find_spec('ensurepip') is not None:
            # In a child process: ensurepip's changes to os.environ stay there.
            run([sys.executable, '-m', 'ensurepip', '--default-pip'], dict(original_env))
        else:
            log('this interpreter has no ensurepip, fetching pip from the index')
            pip_from_index(requested_pip(packages), original_env)

    if packages:
        run([sys.executable, '-m', 'pip', 'install'] + options + packages, original_env)

    importlib.invalidate_caches()
    remove = []
    if '--no-setuptools' in args and not had_setuptools and importlib.util.find_spec('setuptools') is not None:
        remove.append('setuptools')
    if '--no-wheel' in args and not had_wheel and importlib.util.find_spec('wheel') is not None:
        remove.append('wheel')
    if remove:
        run([sys.executable, '-m', 'pip', 'uninstall', '-y', '-q', '--disable-pip-version-check'] + remove, original_env)


if __name__ == '__main__':
    main()
