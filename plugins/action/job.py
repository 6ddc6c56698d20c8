# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.job: on the controller the job runs in the worker, not as a module.

As a module, each job task (the start and the finish of every backup run) cost a fresh
Python, the import of SQLAlchemy and the core, and the module's packaging: about a second
of the run's fixed cost each. In the worker the imports are inherited from the parent,
which imported this plugin before the fork (docs/architecture.md, "Why the backup is an
action plugin"), and the task takes a few tens of milliseconds.

The task does exactly what the module does (module_utils._jobs._task.run_job, the same
argument spec and rules, check mode). When the task runs on another host than the
controller (a play over a database server, without delegate_to), the module is shipped
there as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.collection_loader import resource_from_fqcr

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import HAS_CRYPTOGRAPHY, secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._task import run_job
from ansible_collections.netraven.netraven.plugins.modules.job import ARGUMENT_SPEC, RULES
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._backup._prefork import prepare_before_fork

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

prepare_before_fork()  # The job logs' statements, the engine and the keys, before the fork.


class ActionModule(ActionBase):
    """Start, finish or close NetRaven jobs in the controller's worker."""

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def _on_controller(self) -> bool:
        return bool(resource_from_fqcr(self._connection.transport) == "local")

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        if not self._on_controller():
            shipped: Dict[str, Any] = self._execute_module(module_name="netraven.netraven.job", module_args=self._task.args,
                                                           task_vars=task_vars)
            return shipped
        result: Dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        if not HAS_SQLALCHEMY or not HAS_CRYPTOGRAPHY:
            raise AnsibleActionFail("netraven.netraven.job needs SQLAlchemy and cryptography on the controller: "
                                    "pip install -r requirements.txt from the collection")
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC, **RULES)
        del validation
        engine: Optional[Engine] = None
        try:
            engine = create_db_engine(args.get("db_url"))
            result.update(run_job(engine, lambda: secret_box_for(engine, args.get("encryption_key")),
                                  args, bool(self._task.check_mode)))
        except NetRavenError as error:
            result.update(failed=True, changed=False, msg=str(error))
        finally:
            if engine is not None:
                engine.dispose()
        # As AnsibleModule does for a module's result: no no_log value (the URL, the key) in it.
        secrets = [args[name] for name in ("db_url", "encryption_key") if args.get(name)]
        if secrets:
            result = remove_values(result, secrets)
        return result
