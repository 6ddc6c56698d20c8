# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""netraven.netraven.job through AnsibleModule, with the credential resolver mocked.

The three cases of the NetRaven runner's credential integration tests: chains resolved
and the targets dispatched (PENDING for the backup), resolution empty
(COMPLETED_NO_CREDENTIALS), resolution raising (FAILED_CREDENTIAL_RESOLUTION, error logged).
"""

from __future__ import annotations

from unittest import mock

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Job, JobLog, JobResult, Tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.modules import job  # noqa: E402

CHAIN = [{"id": 1, "name": "ops", "username": "ops", "priority": 10, "tags": ["core"]}]


@pytest.fixture
def db(sqlite_db_url, unit_key):
    """Two devices tagged core and one credential, on a real SQLite database."""
    engine = create_db_engine(sqlite_db_url)
    with session_scope(engine) as session:
        core = Tag(name="core")
        session.add_all([
            Credential(name="ops", username="ops", password=secret_box_for(engine, unit_key).encrypt("pw"), tags=[core]),
            Device(hostname="device1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[core]),
            Device(hostname="device2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[core]),
        ])
    yield sqlite_db_url, engine
    engine.dispose()


def read(engine):
    with session_scope(engine) as session:
        jobs = [(j.id, j.status) for j in session.scalars(sa.select(Job).order_by(Job.id))]
        results = sorted((r.device_id, r.status) for r in session.scalars(sa.select(JobResult)))
        logs = [(log.level, log.message, log.data) for log in session.scalars(sa.select(JobLog).order_by(JobLog.id))]
        return jobs, results, logs


def resolver(chain):
    """A stand-in for resolve_chains that attaches the given chain to every device."""

    def _resolve(session, devices):
        del session
        for device in devices:
            device["credentials"] = [dict(c) for c in chain]
        return devices

    return mock.Mock(side_effect=_resolve)


def test_chains_resolved_and_targets_dispatched(run_module, db):
    url, engine = db
    mocked = resolver(CHAIN)
    with mock.patch.object(_lifecycle, "resolve_chains", mocked):
        rc, result = run_module(job, {"db_url": url, "state": "started", "tags": ["core"]})
    assert rc == 0, result
    mocked.assert_called_once()
    dispatched = mocked.call_args[0][1]
    assert [d["hostname"] for d in dispatched] == ["device1", "device2"]
    assert (result["status"], result["final"], result["changed"]) == ("RUNNING", False, True)
    assert result["resolution"] == {"devices": 2, "resolved": 2, "percent": 100.0, "credentials": 1}
    jobs, results, logs = read(engine)
    assert jobs == [(result["job_id"], "RUNNING")]
    assert results == [(1, "PENDING"), (2, "PENDING")], "every resolved device is a PENDING target for the backup"
    assert ("INFO", "Credential resolution: 2/2 devices resolved (100.0%)") in [(level, m) for level, m, _d in logs]


def test_resolution_empty_completes_without_credentials(run_module, db):
    url, engine = db
    with mock.patch.object(_lifecycle, "resolve_chains", resolver([])):
        rc, result = run_module(job, {"db_url": url, "state": "started", "tags": ["core"]})
    assert rc == 0, result
    assert (result["status"], result["final"]) == ("COMPLETED_NO_CREDENTIALS", True)
    jobs, results, _logs = read(engine)
    assert jobs == [(result["job_id"], "COMPLETED_NO_CREDENTIALS")]
    assert results == [(1, "NO_CREDENTIALS"), (2, "NO_CREDENTIALS")]


def test_resolution_raising_fails_credential_resolution_and_logs(run_module, db):
    url, engine = db
    failing = mock.Mock(side_effect=Exception("Test credential error"))
    with mock.patch.object(_lifecycle, "resolve_chains", failing):
        rc, result = run_module(job, {"db_url": url, "state": "started", "tags": ["core"]})
    assert rc == 0, "the job records the failure; the task reports it without failing"
    failing.assert_called_once()
    assert (result["status"], result["final"]) == ("FAILED_CREDENTIAL_RESOLUTION", True)
    jobs, results, logs = read(engine)
    assert jobs == [(result["job_id"], "FAILED_CREDENTIAL_RESOLUTION")]
    assert results == []
    assert logs == [("ERROR", "Failed to resolve credentials: Exception: Test credential error",
                     {"devices": 2, "error_type": "CREDENTIAL"})]


def test_finish_returns_summary_and_writes_report(run_module, db, tmp_path):
    url, engine = db
    rc, started = run_module(job, {"db_url": url, "hostnames": ["device1"]})
    assert rc == 0 and started["status"] == "RUNNING"
    with session_scope(engine) as session:
        session.execute(sa.update(JobResult).values(status="SUCCESS", details={
            "credential_id": 1, "credential_username": "ops", "retry_count": 0, "attempts": 1, "changed": True}))
    report = tmp_path / "job.html"
    args = {"db_url": url, "state": "finished", "job_id": started["job_id"], "report_path": str(report)}
    rc, result = run_module(job, args)
    assert rc == 0, result
    assert (result["status"], result["final"], result["changed"]) == ("COMPLETED_SUCCESS", True, True)
    assert result["summary"]["devices"][0]["credential_username"] == "ops"
    assert result["summary_lines"][-1] == "  - device1: credential 'ops' (id 1)"
    assert result["report_path"] == str(report) and "Completed successfully" in report.read_text(encoding="utf-8")
    rc, again = run_module(job, args)
    assert (rc, again["changed"], again["status"]) == (0, False, "COMPLETED_SUCCESS")


def test_close_stale_state(run_module, db):
    url, _engine = db
    rc, result = run_module(job, {"db_url": url, "state": "close_stale", "stale_after": 60})
    assert (rc, result["changed"], result["closed_stale"]) == (0, False, [])


@pytest.mark.parametrize("args, culprit", [
    ({"state": "finished"}, "job_id"),
    ({"job_id": 1, "hostnames": ["device1"]}, "job_id|hostnames"),
    ({"state": "started", "tags": ["nope"]}, "Unknown tag: nope"),
    ({"state": "finished", "job_id": 42}, "Job 42 does not exist"),
])
def test_bad_arguments_fail_in_one_line(run_module, db, args, culprit):
    url, engine = db
    rc, result = run_module(job, dict(args, db_url=url))
    assert rc == 1 and culprit in result["msg"] and "\n" not in result["msg"]
    assert read(engine)[0] == [], "no job was created"
