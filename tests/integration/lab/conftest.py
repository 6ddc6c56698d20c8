"""Make the device lab importable and its fixtures available to these tests.

The root conftest is expected to declare ``pytest_plugins = ["devicelab.pytest_plugin"]``;
this file keeps the lab's own tests runnable without it (e.g.
``pytest tests/integration/lab`` from any checkout).
"""

import os
import sys

_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from devicelab.pytest_plugin import device_lab, device_lab_process  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position
