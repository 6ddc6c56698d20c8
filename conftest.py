"""Test-session set-up shared by every pytest run from a checkout.

The collection's code imports itself as ``ansible_collections.netraven.netraven``. A
checkout is not laid out that way, so this maps the repo into a collections tree
(``.tmp/collections/ansible_collections/netraven/netraven`` -> repo) and puts it on
sys.path; the same tree is what ansible-playbook subprocesses get through
ANSIBLE_COLLECTIONS_PATH. Inside ansible-test's own tree that part does nothing.

It also marks the tests by what they use (pytest.ini lists the markers; tests/README.md
says which rule applies where), here as well as under ansible-test.
"""

import configparser
import os
import sys

REPO_ROOT = os.path.dirname(os.path.abspath(__file__))
COLLECTIONS_PATH = os.path.join(REPO_ROOT, ".tmp", "collections")


def _in_collection_tree():
    parts = REPO_ROOT.split(os.sep)
    return parts[-3:-2] == ["ansible_collections"]


def _link_collection():
    link_dir = os.path.join(COLLECTIONS_PATH, "ansible_collections", "netraven")
    link = os.path.join(link_dir, "netraven")
    os.makedirs(link_dir, exist_ok=True)
    if not os.path.islink(link) or os.path.realpath(link) != REPO_ROOT:
        tmp = link + ".%d" % os.getpid()
        os.symlink(REPO_ROOT, tmp)
        os.replace(tmp, link)


if not _in_collection_tree():
    _link_collection()
    os.environ["NETRAVEN_TEST_COLLECTIONS_PATH"] = COLLECTIONS_PATH
    for path in (COLLECTIONS_PATH, REPO_ROOT):
        if path not in sys.path:
            sys.path.insert(0, path)


# Markers that follow from a fixture the test uses (directly or through other fixtures).
MARKER_FIXTURES = {
    "lab": {"device_lab", "device_lab_process"},
    "postgres": {"pg_db_url"},
    "browser": {"chromium"},
}
LAB_OWN_TESTS = os.path.join(REPO_ROOT, "devicelab", "tests") + os.sep


def pytest_configure(config):
    """Register pytest.ini's markers when another ini file is in charge (ansible-test units passes its own)."""
    registered = {line.split(":", 1)[0].strip() for line in config.getini("markers")}
    ini = configparser.ConfigParser()
    ini.read(os.path.join(REPO_ROOT, "pytest.ini"))
    for line in ini.get("pytest", "markers", fallback="").strip().splitlines():
        if line.split(":", 1)[0].strip() not in registered:
            config.addinivalue_line("markers", line.strip())


def pytest_collection_modifyitems(items):
    """lab, postgres and browser by what a test uses: its fixtures, a 'postgresql' parameter, devicelab/tests."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in MARKER_FIXTURES.items():
            if used & fixtures:
                item.add_marker(marker)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker("postgres")
        if str(item.path).startswith(LAB_OWN_TESTS):
            item.add_marker("lab")
    _slow_files_first(items)


def _slow_files_first(items):
    """Order the files with a slow test before the others, each file's tests together and in order.

    pytest-xdist (--dist loadfile) hands whole files to its workers in this order: a long file
    handed out last would end the run with the other worker idle; started first, the short files
    fill in around it.
    """
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)
