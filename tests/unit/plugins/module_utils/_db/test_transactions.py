# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""run_transaction: a backup's transaction runs again only when the database certainly wrote nothing.

The failures are driver errors shaped like psycopg2's (a SQLSTATE in pgcode, libpq's
text for a refused connection), raised into a real SQLite engine, so what was committed
is read back rather than assumed.
"""

from __future__ import annotations

import functools

import pytest

sa = pytest.importorskip("sqlalchemy")

# pylint: disable=wrong-import-position
from sqlalchemy import exc as sa_exc  # noqa: E402

from ansible_collections.netraven.netraven.plugins.module_utils._db import _transactions  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (  # noqa: E402
    DatabaseUnavailableError,
    DatabaseValueError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Tag  # noqa: E402


class DriverError(Exception):
    """A DBAPI error as psycopg2 raises it: a message, and a SQLSTATE when the server sent one."""

    def __init__(self, message, pgcode=None):
        super().__init__(message)
        self.pgcode = pgcode


def operational(message, pgcode=None):
    return sa_exc.OperationalError("INSERT ...", {}, DriverError(message, pgcode))


@pytest.fixture
def pauses(monkeypatch):
    """The pauses run_transaction took (time.sleep is recorded, not slept)."""
    taken = []
    monkeypatch.setattr(_transactions.time, "sleep", taken.append)
    return taken


def tag_names(engine):
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(Tag.name)).scalars())


def failing_then_inserting(failures):
    """Work that inserts a tag, after raising each of failures (also after its insert) in turn."""
    runs = []

    def work(connection):
        runs.append(len(runs))
        connection.execute(sa.insert(Tag).values(name="run-%d" % len(runs)))
        if len(runs) <= len(failures):
            raise failures[len(runs) - 1]
        return "done"

    return work, runs


def test_commits_the_work_and_returns_its_value(sqlite_engine, pauses):
    work, runs = failing_then_inserting([])
    assert _transactions.run_transaction(sqlite_engine, work) == "done"
    assert runs == [0] and pauses == []
    assert tag_names(sqlite_engine) == ["run-1"]


@pytest.mark.parametrize("pgcode", ["40P01", "40001"], ids=["deadlock victim", "serialization failure"])
def test_a_transaction_the_server_rolled_back_runs_again(sqlite_engine, pauses, pgcode):
    work, runs = failing_then_inserting([operational("deadlock detected", pgcode)])
    assert _transactions.run_transaction(sqlite_engine, work) == "done"
    assert len(runs) == 2 and pauses == [_transactions.RETRY_PAUSES[0]]
    # The first run's insert was rolled back with it: the records exist once.
    assert tag_names(sqlite_engine) == ["run-2"]


def test_an_error_of_unknown_commit_state_is_reported_at_once(sqlite_engine, pauses):
    work, runs = failing_then_inserting([operational("server closed the connection unexpectedly\n"
                                                     "\tThis probably means the server terminated abnormally")])
    with pytest.raises(DatabaseUnavailableError) as caught:
        _transactions.run_transaction(sqlite_engine, work)
    message = str(caught.value)
    assert runs == [0] and pauses == []
    assert message.startswith("Database %s is unavailable: server closed the connection unexpectedly" % (sqlite_engine.url,))
    assert "\n" not in message
    assert tag_names(sqlite_engine) == []


def test_retries_stop_after_the_last_pause_with_the_last_error(sqlite_engine, pauses):
    failures = [operational("deadlock detected %d" % n, "40P01") for n in range(len(_transactions.RETRY_PAUSES) + 1)]
    work, runs = failing_then_inserting(failures)
    with pytest.raises(DatabaseUnavailableError) as caught:
        _transactions.run_transaction(sqlite_engine, work)
    assert len(runs) == len(_transactions.RETRY_PAUSES) + 1
    assert pauses == list(_transactions.RETRY_PAUSES)
    assert str(caught.value).endswith("deadlock detected %d" % len(_transactions.RETRY_PAUSES))
    assert tag_names(sqlite_engine) == []


def test_errors_of_the_work_itself_pass_through_untouched(sqlite_engine, pauses):
    work, runs = failing_then_inserting([KeyError("not a database error")])
    with pytest.raises(KeyError):
        _transactions.run_transaction(sqlite_engine, work)
    assert runs == [0] and pauses == []
    assert tag_names(sqlite_engine) == []


@pytest.mark.parametrize("message, retried", [
    ("FATAL:  sorry, too many clients already", True),
    ("FATAL:  remaining connection slots are reserved for non-replication superuser connections", True),
    ("FATAL:  the database system is starting up", True),
    ('connection to server at "127.0.0.1", port 5432 failed: Connection refused', False),
    ('FATAL:  password authentication failed for user "netraven"', False),
    ('FATAL:  database "netravn" does not exist', False),
])
def test_only_a_connection_refused_for_the_moment_is_retried(sqlite_engine, pauses, monkeypatch, message, retried):
    real_connect = sqlite_engine.connect
    attempts = []

    def connect():
        attempts.append(message)
        if len(attempts) == 1:
            raise operational(message)
        return real_connect()

    monkeypatch.setattr(sqlite_engine, "connect", connect)
    work, runs = failing_then_inserting([])
    if retried:
        assert _transactions.run_transaction(sqlite_engine, work) == "done"
        assert len(attempts) == 2 and runs == [0] and pauses == [_transactions.RETRY_PAUSES[0]]
        assert tag_names(sqlite_engine) == ["run-1"]
    else:
        with pytest.raises(DatabaseUnavailableError) as caught:
            _transactions.run_transaction(sqlite_engine, work)
        assert len(attempts) == 1 and runs == [] and pauses == []
        assert message.split("\n", maxsplit=1)[0] in str(caught.value)


def insert_tag(connection, values):
    connection.execute(sa.insert(Tag).values(**values))


def test_a_value_the_driver_refuses_is_one_line_and_not_retried(sqlite_engine, pauses):
    """sqlite3 raises a plain OverflowError for 2**70 and UnicodeEncodeError for a lone surrogate."""
    cases = ((dict(name="t", id=2 ** 70), "Python int too large to convert to SQLite INTEGER"),
             (dict(name="t", description="a\ud800"), "'utf-8' codec can't encode character '\\ud800' in position 1"))
    for values, text in cases:
        work = functools.partial(insert_tag, values=values)

        with pytest.raises(DatabaseValueError) as refused:
            _transactions.run_transaction(sqlite_engine, work)
        message = str(refused.value)
        assert message.startswith("Database sqlite:///") and (" refused a value: " + text) in message, message
        assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert pauses == []
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Tag)).scalar_one() == 0


def test_a_value_error_of_the_collection_itself_keeps_its_traceback(sqlite_engine):
    def buggy(connection):
        connection.execute(sa.insert(Tag).values(name="t"))
        return int("not a number")

    with pytest.raises(ValueError, match="invalid literal"):
        _transactions.run_transaction(sqlite_engine, buggy)
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Tag)).scalar_one() == 0
