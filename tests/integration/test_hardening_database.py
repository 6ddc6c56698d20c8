"""Database faults (nothing half-written, every device still recorded): a database unreachable at start, and one lost in the middle of a run.

Unreachable at start: playbooks/backup.yml stops at the job start with one line naming
the masked URL, and no job appears anywhere (not in the real database, not in a
fallback SQLite file). Lost mid-run: the test stops its own PostgreSQL server (never the
shared test server) while slow backups are in flight; those devices fail with a clear
reason, and once the server is back nothing is half-written and the stale-job rule
closes the job the run could not finish.
"""

import json
import os
import re
import subprocess
import time

import pytest
import sqlalchemy as sa

from _ansible import ansible_env  # pylint: disable=import-error
from _backup_scenario import dump_all  # pylint: disable=import-error
from _hardening import (  # pylint: disable=import-error
    BACKUP_PLAYBOOK,
    PrivatePostgres,
    cli,
    files_under,
    job_records,
    lab_device_rows,
    netraven_inventory,
    query,
    run,
)
from _jobs_support import closed_port, write_inventory  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db import _migrations
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Job, JobCredentialAttempt

pytestmark = pytest.mark.slow

CREDENTIALS = [{"name": "ops", "username": "ops", "password": "Ops-Db-Fault-1", "priority": 10, "tags": ["lab"]}]
ACCEPT = [{"username": "ops", "password": "Ops-Db-Fault-1", "privilege": 15}]
SLOW_SECONDS = 6


def _fatal_messages(stdout, host="localhost"):
    """The msg of every 'fatal: [host]: FAILED! => {...}' line."""
    messages = []
    for match in re.finditer(r"fatal: \[%s\]: FAILED! => (\{.*\})" % re.escape(host), stdout):
        messages.append(json.loads(match.group(1))["msg"])
    return messages


