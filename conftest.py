"""Test-session set-up shared by every pytest run from a checkout.

The collection's code imports itself as ``ansible_collections.netraven.netraven``. A
checkout is not laid out that way, so this maps the repo into a collections tree
(``.tmp/collections/ansible_collections/netraven/netraven`` -> repo) and puts it on
sys.path; the same tree is what ansible-playbook subprocesses get through
ANSIBLE_COLLECTIONS_PATH. Inside ansible-test's own tree this does nothing.
"""

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
