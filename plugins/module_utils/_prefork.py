# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins do in the controller when Ansible imports them, before it forks the workers.

Ansible forks one worker per host and task from the controller, so whatever is imported,
compiled or derived here is inherited by every worker for free, where each worker would
otherwise pay for it again (docs/architecture.md, "Why the backup is an action plugin").
Only the default database's backend is prepared: importing and compiling for PostgreSQL
as well would add about 0.1 s to every SQLite run. Nothing here raises: a failure is left
to the task, which reports it in one line.
"""

from __future__ import annotations

import types

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import warm_default_database
from ansible_collections.netraven.netraven.plugins.module_utils._database import default_backend
from ansible_collections.netraven.netraven.plugins.module_utils._statements import DIALECTS, precompile

# The DB-API driver of each backend, imported by the engine on first connect.
DRIVERS = {"sqlite": "sqlite3", "postgresql": "psycopg2"}


def _import_driver(backend):
    try:
        __import__(DRIVERS[backend])
    except ImportError:
        pass  # create_db_engine names the missing driver in one line


def _warm_netmiko_regexes():
    """Compile netmiko's fixed output patterns: Python's re cache is inherited by every fork.

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


def prepare_before_fork(netmiko: bool = False) -> None:
    """The default database's dialect and driver, every Statement compiled for it, its engine and keys.

    netmiko: also warm netmiko's regular expressions (the backup's action).
    """
    backend = default_backend()
    backends = [backend] if backend in DIALECTS else None  # an unknown URL: both, as the task may fix it
    for name in backends or DIALECTS:
        _import_driver(name)
    precompile(backends)
    # The engine (first connected), the salt and the derived keys (600,000 PBKDF2 rounds): the
    # job start's worker checks the chains with them, and every backup worker inherits them.
    warm_default_database()
    if netmiko:
        _warm_netmiko_regexes()
