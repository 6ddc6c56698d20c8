# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.migrate: the schema upgrade runs on the controller.

The Alembic migrations ship in the collection's ``migrations/`` folder, which exists only
on the controller; a module would run on the managed node (or in a copy of itself) without
them. Running here also means an installed collection, as AWX has it, can migrate its
database without a checkout.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from ansible.plugins.action import ActionBase

from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._db._migrations import migrate
from ansible_collections.netraven.netraven.plugins.modules.migrate import ARGUMENT_SPEC, RULES


class ActionModule(ActionBase):
    """Upgrade the NetRaven database to a revision; report what changed, or would in check mode."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result: Dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, **RULES)
        try:
            result.update(migrate(args.get("db_url"), args["revision"], check_mode=bool(self._task.check_mode)))
        except NetRavenError as error:
            result.update(failed=True, changed=False, msg=str(error))
        return result
