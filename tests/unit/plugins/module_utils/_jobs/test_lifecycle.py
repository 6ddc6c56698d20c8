# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Job lifecycle core (docs/architecture.md: "Jobs") on a real SQLite database: start, targets, settling, finish, stale jobs."""

from __future__ import annotations

import datetime

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("cryptography")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import session_scope  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._errors import (  # noqa: E402
    EncryptionKeyError,
    ValidationError,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Credential, Device, Job, JobLog, JobResult, Tag  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._statuses import DeviceStatus, JobStatus  # noqa: E402


@pytest.fixture
def estate(sqlite_engine, unit_key):
    """r1, r2 tagged core (credential ops), r3 tagged lab (no credential), r4 disabled core."""
    box = secret_box_for(sqlite_engine, unit_key)
    with session_scope(sqlite_engine) as session:
        core, lab = Tag(name="core"), Tag(name="lab")
        session.add_all([
            Credential(name="ops", username="ops", password=box.encrypt("S3cret-ops"), tags=[core]),
            Device(hostname="r1", ip_address="192.0.2.1", device_type="cisco_ios", tags=[core]),
            Device(hostname="r2", ip_address="192.0.2.2", device_type="cisco_ios", tags=[core]),
            Device(hostname="r3", ip_address="192.0.2.3", device_type="cisco_ios", tags=[lab]),
            Device(hostname="r4", ip_address="192.0.2.4", device_type="cisco_ios", tags=[core], enabled=False),
        ])
    return sqlite_engine


@pytest.fixture
def box_factory(estate):
    """The SecretBox factory the job module passes: the database's box for NETRAVEN_ENCRYPTION_KEY."""
    return lambda: secret_box_for(estate)


def results(engine, job_id):
    with session_scope(engine) as session:
        rows = session.execute(
            sa.select(Device.hostname, JobResult.status, JobResult.details)
            .join(Device, Device.id == JobResult.device_id).where(JobResult.job_id == job_id)).all()
        return {hostname: (status, details) for hostname, status, details in rows}


def job_logs(engine, job_id):
    with session_scope(engine) as session:
        return [(log.level, log.message, log.data) for log in session.scalars(
            sa.select(JobLog).where(JobLog.job_id == job_id, JobLog.device_id.is_(None)).order_by(JobLog.id))]


def job_status(engine, job_id):
    with session_scope(engine) as session:
        return session.get(Job, job_id).status


def set_result(engine, job_id, hostname, status, **details):
    """What the backup action writes for a device (an UPDATE of its PENDING row)."""
    with session_scope(engine) as session:
        device_id = session.execute(sa.select(Device.id).where(Device.hostname == hostname)).scalar_one()
        session.execute(sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id)
                        .values(status=status, details=dict(details, hostname=hostname), result_time=utcnow()))


def test_start_fixes_targets_and_logs_resolution(estate, box_factory):
    result = _lifecycle.start_job(estate, box_factory, name="nightly", hostnames=["r1", "r2", "r3", "ghost"])
    assert (result["status"], result["final"], result["created"], result["changed"]) == (JobStatus.RUNNING, False, True, True)
    assert result["resolution"] == {"devices": 3, "resolved": 2, "percent": 66.7, "credentials": 1}
    assert result["counts"] == {"total": 3, "succeeded": 0, "failed": 1, "pending": 2,
                                "by_status": {"NO_CREDENTIALS": 1, "PENDING": 2}}
    assert result["skipped_hostnames"] == ["ghost"]
    rows = results(estate, result["job_id"])
    assert {host: status for host, (status, _details) in rows.items()} == {
        "r1": DeviceStatus.PENDING, "r2": DeviceStatus.PENDING, "r3": DeviceStatus.NO_CREDENTIALS}
    assert rows["r3"][1]["error_message"] == _lifecycle.NO_CHAIN_MESSAGE
    messages = [message for _level, message, _data in job_logs(estate, result["job_id"])]
    assert "Credential resolution: 2/3 devices resolved (66.7%)" in messages
    assert any("ghost" in message for message in messages)


