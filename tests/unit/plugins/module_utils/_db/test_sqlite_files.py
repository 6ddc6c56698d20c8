# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The embedded SQLite database: created owner-only, in WAL mode with foreign keys and a busy timeout."""

from __future__ import annotations

import os

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine

pytestmark = pytest.mark.usefixtures("isolated_db_env")


def test_default_sqlite_directory_is_created(tmp_path):
    directory = tmp_path / "xdg" / "netraven"
    assert not directory.exists()
    engine = create_db_engine(check_schema=False)
    try:
        assert directory.is_dir()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert (directory / "netraven.db").is_file()
    finally:
        engine.dispose()


def test_embedded_database_and_directory_are_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "data" / "netraven.db"
        create_db_engine("sqlite:///%s" % path, check_schema=False).dispose()
    finally:
        os.umask(old_umask)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    assert oct(os.stat(path.parent).st_mode & 0o777) == oct(0o700)
