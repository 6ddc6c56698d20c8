# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine factory (docs/architecture.md: "Database and encryption"): which URL is used, and that no message leaks its password.

Every error a user can cause with a URL (malformed, unknown driver, server down, schema
missing) must be one line with the password masked, since modules show it verbatim.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, describe_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._driver_errors import database_error
from ansible_collections.netraven.netraven.plugins.module_utils._db._locations import default_sqlite_path, resolve_db_url
from ansible_collections.netraven.netraven.plugins.module_utils._db._url_masking import mask_text, mask_url
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    SchemaNotReadyError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Base, Tag

PASSWORD = "Secr3tPw"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    monkeypatch.delenv("NETRAVEN_DB_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def assert_clean_one_line(message):
    assert "\n" not in message
    assert PASSWORD not in message
    # Not even a fragment of it (an unencoded '@' must not split it).
    assert "cr3tPw" not in message and "Secr3" not in message


# --- resolve_db_url ---------------------------------------------------------------------------

def test_explicit_url_wins_over_environment(monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", "sqlite:////from/env.db")
    assert resolve_db_url("sqlite:////explicit.db") == "sqlite:////explicit.db"
    assert resolve_db_url("  sqlite:////explicit.db\n") == "sqlite:////explicit.db"


def test_environment_wins_over_default(monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD)
    assert resolve_db_url() == "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    assert resolve_db_url(None) == resolve_db_url("")


def test_default_is_sqlite_under_xdg_data_home(tmp_path):
    expected = os.path.join(str(tmp_path / "xdg"), "netraven", "netraven.db")
    assert default_sqlite_path() == expected
    assert resolve_db_url() == "sqlite:///" + expected


@pytest.mark.parametrize("xdg", [None, ""])
def test_default_falls_back_to_home_local_share(monkeypatch, tmp_path, xdg):
    if xdg is None:
        monkeypatch.delenv("XDG_DATA_HOME")
    else:
        monkeypatch.setenv("XDG_DATA_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = os.path.join(str(tmp_path / "home"), ".local", "share", "netraven", "netraven.db")
    assert resolve_db_url() == "sqlite:///" + expected


# --- mask_url ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, masked", [
    ("postgresql+psycopg2://nr:Secr3tPw@db:5432/netraven", "postgresql+psycopg2://nr:***@db:5432/netraven"),
    ("postgresql://nr:Secr3tPw@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Secr3tPw@db", "postgresql://nr:***@db"),
    ("postgresql://nr:Secr3tPw@[::1]:5432/netraven", "postgresql://nr:***@[::1]:5432/netraven"),
    ("postgresql://:Secr3tPw@db/netraven", "postgresql://:***@db/netraven"),
    ("POSTGRESQL://nr:Secr3tPw@db/netraven", "POSTGRESQL://nr:***@db/netraven"),
    ("mysql+pymysql://nr:Secr3tPw@db/netraven?charset=utf8mb4", "mysql+pymysql://nr:***@db/netraven?charset=utf8mb4"),
    # Percent-encoded and unencoded special characters inside the password.
    ("postgresql://nr:Secr3tPw%40x@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Se:cr/3tPw@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Secr3tPw@x@db/netraven", "postgresql://nr:***@db/netraven"),
    ("postgresql://nr:Se@cr3tPw@db/netraven?options=-c%20a@b", "postgresql://nr:***@db/netraven?options=-c%20a@b"),
    # libpq also takes the password as a query parameter.
    ("postgresql+psycopg2:///netraven?host=/run/postgresql&user=nr&password=Secr3tPw",
     "postgresql+psycopg2:///netraven?host=/run/postgresql&user=nr&password=***"),
    ("postgresql://nr@db/netraven?PASSWORD=Secr3tPw&sslmode=require", "postgresql://nr@db/netraven?PASSWORD=***&sslmode=require"),
    # Malformed shapes still get masked.
    ("://nr:Secr3tPw@db/netraven", "://nr:***@db/netraven"),
    ("nr:Secr3tPw@db:5432/netraven", "nr:***@db:5432/netraven"),
    # Inside a message.
    ("cannot reach 'postgresql://nr:Secr3tPw@db/netraven': refused", "cannot reach 'postgresql://nr:***@db/netraven': refused"),
])
def test_mask_url_hides_the_password(url, masked):
    assert mask_url(url) == masked
    assert_clean_one_line(mask_url(url))


@pytest.mark.parametrize("url", [
    "sqlite:////var/lib/netraven/netraven.db",
    "sqlite:///relative.db",
    "sqlite://",
    "postgresql://nr@db:5432/netraven",
    "postgresql://db:5432/netraven",
    "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused",
])
def test_mask_url_leaves_password_free_text_alone(url):
    assert mask_url(url) == url


def test_mask_url_of_nothing():
    assert mask_url(None) == "" and mask_url("") == ""


def test_mask_text_removes_a_password_a_driver_echoes():
    url = "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    assert mask_text('FATAL: bad password "%s" for user "nr"' % PASSWORD, url) == 'FATAL: bad password "***" for user "nr"'
    query_url = "postgresql+psycopg2://db/netraven?user=nr&password=%s" % PASSWORD
    assert PASSWORD not in mask_text("rejected %s" % PASSWORD, query_url)


def test_describe_engine_masks_both_password_shapes(tmp_path):
    for url in ("postgresql+psycopg2://nr:%s@127.0.0.1/netraven" % PASSWORD,
                "postgresql+psycopg2://127.0.0.1/netraven?user=nr&password=%s" % PASSWORD):
        engine = create_db_engine(url, check_schema=False)
        assert_clean_one_line(describe_engine(engine))
        assert "***" in describe_engine(engine)
        engine.dispose()


# --- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgresql+psycopg2://nr:Secr3tPw@db:notaport/netraven",
    "://nr:Secr3tPw@db/netraven",
    "nr:Secr3tPw@db/netraven",
    "nosuchdriver://nr:Secr3tPw@db/netraven",
    "postgresql+nosuchdbapi://nr:Secr3tPw@db/netraven",
])
def test_malformed_url_is_a_one_line_config_error(url):
    with pytest.raises(DatabaseConfigError) as caught:
        create_db_engine(url)
    message = str(caught.value)
    assert "database URL" in message and "***" in message
    assert_clean_one_line(message)


