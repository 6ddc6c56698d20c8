# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a management module's handler in the controller's worker instead of as a module.

As a module, every task, and every item of a loop, starts a fresh Python on the target that
imports SQLAlchemy and the core: about 0.7 s each, so describing an estate of 500 devices
with ``netraven.netraven.device`` in a loop took minutes. On the controller (a ``local``
connection: a play over localhost, or ``delegate_to: localhost``) the action plugin of the
same name calls the module's own handler in Ansible's forked worker, where those imports
are inherited from the controller. On any other host the module is shipped there as before.

The handler sees what it sees in a module (``_module_base.NetRavenModule``): ``params``
validated with the module's own argument spec and rules, ``check_mode``, ``engine``,
``secret_box()``, ``warn()``, ``no_log`` (the task's, as AnsibleModule.no_log), and a NetRavenError
becomes a one-line failure. As AnsibleModule does, the values of ``no_log`` options are masked
in the whole result.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Protocol, Set

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.collection_loader import resource_from_fqcr

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import HAS_CRYPTOGRAPHY
from ansible_collections.netraven.netraven.plugins.module_utils._errors import NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._module_base import (
    ArgSpec,
    DatabaseAccess,
    HandlerModule,
    Result,
    run_handler,
)


class ModuleFile(Protocol):
    """What an action takes from its module file (plugins/modules/<name>.py): the spec, its rules, the handler.

    A module may also define ``secrets(params)``, read with hasattr.
    """

    __name__: str
    ARGUMENT_SPEC: ArgSpec
    RULES: Dict[str, Any]

    def handler(self, mod: HandlerModule) -> Result: ...


class InProcessModule(DatabaseAccess):
    """The part of NetRavenModule a handler uses (DatabaseAccess, params, modes, warn), for a handler in the worker."""

    def __init__(self, params: Dict[str, Any], check_mode: bool, diff: bool, no_log: bool = False) -> None:
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.no_log = no_log
        self.warnings: List[str] = []

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)


def validation_error(validation: Any, module_name: str) -> str | None:
    """The one-line message of a failed ArgumentSpecValidator validation, worded as ansible-core's; None when valid."""
    if not validation.error_messages:
        return None
    message: str = validation.errors.msg
    if isinstance(validation.errors[0], UnsupportedError):
        message = "Unsupported parameters for (%s) module: %s" % (module_name, message)
    return message


def no_log_values(argument_spec: ArgSpec, params: Dict[str, Any]) -> Set[str]:
    """The values of the options marked no_log (the URL, the key, a password), as AnsibleModule masks them."""
    return {str(params[name]) for name, option in argument_spec.items()
            if option.get("no_log") and params.get(name) not in (None, "")}


class ControllerModuleAction(ActionBase):
    """The action of a management module: its handler in the worker on the controller, the module elsewhere.

    A subclass gives MODULE_FILE, the module's Python module, whose ARGUMENT_SPEC, RULES
    (required_one_of and the like) and handler both paths share, and its ``secrets(params)``
    where a value holds a secret that no_log cannot mark (a password in a URL).
    """

    TRANSFERS_FILES = False
    _supports_check_mode = True
    MODULE_FILE: ModuleFile  # every subclass names its module file; __init_subclass__ takes the rest from it
    MODULE = ""
    ARGUMENT_SPEC: ArgSpec = {}
    RULES: Dict[str, Any] = {}
    HANDLER: Callable[[HandlerModule], Result]
    SECRETS: Optional[Callable[[Dict[str, Any]], Iterable[str]]] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        module = cls.MODULE_FILE
        cls.MODULE = "netraven.netraven." + module.__name__.rsplit(".", 1)[-1]
        cls.ARGUMENT_SPEC, cls.RULES = module.ARGUMENT_SPEC, module.RULES
        cls.HANDLER = staticmethod(module.handler)
        cls.SECRETS = staticmethod(module.secrets) if hasattr(module, "secrets") else None

    def _on_controller(self) -> bool:
        return bool(resource_from_fqcr(self._connection.transport) == "local")

    def task_args(self, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The options the handler gets: the task's own (a subclass may add some from variables)."""
        del task_vars
        args: Dict[str, Any] = self._task.args
        return args

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        args = self.task_args(task_vars or {})
        if not self._on_controller():
            shipped: Dict[str, Any] = self._execute_module(module_name=self.MODULE, module_args=args, task_vars=task_vars)
            return shipped
        result: Dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        if not HAS_SQLALCHEMY or ("encryption_key" in self.ARGUMENT_SPEC and not HAS_CRYPTOGRAPHY):
            raise AnsibleActionFail("%s needs SQLAlchemy and cryptography on the controller: "
                                    "pip install -r requirements.txt from the collection" % self.MODULE)
        validation = ArgumentSpecValidator(self.ARGUMENT_SPEC, **self.RULES).validate(args)
        secrets = no_log_values(self.ARGUMENT_SPEC, validation.validated_parameters)
        if self.SECRETS:
            secrets.update(self.SECRETS(validation.validated_parameters))
        message = validation_error(validation, self.MODULE)
        if message:
            result.update(failed=True, changed=False, msg=message)
            masked: Dict[str, Any] = remove_values(result, secrets)
            return masked
        module = InProcessModule(validation.validated_parameters, bool(self._task.check_mode), bool(self._task.diff),
                                 bool(self._task.no_log))
        try:
            result.update(run_handler(self.HANDLER, module))
        except NetRavenError as error:
            result.update(failed=True, changed=False, msg=str(error))
        if module.warnings:
            result["warnings"] = module.warnings
        if secrets:
            result = remove_values(result, secrets)
        return result
