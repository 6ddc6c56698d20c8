# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.jump_host: on the controller the module's handler runs in the worker.

See plugins/plugin_utils/_controller_module.py: as a module, every task and loop item cost a
fresh Python and the import of SQLAlchemy; on another host than the controller the module is
shipped there as before.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.modules import jump_host
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import ControllerModuleAction


class ActionModule(ControllerModuleAction):
    """netraven.netraven.jump_host in the controller's worker."""

    MODULE_FILE = jump_host
