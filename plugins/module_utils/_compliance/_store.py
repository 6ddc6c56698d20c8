# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance tables: every evaluation kept (compliance_results), the latest outcome read and updated (compliance_state).

An evaluation of 10,000 devices x 50 rules writes 500,000 history rows: they go in with COPY on
PostgreSQL (psycopg2) and as Core executemany INSERTs in chunks on SQLite (no ORM objects), in one
short transaction after the whole evaluation, so a rule refused half-way stores nothing and a long evaluation holds no write
lock. The state table has one row per (device, rule) and is written only where the outcome,
the configuration evaluated or the rule changed: a steady estate rewrites nothing there.
``since`` lives in the state: it survives prune of the history (docs/compliance.md, "Table growth").
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    HAS_SQLALCHEMY,
    ComplianceResult,
    ComplianceState,
)
from ansible_collections.netraven.netraven.plugins.module_utils._jobs._logs import write_job_log
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import ComplianceStatus

if HAS_SQLALCHEMY:
    import sqlalchemy as sa
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

INSERT_CHUNK = 5000
# Ids per IN list: well under SQLite's bound-parameter limit.
ID_CHUNK = 500


class PreviousOutcome:
    """A (device, rule)'s row of compliance_state: the last outcome, since when it fails, what it evaluated."""

    __slots__ = ("status", "since", "config_id", "fingerprint", "details")

    def __init__(self, status: str, since: Optional[datetime.datetime], config_id: Optional[int], fingerprint: str,
                 details: Optional[Dict[str, Any]]) -> None:
        self.status = status
        self.since = since
        self.config_id = config_id
        self.fingerprint = fingerprint
        self.details = details


def read_state(connection: Connection, device_ids: Sequence[int], rule_names: Sequence[str]) -> Dict[Tuple[int, str], PreviousOutcome]:
    """The state rows of these devices and rules, by (device_id, rule)."""
    found: Dict[Tuple[int, str], PreviousOutcome] = {}
    if not device_ids:
        return found
    table: Any = ComplianceState.__table__
    query = sa.select(table.c.device_id, table.c.rule, table.c.status, table.c.since, table.c.config_id,
                      table.c.fingerprint, table.c.details).where(
        table.c.device_id.in_(list(device_ids)), table.c.rule.in_(list(rule_names)))
    for row in connection.execute(query):
        found[(row.device_id, row.rule)] = PreviousOutcome(row.status, row.since, row.config_id, row.fingerprint,
                                                           row.details)
    return found


def latest_config_ids(connection: Connection, device_ids: Sequence[int]) -> Dict[int, int]:
    """device_id -> the id of its latest stored configuration (devices without one are left out)."""
    if not device_ids:
        return {}
    table = sa.table("device_configurations", sa.column("id"), sa.column("device_id"))
    query = (sa.select(table.c.device_id, sa.func.max(table.c.id))
             .where(table.c.device_id.in_(list(device_ids))).group_by(table.c.device_id))
    return dict(connection.execute(query).all())


def config_texts(connection: Connection, config_ids: Sequence[int]) -> Dict[int, str]:
    """config_id -> stored masked text of these configurations; the sealed original is never read."""
    if not config_ids:
        return {}
    table = sa.table("device_configurations", sa.column("id"), sa.column("config_data"))
    return dict(connection.execute(sa.select(table.c.id, table.c.config_data).where(
        table.c.id.in_(list(config_ids)))).all())


class Writes:
    """What an evaluation stores: history rows, and the state rows it changed."""

    def __init__(self) -> None:
        self.history: List[Tuple[int, str, str, Optional[Dict[str, Any]], Optional[int]]] = []
        self.state: List[Tuple[int, str, str, Optional[datetime.datetime], Optional[int], str,
                               Optional[Dict[str, Any]]]] = []

    def __bool__(self) -> bool:
        return bool(self.history or self.state)


def _chunks(rows: List[Any], size: int = INSERT_CHUNK) -> Iterable[List[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _upsert(connection: Connection) -> Any:
    """INSERT ... ON CONFLICT (device_id, rule) DO UPDATE for the connection's dialect (SQLite, PostgreSQL)."""
    from sqlalchemy.dialects import postgresql, sqlite
    table: Any = ComplianceState.__table__
    insert: Any = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.device_id, table.c.rule],
        set_={name: statement.excluded[name] for name in ("status", "since", "config_id", "fingerprint", "details")})


HISTORY_COLUMNS = ("device_id", "rule", "status", "details", "config_id", "evaluated_at")
STATE_COLUMNS = ("device_id", "rule", "status", "since", "config_id", "fingerprint", "details")


def _copies(connection: Connection) -> bool:
    """Whether rows go in with COPY: PostgreSQL through psycopg2 (5 times faster than batched INSERTs, measured)."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg2"


def _csv_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _copy(connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into a table on the connection's own transaction (CSV: an unquoted empty field is NULL)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if value is None else value for value in map(_csv_value, row)])
    buffer.seek(0)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # open, so it has one
    try:
        cursor.copy_expert("COPY %s (%s) FROM STDIN WITH (FORMAT csv)" % (table, ", ".join(columns)), buffer)
    finally:
        cursor.close()


def _store_by_copy(connection: Connection, writes: Writes, evaluated_at: datetime.datetime) -> None:
    for chunk in _chunks(writes.history, INSERT_CHUNK * 10):
        _copy(connection, "compliance_results", HISTORY_COLUMNS, (row + (evaluated_at,) for row in chunk))
    if writes.state:
        connection.exec_driver_sql("CREATE TEMPORARY TABLE compliance_state_load (LIKE compliance_state) ON COMMIT DROP")
        for chunk in _chunks(writes.state, INSERT_CHUNK * 10):
            _copy(connection, "compliance_state_load", STATE_COLUMNS, chunk)
        updates = ", ".join("%s = EXCLUDED.%s" % (name, name) for name in STATE_COLUMNS[2:])
        connection.exec_driver_sql(
            "INSERT INTO compliance_state (%s) SELECT %s FROM compliance_state_load ON CONFLICT (device_id, rule) "
            "DO UPDATE SET %s" % (", ".join(STATE_COLUMNS), ", ".join(STATE_COLUMNS), updates))


def store(connection: Connection, writes: Writes, evaluated_at: datetime.datetime, job_id: Optional[int] = None,
          job_message: Optional[str] = None, job_data: Optional[Dict[str, Any]] = None) -> None:
    """Write an evaluation in the caller's transaction: history in chunks, changed state rows, the job's log line."""
    if _copies(connection):
        _store_by_copy(connection, writes, evaluated_at)
    else:
        history: Any = ComplianceResult.__table__
        for chunk in _chunks(writes.history):
            connection.execute(history.insert(), [
                {"device_id": device_id, "rule": rule, "status": status, "details": details, "config_id": config_id,
                 "evaluated_at": evaluated_at}
                for device_id, rule, status, details, config_id in chunk])
        if writes.state:
            upsert = _upsert(connection)
            for chunk in _chunks(writes.state):
                connection.execute(upsert, [dict(zip(STATE_COLUMNS, row)) for row in chunk])
    if job_id is not None and job_message:
        write_job_log(connection, job_id, job_message, data=job_data, now=evaluated_at)


def since_for(status: str, previous: Optional[PreviousOutcome], now: datetime.datetime) -> Optional[datetime.datetime]:
    """When the device first failed the rule without a break: kept while it keeps failing, now when it starts."""
    if status != ComplianceStatus.NON_COMPLIANT:
        return None
    if previous is not None and previous.status == ComplianceStatus.NON_COMPLIANT and previous.since is not None:
        return previous.since
    return now
