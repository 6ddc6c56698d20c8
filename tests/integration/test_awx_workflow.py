"""The workflow of docs/awx.md, run literally from docs/awx/project (PostgreSQL, device lab).

Node 1 runs start_job.yml, which starts the NetRaven job and publishes its id with set_stats;
node 2 is the sliced backup: every slice (AWX's partition of the inventory, as --limit)
runs backup.yml with -e netraven_job_id=N, all at once, and the last to finish writes the
final status, once; node 3 ("Always" edge) runs report_job.yml, which publishes the status
for notifications and closes the targets of a slice that never ran. Every run gets only the
environment the AWX credential type injects.
"""

import json
import subprocess

import pytest
import sqlalchemy as sa

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine, session_scope
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Job, JobResult

from _awx_support import (  # pylint: disable=import-error
    INVENTORY_FILE,
    awx_slices,
    checkout_project,
    custom_stats,
    inject,
    load_credential_type,
    run,
    scratch_env,
    tool,
)
from _databases import TEST_KEY  # pylint: disable=import-error
from _jobs_support import CREDENTIALS, dead_devices, job_rows, lab_devices, seed  # pylint: disable=import-error

pytestmark = [pytest.mark.parametrize("backend", ["postgresql"], indirect=True), pytest.mark.awx, pytest.mark.slow]


def awx_env(tmp_path, db_url):
    """The environment of every node: the credential's injected variables, custom stats shown."""
    injected, _safe = inject(load_credential_type(), {"db_url": db_url, "encryption_key": TEST_KEY})
    return dict(scratch_env(tmp_path, injected), ANSIBLE_SHOW_CUSTOM_STATS="1")


def start_node(env, project):
    """Node 1: start_job.yml; returns (job id, its artifacts)."""
    start = run(["ansible-playbook", "-i", INVENTORY_FILE, "start_job.yml"], env, cwd=project)
    assert start.returncode == 0, start.stdout[-3000:] + start.stderr
    artifacts = custom_stats(start.stdout)
    return artifacts["netraven_job_id"], artifacts


def slice_nodes(env, project, job_id, slices, tmp_path):
    """Node 2: the slices of backup.yml, concurrently; returns [(exit status, output)]."""
    processes = []
    for number, hosts in enumerate(slices, 1):
        with open(tmp_path / ("slice%d.log" % number), "w", encoding="utf-8") as log:
            processes.append(subprocess.Popen(  # pylint: disable=consider-using-with
                [tool("ansible-playbook"), "-i", INVENTORY_FILE, "backup.yml", "--limit", ",".join(hosts),
                 "-e", json.dumps({"netraven_job_id": job_id})],
                env=env, cwd=project, stdout=log, stderr=subprocess.STDOUT))
    codes = [process.wait(timeout=300) for process in processes]
    return [(code, (tmp_path / ("slice%d.log" % number)).read_text(encoding="utf-8"))
            for number, code in enumerate(codes, 1)]


def report_node(env, project, job_id):
    return run(["ansible-playbook", "-i", INVENTORY_FILE, "report_job.yml", "-e", json.dumps({"netraven_job_id": job_id})],
               env, cwd=project)


def finished_logs(job):
    return [log for log in job["logs"] if log["message"].startswith("Job finished")]


def test_guide_workflow_shares_one_job_across_concurrent_slices(db_url, device_lab, tmp_path):
    hostnames = seed(db_url, TEST_KEY, lab_devices(device_lab) + dead_devices(4), CREDENTIALS)[0]
    env = awx_env(tmp_path, db_url)
    project = checkout_project(tmp_path)

    job_id, artifacts = start_node(env, project)
    assert artifacts == {"netraven_job_id": job_id}
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            job = session.get(Job, job_id)
            assert (job.status, [tag.name for tag in job.tags]) == ("RUNNING", ["core"]), "the inventory file's tags"
    finally:
        engine.dispose()

    slices = awx_slices(hostnames, 3)
    assert slices == [["dead1", "dead4"], ["dead2", "ok1"], ["dead3", "ok2"]]
    runs = slice_nodes(env, project, job_id, slices, tmp_path)
    outputs = "\n".join(output for _code, output in runs)
    assert [code for code, _output in runs] == [2, 2, 2], "every slice has an unreachable device:\n" + outputs
    for password in [cred["password"] for cred in CREDENTIALS] + [TEST_KEY]:
        assert password not in outputs

    jobs = job_rows(db_url)
    assert list(jobs) == [job_id], "every slice joined the job of node 1"
    job = jobs[job_id]
    assert job["status"] == "COMPLETED_PARTIAL_FAILURE"
    assert {host: result["status"] for host, result in job["results"].items()} == {
        "ok1": "SUCCESS", "ok2": "SUCCESS", "dead1": "FAILED_UNREACHABLE", "dead2": "FAILED_UNREACHABLE",
        "dead3": "FAILED_UNREACHABLE", "dead4": "FAILED_UNREACHABLE"}
    assert len(finished_logs(job)) == 1, "the final status is written exactly once"
    engine = create_db_engine(db_url)
    try:
        with session_scope(engine) as session:
            last_result = session.execute(sa.select(sa.func.max(JobResult.result_time))
                                          .where(JobResult.job_id == job_id)).scalar_one()
    finally:
        engine.dispose()
    assert job["completed_at"] >= last_result, "written after the last slice's last device"
    stats = [custom_stats(output) for _code, output in runs]
    assert {stat["netraven_job_id"] for stat in stats} == {job_id}
    final = [stat for stat in stats if stat["netraven_job_final"]]
    assert final and all(stat["netraven_job_status"] == "COMPLETED_PARTIAL_FAILURE" for stat in final)
    assert all(stat["netraven_job_status"] == "RUNNING" for stat in stats if not stat["netraven_job_final"])

    report = report_node(env, project, job_id)
    assert report.returncode == 2, "a partial failure fails the report node:\n" + report.stdout[-3000:]
    published = custom_stats(report.stdout)
    assert published["netraven_job_status"] == "COMPLETED_PARTIAL_FAILURE" and published["netraven_job_final"] is True
    assert published["netraven_job_counts"]["succeeded"] == 2 and published["netraven_job_counts"]["failed"] == 4
    assert len(finished_logs(job_rows(db_url)[job_id])) == 1, "the report node does not write it again"


def test_report_node_closes_the_targets_of_a_slice_that_never_ran(db_url, tmp_path):
    hostnames = seed(db_url, TEST_KEY, dead_devices(2), CREDENTIALS)[0]
    env = awx_env(tmp_path, db_url)
    project = checkout_project(tmp_path)
    job_id, _artifacts = start_node(env, project)

    first, second = awx_slices(hostnames, 2)
    ((code, output),) = slice_nodes(env, project, job_id, [first], tmp_path)
    assert code == 2, output
    assert custom_stats(output)["netraven_job_status"] == "RUNNING", "the lost slice's device is still pending"

    report = report_node(env, project, job_id)
    assert report.returncode == 2, report.stdout[-3000:]
    assert custom_stats(report.stdout)["netraven_job_status"] == "COMPLETED_FAILURE"
    job = job_rows(db_url)[job_id]
    assert job["status"] == "COMPLETED_FAILURE" and len(finished_logs(job)) == 1
    assert job["results"][second[0]]["status"] == "FAILED_UNEXPECTED", "closed as never run"
    assert job["results"][first[0]]["status"] == "FAILED_UNREACHABLE"
