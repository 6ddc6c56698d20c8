# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.backup: the backup runs in the controller's worker.

A module would start a fresh Python per host and import netmiko and SQLAlchemy again
(about 0.8 s of CPU per host, docs/architecture.md). An action plugin runs in the forked worker,
and its module-level imports happen once in the parent, before the fork: the core is
imported here at module level, and the database's engine is made and first connected, its
salt read and the encryption keys derived too (_prefork.prepare_before_fork). Each
worker opens its own database connections after the fork (the engine pools nothing), so no
connection ever crosses a fork.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Optional

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.netraven.netraven.plugins.module_utils._backup._device_backup import DeviceBackup
from ansible_collections.netraven.netraven.plugins.module_utils._backup._options import BackupOptions, tunable_error
from ansible_collections.netraven.netraven.plugins.module_utils._backup._reach import ReachOverrides
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import process_engine, verify_schema
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session import HAS_NETMIKO
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseUnavailableError, NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._user_file import (
    load_platforms_file,
    platforms_file_path,
)
from ansible_collections.netraven.netraven.plugins.module_utils._backup._prefork import prepare_before_fork
from ansible_collections.netraven.netraven.plugins.module_utils._backup._session_log import ensure_log_directory
from ansible_collections.netraven.netraven.plugins.modules.backup import ARGUMENT_SPEC, RULES
from ansible_collections.netraven.netraven.plugins.plugin_utils._controller_module import validation_error

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

prepare_before_fork(netmiko=True)

# Options that a variable netraven_<option> fills when the task does not set them. The playbook
# passes its tunables this way rather than as templated options: Ansible compiles each templated
# option with Jinja afresh in every device's worker, which cost more CPU per device than the
# database work (docs/architecture.md, "Why the backup task has no templated options").
VARIABLE_OPTIONS = ("connect_timeout", "command_timeout", "lockout_threshold", "host_key_checking",
                    "known_hosts_file", "session_log_dir", "platforms_file", "keep_original",
                    # How the device is reached: the inventory gives the database's values as group variables,
                    # which group_vars and host_vars override (_inventory/_hosts.py).
                    "jump_host", "transport", "legacy_ssh", "ssh_config_file")


