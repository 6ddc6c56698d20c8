"""The job lifecycle on migrated databases (SQLite and PostgreSQL), under concurrency.

Slices of one job finish at the same time and join a PENDING job at the same time; the
database, not luck, must make the final status be written once with exact counts and
the targets be fixed once. Threads stand in for the concurrent ansible-playbook runs.
"""

import datetime
import functools
import threading
import time

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._jobs import _lifecycle
from ansible_collections.netraven.netraven.plugins.module_utils._backup._outcome import ACCEPTED, Attempt, DeviceOutcome, FetchedConfig
from ansible_collections.netraven.netraven.plugins.module_utils._backup._store import record_outcome, record_rejection
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box_for
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._errors import JobClosedError
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import (
    ConnectionLog,
    Credential,
    Device,
    DeviceConfiguration,
    Job,
    JobLog,
    JobResult,
    Tag,
)
from ansible_collections.netraven.netraven.plugins.module_utils._db._timestamps import utcnow
from ansible_collections.netraven.netraven.plugins.module_utils._db._transactions import run_transaction

from _jobs_support import seed  # pylint: disable=import-error

DEVICES = 12
THREADS = 6


@pytest.fixture
def estate(db_url, encryption_key):
    """12 devices tagged core, one credential; returns an engine on the migrated database."""
    seed(db_url, encryption_key,
         [{"hostname": "r%02d" % n, "ip_address": "192.0.2.%d" % n, "port": 22, "tags": ["core"]}
          for n in range(1, DEVICES + 1)],
         [{"name": "ops", "username": "ops", "password": "pw", "tags": ["core"]}])
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


