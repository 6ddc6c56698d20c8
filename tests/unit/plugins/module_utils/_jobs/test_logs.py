# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""job_logs and connection_logs writers (docs/architecture.md: "The path of one device", "Jobs") on an SQLite file built from the models.

Other parts (the job module, the backup action, the report) read these rows by their
level and data keys, so the exact shapes are pinned here.
"""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._logs import (
    log_credential_attempt,
    log_runner_error,
    write_connection_log,
    write_job_log,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ConnectionLog, Credential, Device, Job, JobLog
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ErrorType, LogLevel

ATTEMPT_KEYS = {"credential_id", "credential_username", "attempt", "error_type"}


@pytest.fixture
def engine(engine):
    """The shared engine (tests/conftest.py) with job 1, device r1 and credential 7 (ops)."""
    with session_scope(engine) as session:
        session.add_all([
            Job(id=1, name="backup"),
            Device(id=1, hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios"),
            Credential(id=7, name="ops", username="ops", password="ciphertext"),
        ])
    return engine


def rows(engine, model):
    with session_scope(engine) as session:
        return session.query(model).order_by(model.id).all()


def test_job_level_entry(engine):
    data = {"devices": 3}
    with session_scope(engine) as session:
        write_job_log(session, 1, "3/3 devices resolved (100%)", data=data)
    data["devices"] = 99  # the row keeps a copy
    (entry,) = rows(engine, JobLog)
    assert (entry.job_id, entry.device_id, entry.level) == (1, None, LogLevel.INFO)
    assert entry.message == "3/3 devices resolved (100%)"
    assert entry.data == {"devices": 3}
    assert entry.timestamp is not None


def test_device_entry_without_data(engine):
    with session_scope(engine) as session:
        write_job_log(session, 1, "backed up", level=LogLevel.DEBUG, device_id=1)
    (entry,) = rows(engine, JobLog)
    assert (entry.device_id, entry.level, entry.data) == (1, LogLevel.DEBUG, None)


@pytest.mark.parametrize("error_type, level", [
    (ErrorType.CREDENTIAL, LogLevel.ERROR),
    (ErrorType.GENERAL, LogLevel.CRITICAL),
    (ErrorType.DATABASE, LogLevel.CRITICAL),
])
def test_runner_error_levels(engine, error_type, level):
    with session_scope(engine) as session:
        log_runner_error(session, 1, "resolution failed", error_type=error_type, data={"devices": 2})
    (entry,) = rows(engine, JobLog)
    assert (entry.device_id, entry.level) == (None, level)
    assert entry.data == {"devices": 2, "error_type": error_type}


@pytest.mark.parametrize("success, error_type, level, data_error_type", [
    (True, None, LogLevel.INFO, None),
    (True, ErrorType.AUTH, LogLevel.INFO, None),
    (False, ErrorType.AUTH, LogLevel.WARNING, ErrorType.AUTH),
    (False, ErrorType.TIMEOUT, LogLevel.ERROR, ErrorType.TIMEOUT),
    (False, None, LogLevel.ERROR, ErrorType.UNEXPECTED),
])
def test_credential_attempt_row(engine, success, error_type, level, data_error_type):
    with session_scope(engine) as session:
        log_credential_attempt(session, 1, 1, 7, "ops", 2, success, error_type=error_type)
    (entry,) = rows(engine, JobLog)
    assert (entry.job_id, entry.device_id, entry.level) == (1, 1, level)
    assert set(entry.data) == ATTEMPT_KEYS
    assert entry.data == {"credential_id": 7, "credential_username": "ops", "attempt": 2, "error_type": data_error_type}
    assert "ops" in entry.message and "ciphertext" not in entry.message


def test_credential_attempt_custom_message(engine):
    with session_scope(engine) as session:
        log_credential_attempt(session, 1, 1, 7, "ops", 1, False, ErrorType.AUTH, message="rejected")
    assert rows(engine, JobLog)[0].message == "rejected"


def test_connection_log_row(engine):
    with session_scope(engine) as session:
        write_connection_log(session, 1, 1, False, duration_ms=1500, error_message="Authentication failed",
                             error_type=ErrorType.AUTH, credential_id=7, credential_username="ops", retry_count=2)
    (entry,) = rows(engine, ConnectionLog)
    assert (entry.device_id, entry.job_id, entry.successful, entry.duration_ms) == (1, 1, False, 1500)
    assert (entry.error_type, entry.credential_id, entry.credential_username, entry.retry_count) == (
        ErrorType.AUTH, 7, "ops", 2)
    assert entry.timestamp is not None


def test_connection_log_keeps_username_when_credential_is_deleted(engine):
    with session_scope(engine) as session:
        write_connection_log(session, 1, 1, True, credential_id=7, credential_username="ops")
    with session_scope(engine) as session:
        session.delete(session.get(Credential, 7))
    (entry,) = rows(engine, ConnectionLog)
    assert (entry.credential_id, entry.credential_username, entry.retry_count) == (None, "ops", 0)


def test_writers_join_the_callers_transaction(engine):
    with pytest.raises(RuntimeError):
        with session_scope(engine) as session:
            write_job_log(session, 1, "attempt")
            write_connection_log(session, 1, 1, True)
            session.flush()
            raise RuntimeError("metrics update failed")
    assert rows(engine, JobLog) == [] and rows(engine, ConnectionLog) == []
