"""The built collection: what ships, and that an installed copy works without a checkout.

One build per session (module-scoped fixture) from a scratch copy of the checkout, in
which the development-only trees exist for sure, so galaxy.yml's build_ignore is what
keeps them out. The installed copy must render every module's documentation and run
``ansible-playbook netraven.netraven.migrate`` from its own shipped migrations.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import SCHEMA_REVISION

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r"^localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)

MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
MIGRATION_VERSIONS = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, "migrations", "versions"))
                            if name.endswith(".py"))

# Development-only content that must never ship; created in the scratch copy when absent.
DEV_ONLY = {
    "devicelab/server.py": "",
    "benchmarks/bench_inventory.py": "",
    ".ci/run": "#!/bin/sh\n",
    "scripts/venv.sh": "#!/bin/sh\n",
    "Makefile": "test:\n",
    ".venv/pyvenv.cfg": "home = /usr/bin\n",
    ".tmp/scratch.txt": "",
    ".ansible/.lock": "",
    ".mypy_cache/CACHEDIR.TAG": "",
}
# Trees copied from the checkout would only slow the copy down (and .tmp links back to it).
COPY_IGNORE = shutil.ignore_patterns(".git", ".tmp", ".venv*", ".cache", ".collections", ".demo", ".ansible",
                                     "__pycache__", ".pytest_cache", "*.tar.gz")


def tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else name


def run(command, env, cwd=None):
    completed = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    return completed.returncode, completed.stdout, completed.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build once from a scratch copy and install the tarball into a scratch collections path."""
    base = tmp_path_factory.mktemp("collection-build")
    source = base / "source"
    shutil.copytree(REPO_ROOT, str(source), symlinks=True, ignore=COPY_IGNORE)
    for relative, content in DEV_ONLY.items():
        path = source / relative
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)

    installed = base / "collections"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ANSIBLE_", "NETRAVEN_")) and key != "PYTHONPATH"}
    env.update({
        "HOME": str(base / "home"),
        "ANSIBLE_COLLECTIONS_PATH": str(installed),
        "ANSIBLE_LOCAL_TEMP": str(base / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_GALAXY_SERVER_LIST": "",
    })
    (base / "home").mkdir()

    rc, out, err = run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(base / "dist")],
                       env, cwd=str(source))
    assert rc == 0, out + err
    (tarball,) = (base / "dist").glob("netraven-netraven-*.tar.gz")
    with tarfile.open(str(tarball)) as archive:
        names = set(archive.getnames())

    rc, out, err = run([tool("ansible-galaxy"), "collection", "install", "--offline", "-p", str(installed),
                        str(tarball)], env)
    assert rc == 0, out + err
    return {"names": names, "env": env, "base": base,
            "root": installed / "ansible_collections" / "netraven" / "netraven"}


def test_tarball_ships_the_collection(built):
    names = built["names"]
    expected = ["MANIFEST.json", "FILES.json", "meta/runtime.yml", "migrations/alembic.ini", "migrations/env.py", "migrations/script.py.mako",
                "playbooks/migrate.yml", "plugins/action/migrate.py", "plugins/doc_fragments/database.py",
                "plugins/module_utils/_db/_migrations.py", "plugins/module_utils/_db/_models.py", "requirements.txt"]
    expected += ["migrations/versions/%s" % name for name in MIGRATION_VERSIONS]
    expected += ["plugins/modules/%s.py" % name for name in MODULES]
    missing = [name for name in expected if name not in names]
    assert missing == []


def test_tarball_leaves_development_files_out(built):
    names = built["names"]
    for prefix in ("devicelab", "benchmarks", ".ci", "scripts", "Makefile", ".venv", ".tmp", ".ansible", ".git",
                   ".pytest_cache", "conftest.py", "pytest.ini", "mypy.ini", ".mypy_cache", "requirements-test.txt"):
        leaked = sorted(name for name in names if name == prefix or name.startswith(prefix + "/"))
        assert leaked == [], prefix
    assert not [name for name in names if "__pycache__" in name or name.endswith((".pyc", ".db", ".tar.gz"))]


def test_installed_copy_has_the_migrations(built):
    root = built["root"]
    for name in MIGRATION_VERSIONS:
        assert (root / "migrations" / "versions" / name).is_file()
    assert (root / "migrations" / "env.py").is_file()


@pytest.mark.parametrize("module", MODULES)
def test_module_documentation_renders_from_the_installed_copy(built, module):
    rc, out, err = run([tool("ansible-doc"), "-t", "module", "netraven.netraven.%s" % module], built["env"])
    assert rc == 0, err
    # The header names the installed file, not the checkout's.
    assert "> MODULE netraven.netraven.%s (%s" % (module, built["root"]) in out
    assert "OPTIONS" in out and "EXAMPLES:" in out and "AUTHOR:" in out
    assert "[ERROR]" not in err and "[WARNING]" not in err, err


def test_migrate_playbook_from_the_installed_copy(built):
    url = "sqlite:///%s" % (built["base"] / "fresh.db")
    env = dict(built["env"], NETRAVEN_DB_URL=url)

    def playbook():
        rc, out, err = run([tool("ansible-playbook"), "netraven.netraven.migrate"], env)
        match = RECAP.search(out)
        assert rc == 0 and match, out + err
        assert "Traceback" not in out + err
        return dict(zip(("ok", "changed", "unreachable", "failed"), (int(v) for v in match.groups())))

    first = playbook()
    assert first["changed"] == 1 and first["failed"] == 0
    assert _migrations.current_revision(url) == SCHEMA_REVISION
    second = playbook()
    assert second["changed"] == 0 and second["failed"] == 0