def in_threads(count, target):
    """Run target(index) in count threads released together; returns their results in order."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = target(index)
        except Exception as error:  # pylint: disable=broad-except
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def finished_logs(engine, job_id):
    with session_scope(engine) as session:
        return session.execute(sa.select(sa.func.count(JobLog.id)).where(
            JobLog.job_id == job_id, JobLog.message.like("Job finished%"))).scalar_one()


def test_slices_finishing_together_write_the_final_status_once(estate):
    """Each 'slice' records its devices then finishes: exactly one finisher writes, after the last result.

    Every device succeeds, so a finisher writing while a target is still PENDING would
    write COMPLETED_PARTIAL_FAILURE (and a completed_at before the last result).
    """
    job_id = _lifecycle.start_job(estate, lambda: secret_box_for(estate), tags=["core"])["job_id"]
    with session_scope(estate) as session:
        device_ids = sorted(session.scalars(sa.select(JobResult.device_id).where(JobResult.job_id == job_id)))
    slices = [device_ids[index::THREADS] for index in range(THREADS)]

    def slice_run(index):
        for position, device_id in enumerate(slices[index]):
            if index == 0 and position == len(slices[0]) - 1:
                time.sleep(0.5)  # The last device of slice 0 is slow: the other slices finish first.
            with session_scope(estate) as session:
                session.execute(sa.update(JobResult).where(JobResult.job_id == job_id, JobResult.device_id == device_id)
                                .values(status="SUCCESS", result_time=utcnow(), details={"attempts": 1}))
        return _lifecycle.finish_job(estate, job_id)

    outcomes = in_threads(THREADS, slice_run)
    assert [outcome["written"] for outcome in outcomes] == [True] + [False] * (THREADS - 1)
    assert [outcome["status"] for outcome in outcomes[1:]] == ["RUNNING"] * (THREADS - 1)
    assert finished_logs(estate, job_id) == 1
    final = _lifecycle.finish_job(estate, job_id)
    assert final["status"] == "COMPLETED_SUCCESS"
    assert final["counts"] == {"total": DEVICES, "succeeded": DEVICES, "failed": 0, "pending": 0,
                               "by_status": {"SUCCESS": DEVICES}}
    with session_scope(estate) as session:
        completed_at = session.get(Job, job_id).completed_at
        last_result = session.execute(sa.select(sa.func.max(JobResult.result_time))
                                      .where(JobResult.job_id == job_id)).scalar_one()
    assert completed_at >= last_result


def test_slices_joining_a_pending_job_fix_the_targets_once(estate):
    with session_scope(estate) as session:
        job = Job(name="from the UI", tags=list(session.scalars(sa.select(Tag).where(Tag.name == "core"))))
        session.add(job)
        session.flush()
        job_id = job.id
    outcomes = in_threads(THREADS, lambda index: _lifecycle.start_job(estate, lambda: secret_box_for(estate), job_id=job_id))
    assert sum(1 for outcome in outcomes if outcome["changed"]) == 1, "one slice started the job, the others joined"
    assert {outcome["status"] for outcome in outcomes} == {"RUNNING"}
    assert {outcome["counts"]["pending"] for outcome in outcomes} == {DEVICES}
    with session_scope(estate) as session:
        assert session.execute(sa.select(sa.func.count(JobResult.id)).where(JobResult.job_id == job_id)).scalar_one() == DEVICES
        resolution = session.execute(sa.select(sa.func.count(JobLog.id)).where(
            JobLog.job_id == job_id, JobLog.message.like("Credential resolution%"))).scalar_one()
    assert resolution == 1


def test_concurrent_stale_closing_closes_each_job_once(estate):
    job_id = _lifecycle.start_job(estate, lambda: secret_box_for(estate), tags=["core"])["job_id"]
    with session_scope(estate) as session:
        session.execute(sa.update(Job).where(Job.id == job_id).values(
            started_at=utcnow() - datetime.timedelta(hours=2)))
    outcomes = in_threads(3, lambda index: _lifecycle.close_stale_jobs(estate, stale_after=3600))
    assert sorted(len(closed) for closed in outcomes) == [0, 0, 1]
    with session_scope(estate) as session:
        assert session.get(Job, job_id).status == "FAILED_UNEXPECTED"
        critical = session.execute(sa.select(sa.func.count(JobLog.id)).where(
            JobLog.job_id == job_id, JobLog.level == "CRITICAL")).scalar_one()
    assert critical == 1


# --------------------------------------------------------------------------- no writes into a closed job

def started_job(engine, age_hours=0):
    """A started job over the 12 devices (started age_hours ago); returns (job id, {device id: hostname}, credential id)."""
    job_id = _lifecycle.start_job(engine, lambda: secret_box_for(engine), tags=["core"])["job_id"]
    with session_scope(engine) as session:
        if age_hours:
            session.execute(sa.update(Job).where(Job.id == job_id).values(
                started_at=utcnow() - datetime.timedelta(hours=age_hours)))
        devices = dict(session.execute(sa.select(Device.id, Device.hostname).order_by(Device.id)).all())
        cred_id = session.execute(sa.select(Credential.id)).scalar_one()
    return job_id, devices, cred_id


def success_outcome(device_id, hostname, cred_id):
    """What a worker that backed the device up successfully hands to the final transaction."""
    text = "hostname %s\nend\n" % hostname
    return DeviceOutcome(
        device_id=device_id, hostname=hostname, status="SUCCESS",
        attempts=(Attempt(1, cred_id, "ops", outcome=ACCEPTED, claimed=False),),
        config=FetchedConfig(changed=True, store_text=text, data_hash="%064x" % device_id, config_metadata={}),
        duration_ms=5)


def device_records(engine, job_id, device_id):
    """What a device has in a job: connection logs, configurations, device job logs, its result."""
    with session_scope(engine) as session:
        def count(model, *where):
            return session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
        result = session.execute(sa.select(JobResult.status, JobResult.details).where(
            JobResult.job_id == job_id, JobResult.device_id == device_id)).one()
        return {
            "connection_logs": count(ConnectionLog, ConnectionLog.job_id == job_id, ConnectionLog.device_id == device_id),
            "configurations": count(DeviceConfiguration, DeviceConfiguration.device_id == device_id),
            "job_logs": count(JobLog, JobLog.job_id == job_id, JobLog.device_id == device_id),
            "status": result.status, "error_message": (result.details or {}).get("error_message"),
            "last_seen": session.get(Device, device_id).last_seen,
        }


def credential_counts(engine, cred_id):
    with session_scope(engine) as session:
        cred = session.get(Credential, cred_id)
        return cred.success_count, cred.failure_count


def test_record_outcome_into_a_job_closed_as_stale_writes_nothing(estate):
    """The issue's repro: start a job, close it as stale, record a device's outcome twice.

    Before the guard: 2 successful connection_logs rows, success_count 2, and the job
    result still "never ran". Now each call is refused in one line, and nothing is written.
    """
    job_id, devices, cred_id = started_job(estate, age_hours=2)
    assert [closed["job_id"] for closed in _lifecycle.close_stale_jobs(estate, stale_after=3600)] == [job_id]
    device_id = min(devices)
    outcome = success_outcome(device_id, devices[device_id], cred_id)
    for _run in range(2):
        with pytest.raises(JobClosedError) as refused:
            run_transaction(estate, functools.partial(record_outcome, outcome=outcome, job_id=job_id))
        assert str(refused.value) == (
            "Job %d is closed (FAILED_UNEXPECTED): nothing of device 'r01' (id %d) was recorded" % (job_id, device_id))
    records = device_records(estate, job_id, device_id)
    assert records == {"connection_logs": 0, "configurations": 0, "job_logs": 0, "status": "FAILED_UNEXPECTED",
                       "error_message": _lifecycle.ABANDONED_MESSAGE, "last_seen": None}
    assert credential_counts(estate, cred_id) == (0, 0)


def test_a_second_final_transaction_of_a_device_writes_nothing(estate):
    """A re-run worker in a job still RUNNING: the device's result is written, the second run adds nothing."""
    job_id, devices, cred_id = started_job(estate)
    device_id = min(devices)
    outcome = success_outcome(device_id, devices[device_id], cred_id)
    config_id = run_transaction(estate, functools.partial(record_outcome, outcome=outcome, job_id=job_id))
    with pytest.raises(JobClosedError, match=r"^Device 'r01' \(id %d\) already has its result in job %d \(SUCCESS\): "
                       r"this run recorded nothing$" % (device_id, job_id)):
        run_transaction(estate, functools.partial(record_outcome, outcome=outcome, job_id=job_id))
    records = device_records(estate, job_id, device_id)
    assert (records["connection_logs"], records["configurations"], records["job_logs"], records["status"]) == (1, 1, 1, "SUCCESS")
    assert credential_counts(estate, cred_id) == (1, 0)
    with session_scope(estate) as session:
        details = session.execute(sa.select(JobResult.details).where(
            JobResult.job_id == job_id, JobResult.device_id == device_id)).scalar_one()
    assert details["config_id"] == config_id


