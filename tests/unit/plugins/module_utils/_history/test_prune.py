# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The retention core on a real SQLite database (docs/history.md, "Retention").

One history: an old finished job, a recent one and a RUNNING job that started long ago,
with logs, results, connection logs and configurations of every age. Each rule on its
own: check mode and a real run agree, the latest configuration and everything of an
active job stay, a deleted job takes its logs and results along, and deletes go in batches.
The run through prune.yml beside backups is in tests/integration/test_git_export.py.
"""

from __future__ import annotations

import datetime

import pytest

sa = pytest.importorskip("sqlalchemy")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (  # noqa: E402
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    Job,
    JobCredentialAttempt,
    JobLog,
    JobResult,
    Tag,
    job_tags,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._history._prune import prune  # noqa: E402

ALL_DAYS = {"configurations": 0, "job_logs": 0, "connection_logs": 0, "job_results": 0, "jobs": 0}


def ago(days):
    return utcnow() - datetime.timedelta(days=days)


@pytest.fixture
def history(sqlite_engine):
    """Ids of: old (finished 100 days ago), recent (finished 1 day ago), running (started 100 days ago)."""
    with session_scope(sqlite_engine) as session:
        tag = Tag(name="core")
        cred = Credential(name="ops", username="ops", password="token")
        r1 = Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios")
        r2 = Device(hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios")
        old = Job(name="old", status="COMPLETED_SUCCESS", started_at=ago(100), completed_at=ago(100), tags=[tag])
        recent = Job(name="recent", status="COMPLETED_FAILURE", started_at=ago(1), completed_at=ago(1))
        running = Job(name="running", status="RUNNING", started_at=ago(100))
        session.add_all([tag, cred, r1, r2, old, recent, running])
        session.flush()
        for job, days in ((old, 100), (recent, 1), (running, 100)):
            for device in (r1, r2):
                session.add(JobResult(job_id=job.id, device_id=device.id, status="SUCCESS", result_time=ago(days)))
                session.add(JobLog(job_id=job.id, device_id=device.id, level="INFO", message="login", timestamp=ago(days)))
                session.add(ConnectionLog(device_id=device.id, job_id=job.id, successful=True, timestamp=ago(days)))
        session.add(JobCredentialAttempt(job_id=old.id, credential_id=cred.id, device_id=r1.id, outcome="accepted"))
        # r1: four versions (the two oldest from the old job, one from the running job, the newest from recent);
        # r2: one, very old, which is its latest.
        for days, job in ((120, old), (100, old), (50, running), (1, recent)):
            session.add(DeviceConfiguration(device_id=r1.id, job_id=job.id, config_data="v%d" % days, data_hash=str(days),
                                            retrieved_at=ago(days)))
        session.add(DeviceConfiguration(device_id=r2.id, job_id=old.id, config_data="only", data_hash="r2",
                                        retrieved_at=ago(200)))
        return {"engine": sqlite_engine, "old": old.id, "recent": recent.id, "running": running.id}


def rows(engine, model, *columns):
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(sa.select(*columns).select_from(model.__table__)).all())


def configs(engine):
    return [text for _id, text in rows(engine, DeviceConfiguration, DeviceConfiguration.id, DeviceConfiguration.config_data)]


def test_check_mode_counts_what_the_real_run_deletes_and_writes_nothing(history, db_snapshot):
    engine = history["engine"]
    before = db_snapshot(engine)
    checked = prune(engine, keep_days={"job_logs": 30, "connection_logs": 30, "job_results": 30, "jobs": 30},
                    keep_versions=1, check_mode=True)
    assert db_snapshot(engine) == before
    real = prune(engine, keep_days={"job_logs": 30, "connection_logs": 30, "job_results": 30, "jobs": 30}, keep_versions=1)
    assert checked["deleted"] == real["deleted"] == {
        "device_configurations": 2, "job_logs": 2, "connection_logs": 2, "job_results": 2, "jobs": 1}
    assert checked["msg"].replace("would be deleted", "deleted") == real["msg"]
    assert real["msg"].startswith("9 row(s) deleted: device_configurations 2, job_logs 2")
    assert checked["changed"] is True and real["changed"] is True


def test_the_latest_configuration_and_an_active_jobs_rows_survive(history):
    engine, running = history["engine"], history["running"]
    result = prune(engine, keep_days=ALL_DAYS, keep_versions=1)
    # r1 keeps v1 (latest) and v50 (the running job's); r2 keeps its only, 200-day-old version.
    assert configs(engine) == ["v50", "v1", "only"]
    assert rows(engine, Job, Job.id, Job.status) == [(running, "RUNNING")]
    assert rows(engine, JobLog, JobLog.job_id) == [(running,), (running,)]
    assert rows(engine, JobResult, JobResult.job_id) == [(running,), (running,)]
    assert result["deleted"]["jobs"] == 2


def test_keep_versions_keeps_the_newest_per_device(history):
    engine = history["engine"]
    assert prune(engine, keep_versions=2)["deleted"] == {"device_configurations": 2}
    assert configs(engine) == ["v50", "v1", "only"]
    assert prune(engine, keep_versions=2)["deleted"] == {"device_configurations": 0}


def test_age_alone_spares_newer_rows(history):
    engine = history["engine"]
    result = prune(engine, keep_days={"configurations": 90, "job_logs": 30})
    assert result["deleted"] == {"device_configurations": 2, "job_logs": 2}  # v120, v100; the old job's logs
    assert configs(engine) == ["v50", "v1", "only"]  # r2's 200-day-old one is its latest


def test_a_deleted_job_takes_its_logs_results_claims_and_tags(history):
    engine, old = history["engine"], history["old"]
    result = prune(engine, keep_days={"jobs": 30})
    assert result["deleted"] == {"job_logs": 2, "job_results": 2, "jobs": 1}
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(JobCredentialAttempt)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(job_tags)).scalar_one() == 0
        # Its configurations and connection logs stay, no longer linked to the job.
        assert conn.execute(sa.select(sa.func.count()).select_from(DeviceConfiguration)
                            .where(DeviceConfiguration.job_id == old)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(DeviceConfiguration)).scalar_one() == 5
        assert conn.execute(sa.select(sa.func.count()).select_from(ConnectionLog)
                            .where(ConnectionLog.job_id.is_(None))).scalar_one() == 2


def test_deletes_go_in_batches_of_batch_size(history):
    engine = history["engine"]
    deletes = []

    def capture(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.lstrip().upper().startswith("DELETE FROM CONNECTION_LOGS"):
            deletes.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        result = prune(engine, keep_days={"connection_logs": 0}, batch_size=4)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    # Six rows: the running job's two stay; four go in one full batch, then an empty look ends it.
    assert result["deleted"] == {"connection_logs": 4} and len(deletes) == 1
    assert prune(engine, keep_days={"connection_logs": 0}, batch_size=1)["deleted"] == {"connection_logs": 0}


def test_batches_smaller_than_the_work_delete_it_all(history):
    engine = history["engine"]
    assert prune(engine, keep_days={"job_logs": 0, "job_results": 0}, batch_size=1)["deleted"] == {"job_logs": 4, "job_results": 4}
    assert rows(engine, JobLog, JobLog.job_id) == [(history["running"],)] * 2


def test_nothing_set_deletes_nothing(history, db_snapshot):
    engine = history["engine"]
    before = db_snapshot(engine)
    assert prune(engine) == {"changed": False, "deleted": {}, "msg": "0 row(s) deleted: no retention set"}
    assert db_snapshot(engine) == before


def test_compliance_history_goes_by_age_and_the_state_stays(sqlite_engine):
    """keep_days.compliance_results deletes old evaluations; compliance_state (since) is never touched."""
    from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ComplianceResult, ComplianceState

    with session_scope(sqlite_engine) as session:
        device = Device(hostname="c1", ip_address="192.0.2.9", device_type="cisco_ios")
        session.add(device)
        session.flush()
        for days in (200, 100, 1):
            session.add(ComplianceResult(device_id=device.id, rule="ntp", status="NON_COMPLIANT",
                                         details={"missing": ["ntp server 192.0.2.1"], "extra": []}, evaluated_at=ago(days)))
        session.add(ComplianceState(device_id=device.id, rule="ntp", status="NON_COMPLIANT", since=ago(200),
                                    fingerprint="f", details=None))
    assert prune(sqlite_engine, keep_days={"compliance_results": 30}, check_mode=True)["deleted"] == {"compliance_results": 2}
    result = prune(sqlite_engine, keep_days={"compliance_results": 30}, batch_size=1)
    assert result["deleted"] == {"compliance_results": 2} and result["changed"]
    with session_scope(sqlite_engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(ComplianceResult)).scalar_one() == 1
        state = session.execute(sa.select(ComplianceState.since)).scalar_one()
        assert state is not None
    assert prune(sqlite_engine, keep_days={"compliance_results": 30})["changed"] is False
