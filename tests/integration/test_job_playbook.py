"""playbooks/backup.yml end to end: every job status reached through ansible-playbook.

Devices that succeed are device-lab devices; devices that fail point at a closed loopback
port (FAILED_UNREACHABLE at once) or carry a tag no credential has. Each ansible-playbook
run costs seconds, so one test walks several statuses on one database and one lab.
"""

import socket
import subprocess
import time

import pytest

from _jobs_support import (  # pylint: disable=import-error
    CREDENTIALS,
    dead_devices,
    job_rows,
    kill_tree,
    lab_devices,
    playbook_command,
    recap,
    run_playbook,
    seed,
    write_inventory,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def env(ansible_env):
    """ansible_env plus the custom stats in the recap (set_stats is part of the contract)."""
    return dict(ansible_env, ANSIBLE_SHOW_CUSTOM_STATS="1")


def last_job(db_url):
    jobs = job_rows(db_url)
    return max(jobs), jobs[max(jobs)]


def estate(env, db_url, device_lab):
    """ok1, ok2 (lab, chains need 2 and 3 attempts), dead1 (closed port), island (no credential)."""
    devices = lab_devices(device_lab) + dead_devices(1) + [
        {"hostname": "island", "ip_address": "127.0.0.9", "port": 22, "tags": ["island"]}]
    seed(db_url, env["NETRAVEN_ENCRYPTION_KEY"], devices, CREDENTIALS)


def test_partial_failure_run(env, db_url, device_lab, tmp_path):
    """Two devices back up (after rejected credentials), one is unreachable, one has no chain."""
    estate(env, db_url, device_lab)
    report = tmp_path / "report" / "job.html"
    inventory = write_inventory(tmp_path / "all.yml", db_url)
    run = run_playbook(env, inventory, {"netraven_report_path": str(report), "netraven_job_name": "nightly"})
    assert run.returncode == 2, run.stdout + run.stderr
    job_id, job = last_job(db_url)
    assert job["status"] == "COMPLETED_PARTIAL_FAILURE"
    assert {h: r["status"] for h, r in job["results"].items()} == {
        "ok1": "SUCCESS", "ok2": "SUCCESS", "dead1": "FAILED_UNREACHABLE", "island": "NO_CREDENTIALS"}
    assert job["logs"][0]["message"] == "Credential resolution: 3/4 devices resolved (75.0%)"
    hosts = recap(run.stdout)
    assert {h: hosts[h]["failed"] for h in ("ok1", "ok2", "dead1", "island", "localhost")} == {
        "ok1": 0, "ok2": 0, "dead1": 1, "island": 1, "localhost": 0}
    for line in ("NetRaven job %d 'nightly': COMPLETED_PARTIAL_FAILURE (Completed with failures)" % job_id,
                 "Devices: 4 targeted, 2 succeeded, 2 failed, 0 pending",
                 "  - dead1: FAILED_UNREACHABLE: TCP connection to the device failed (nothing listening or no route)",
                 "  - island: NO_CREDENTIALS: No credential shares a tag with this device",
                 "  - ok1: credential 'netops' (id 2), required 2 credential attempts",
                 "  - ok2: credential 'admin' (id 3), required 3 credential attempts"):
        assert '"%s"' % line in run.stdout, line
    custom_stats = run.stdout.split("CUSTOM STATS", 1)[1]
    assert '"netraven_job_status": "COMPLETED_PARTIAL_FAILURE"' in custom_stats and '"netraven_job_id": %d' % job_id in custom_stats
    page = report.read_text(encoding="utf-8")
    assert "Completed with failures" in page and "island" in page


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_other_statuses_end_to_end(env, db_url, device_lab, tmp_path):
    """SUCCESS, FAILURE, NO_DEVICES, NO_CREDENTIALS and CREDENTIAL_RESOLUTION, in turn on one database."""
    estate(env, db_url, device_lab)

    # The lab devices through the netraven inventory plugin and the installed collection's
    # playbook name, as documented: all succeed, exit 0.
    inventory = tmp_path / "lab.netraven.yml"
    inventory.write_text("plugin: netraven.netraven.netraven\ntags: [lab]\n")
    run = run_playbook(env, str(inventory), playbook="netraven.netraven.backup")
    assert run.returncode == 0, run.stdout + run.stderr
    job = last_job(db_url)[1]
    assert (job["status"], sorted(job["results"])) == ("COMPLETED_SUCCESS", ["ok1", "ok2"])
    assert "  - ok2: credential 'admin' (id 3), required 3 credential attempts" in run.stdout
    # After the backup no task runs over every device only to test a condition (each would cost a
    # forked worker per host): a device that succeeded skipped nothing, and the play that fails
    # the failed devices had no host, without a warning about its pattern.
    assert {recap(run.stdout)[host]["skipped"] for host in ("ok1", "ok2")} == {0}, run.stdout
    assert "Could not match supplied host pattern" not in run.stdout + run.stderr

    # Every device fails: the finish play still runs (Ansible stops after a play whose hosts all failed).
    inventory = write_inventory(tmp_path / "dead.yml", db_url, hostnames=["dead1"])
    run = run_playbook(env, inventory)
    assert run.returncode == 2
    assert last_job(db_url)[1]["status"] == "COMPLETED_FAILURE"
    assert recap(run.stdout)["dead1"]["failed"] == 1 and "Devices: 1 targeted, 0 succeeded, 1 failed" in run.stdout

    # Jobs settled at start: the device play is skipped, the run still reports.
    empty = tmp_path / "empty.yml"
    empty.write_text("all:\n  hosts: {}\n")
    island = write_inventory(tmp_path / "island.yml", db_url, hostnames=["island"])
    wrong_key = dict(env, NETRAVEN_ENCRYPTION_KEY="not-the-key-at-all")
    for settled, run_env, status, code in ((str(empty), env, "COMPLETED_NO_DEVICES", 0),
                                           (island, env, "COMPLETED_NO_CREDENTIALS", 0),
                                           (inventory, wrong_key, "FAILED_CREDENTIAL_RESOLUTION", 2)):
        run = run_playbook(run_env, settled)
        job_id, job = last_job(db_url)
        assert (job["status"], run.returncode) == (status, code), run.stdout + run.stderr
        assert "Back up the configuration through the credential chain" not in run.stdout
        assert "NetRaven job %d 'netraven backup': %s" % (job_id, status) in run.stdout
    errors = [log for log in job["logs"] if log["level"] == "ERROR"]
    assert len(errors) == 1 and errors[0]["data"]["error_type"] == "CREDENTIAL"
    # The first run recorded the install's key: another one is refused before any credential is opened.
    assert "NETRAVEN_ENCRYPTION_KEY does not match the key this install records" in errors[0]["message"]
    assert "ended FAILED_CREDENTIAL_RESOLUTION (Credential error)" in run.stdout
    assert "Old-pass1" not in run.stdout + run.stderr


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_killed_run_is_closed_by_the_next(env, db_url, tmp_path):
    """FAILED_UNEXPECTED: a run killed mid-backup leaves its job RUNNING; the next start closes it."""
    with socket.socket() as silent:  # Accepts TCP but never speaks SSH: the backup hangs on the banner.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        seed(db_url, env["NETRAVEN_ENCRYPTION_KEY"],
             [{"hostname": "hung", "ip_address": "127.0.0.1", "port": silent.getsockname()[1], "tags": ["core"]}],
             CREDENTIALS[1:2])
        inventory = write_inventory(tmp_path / "hung.yml", db_url)
        command = playbook_command(inventory, {"netraven_connect_timeout": 60})
        with open(tmp_path / "killed.log", "w", encoding="utf-8") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                       start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                jobs = job_rows(db_url)
                if jobs and "TASK [Back up the configuration" in (tmp_path / "killed.log").read_text(encoding="utf-8"):
                    break
                assert process.poll() is None, (tmp_path / "killed.log").read_text(encoding="utf-8")
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            kill_tree(process)
    job_id, job = last_job(db_url)
    assert job["status"] == "RUNNING" and job["results"]["hung"]["status"] == "PENDING"
    time.sleep(1.1)

    empty = tmp_path / "empty.yml"
    empty.write_text("all:\n  hosts: {}\n")
    run = run_playbook(env, str(empty), {"netraven_stale_after": 1})
    assert run.returncode == 0, run.stdout + run.stderr
    jobs = job_rows(db_url)
    killed = jobs[job_id]
    assert killed["status"] == "FAILED_UNEXPECTED" and killed["completed_at"] is not None
    assert killed["results"]["hung"]["status"] == "FAILED_UNEXPECTED"
    critical = [log for log in killed["logs"] if log["level"] == "CRITICAL"]
    assert len(critical) == 1 and critical[0]["message"].startswith("Job abandoned: still RUNNING more than 1 s")
    assert jobs[max(jobs)]["status"] == "COMPLETED_NO_DEVICES"
