"""community.general for tests that run its modules (community.general.mail), without Galaxy.

Galaxy is out of reach here; the ``ansible`` package on PyPI bundles community.general. Its
wheel (about 55 MB) is downloaded once with pip into .cache/ and only
ansible_collections/community/general is extracted (about 10 MB): nothing is vendored.
"""

import os
import subprocess
import sys
import zipfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(REPO_ROOT, ".cache", "community-general")
# The community package release that pairs with the ansible-core we test (2.19).
ANSIBLE_PACKAGE = "ansible>=12,<13"
PREFIX = "ansible_collections/community/general/"


def community_general_path():
    """A collections path holding community.general (downloaded and extracted on first use)."""
    root = os.path.join(CACHE, "collections")
    if os.path.exists(os.path.join(root, PREFIX, "plugins", "modules", "mail.py")):
        return root
    wheels = os.path.join(CACHE, "wheels")
    os.makedirs(wheels, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", wheels, ANSIBLE_PACKAGE],
                   check=True, capture_output=True, timeout=600)
    wheel = sorted(name for name in os.listdir(wheels) if name.startswith("ansible-") and name.endswith(".whl"))[-1]
    partial = root + ".partial"
    with zipfile.ZipFile(os.path.join(wheels, wheel)) as archive:
        archive.extractall(partial, [name for name in archive.namelist() if name.startswith(PREFIX)])
    os.replace(partial, root)
    os.unlink(os.path.join(wheels, wheel))
    return root