class ActionModule(ActionBase):
    """Back up one device (the inventory host) through its credential chain."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def _validated_args(self, task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """The task's options, with netraven_<option> variables for the VARIABLE_OPTIONS it leaves out, validated.

        A bad variable is named as the variable, in one line, like a bad option.
        """
        args = dict(self._task.args)
        from_vars: Dict[str, Any] = {}
        for name in VARIABLE_OPTIONS:
            value = task_vars.get("netraven_" + name)
            if args.get(name) is None and value is not None:
                if isinstance(value, str) and "{{" in value:
                    value = self._templar.template(value)
                args[name] = from_vars[name] = value
        validation = ArgumentSpecValidator(ARGUMENT_SPEC, **RULES).validate(args)
        message = validation_error(validation, self._load_name)
        if message:
            for name in from_vars:
                if "'%s'" % name in message:
                    message = "variable netraven_%s: %s" % (name, message)
                    break
            raise AnsibleActionFail(message, obj=self._task.args)
        validated: Dict[str, Any] = validation.validated_parameters
        return validated

    def _var(self, task_vars: Dict[str, Any], name: str) -> Any:
        """A variable's value, templated when a play defines it as a template (never inventory data)."""
        value = task_vars.get(name)
        if isinstance(value, str) and "{{" in value and name == "netraven_job_id":
            value = self._templar.template(value)
        return value

    def _defaults_from_vars(self, args: Dict[str, Any], task_vars: Dict[str, Any]) -> Dict[str, Any]:
        device_id = self._var(task_vars, "netraven_device_id")
        if args.get("device_id") is None and device_id is not None:
            args["device_id"] = int(device_id)
        chain = self._var(task_vars, "netraven_credentials")
        if args.get("credentials") is None and chain is not None:
            args["credentials"] = [int(c["id"]) for c in chain]
        job_id = self._var(task_vars, "netraven_job_id")
        if args.get("job_id") is None and job_id not in (None, ""):
            args["job_id"] = int(job_id)
        return args

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        task_vars = task_vars or {}
        result: Dict[str, Any] = super().run(tmp, task_vars)
        del tmp
        if not HAS_SQLALCHEMY or not HAS_NETMIKO:
            raise AnsibleActionFail("netraven.netraven.backup needs netmiko and SQLAlchemy on the controller: "
                                    "pip install -r requirements.txt from the collection")
        args = self._defaults_from_vars(self._validated_args(task_vars), task_vars)
        if args.get("device_id") is None:
            raise AnsibleActionFail("device_id is required (or the host variable netraven_device_id from the "
                                    "netraven.netraven.netraven inventory)")
        refused = tunable_error(args)
        if refused:
            raise AnsibleActionFail(refused)
        if args.get("ssh_config_file") and not os.path.isfile(args["ssh_config_file"]):
            raise AnsibleActionFail("ssh_config_file %s does not exist (or is not a file)" % args["ssh_config_file"])
        try:
            platforms_file = platforms_file_path(args.get("platforms_file"))
            platforms = load_platforms_file(platforms_file) if platforms_file else None
        except NetRavenError as error:
            # A bad profile file stops every device before any login, in one line.
            result.update(failed=True, msg=str(error), status=DeviceStatus.FAILED_UNEXPECTED, changed=False)
            return result
        options = BackupOptions(
            connect_timeout=args["connect_timeout"], command_timeout=args["command_timeout"],
            max_attempts=args.get("max_attempts"), mask_secrets=args["mask_secrets"],
            check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
            session_log=self._session_log_path(args, task_vars), lockout_threshold=args["lockout_threshold"],
            host_key_checking=self._host_key_checking(args, task_vars), known_hosts_file=args.get("known_hosts_file"),
            platforms=platforms, keep_original=args["keep_original"], reach=ReachOverrides(
                jump_host=args.get("jump_host"), transport=args.get("transport"), legacy_ssh=args.get("legacy_ssh"),
                ssh_config_file=args.get("ssh_config_file")))
        engine: Optional[Engine] = None
        try:
            # The schema is verified by the job's start, once; per host it would cost a
            # reflection round trip. A missing table still gets the clear message below.
            # The engine is the controller's, made before the fork (never disposed here).
            engine = process_engine(args.get("db_url"))
            box = secret_box_for(engine, args.get("encryption_key"))
            outcome = DeviceBackup(engine, box, options).run(args["device_id"], args.get("credentials") or [],
                                                             args.get("job_id"))
        except DatabaseUnavailableError as error:
            result.update(failed=True, msg=self._explain(engine, error), status=DeviceStatus.FAILED_UNEXPECTED, changed=False)
            return result
        except NetRavenError as error:
            result.update(failed=True, msg=str(error), status=DeviceStatus.FAILED_UNEXPECTED, changed=False)
            return result
        result.update(outcome.result())
        return result

    def _host_key_checking(self, args: Dict[str, Any], task_vars: Dict[str, Any]) -> bool:
        """The option (or netraven_host_key_checking), else Ansible's own (variable, then configuration)."""
        if args.get("host_key_checking") is not None:
            return bool(args["host_key_checking"])
        for name in ("ansible_host_key_checking", "ansible_ssh_host_key_checking"):
            if task_vars.get(name) is not None:
                return bool(boolean(self._templar.template(task_vars[name]), strict=False))
        return bool(C.HOST_KEY_CHECKING)

    @staticmethod
    def _explain(engine: Optional[Engine], error: NetRavenError) -> str:
        """A database error, or the clearer 'schema not migrated' when that is the cause."""
        if engine is not None:
            try:
                verify_schema(engine)
            except NetRavenError as schema_error:
                return str(schema_error)
        return str(error)

    @staticmethod
    def _session_log_path(args: Dict[str, Any], task_vars: Dict[str, Any]) -> Optional[str]:
        directory = args.get("session_log_dir")
        if not directory:
            return None
        ensure_log_directory(directory)
        name = str(task_vars.get("inventory_hostname", args["device_id"])).replace(os.sep, "_")
        return os.path.join(directory, "%s.log" % name)
