# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Statements compiled before the fork (docs/architecture.md, "Where SQL is compiled").

Every statement of the backup compiles for SQLite and PostgreSQL without needing
SQLAlchemy at execution, and what it writes and reads is what SQLAlchemy's own path
writes and reads (JSON, timestamps and booleans included).
"""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _store  # noqa: F401 pylint: disable=unused-import
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _logs  # noqa: F401 pylint: disable=unused-import
from ansible_collections.netraven.netraven.plugins.module_utils._backup import _credential_metrics  # noqa: F401 pylint: disable=unused-import
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ConnectionLog, Device, Job, JobLog
from ansible_collections.netraven.netraven.plugins.module_utils._db._statements import IN_SLOTS, Statement, chunks, in_slots, precompile, slot_values

UTC = datetime.timezone.utc


@pytest.fixture
def engine(engine):
    """The shared engine (tests/conftest.py) with job 1, device r1 (disabled) and r2."""
    with session_scope(engine) as session:
        session.add_all([Job(id=1, name="backup"),
                         Device(id=1, hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios", enabled=False),
                         Device(id=2, hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios")])
    return engine


def test_every_statement_compiles_for_both_dialects():
    # precompile raises for a statement that needs SQLAlchemy at execution (defaults, expanding IN).
    assert precompile() >= 20


def test_a_statement_needing_sqlalchemy_at_execution_is_refused():
    expanding = Statement(lambda: sa.select(Device.id).where(Device.id.in_(sa.bindparam("ids", expanding=True))),
                          precompiled=False)
    with pytest.raises(ValueError, match="expanding IN"):
        expanding.rows(sa.create_engine("sqlite://").connect(), ids=[1])


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg2.dialect()], ids=["sqlite", "postgresql"])
def test_in_slots_compile_to_fixed_placeholders(dialect):
    text = str(sa.select(Device.id).where(in_slots(Device.id, "ids")).compile(dialect=dialect))
    assert text.count("?" if dialect.name == "sqlite" else "%(ids_") == IN_SLOTS
    assert "POSTCOMPILE" not in text


def test_slot_values_repeat_the_last_and_refuse_too_many():
    assert list(slot_values("ids", [3, 5], count=4).values()) == [3, 5, 5, 5]
    assert chunks(range(5), count=2) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError):
        slot_values("ids", list(range(IN_SLOTS + 1)))
    with pytest.raises(ValueError):
        slot_values("ids", [])


def test_rows_are_type_processed_like_sqlalchemy(engine):
    select = Statement(lambda: sa.select(Device.id, Device.enabled).where(in_slots(Device.id, "ids")).order_by(Device.id))
    with engine.connect() as connection:
        assert select.rows(connection, **slot_values("ids", [1, 2])) == [(1, False), (2, True)]
        assert select.mappings(connection, **slot_values("ids", [2])) == [{"id": 2, "enabled": True}]
        assert select.first(connection, **slot_values("ids", [99])) is None


def test_writes_read_back_through_the_orm(engine):
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    with session_scope(engine) as session:
        _logs.write_job_log(session, 1, "with data", device_id=1, data={"nested": [1, "two"]}, now=when)
        _logs.write_job_log(session, 1, "without data", now=when)
        _logs.write_connection_log(session, 1, 1, True, duration_ms=5, credential_id=None, now=when)
    with session_scope(engine) as session:
        logs = session.query(JobLog).order_by(JobLog.id).all()
        assert [(log.message, log.data) for log in logs] == [("with data", {"nested": [1, "two"]}), ("without data", None)]
        assert logs[0].timestamp.replace(tzinfo=UTC) == when
        # No data is SQL NULL, not the JSON text 'null'.
        assert session.execute(sa.text("SELECT count(*) FROM job_logs WHERE data IS NULL")).scalar_one() == 1
        (connection_log,) = session.query(ConnectionLog).all()
        assert connection_log.successful is True and connection_log.duration_ms == 5


def test_a_missing_parameter_names_it(engine):
    with engine.connect() as connection:
        with pytest.raises(KeyError, match="device_id"):
            _store.DEVICE_SELECT.rows(connection)
