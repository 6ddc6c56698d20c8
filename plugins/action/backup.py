# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of netraven.netraven.backup: the backup runs in the controller's worker.

A module would start a fresh Python per host and import netmiko and SQLAlchemy again
(about 0.8 s of CPU per host, docs/architecture.md). An action plugin runs in the forked worker,
and its module-level imports happen once in the parent, before the fork: the core is
imported here at module level, and the database's salt is read and the encryption keys
derived too (_crypto.warm_default_database). The
database connection is opened after the fork (the engine uses NullPool), so no
connection ever crosses a fork.
"""

from __future__ import annotations

import os
import types

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.netraven.netraven.plugins.module_utils._backup import BackupOptions, DeviceBackup
from ansible_collections.netraven.netraven.plugins.module_utils._backup_args import BACKUP_ARGSPEC, tunable_error
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for, warm_default_database
from ansible_collections.netraven.netraven.plugins.module_utils._database import create_db_engine, verify_schema
from ansible_collections.netraven.netraven.plugins.module_utils._device_session import HAS_NETMIKO
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseUnavailableError, NetRavenError
from ansible_collections.netraven.netraven.plugins.module_utils._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._user_file import (
    load_platforms_file,
    platforms_file_path,
)
from ansible_collections.netraven.netraven.plugins.module_utils._session_log import ensure_log_directory
from ansible_collections.netraven.netraven.plugins.module_utils._statements import precompile


def _preload_dialects():
    """Import the database drivers in the parent too: each forked worker would import them again."""
    for name in ("sqlalchemy.dialects.postgresql.psycopg2", "sqlalchemy.dialects.sqlite.pysqlite", "psycopg2"):
        try:
            __import__(name)
        except ImportError:
            pass


def _warm_key_cache():
    """Read the salt and derive the keys once in the parent process so every forked worker inherits them."""
    warm_default_database()


def _warm_regex_cache():
    """Compile netmiko's fixed output patterns in the parent: Python's re cache is inherited by every fork.

    netmiko cleans every read with about 35 re.sub patterns given as strings; compiled
    afresh in each worker they cost about 10 ms of CPU per device. Only an optimisation:
    a netmiko that changed these methods just skips it.
    """
    try:
        from netmiko.base_connection import BaseConnection  # pylint: disable=import-outside-toplevel
        stub = types.SimpleNamespace(RETURN="\n", RESPONSE_RETURN="\n")
        BaseConnection.strip_ansi_escape_codes(stub, "\x1b[K")
        BaseConnection.normalize_linefeeds(stub, "\r\n")
    except Exception:  # pylint: disable=broad-except
        pass


_preload_dialects()
_warm_key_cache()
_warm_regex_cache()
precompile()  # Every SQL statement of the backup, for SQLite and PostgreSQL, before the fork.


class ActionModule(ActionBase):
    """Back up one device (the inventory host) through its credential chain."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def _var(self, task_vars, name):
        """A variable's value, templated when a play defines it as a template (never inventory data)."""
        value = task_vars.get(name)
        if isinstance(value, str) and "{{" in value and name == "netraven_job_id":
            value = self._templar.template(value)
        return value

    def _defaults_from_vars(self, args, task_vars):
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

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        if not HAS_SQLALCHEMY or not HAS_NETMIKO:
            raise AnsibleActionFail("netraven.netraven.backup needs netmiko and SQLAlchemy on the controller: "
                                    "pip install -r requirements.txt from the collection")
        validation, args = self.validate_argument_spec(argument_spec=BACKUP_ARGSPEC)
        del validation
        args = self._defaults_from_vars(dict(args), task_vars)
        if args.get("device_id") is None:
            raise AnsibleActionFail("device_id is required (or the host variable netraven_device_id from the "
                                    "netraven.netraven.netraven inventory)")
        refused = tunable_error(args)
        if refused:
            raise AnsibleActionFail(refused)
        try:
            platforms_file = platforms_file_path(args.get("platforms_file"))
            platforms = load_platforms_file(platforms_file) if platforms_file else None
        except NetRavenError as error:
            # A bad profile file stops every device before any login, in one line.
            result.update(failed=True, msg=str(error), status="FAILED_UNEXPECTED", changed=False)
            return result
        options = BackupOptions(
            connect_timeout=args["connect_timeout"], command_timeout=args["command_timeout"],
            max_attempts=args.get("max_attempts"), mask_secrets=args["mask_secrets"],
            check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
            session_log=self._session_log_path(args, task_vars), lockout_threshold=args["lockout_threshold"],
            host_key_checking=self._host_key_checking(args, task_vars), known_hosts_file=args.get("known_hosts_file"),
            platforms=platforms, keep_original=args["keep_original"])
        engine = None
        try:
            # The schema is verified by the job's start, once; per host it would cost a
            # reflection round trip. A missing table still gets the clear message below.
            engine = create_db_engine(args.get("db_url"), check_schema=False)
            box = secret_box_for(engine, args.get("encryption_key"))
            outcome = DeviceBackup(engine, box, options).run(args["device_id"], args.get("credentials") or [],
                                                             args.get("job_id"))
        except DatabaseUnavailableError as error:
            result.update(failed=True, msg=self._explain(engine, error), status="FAILED_UNEXPECTED", changed=False)
            return result
        except NetRavenError as error:
            result.update(failed=True, msg=str(error), status="FAILED_UNEXPECTED", changed=False)
            return result
        finally:
            if engine is not None:
                engine.dispose()
        result.update(outcome.result())
        return result

    def _host_key_checking(self, args, task_vars):
        """The option, else Ansible's own host key checking (variable, then configuration)."""
        if args.get("host_key_checking") is not None:
            return bool(args["host_key_checking"])
        for name in ("ansible_host_key_checking", "ansible_ssh_host_key_checking"):
            if task_vars.get(name) is not None:
                return boolean(self._templar.template(task_vars[name]), strict=False)
        return bool(C.HOST_KEY_CHECKING)

    @staticmethod
    def _explain(engine, error):
        """A database error, or the clearer 'schema not migrated' when that is the cause."""
        if engine is not None:
            try:
                verify_schema(engine)
            except NetRavenError as schema_error:
                return str(schema_error)
        return str(error)

    @staticmethod
    def _session_log_path(args, task_vars):
        directory = args.get("session_log_dir")
        if not directory:
            return None
        ensure_log_directory(directory)
        name = str(task_vars.get("inventory_hostname", args["device_id"])).replace(os.sep, "_")
        return os.path.join(directory, "%s.log" % name)