def test_a_rejection_into_a_closed_job_writes_nothing(estate):
    """Mid-chain: a rejected login met after the job closed adds no job log, no claim mark and no failure count."""
    job_id, devices, cred_id = started_job(estate, age_hours=2)
    _lifecycle.close_stale_jobs(estate, stale_after=3600)
    device_id = min(devices)
    with pytest.raises(JobClosedError, match=r"^Job %d is closed \(FAILED_UNEXPECTED\)" % job_id):
        run_transaction(estate, functools.partial(record_rejection, job_id=job_id, device_id=device_id,
                                                  credential={"id": cred_id, "username": "ops"}, attempt=1))
    assert device_records(estate, job_id, device_id)["job_logs"] == 0
    assert credential_counts(estate, cred_id) == (0, 0)


def test_stale_closing_racing_the_final_transactions_leaves_every_device_whole(estate):
    """Devices record their outcomes while another run closes the job as stale.

    Each device ends either recorded (its result SUCCESS, one connection log, one
    configuration) or never ran (abandoned, nothing else): never records under an
    abandoned result, and the credential counts exactly the recorded devices.
    """
    job_id, devices, cred_id = started_job(estate, age_hours=2)
    device_ids = sorted(devices)
    workers = THREADS
    refused = []

    def run(index):
        if index == workers:
            return _lifecycle.close_stale_jobs(estate, stale_after=3600)
        for device_id in device_ids[index::workers]:
            try:
                run_transaction(estate, functools.partial(
                    record_outcome, outcome=success_outcome(device_id, devices[device_id], cred_id), job_id=job_id))
            except JobClosedError:
                refused.append(device_id)
        return None

    outcomes = in_threads(workers + 1, run)
    assert [closed["job_id"] for closed in outcomes[workers]] == [job_id]
    recorded = 0
    for device_id in device_ids:
        records = device_records(estate, job_id, device_id)
        if device_id in refused:
            assert (records["status"], records["error_message"]) == ("FAILED_UNEXPECTED", _lifecycle.ABANDONED_MESSAGE)
            assert (records["connection_logs"], records["configurations"], records["job_logs"]) == (0, 0, 0)
        else:
            recorded += 1
            assert (records["status"], records["connection_logs"], records["configurations"]) == ("SUCCESS", 1, 1)
    assert credential_counts(estate, cred_id) == (recorded, 0)
    assert outcomes[workers][0]["pending_devices"] == len(refused)
