# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alembic environment for the NetRaven database.

Works in three places: a git checkout (``alembic -c migrations/alembic.ini upgrade head``),
an installed collection (the ``migrate`` module runs Alembic in-process), and the
tests. The collection's core is imported as ``ansible_collections.netraven.netraven``;
from a plain checkout that package does not exist, so it is mapped onto this tree.
"""

import os
import sys
import types
from logging.config import fileConfig

from alembic import context


def _bootstrap_collection_package():
    """Make ansible_collections.netraven.netraven importable from a checkout of the collection."""
    try:
        import ansible_collections.netraven.netraven.plugins.module_utils._db._models  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    names = ("ansible_collections", "ansible_collections.netraven", "ansible_collections.netraven.netraven")
    paths = (os.path.dirname(os.path.dirname(root)), os.path.dirname(root), root)
    for name, path in zip(names, paths):
        module = sys.modules.get(name)
        if module is None:
            module = types.ModuleType(name)
            module.__path__ = []
            sys.modules[name] = module
        if name.endswith(".netraven.netraven") and root not in module.__path__:
            module.__path__.insert(0, root)
        elif path not in module.__path__:
            module.__path__.append(path)


_bootstrap_collection_package()

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import resolve_db_url  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Base  # noqa: E402

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_config"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url():
    return config.attributes.get("db_url") or resolve_db_url()


def run_migrations_offline():
    """Emit SQL for the configured URL without connecting (alembic upgrade --sql)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Migrate the database over a live connection (a caller may hand one in)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_url(), check_schema=False)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection):
    if connection.dialect.name == "sqlite":
        # Batch migrations copy and drop tables; with foreign keys on, SQLite would run the
        # ON DELETE actions of the dropped table and wipe child rows. The pragma only takes
        # effect outside a transaction, hence on the raw connection before Alembic begins.
        connection.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
