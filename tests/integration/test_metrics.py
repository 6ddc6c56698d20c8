"""Credential metrics under concurrency (docs/architecture.md: "Transactions and locks"), on PostgreSQL and SQLite.

Ansible forks workers that record attempts on the same credential at the same time.
Eight processes, each with its own engine and one transaction per attempt, must lose
no count: success_count + failure_count equals the number of attempts, with the exact
split. On SQLite the same run must not fail with "database is locked".
"""

import datetime
import multiprocessing

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._backup._credential_metrics import record_credential_attempt
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential

PROCESSES = 8
UPDATES = {"postgresql": 100, "sqlite": 25}
UTC = datetime.timezone.utc


def is_success(worker, step):
    """A deterministic mix: about a third of the attempts fail, differently per worker."""
    return (worker + step) % 3 != 0


def worker_main(url, worker, updates, barrier, errors):
    """One forked worker: its own engine, one transaction per attempt."""
    try:
        engine = create_db_engine(url)
        barrier.wait(timeout=60)
        for step in range(updates):
            with session_scope(engine) as session:
                record_credential_attempt(session, 1, is_success(worker, step))
        engine.dispose()
    except Exception as error:  # pylint: disable=broad-except
        errors.put("worker %d: %s: %s" % (worker, type(error).__name__, error))
        raise


def add_credential(url):
    engine = create_db_engine(url)
    with session_scope(engine) as session:
        session.add(Credential(id=1, name="shared", username="admin", password="ciphertext"))
    engine.dispose()


def load(url):
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            return session.get(Credential, 1)
    finally:
        engine.dispose()


def naive_utc(value):
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@pytest.mark.slow
def test_concurrent_updates_lose_no_count(backend, db_url):
    updates = UPDATES[backend]
    add_credential(db_url)
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(PROCESSES)
    errors = context.Queue()
    workers = [context.Process(target=worker_main, args=(db_url, worker, updates, barrier, errors))
               for worker in range(PROCESSES)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=180)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert [process.exitcode for process in workers] == [0] * PROCESSES

    expected_success = sum(is_success(w, s) for w in range(PROCESSES) for s in range(updates))
    credential = load(db_url)
    assert credential.success_count + credential.failure_count == PROCESSES * updates
    assert credential.success_count == expected_success
    assert credential.failure_count == PROCESSES * updates - expected_success
    assert 0.0 <= credential.success_rate <= 1.0
    assert credential.last_used is not None


def test_ema_rule_and_last_used(db_url):
    """The metrics formula, sequentially: None -> 1.0 / 0.0, then 0.9 r + 0.1 / 0.9 r; last_used advances."""
    add_credential(db_url)
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            assert session.get(Credential, 1).success_rate is None
        expected = None
        previous = None
        start = datetime.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        outcomes = [False, True, True, True, False, True]
        for step, success in enumerate(outcomes):
            now = start + datetime.timedelta(seconds=step)
            with session_scope(engine) as session:
                record_credential_attempt(session, 1, success, now=now)
            expected = (1.0 if success else 0.0) if expected is None else 0.9 * expected + (0.1 if success else 0.0)
            with session_scope(engine) as session:
                credential = session.get(Credential, 1)
            assert credential.success_rate == pytest.approx(expected)
            assert naive_utc(credential.last_used) == naive_utc(now)
            if previous is not None:
                assert naive_utc(credential.last_used) > previous
            previous = naive_utc(credential.last_used)
        assert (credential.success_count, credential.failure_count) == (outcomes.count(True), outcomes.count(False))

        # Without an explicit time, last_used is the current time.
        before = datetime.datetime.now(UTC).replace(tzinfo=None) - datetime.timedelta(seconds=5)
        with session_scope(engine) as session:
            record_credential_attempt(session, 1, True)
        with session_scope(engine) as session:
            credential = session.get(Credential, 1)
        assert naive_utc(credential.last_used) >= before
        assert credential.success_rate == pytest.approx(0.9 * expected + 0.1)
    finally:
        engine.dispose()
