# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writers for job_logs and connection_logs (docs/architecture.md: "The path of one device", "Jobs").

They only add rows to the caller's session: the caller owns the transaction, so an
attempt's metrics update and its log row commit together or not at all. Rows go in as
Core INSERTs compiled before the fork (_statements.py) rather than ORM objects: a backup
writes several per device in a fresh worker process, where the ORM's unit of work, or a
statement compiled afresh, costs more CPU than the device itself.
Messages and data must never carry a password; callers pass usernames and ids only.
"""

from __future__ import annotations

import datetime
from typing import Any, Mapping, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import HAS_SQLALCHEMY, ConnectionLog, JobLog
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import (
    ErrorType,
    LogLevel,
    attempt_log_level,
    runner_error_level,
)

from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import Statement, Target

if HAS_SQLALCHEMY:
    import sqlalchemy as sa

JOB_LOG_INSERT = Statement(lambda: sa.insert(JobLog).values(
    job_id=sa.bindparam("job_id"), device_id=sa.bindparam("device_id"), message=sa.bindparam("message"),
    level=sa.bindparam("level"), timestamp=sa.bindparam("timestamp"), data=sa.bindparam("data")))
CONNECTION_LOG_INSERT = Statement(lambda: sa.insert(ConnectionLog).values(
    device_id=sa.bindparam("device_id"), job_id=sa.bindparam("job_id"), successful=sa.bindparam("successful"),
    duration_ms=sa.bindparam("duration_ms"), error_message=sa.bindparam("error_message"),
    error_type=sa.bindparam("error_type"), credential_id=sa.bindparam("credential_id"),
    credential_username=sa.bindparam("credential_username"), retry_count=sa.bindparam("retry_count"),
    timestamp=sa.bindparam("timestamp")))


def write_job_log(session: Target, job_id: int, message: str, level: str = LogLevel.INFO, device_id: Optional[int] = None,
                  data: Optional[Mapping[str, Any]] = None, now: Optional[datetime.datetime] = None) -> None:
    """Add a job_logs row; device_id None makes it a job-level entry (no data: SQL NULL)."""
    JOB_LOG_INSERT.execute(session, job_id=job_id, device_id=device_id, message=message, level=level,
                           timestamp=now or utcnow(), data=dict(data) if data else None)


def log_runner_error(session: Target, job_id: int, message: str, error_type: str = ErrorType.GENERAL,
                     data: Optional[Mapping[str, Any]] = None) -> None:
    """A job-level error row: level ERROR for credential problems, CRITICAL for anything else."""
    level = runner_error_level(error_type)
    payload = dict(data or {})
    payload["error_type"] = error_type
    write_job_log(session, job_id, message, level=level, device_id=None, data=payload)


def log_credential_attempt(session: Target, job_id: int, device_id: int, credential_id: int, credential_username: str,
                           attempt: int, success: bool, error_type: Optional[str] = None, message: Optional[str] = None,
                           reason: Optional[str] = None) -> None:
    """The per-attempt job_logs row with {credential_id, credential_username, attempt, error_type}.

    reason (a rejection other than a plain refused login, such as "Enable rejected") follows the default message.
    """
    if message is None:
        outcome = "accepted" if success else "failed (%s)" % (error_type or ErrorType.UNEXPECTED)
        message = "Login attempt %d with credential '%s' (id %s) %s%s" % (
            attempt, credential_username, credential_id, outcome, ": " + reason if reason else "")
    data = {
        "credential_id": credential_id,
        "credential_username": credential_username,
        "attempt": attempt,
        "error_type": None if success else (error_type or ErrorType.UNEXPECTED),
    }
    level = attempt_log_level(success, error_type)
    write_job_log(session, job_id, message, level=level, device_id=device_id, data=data)


def write_connection_log(session: Target, device_id: int, job_id: Optional[int], successful: bool,
                         duration_ms: Optional[int] = None, error_message: Optional[str] = None,
                         error_type: Optional[str] = None, credential_id: Optional[int] = None,
                         credential_username: Optional[str] = None, retry_count: int = 0,
                         now: Optional[datetime.datetime] = None) -> None:
    """Add the one connection_logs row a device gets per job."""
    CONNECTION_LOG_INSERT.execute(
        session, device_id=device_id, job_id=job_id, successful=successful, duration_ms=duration_ms,
        error_message=error_message, error_type=error_type, credential_id=credential_id,
        credential_username=credential_username, retry_count=retry_count, timestamp=now or utcnow())