def test_malformed_url_from_environment(monkeypatch):
    monkeypatch.setenv("NETRAVEN_DB_URL", "postgresql+psycopg2://nr:%s@db:port/netraven" % PASSWORD)
    with pytest.raises(DatabaseConfigError) as caught:
        create_db_engine()
    assert_clean_one_line(str(caught.value))


def _closed_port():
    """A loopback port nothing listens on: bound, then released."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("template", [
    "postgresql+psycopg2://nr:{password}@127.0.0.1:{port}/netraven",
    "postgresql+psycopg2://127.0.0.1:{port}/netraven?user=nr&password={password}",
])
def test_unreachable_postgresql_is_a_one_line_unavailable_error(template):
    pytest.importorskip("psycopg2")
    url = template.format(password=PASSWORD, port=_closed_port())
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailableError) as caught:
        create_db_engine(url)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert_clean_one_line(message)
    assert "127.0.0.1" in message and "unavailable" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_database_error_masks_a_password_in_the_driver_message():
    url = "postgresql+psycopg2://nr:%s@db/netraven" % PASSWORD
    error = database_error(RuntimeError('password "%s" rejected\nDETAIL: more' % PASSWORD), url)
    assert str(error) == 'Database postgresql+psycopg2://nr:***@db/netraven is unavailable: password "***" rejected'


# --- SQLite -----------------------------------------------------------------------------------

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


def test_unmigrated_sqlite_is_refused_naming_the_migrate_command():
    with pytest.raises(SchemaNotReadyError) as caught:
        create_db_engine()
    message = str(caught.value)
    assert "\n" not in message
    assert "ansible-playbook netraven.netraven.migrate" in message


def test_session_scope_commits_or_rolls_back(tmp_path):
    engine = create_db_engine("sqlite:///%s" % (tmp_path / "scope.db"), check_schema=False)
    Base.metadata.create_all(engine)
    with session_scope(engine) as session:
        session.add(Tag(name="core"))
    with pytest.raises(ZeroDivisionError):
        with session_scope(engine) as session:
            session.add(Tag(name="edge"))
            session.flush()
            raise ZeroDivisionError
    with pytest.raises(DatabaseUnavailableError) as caught:
        with session_scope(engine) as session:
            session.add(Tag(name="core"))
    assert "\n" not in str(caught.value)
    with session_scope(engine) as session:
        assert [tag.name for tag in session.query(Tag)] == ["core"]
    engine.dispose()


def test_bare_postgresql_url_uses_psycopg2_the_required_driver():
    pytest.importorskip("psycopg2")
    try:
        import psycopg  # noqa: F401 pylint: disable=unused-import,import-outside-toplevel
        pytest.skip("psycopg 3 is installed: SQLAlchemy's own default applies")
    except ImportError:
        pass
    engine = create_db_engine("postgresql://nr:%s@127.0.0.1/netraven" % PASSWORD, check_schema=False)
    assert engine.dialect.driver == "psycopg2"
    engine.dispose()


# Passwords the old regex mask let through, or whose tail leaked through driver text.
AWKWARD_PASSWORDS = ["correct horse", "p@ss@word", "a:b:c", "sl/ash", "per%25cent", "pässwörd-ü", "x y@z:/%"]


@pytest.mark.parametrize("password", AWKWARD_PASSWORDS)
def test_mask_url_hides_any_password(password):
    from urllib.parse import quote_plus, unquote_plus  # pylint: disable=import-outside-toplevel
    for written in (quote_plus(password), password):
        url = "postgresql+psycopg2://netraven:%s@db.example.com:5432/netraven" % written
        masked = mask_url(url)
        for part in (password, written, unquote_plus(written)):
            assert part not in masked, masked
        assert "db.example.com" in masked and "netraven" in masked


@pytest.mark.parametrize("password", AWKWARD_PASSWORDS)
def test_mask_text_scrubs_the_decoded_password_from_driver_text(password):
    from urllib.parse import quote_plus  # pylint: disable=import-outside-toplevel
    url = "postgresql+psycopg2://netraven:%s@db.example.com/netraven" % quote_plus(password)
    text = 'connection to server failed: password "%s" / %s rejected' % (password, quote_plus(password))
    masked = mask_text(text, url)
    assert password not in masked and quote_plus(password) not in masked


def test_embedded_database_and_directory_are_owner_only(tmp_path):
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "data" / "netraven.db"
        create_db_engine("sqlite:///%s" % path, check_schema=False).dispose()
    finally:
        os.umask(old_umask)
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)
    assert oct(os.stat(path.parent).st_mode & 0o777) == oct(0o700)


def test_bound_parameters_are_hidden(tmp_path):
    engine = create_db_engine("sqlite:///%s" % (tmp_path / "p.db"), check_schema=False)
    assert engine.hide_parameters
