# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.credential: on the controller the module's handler runs in the worker.

See plugins/plugin_utils/_controller_module.py: as a module, every task and loop item cost a
fresh Python and the import of SQLAlchemy; on another host than the controller the module is
shipped there as before.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._backup._prefork import prepare_before_fork
from ansible_collections.netraven.netraven.plugins.modules import credential
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import ControllerModuleAction

prepare_before_fork()  # the salt and the derived key, once: each loop item's worker inherits them


class ActionModule(ControllerModuleAction):
    """netraven.netraven.credential in the controller's worker."""

    MODULE_FILE = credential
