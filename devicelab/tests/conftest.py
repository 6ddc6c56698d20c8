"""The device lab's own tests: the lab importable, and its fixtures (device_lab, device_lab_process) in scope.

``make test`` runs them (pytest.ini's testpaths); alone: ``pytest devicelab/tests``.
Every test here talks to the lab, so each is marked ``lab``.
"""

import os
import sys

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from devicelab.pytest_plugin import device_lab, device_lab_process  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position
