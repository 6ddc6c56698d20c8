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

import os
import types
from typing import Any

from ansible_collections.netraven.netraven.plugins.module_utils._crypto import HAS_CRYPTOGRAPHY, KEY_ENV, has_older_values, secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import process_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import default_backend, resolve_db_url
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY
from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import DIALECTS, precompile

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

# The DB-API driver of each backend, imported by the engine on first connect.
DRIVERS = {"sqlite": "sqlite3", "postgresql": "psycopg2"}


def _import_driver(backend: str) -> None:
    try:
        __import__(DRIVERS[backend])
    except ImportError:
        pass  # create_db_engine names the missing driver in one line


def _warm_netmiko_regexes() -> None:
    """Compile netmiko's fixed output patterns: Python's re cache is inherited by every fork.

    netmiko cleans every read with about 35 re.sub patterns given as strings; compiled
    afresh in each worker they cost about 10 ms of CPU per device. Only an optimisation:
    a netmiko that changed these methods just skips it.
    """
    try:
        from netmiko.base_connection import BaseConnection  # pylint: disable=import-outside-toplevel
        stub: Any = types.SimpleNamespace(RETURN="\n", RESPONSE_RETURN="\n")  # the two attributes the methods read
        BaseConnection.strip_ansi_escape_codes(stub, "\x1b[K")
        BaseConnection.normalize_linefeeds(stub, "\r\n")
    except Exception:  # pylint: disable=broad-except
        pass


def warm_default_database() -> bool:
    """In the controller, before the fork: read the default database's salt and derive its keys.

    The backup playbook passes no db_url, so its workers resolve the database as this does
    (db_url option unset: NETRAVEN_DB_URL, else the embedded file) and inherit the salt and
    the derived keys instead of paying for them once per host. Version-1 keys are derived
    only when older passwords are stored. Nothing happens without a key, or for an
    embedded file that does not exist yet (it is not created here); any failure is left to
    the task, which reports it in one line. Returns True when the keys were derived.
    """
    if not HAS_CRYPTOGRAPHY or not HAS_SQLALCHEMY or not os.environ.get(KEY_ENV):
        return False
    try:
        raw_url = resolve_db_url(None)
        url = sa.engine.make_url(raw_url)
        if url.get_backend_name() == "sqlite" and (not url.database or not os.path.exists(url.database)):
            return False
        engine = process_engine(raw_url)  # kept, first-connected, for the workers (_db._engine.process_engine)
        secret_box_for(engine).warm(legacy=has_older_values(engine))
        return True
    except Exception:  # pylint: disable=broad-except
        return False  # Reported properly (one line, no secret) when a task needs the key.


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
