# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credential metrics (docs/architecture.md: "Transactions and locks") on an SQLite file built from the models.

The rule itself and its shape: one UPDATE statement per attempt and no read before it,
which is what keeps concurrent workers from losing counts (the concurrency proof is in
tests/integration/test_metrics.py).
"""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._backup._credential_metrics import record_credential_attempt
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential

try:
    from sqlalchemy import event
except ImportError:  # pragma: no cover - requirements install it; the tests then fail loudly
    event = None

UTC = datetime.timezone.utc


@pytest.fixture
def engine(engine):
    """The shared engine (tests/conftest.py) with credentials 1 (admin) and 2 (backup)."""
    with session_scope(engine) as session:
        session.add_all([Credential(id=1, name="one", username="admin", password="x"),
                         Credential(id=2, name="two", username="backup", password="y")])
    return engine


def load(engine, credential_id=1):
    with session_scope(engine) as session:
        return session.get(Credential, credential_id)


def naive_utc(value):
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones; compare them as naive UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def attempt(engine, success, credential_id=1, now=None):
    with session_scope(engine) as session:
        record_credential_attempt(session, credential_id, success, now=now)


def test_new_credential_has_no_rate(engine):
    credential = load(engine)
    assert credential.success_rate is None
    assert (credential.success_count, credential.failure_count, credential.last_used) == (0, 0, None)


@pytest.mark.parametrize("first, rate", [(True, 1.0), (False, 0.0)])
def test_first_attempt_sets_rate_outright(engine, first, rate):
    attempt(engine, first)
    credential = load(engine)
    assert credential.success_rate == rate
    assert (credential.success_count, credential.failure_count) == ((1, 0) if first else (0, 1))


def test_ema_rule_over_a_sequence(engine):
    outcomes = [False, True, True, False, True, False, False, True]
    expected = None
    start = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    for step, success in enumerate(outcomes):
        now = start + datetime.timedelta(minutes=step)
        attempt(engine, success, now=now)
        if expected is None:
            expected = 1.0 if success else 0.0
        else:
            expected = 0.9 * expected + (0.1 if success else 0.0)
        credential = load(engine)
        assert credential.success_rate == pytest.approx(expected)
        assert naive_utc(credential.last_used) == naive_utc(now)
    assert credential.success_count == outcomes.count(True)
    assert credential.failure_count == outcomes.count(False)
    # The other credential is untouched.
    other = load(engine, 2)
    assert (other.success_rate, other.success_count, other.failure_count, other.last_used) == (None, 0, 0, None)


def test_last_used_defaults_to_now(engine):
    before = datetime.datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    attempt(engine, True)
    first = naive_utc(load(engine).last_used)
    assert first >= before
    with session_scope(engine) as session:
        record_credential_attempt(session, 1, False)
    second = naive_utc(load(engine).last_used)
    assert second >= first
    assert load(engine).success_rate == pytest.approx(0.9)


def test_missing_credential_id_is_a_no_op(engine):
    attempt(engine, True, credential_id=None)
    assert load(engine).success_count == 0


def test_an_attempt_is_one_update_and_no_read(engine):
    statements = []

    def capture(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement.strip().split()[0].upper())

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with session_scope(engine) as session:
            record_credential_attempt(session, 1, True)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert [s for s in statements if s not in ("BEGIN", "COMMIT", "PRAGMA")] == ["UPDATE"]


def test_attempt_rolls_back_with_the_callers_transaction(engine):
    with pytest.raises(RuntimeError):
        with session_scope(engine) as session:
            record_credential_attempt(session, 1, True)
            raise RuntimeError("the log row failed")
    assert load(engine).success_count == 0
