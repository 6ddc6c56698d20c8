# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine factory (docs/architecture.md: "Database and encryption"): its sessions, its schema check, and no message that leaks the URL's password.

Every error a user can cause with a URL (malformed, unknown driver, server down, schema
missing) must be one line with the password masked, since modules show it verbatim.
"""

from __future__ import annotations

import socket
import time

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, describe_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (
    DatabaseConfigError,
    DatabaseUnavailableError,
    SchemaNotReadyError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Base, Tag
from ansible_collections.netraven.netraven.tests.unit.plugins.module_utils._db._url_checks import PASSWORD, assert_clean_one_line

pytestmark = pytest.mark.usefixtures("isolated_db_env")


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


def test_bound_parameters_are_hidden(tmp_path):
    engine = create_db_engine("sqlite:///%s" % (tmp_path / "p.db"), check_schema=False)
    assert engine.hide_parameters


@pytest.mark.parametrize("url", [
    "postgresql+psycopg2://nr:Se@cr/%s@127.0.0.1:5432/netraven" % PASSWORD,
    "postgresql://nr:%s@x@db/netraven" % PASSWORD,
])
def test_an_unencoded_at_in_the_password_is_refused_before_the_driver_sees_it(url):
    # SQLAlchemy ends the password at the first '@' and sends the rest on as host and database,
    # which the driver then quotes in its errors.
    with pytest.raises(DatabaseConfigError, match="password holds an unencoded '@'") as refused:
        create_db_engine(url)
    message = str(refused.value)
    assert PASSWORD not in message and "cr/" not in message and "nr:***@" in message and "\n" not in message
