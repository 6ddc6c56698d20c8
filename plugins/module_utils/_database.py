# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Engine and session factory for the NetRaven database (docs/architecture.md: "Database and encryption", "Why the backup is an action plugin").

One place decides how the collection talks to its database:
- the URL comes from an explicit option, else NETRAVEN_DB_URL, else the embedded
  SQLite file under XDG_DATA_HOME;
- SQLite runs in WAL mode with a busy timeout and BEGIN IMMEDIATE, so 50 forked
  writers queue instead of failing with "database is locked";
- engines use NullPool: Ansible forks workers, and a pooled connection must never
  cross a fork, while a backup opens few connections per host anyway;
- every message masks the URL's password, and a malformed URL or an unmigrated
  schema is a one-line NetRavenError.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import urllib.parse

from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    DatabaseValueError,
    MissingLibraryError,
    SchemaNotReadyError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._models import (
    HAS_SQLALCHEMY,
    SCHEMA_REVISION,
)

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
    from sqlalchemy import event, exc as sa_exc
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool

DB_URL_ENV = "NETRAVEN_DB_URL"
SQLITE_BUSY_TIMEOUT_MS = 60000
READ_ONLY_OPTION = "netraven_read_only"
MIGRATE_HINT = "run 'ansible-playbook netraven.netraven.migrate' (or 'alembic -c migrations/alembic.ini upgrade head')"

# user:password@ after a scheme (or at the start of a word, for scheme-less garbage). The
# password ends at the '@' whose host part is followed by '/', '?', a quote, a space or the
# end, so an unencoded '@' inside the password is masked too.
_PASSWORD_IN_URL = re.compile(
    r"(?P<head>(?:[a-zA-Z][a-zA-Z0-9+.-]*)?://[^:/@\s]*:|(?:^|(?<=[\s'\"(<=]))[^:/@\s'\"(<=]+:(?!//))"
    r"(?P<password>\S*?)"
    r"(?P<tail>@(?=[^@/?\s'\"]*(?:[/?\s'\"]|$)))")
# libpq (and so SQLAlchemy's psycopg2 dialect) also takes the password as a query parameter.
_PASSWORD_IN_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&\s'\"]*)", re.IGNORECASE)


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


# A whole URL: scheme://rest. Its userinfo ends at the first '@' followed by a plausible
# host[:port] and then '/', '?' or the end, so a password with a space, ':', '/' or an
# unencoded '@' is masked whole. A port has digits: "@z:/" inside a password is no host.
_WHOLE_URL = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<rest>.*)$", re.DOTALL)
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._%-]*)(?::\d+)?(?=[/?]|$)")


def _split_userinfo(rest: str):
    """(userinfo, remainder starting at '@') of a URL's part after the scheme, or None without userinfo."""
    at = rest.find("@")
    while at != -1:
        if _HOST_PORT.match(rest, at + 1):
            return rest[:at], rest[at:]
        at = rest.find("@", at + 1)
    return None


def _url_passwords(url: str | None) -> list:
    """Every form a URL's password can take in driver text, longest first.

    The password as the URL writes it, URL-decoded, as SQLAlchemy parses it (which stops at
    an unencoded '@' and sends the tail to the driver as part of the host), and any
    ?password= value.
    """
    found = []
    match = _WHOLE_URL.match(str(url or "").strip())
    if match:
        split = _split_userinfo(match.group("rest"))
        if split and ":" in split[0]:
            written = split[0].split(":", 1)[1]
            found += [written, urllib.parse.unquote_plus(written), urllib.parse.unquote(written)]
    if HAS_SQLALCHEMY and url:
        try:
            parsed = sa.engine.make_url(str(url).strip())
            values = [parsed.password, parsed.query.get("password")]
            if parsed.host and "@" in parsed.host:
                values.append(parsed.host.rsplit("@", 1)[0])
        except Exception:  # pylint: disable=broad-except
            values = []
        for value in values:
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if item:
                    found += [str(item), urllib.parse.quote_plus(str(item)), urllib.parse.quote(str(item), safe="")]
    return sorted({item for item in found if item}, key=len, reverse=True)


def mask_url(url: str | None) -> str:
    """The URL with its password replaced by ***; safe for any message.

    A whole URL is split on the '@' that starts its host (see _HOST_PORT); text that merely
    contains URLs falls back to the pattern above. Engines' URLs are rendered by SQLAlchemy
    (describe_engine).
    """
    if not url:
        return ""
    text = str(url)
    match = _WHOLE_URL.match(text.strip())
    split = _split_userinfo(match.group("rest")) if match else None
    if split:
        if ":" in split[0]:
            text = match.group("scheme") + split[0].split(":", 1)[0] + ":***" + split[1]
    else:
        text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _PASSWORD_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def mask_text(text: str, url: str | None) -> str:
    """Remove a URL's password (as written, URL-decoded, as parsed) from any message: driver errors may echo it."""
    text = str(text)
    for secret in _url_passwords(url):
        text = text.replace(secret, "***")
    text = _PASSWORD_IN_URL.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _PASSWORD_IN_QUERY.sub(lambda m: m.group("head") + "***", text)


