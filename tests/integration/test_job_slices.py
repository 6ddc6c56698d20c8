"""Three concurrent ansible-playbook runs with disjoint --limit slices share one job (PostgreSQL).

As AWX job slicing or a workflow does: the job exists before the slices (created PENDING
with tags by another tool, or started by a separate first step), each slice joins it with
netraven_job_id and backs up its part, and the final status is written once, by the last
slice to finish, with every device counted.
"""

import json
import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Job, JobResult, Tag

from _jobs_support import (  # pylint: disable=import-error
    CREDENTIALS,
    dead_devices,
    job_rows,
    lab_devices,
    playbook_command,
    seed,
    write_inventory,
)

SLICES = ["ok1,dead1", "ok2,dead2", "dead3,dead4"]

pytestmark = [pytest.mark.parametrize("backend", ["postgresql"], indirect=True), pytest.mark.slow]


def pending_job(db_url, env):
    """A job as the NetRaven UI creates it: PENDING, with tags, no targets yet."""
    del env
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            job = Job(name="sliced", tags=list(session.scalars(sa.select(Tag).where(Tag.name == "core"))))
            session.add(job)
            session.flush()
            return job.id
    finally:
        engine.dispose()


def started_by_a_first_step(db_url, env):
    """A workflow's first step: `ansible localhost -m netraven.netraven.job` starts the job for the tag."""
    del db_url
    binary = os.path.join(os.path.dirname(sys.executable), "ansible")
    run = subprocess.run(
        [binary if os.path.exists(binary) else "ansible", "localhost", "-o", "-m", "netraven.netraven.job",
         "-a", json.dumps({"state": "started", "name": "sliced", "tags": ["core"]})],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return int(re.search(r'"job_id": (\d+)', run.stdout).group(1))


@pytest.mark.parametrize("create", [pending_job, started_by_a_first_step], ids=["pending-job", "first-step"])
def test_concurrent_slices_finish_the_job_once(ansible_env, db_url, device_lab, tmp_path, create):
    seed(db_url, ansible_env["NETRAVEN_ENCRYPTION_KEY"], lab_devices(device_lab) + dead_devices(4), CREDENTIALS)
    inventory = write_inventory(tmp_path / "all.yml", db_url)
    job_id = create(db_url, ansible_env)

    processes = []
    for number, limit in enumerate(SLICES):
        with open(tmp_path / ("slice%d.log" % number), "w", encoding="utf-8") as log:
            processes.append(subprocess.Popen(  # pylint: disable=consider-using-with
                playbook_command(inventory, {"netraven_job_id": job_id}, limit=limit),
                env=ansible_env, stdout=log, stderr=subprocess.STDOUT))
    codes = [process.wait(timeout=300) for process in processes]
    outputs = [(tmp_path / ("slice%d.log" % number)).read_text(encoding="utf-8") for number in range(len(SLICES))]
    assert codes == [2, 2, 2], "every slice has an unreachable device:\n" + "\n".join(outputs)

    jobs = job_rows(db_url)
    assert list(jobs) == [job_id], "the slices joined the job, none created one"
    job = jobs[job_id]
    assert job["status"] == "COMPLETED_PARTIAL_FAILURE"
    assert {host: result["status"] for host, result in job["results"].items()} == {
        "ok1": "SUCCESS", "ok2": "SUCCESS", "dead1": "FAILED_UNREACHABLE", "dead2": "FAILED_UNREACHABLE",
        "dead3": "FAILED_UNREACHABLE", "dead4": "FAILED_UNREACHABLE"}
    finished = [log for log in job["logs"] if log["message"].startswith("Job finished")]
    assert len(finished) == 1, "the final status is written exactly once"
    assert finished[0]["data"]["counts"] == {"total": 6, "succeeded": 2, "failed": 4, "pending": 0,
                                             "by_status": {"FAILED_UNREACHABLE": 4, "SUCCESS": 2}}
    assert len([log for log in job["logs"] if log["message"].startswith("Credential resolution")]) == 1

    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            completed_at = session.get(Job, job_id).completed_at
            last_result = session.execute(sa.select(sa.func.max(JobResult.result_time))
                                          .where(JobResult.job_id == job_id)).scalar_one()
    finally:
        engine.dispose()
    assert completed_at >= last_result, "written after the last slice's last device"
    final_reports = [out for out in outputs if "'sliced': COMPLETED_PARTIAL_FAILURE" in out]
    waiting_reports = [out for out in outputs if "'sliced': RUNNING (Running)" in out]
    assert final_reports and len(final_reports) + len(waiting_reports) == 3, "each slice reports the job's state"
    assert all("Devices: 6 targeted, 2 succeeded, 4 failed, 0 pending" in out for out in final_reports)