def test_start_by_tags_records_job_tags_and_skips_disabled(estate, box_factory):
    result = _lifecycle.start_job(estate, box_factory, tags=["core"])
    assert sorted(results(estate, result["job_id"])) == ["r1", "r2"]
    with session_scope(estate) as session:
        assert [tag.name for tag in session.get(Job, result["job_id"]).tags] == ["core"]
    result = _lifecycle.start_job(estate, box_factory, tags=["core"], include_disabled=True)
    assert sorted(results(estate, result["job_id"])) == ["r1", "r2", "r4"]


def test_no_devices_settles_at_start(estate, box_factory):
    result = _lifecycle.start_job(estate, box_factory, hostnames=[])
    assert (result["status"], result["final"]) == (JobStatus.COMPLETED_NO_DEVICES, True)
    assert results(estate, result["job_id"]) == {}


def test_no_chain_at_all_settles_no_credentials(estate, box_factory):
    result = _lifecycle.start_job(estate, box_factory, tags=["lab"])
    assert (result["status"], result["final"]) == (JobStatus.COMPLETED_NO_CREDENTIALS, True)
    assert results(estate, result["job_id"])["r3"][0] == DeviceStatus.NO_CREDENTIALS
    assert "0/1 devices resolved (0.0%)" in result["msg"]


def _resolution_error(engine, result):
    assert (result["status"], result["final"]) == (JobStatus.FAILED_CREDENTIAL_RESOLUTION, True)
    assert results(engine, result["job_id"]) == {}, "a job that cannot resolve its chains dispatches nothing"
    errors = [(level, message, data) for level, message, data in job_logs(engine, result["job_id"]) if level == "ERROR"]
    assert len(errors) == 1
    _level, message, data = errors[0]
    assert data["error_type"] == "CREDENTIAL"
    assert "S3cret" not in repr(result) and "gAAAA" not in message
    return message


def test_undecryptable_credential_fails_resolution_with_a_credential_error(estate, box_factory):
    # A key that opens no stored value is refused by the key check before anything opens (_key_check).
    result = _lifecycle.start_job(estate, lambda: secret_box_for(estate, "another-passphrase"), tags=["core"])
    assert "NETRAVEN_ENCRYPTION_KEY cannot decrypt any of the 1 stored value(s) tried" in _resolution_error(estate, result)
    # The install's own key, and a credential another tool sealed with another key: named.
    from ansible_collections.netraven.netraven.plugins.module_utils._crypto import install_salt, secret_box
    foreign = secret_box("another-passphrase", old_keys="", install_salt=install_salt(estate))
    with session_scope(estate) as session:
        core = session.execute(sa.select(Tag).where(Tag.name == "core")).scalar_one()
        session.add(Credential(name="foreign", username="foreign", password=foreign.encrypt("S3cret-foreign"), tags=[core]))
    result = _lifecycle.start_job(estate, box_factory, tags=["core"])
    message = _resolution_error(estate, result)
    assert "cannot decrypt 1 credential" in message and "'foreign' (id 2)" in message


def test_missing_key_is_a_resolution_failure_too(estate):
    def no_key():
        raise EncryptionKeyError("NETRAVEN_ENCRYPTION_KEY is not set")

    result = _lifecycle.start_job(estate, no_key, tags=["core"])
    assert result["status"] == JobStatus.FAILED_CREDENTIAL_RESOLUTION
    assert "NETRAVEN_ENCRYPTION_KEY is not set" in result["msg"]


def test_bad_input_fails_without_creating_a_job(estate, box_factory):
    with pytest.raises(ValidationError, match="Unknown tag: nope"):
        _lifecycle.start_job(estate, box_factory, tags=["core", "nope"])
    with pytest.raises(ValidationError, match="job_id cannot be combined"):
        _lifecycle.start_job(estate, box_factory, job_id=1, hostnames=["r1"])
    with pytest.raises(ValidationError, match="Job 99 does not exist"):
        _lifecycle.start_job(estate, box_factory, job_id=99)
    with session_scope(estate) as session:
        assert session.execute(sa.select(sa.func.count(Job.id))).scalar_one() == 0


