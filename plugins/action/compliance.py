# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.compliance: on the controller the module's handler runs in the worker.

See plugins/plugin_utils/_controller_module.py. Beside the task's options it reads the
variables netraven_compliance_file (the rules file, when the task gives neither rules nor
rules_file) and netraven_platforms_file, so that playbooks/backup.yml's task needs no
templated option.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.netraven.netraven.plugins.modules import compliance
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import ControllerModuleAction


class ActionModule(ControllerModuleAction):
    """netraven.netraven.compliance in the controller's worker."""

    MODULE_FILE = compliance

    def task_args(self, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The task's options, with the rules file and the platforms file from their variables when it leaves them out."""
        args = dict(self._task.args)
        for option, variable in compliance.VARIABLE_OPTIONS.items():
            value = task_vars.get(variable)
            if args.get(option) is None and value not in (None, ""):
                if option == "rules_file" and args.get("rules") is not None:
                    continue
                if isinstance(value, str) and "{{" in value:
                    value = self._templar.template(value)
                args[option] = value
        return args
