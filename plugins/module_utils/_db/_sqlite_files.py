# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded SQLite file: created owner-only, then run in WAL mode with a busy timeout and BEGIN IMMEDIATE.

50 forked writers then queue instead of failing with "database is locked", and the file,
which holds every ciphertext and configuration, is readable by its owner only.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    from sqlalchemy import event
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_MS = 60000
READ_ONLY_OPTION = "netraven_read_only"


def create_owner_only(path: str) -> None:
    """Create the SQLite file (0600) and a missing directory (0700) before SQLite does, whatever the umask.

    The file holds every ciphertext and configuration (docs/hardening.md, "Files and their
    modes"); an existing file or directory is left as its owner set it.
    """
    directory = os.path.dirname(path)
    if directory and not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
    if not os.path.exists(path):
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except FileExistsError:
            pass


def configure_sqlite(engine: Engine, path: str) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE so writers wait instead of deadlocking."""
    create_owner_only(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Take transaction control from pysqlite so "begin" below decides the locking mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = %d" % SQLITE_BUSY_TIMEOUT_MS)
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A read_scope reads without the write lock (WAL lets it, beside a writer).
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY_OPTION) else "BEGIN IMMEDIATE")