def test_joining_a_pending_job_starts_it_once(estate, box_factory):
    with session_scope(estate) as session:
        job = Job(name="from the UI", tags=list(session.scalars(sa.select(Tag).where(Tag.name == "core"))))
        session.add(job)
        session.flush()
        job_id = job.id
    first = _lifecycle.start_job(estate, box_factory, job_id=job_id)
    assert (first["status"], first["joined"], first["created"], first["changed"]) == (JobStatus.RUNNING, True, False, True)
    assert first["counts"]["pending"] == 2
    second = _lifecycle.start_job(estate, box_factory, job_id=job_id)
    assert (second["status"], second["changed"], second["counts"]) == (JobStatus.RUNNING, False, first["counts"])
    assert "resolution" not in second
    resolution_logs = [m for _l, m, _d in job_logs(estate, job_id) if m.startswith("Credential resolution")]
    assert len(resolution_logs) == 1


def test_finish_waits_for_pending_targets_then_writes_once(estate, box_factory):
    job_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    set_result(estate, job_id, "r1", DeviceStatus.SUCCESS, credential_id=1, credential_username="ops",
               retry_count=0, attempts=1, changed=True)
    waiting = _lifecycle.finish_job(estate, job_id)
    assert (waiting["status"], waiting["final"], waiting["written"], waiting["changed"]) == (JobStatus.RUNNING, False, False, False)
    assert waiting["counts"]["pending"] == 1
    set_result(estate, job_id, "r2", DeviceStatus.SUCCESS, credential_id=1, credential_username="ops",
               retry_count=1, attempts=2, changed=False)
    done = _lifecycle.finish_job(estate, job_id)
    assert (done["status"], done["final"], done["written"], done["changed"]) == (JobStatus.COMPLETED_SUCCESS, True, True, True)
    again = _lifecycle.finish_job(estate, job_id)
    assert (again["status"], again["written"], again["changed"]) == (JobStatus.COMPLETED_SUCCESS, False, False)
    finished_logs = [m for _l, m, _d in job_logs(estate, job_id) if m.startswith("Job finished")]
    assert finished_logs == ["Job finished with status COMPLETED_SUCCESS: 2/2 devices succeeded"]
    assert "  - r2: credential 'ops' (id 1), required 2 credential attempts" in again["summary_lines"]


@pytest.mark.parametrize("outcomes, expected", [
    ({"r1": DeviceStatus.SUCCESS, "r2": DeviceStatus.FAILED_AUTH}, JobStatus.COMPLETED_PARTIAL_FAILURE),
    ({"r1": DeviceStatus.FAILED_TIMEOUT, "r2": DeviceStatus.FAILED_AUTH}, JobStatus.COMPLETED_FAILURE),
])
def test_final_status_from_results(estate, outcomes, expected, box_factory):
    job_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    for hostname, status in outcomes.items():
        set_result(estate, job_id, hostname, status, error_message="boom" if status != DeviceStatus.SUCCESS else None)
    assert _lifecycle.finish_job(estate, job_id)["status"] == expected


def test_devices_without_credentials_count_as_not_succeeded(estate, box_factory):
    job_id = _lifecycle.start_job(estate, box_factory, hostnames=["r1", "r3"])["job_id"]
    set_result(estate, job_id, "r1", DeviceStatus.SUCCESS)
    result = _lifecycle.finish_job(estate, job_id)
    assert result["status"] == JobStatus.COMPLETED_PARTIAL_FAILURE
    assert result["summary"]["failed_devices"] == [
        {"device_id": 3, "hostname": "r3", "status": "NO_CREDENTIALS", "reason": _lifecycle.NO_CHAIN_MESSAGE}]


def test_close_pending_marks_never_ran_targets(estate, box_factory):
    job_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    set_result(estate, job_id, "r1", DeviceStatus.SUCCESS)
    result = _lifecycle.finish_job(estate, job_id, close_pending=True)
    assert (result["status"], result["never_ran"]) == (JobStatus.COMPLETED_PARTIAL_FAILURE, 1)
    status, details = results(estate, job_id)["r2"]
    assert status == DeviceStatus.FAILED_UNEXPECTED and details["error_message"].startswith("Never ran")
    # A final job is never touched again, close_pending or not.
    assert _lifecycle.finish_job(estate, job_id, close_pending=True)["changed"] is False