def test_unreachable_database_at_start_fails_in_one_line_and_creates_no_job(pg_db_url, encryption_key, tmp_path):
    seed(pg_db_url, credentials=CREDENTIALS, key=encryption_key,
         devices=[{"hostname": "edge-1", "ip_address": "192.0.2.10", "tags": ["lab"]}])
    inventory = write_inventory(tmp_path / "static.yml", pg_db_url)
    engine = create_db_engine(pg_db_url)
    before = dump_all(engine)

    port = closed_port()
    dead_url = "postgresql+psycopg2://netraven:Db-Url-Pa55@127.0.0.1:%d/netraven" % port
    env = ansible_env(tmp_path, dead_url, encryption_key)
    proc = run(env, "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    [message] = _fatal_messages(proc.stdout)
    assert "\n" not in message
    assert message.startswith("Database postgresql+psycopg2://netraven:***@127.0.0.1:%d/netraven is unavailable: " % port)
    assert "Db-Url-Pa55" not in output and "Traceback" not in output
    assert "Back up the configuration" not in proc.stdout  # any_errors_fatal: no device was tried

    # Nothing anywhere: the real database is as it was, and no embedded SQLite fallback appeared.
    assert dump_all(engine) == before
    assert query(pg_db_url, sa.select(sa.func.count(Job.id).label("n")))[0]["n"] == 0
    engine.dispose()
    assert not [path for path in files_under(tmp_path) if path.endswith(".db")]


@pytest.fixture
def private_pg():
    """A PostgreSQL server of the test's own, which the test may stop (never the shared one)."""
    server = PrivatePostgres()
    try:
        server.start()
    except (RuntimeError, SystemExit) as error:
        if os.environ.get("CI"):
            pytest.fail("cannot start a private PostgreSQL server: %s" % error)
        pytest.skip("cannot start a private PostgreSQL server: %s" % error)
    yield server
    server.destroy()


@pytest.mark.postgres
def test_database_lost_mid_run_leaves_nothing_half_written(private_pg, encryption_key, device_lab_process, tmp_path):
    url = private_pg.database_url("postgres")
    _migrations.upgrade(url)
    specs = [{"name": "fast-%d" % i, "platform": "cisco_ios", "credentials": ACCEPT} for i in range(3)]
    specs += [{"name": "slow-%d" % i, "platform": ("cisco_ios", "arista_eos")[i % 2], "credentials": ACCEPT,
               "faults": {"slow": {"latency": SLOW_SECONDS}}} for i in range(4)]
    lab = device_lab_process(specs)
    seed(url, credentials=CREDENTIALS, devices=lab_device_rows(lab, specs, ["lab"]), key=encryption_key)
    inventory = netraven_inventory(tmp_path / "lab.netraven.yml")
    env = ansible_env(tmp_path, url, encryption_key)
    command = [cli("ansible-playbook"), "-i", inventory, BACKUP_PLAYBOOK, "-f", "10",
               "-e", "netraven_command_timeout=%d" % (SLOW_SECONDS * 5)]
    log_path = tmp_path / "run.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
    try:
        # In flight: the fast devices are recorded, every slow device has logged in and waits for its configuration.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            slow_in = {r.device for r in lab.login_attempts(accepted=True) if r.device.startswith("slow-")}
            done = query(url, sa.text("SELECT count(*) AS n FROM connection_logs"))[0]["n"]
            if len(slow_in) == 4 and done == 3:
                break
            assert proc.poll() is None, log_path.read_text(encoding="utf-8")
            time.sleep(0.1)
        else:
            pytest.fail("the run never reached the in-flight state: " + log_path.read_text(encoding="utf-8")[-3000:])
        private_pg.stop()
        returncode = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log_path.read_text(encoding="utf-8")
    assert returncode != 0
    assert "Traceback" not in output and private_pg.password not in output
    for index in range(4):
        # The backup's failure, then the same message again when the finish play fails the device
        # (it stays a failed host although the job could not be finished).
        messages = _fatal_messages(output, "slow-%d" % index)
        assert len(messages) == 2 and messages[0] == messages[1], messages
        assert re.match(r"Database postgresql\+psycopg2://postgres:\*\*\*@127\.0\.0\.1:\d+/postgres is unavailable: ",
                        messages[0]), messages[0]
    assert "could not be finished" in output

    private_pg.restart()
    job_id = query(url, sa.select(sa.func.max(Job.id).label("id")))[0]["id"]
    records = job_records(url, job_id)
    for name, record in records.items():
        [result] = record["results"]
        if name.startswith("fast-"):
            # Complete: result, connection log and configuration, all from one transaction.
            assert result["status"] == "SUCCESS" and result["details"]["credential_username"] == "ops"
            [connection] = record["connections"]
            assert connection["successful"] is True
            [config] = record["configs"]
            assert result["details"]["config_id"] == config["id"] and config["config_data"].rstrip().endswith("end")
        else:
            # Lost with the database: no trace but the target row the job start wrote.
            assert result["status"] == "PENDING"
            assert record["connections"] == [] and record["configs"] == []
    claims = query(url, sa.select(JobCredentialAttempt.device_id))
    assert len(claims) == 4  # the in-flight claims, harmless once the job is closed

    # The job the run could not finish: closed by the stale-job rule, its lost devices marked as never run.
    assert query(url, sa.select(Job.status).where(Job.id == job_id))[0]["status"] == "RUNNING"
    closed = run(env, "ansible", "localhost", "-m", "netraven.netraven.job", "-a", "state=close_stale stale_after=1")
    assert closed.returncode == 0, closed.stdout + closed.stderr
    assert query(url, sa.select(Job.status).where(Job.id == job_id))[0]["status"] == "FAILED_UNEXPECTED"
    records = job_records(url, job_id)
    for name in ("slow-%d" % i for i in range(4)):
        [result] = records[name]["results"]
        assert result["status"] == "FAILED_UNEXPECTED"
        assert result["details"]["error_message"].startswith("Never ran: the job was abandoned")
