"""50 forks against 200 lab devices on PostgreSQL and on the embedded SQLite (docs/architecture.md, transactions).

Every job_results, connection_logs and job_logs row must be there, the credential
metrics must count every login exactly, and SQLite must never say "database is locked".
"""

import os

import pytest
import sqlalchemy as sa

import _fleet as fleet  # pylint: disable=import-error
from _ansible import ansible_playbook  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import ConnectionLog, Credential, DeviceConfiguration, JobLog, JobResult

pytestmark = pytest.mark.slow

DEVICES = 200
FORKS = 50
PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "backup", "backup_hosts.yml")


def _count(conn, model, *where):
    return conn.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def test_fifty_forks_lose_nothing(db_url, ansible_env, encryption_key, device_lab_process, tmp_path):
    lab = device_lab_process(fleet.lab_specs(DEVICES))
    seeded = seed(db_url, credentials=fleet.CREDENTIALS, devices=fleet.device_rows(lab, DEVICES),
                  jobs=[{"name": "fleet", "tags": ["fleet"]}], key=encryption_key)
    job_id = seeded.jobs["fleet"]
    inventory = tmp_path / "fleet.netraven.yml"
    inventory.write_text("plugin: netraven.netraven.netraven\n")

    # The lockout guard is off: with half the fleet rejecting "first", it could legitimately hold
    # "first" back when five rejections land before its first success (tested on its own).
    proc = ansible_playbook(ansible_env, PLAYBOOK, inventory, "-f", str(FORKS), "-e", "netraven_job_id=%d" % job_id,
                            "-e", "netraven_lockout_threshold=0")

    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "database is locked" not in output
    first_ok, first_failed, second_ok = fleet.expected_counts(DEVICES)
    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            assert _count(conn, JobResult, JobResult.job_id == job_id, JobResult.status == "SUCCESS") == DEVICES
            assert _count(conn, ConnectionLog, ConnectionLog.job_id == job_id, ConnectionLog.successful.is_(True)) == DEVICES
            assert _count(conn, ConnectionLog, ConnectionLog.job_id == job_id, ConnectionLog.retry_count == 1) == first_failed
            assert _count(conn, JobLog, JobLog.job_id == job_id) == DEVICES + first_failed
            assert _count(conn, DeviceConfiguration) == DEVICES
            metrics = {row.name: row for row in conn.execute(sa.select(Credential))}
    finally:
        engine.dispose()
    assert (metrics["first"].success_count, metrics["first"].failure_count) == (first_ok, first_failed)
    assert (metrics["second"].success_count, metrics["second"].failure_count) == (second_ok, 0)
    assert len(lab.failed_logins()) == first_failed
