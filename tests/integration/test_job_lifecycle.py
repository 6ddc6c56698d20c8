"""The job lifecycle on migrated databases (SQLite and PostgreSQL), under concurrency.

Slices of one job finish at the same time and join a PENDING job at the same time; the
database, not luck, must make the final status be written once with exact counts and
the targets be fixed once. Threads stand in for the concurrent ansible-playbook runs.
"""

import datetime
import threading
import time

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils import _jobs
from ansible_collections.netraven.netraven.plugins.module_utils._crypto import secret_box
from ansible_collections.netraven.netraven.plugins.module_utils._database import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._models import Job, JobLog, JobResult, Tag, utcnow

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
    job_id = _jobs.start_job(estate, secret_box, tags=["core"])["job_id"]
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
        return _jobs.finish_job(estate, job_id)

    outcomes = in_threads(THREADS, slice_run)
    assert [outcome["written"] for outcome in outcomes] == [True] + [False] * (THREADS - 1)
    assert [outcome["status"] for outcome in outcomes[1:]] == ["RUNNING"] * (THREADS - 1)
    assert finished_logs(estate, job_id) == 1
    final = _jobs.finish_job(estate, job_id)
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
    outcomes = in_threads(THREADS, lambda index: _jobs.start_job(estate, secret_box, job_id=job_id))
    assert sum(1 for outcome in outcomes if outcome["changed"]) == 1, "one slice started the job, the others joined"
    assert {outcome["status"] for outcome in outcomes} == {"RUNNING"}
    assert {outcome["counts"]["pending"] for outcome in outcomes} == {DEVICES}
    with session_scope(estate) as session:
        assert session.execute(sa.select(sa.func.count(JobResult.id)).where(JobResult.job_id == job_id)).scalar_one() == DEVICES
        resolution = session.execute(sa.select(sa.func.count(JobLog.id)).where(
            JobLog.job_id == job_id, JobLog.message.like("Credential resolution%"))).scalar_one()
    assert resolution == 1


def test_concurrent_stale_closing_closes_each_job_once(estate):
    job_id = _jobs.start_job(estate, secret_box, tags=["core"])["job_id"]
    with session_scope(estate) as session:
        session.execute(sa.update(Job).where(Job.id == job_id).values(
            started_at=utcnow() - datetime.timedelta(hours=2)))
    outcomes = in_threads(3, lambda index: _jobs.close_stale_jobs(estate, stale_after=3600))
    assert sorted(len(closed) for closed in outcomes) == [0, 0, 1]
    with session_scope(estate) as session:
        assert session.get(Job, job_id).status == "FAILED_UNEXPECTED"
        critical = session.execute(sa.select(sa.func.count(JobLog.id)).where(
            JobLog.job_id == job_id, JobLog.level == "CRITICAL")).scalar_one()
    assert critical == 1