def test_finishing_a_job_that_never_started_is_an_error(estate):
    with session_scope(estate) as session:
        session.add(Job(id=5, name="queued"))
    with pytest.raises(ValidationError, match="Job 5 has not been started"):
        _lifecycle.finish_job(estate, 5)


def test_the_final_update_refuses_a_second_writer(estate, box_factory):
    """Two finishers racing: the conditional UPDATE matches the job row only once."""
    job_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    set_result(estate, job_id, "r1", DeviceStatus.SUCCESS)
    with session_scope(estate) as session:
        assert _lifecycle.write_final_status(session, job_id) is False, "a PENDING target blocks the final status"
    set_result(estate, job_id, "r2", DeviceStatus.FAILED_AUTH)
    with session_scope(estate) as session:
        assert _lifecycle.write_final_status(session, job_id) is True
        assert _lifecycle.write_final_status(session, job_id) is False
    assert job_status(estate, job_id) == JobStatus.COMPLETED_PARTIAL_FAILURE


def test_the_job_never_ends_before_its_last_result(estate, box_factory):
    """A result committed while the finish ran may carry a later time than the finish's own now."""
    job_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    set_result(estate, job_id, "r1", DeviceStatus.SUCCESS)
    set_result(estate, job_id, "r2", DeviceStatus.SUCCESS)
    earlier = utcnow() - datetime.timedelta(seconds=5)
    with session_scope(estate) as session:
        assert _lifecycle.write_final_status(session, job_id, now=earlier) is True
    with session_scope(estate) as session:
        completed = session.get(Job, job_id).completed_at
        latest = session.execute(sa.select(sa.func.max(JobResult.result_time)).where(JobResult.job_id == job_id)).scalar_one()
    assert completed == latest and completed > earlier.replace(tzinfo=None)
    later = utcnow() + datetime.timedelta(seconds=5)
    second = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    set_result(estate, second, "r1", DeviceStatus.SUCCESS)
    set_result(estate, second, "r2", DeviceStatus.SUCCESS)
    with session_scope(estate) as session:
        assert _lifecycle.write_final_status(session, second, now=later) is True
    with session_scope(estate) as session:
        assert session.get(Job, second).completed_at == later.replace(tzinfo=None)


def test_stale_running_jobs_are_closed_at_start(estate, box_factory):
    stale_id = _lifecycle.start_job(estate, box_factory, tags=["core"])["job_id"]
    fresh_id = _lifecycle.start_job(estate, box_factory, hostnames=["r1"])["job_id"]
    with session_scope(estate) as session:
        session.execute(sa.update(Job).where(Job.id == stale_id).values(
            started_at=utcnow() - datetime.timedelta(hours=3)))
    assert _lifecycle.close_stale_jobs(estate, stale_after=0) == []
    result = _lifecycle.start_job(estate, box_factory, hostnames=[], stale_after=3600)
    assert [job["job_id"] for job in result["closed_stale"]] == [stale_id]
    assert result["closed_stale"][0]["pending_devices"] == 2
    assert job_status(estate, stale_id) == JobStatus.FAILED_UNEXPECTED
    assert job_status(estate, fresh_id) == JobStatus.RUNNING
    assert {status for status, _d in results(estate, stale_id).values()} == {DeviceStatus.FAILED_UNEXPECTED}
    critical = [(m, d) for level, m, d in job_logs(estate, stale_id) if level == "CRITICAL"]
    assert len(critical) == 1 and critical[0][0].startswith("Job abandoned") and critical[0][1]["error_type"] == "UNEXPECTED"
    assert _lifecycle.close_stale_jobs(estate, stale_after=3600) == [], "closing is done once"


def test_check_mode_writes_nothing(estate, db_snapshot, box_factory):
    before = db_snapshot(estate)
    result = _lifecycle.start_job(estate, box_factory, tags=["core"], check_mode=True)
    assert (result["job_id"], result["status"], result["counts"]["pending"]) == (None, JobStatus.RUNNING, 2)
    assert db_snapshot(estate) == before