def first_line(text: str) -> str:
    """The first non-empty line of a driver message, which is the informative one."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip()


def _require_sqlalchemy():
    if not HAS_SQLALCHEMY:
        raise MissingLibraryError(
            "SQLAlchemy 2.x is required on the controller: pip install -r requirements.txt from the netraven.netraven collection")


def _create_owner_only(path: str) -> None:
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


def _configure_sqlite(engine, path: str) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE so writers wait instead of deadlocking."""
    _create_owner_only(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so "begin" below decides the locking mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = %d" % SQLITE_BUSY_TIMEOUT_MS)
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A read_scope reads without the write lock (WAL lets it, beside a writer).
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY_OPTION) else "BEGIN IMMEDIATE")


def create_db_engine(db_url: str | None = None, check_schema: bool = True):
    """An engine for the resolved URL; by default also verifies that the schema is migrated."""
    _require_sqlalchemy()
    url = resolve_db_url(db_url)
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
    kwargs = {"poolclass": NullPool, "future": True, "hide_parameters": True}
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
        _configure_sqlite(engine, parsed.database)
    if check_schema:
        verify_schema(engine)
    return engine


_PROCESS_ENGINES: dict = {}


def process_engine(db_url: str | None = None):
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


def describe_engine(engine) -> str:
    """The engine's URL with its password masked."""
    return mask_url(engine.url.render_as_string(hide_password=True))


def database_error(error, engine_or_url) -> DatabaseUnavailableError:
    """Turn a driver exception into a one-line, password-free DatabaseUnavailableError."""
    url = engine_or_url if isinstance(engine_or_url, str) else engine_or_url.url.render_as_string(hide_password=False)
    detail = getattr(error, "orig", None) or error
    message = "Database %s is unavailable: %s" % (mask_url(url), mask_text(first_line(detail), url))
    return DatabaseUnavailableError(message)


# What a driver raises, outside DB-API's exception classes, for a value it cannot send:
# sqlite3 an OverflowError for an integer beyond 64 bits, both drivers a UnicodeEncodeError
# for a lone surrogate, psycopg2 a plain ValueError for a NUL in text. SQLAlchemy lets them
# through unwrapped.
DRIVER_VALUE_ERRORS = (ValueError, OverflowError, UnicodeError)
DRIVER_ERRORS = ((sa_exc.DBAPIError,) if HAS_SQLALCHEMY else ()) + DRIVER_VALUE_ERRORS
_DRIVER_PACKAGES = frozenset(("sqlalchemy", "sqlite3", "_sqlite3", "psycopg2", "psycopg"))


def raised_by_driver(error: BaseException) -> bool:
    """True when the innermost frame of error's traceback is SQLAlchemy's or a driver's.

    The drivers are C code, so their errors surface in SQLAlchemy's call into them; a
    ValueError of the collection's own code (a bug) keeps its traceback.
    """
    frame = error.__traceback__
    if frame is None:
        return False
    while frame.tb_next is not None:
        frame = frame.tb_next
    module = frame.tb_frame.f_globals.get("__name__") or ""
    return module.split(".", 1)[0] in _DRIVER_PACKAGES


def value_refused(error, engine_or_url) -> DatabaseValueError:
    """A driver's ValueError, OverflowError or UnicodeError as one line naming the value's problem."""
    url = engine_or_url if isinstance(engine_or_url, str) else engine_or_url.url.render_as_string(hide_password=False)
    return DatabaseValueError("Database %s refused a value: %s" % (
        mask_url(url), mask_text(first_line(error) or type(error).__name__, url)))


def raise_driver_error(error, engine_or_url):
    """Raise error, caught as one of DRIVER_ERRORS, as the one-line NetRavenError it means.

    A value the driver or the server refused (DB-API's DataError, a driver's value error)
    becomes DatabaseValueError, any other DB-API error DatabaseUnavailableError; a value
    error of the collection's own code is raised again as is.
    """
    if isinstance(error, sa_exc.DataError):  # SQLSTATE class 22: the server refused a value (integer out of range)
        raise value_refused(error.orig or error, engine_or_url) from None
    if isinstance(error, sa_exc.DBAPIError):
        raise database_error(error, engine_or_url) from None
    if raised_by_driver(error):
        raise value_refused(error, engine_or_url) from None
    raise error


def verify_schema(engine) -> None:
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
def read_scope(engine):
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
def session_scope(engine):
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
