# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine and session factory for the NetRaven database (docs/architecture.md: "Database and encryption", "Why the backup is an action plugin").

One place decides how the collection talks to its database:
- the URL comes from an explicit option, else NETRAVEN_DB_URL, else the embedded
  SQLite file (_locations);
- SQLite runs in WAL mode with a busy timeout and BEGIN IMMEDIATE (_sqlite_files);
- engines use NullPool: Ansible forks workers, and a pooled connection must never
  cross a fork, while a backup opens few connections per host anyway;
- every message masks the URL's password (_url_masking), driver errors become one
  line (_driver_errors), and an unmigrated schema is a one-line NetRavenError.
"""

from __future__ import annotations

import contextlib
import importlib.util
from typing import TYPE_CHECKING, Any, Dict, Iterator

from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import DRIVER_ERRORS, database_error, raise_driver_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import resolve_db_url
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, SCHEMA_REVISION
from ansible_collections.netraven.netraven.plugins.module_utils._db._sqlite_files import READ_ONLY_OPTION, SQLITE_BUSY_TIMEOUT_MS, configure_sqlite
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import first_line, mask_text, mask_url, written_password
from ansible_collections.netraven.netraven.plugins.module_utils._errors import DatabaseConfigError, MissingLibraryError, SchemaNotReadyError

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATE_HINT = "run 'ansible-playbook netraven.netraven.migrate' (or 'alembic -c migrations/alembic.ini upgrade head')"


def _require_sqlalchemy() -> None:
    if not HAS_SQLALCHEMY:
        raise MissingLibraryError(
            "SQLAlchemy 2.x is required on the controller: pip install -r requirements.txt from the netraven.netraven collection")


def create_db_engine(db_url: str | None = None, check_schema: bool = True) -> Engine:
    """An engine for the resolved URL; by default also verifies that the schema is migrated."""
    _require_sqlalchemy()
    url = resolve_db_url(db_url)
    if "@" in (written_password(url) or ""):
        # SQLAlchemy would cut the password at that '@' and send the rest on as the host and the
        # database name, where the driver's errors would quote it.
        raise DatabaseConfigError(
            "Invalid database URL '%s': its password holds an unencoded '@', which would end it early: "
            "write the password URL-encoded ('@' as %%40; urllib.parse.quote_plus)" % mask_url(url))
    try:
        parsed = sa.engine.make_url(url)
    except (sa_exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseConfigError(
            "Invalid database URL '%s': expected e.g. postgresql+psycopg2://user:password@host:5432/netraven "
            "or sqlite:////path/to/netraven.db" % mask_url(url)) from None
    if parsed.drivername == "postgresql" and importlib.util.find_spec("psycopg") is None:
        # SQLAlchemy 2.1 made psycopg 3 the default driver of a bare postgresql:// URL; the
        # collection requires psycopg2, which SQLAlchemy 2.0 picks for it.
        parsed = parsed.set(drivername="postgresql+psycopg2")
    # hide_parameters: a StatementError must never print bound values (ciphertexts, configurations).
    kwargs: Dict[str, Any] = {"poolclass": NullPool, "future": True, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000.0}
    elif parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 10, "application_name": "netraven"}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as error:
        raise DatabaseConfigError("Unsupported database URL '%s': %s" % (
            mask_url(url), mask_text(first_line(error), url))) from None
    except ImportError as error:
        raise DatabaseConfigError("The driver for database URL '%s' is not installed: %s" % (
            mask_url(url), first_line(error))) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        configure_sqlite(engine, parsed.database)
    if check_schema:
        verify_schema(engine)
    return engine


_PROCESS_ENGINES: Dict[str, Engine] = {}


def process_engine(db_url: str | None = None) -> Engine:
    """The engine of the resolved URL for this process and its forks, made on first use (schema not checked).

    The backup's workers are forks of the controller. The engine that warm_default_database
    makes there, before the fork, has already run the dialect's first-connect initialisation,
    so each device's worker is spared create_engine and that initialisation. Sharing it is
    safe because it pools nothing (NullPool): no connection is open at the fork, and each
    worker opens its own. Never dispose it: an engine made by a worker ends with the worker.
    """
    url = resolve_db_url(db_url)
    engine = _PROCESS_ENGINES.get(url)
    if engine is None:
        engine = _PROCESS_ENGINES[url] = create_db_engine(url, check_schema=False)
    return engine


def describe_engine(engine: Engine) -> str:
    """The engine's URL with its password masked."""
    return mask_url(engine.url.render_as_string(hide_password=True))


def verify_schema(engine: Engine) -> None:
    """Refuse a database that is unreachable or not migrated to SCHEMA_REVISION, naming the fix."""
    where = describe_engine(engine)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            if not inspector.has_table("alembic_version"):
                raise SchemaNotReadyError(
                    "Database %s has no NetRaven schema: %s" % (where, MIGRATE_HINT))
            versions = [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except SchemaNotReadyError:
        raise
    except sa_exc.DBAPIError as error:
        raise database_error(error, engine) from None
    if SCHEMA_REVISION not in versions:
        raise SchemaNotReadyError(
            "Database %s is at schema revision %s, this collection needs %s: %s" % (
                where, ", ".join(versions) or "none", SCHEMA_REVISION, MIGRATE_HINT))


@contextlib.contextmanager
def read_scope(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only; driver errors become one line.

    On SQLite it begins a plain (deferred) transaction instead of BEGIN IMMEDIATE, so it can
    run while the same process holds a writing session open (the key-derivation salt is read
    from inside the credential module's transaction): with BEGIN IMMEDIATE it would wait for
    that session, which waits for it.
    """
    try:
        with engine.connect() as connection:
            connection.execution_options(**{READ_ONLY_OPTION: True})
            yield connection
            connection.rollback()
    except sa_exc.DBAPIError as error:
        raise database_error(error, engine) from None


@contextlib.contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any error; driver errors become one line.

    Driver errors are DB-API's (DatabaseUnavailableError) and the value errors a driver
    raises outside them (DatabaseValueError, see DRIVER_VALUE_ERRORS).
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except DRIVER_ERRORS as error:
        session.rollback()
        raise_driver_error(error, engine)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
