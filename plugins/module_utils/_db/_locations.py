# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the NetRaven database lives: the explicit URL, else NETRAVEN_DB_URL, else the embedded SQLite file under XDG_DATA_HOME."""

from __future__ import annotations

import os

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc

DB_URL_ENV = "NETRAVEN_DB_URL"


def default_sqlite_path() -> str:
    """The embedded database file: ${XDG_DATA_HOME:-~/.local/share}/netraven/netraven.db."""
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data_home, "netraven", "netraven.db")


def resolve_db_url(db_url: str | None = None) -> str:
    """The URL to use: the explicit one, else NETRAVEN_DB_URL, else the embedded SQLite file."""
    url = db_url or os.environ.get(DB_URL_ENV)
    if url:
        return url.strip()
    return "sqlite:///" + default_sqlite_path()


def default_backend() -> str | None:
    """The backend name (sqlite, postgresql) of the default database, or None when its URL does not parse."""
    if not HAS_SQLALCHEMY:
        return None
    try:
        return sa.engine.make_url(resolve_db_url(None)).get_backend_name()
    except (sa_exc.ArgumentError, ValueError):
        return None
