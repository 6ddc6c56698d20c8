"""Lockout guard: a shared account wrong everywhere is not hammered across the fleet, even by concurrent runs.

30 lab devices; the priority-10 credential is wrong on every one of them. Two
concurrent playbook runs (disjoint --limit slices of one job, 15 forks each) must try
it on at most K = 5 devices in total; every other device goes straight to the next
credential, the lab's login record proves it, and a single job-level WARNING says why.
"""

import os
import subprocess

import pytest
import sqlalchemy as sa

from _ansible import ansible_env, read_tree_results, with_tree_results  # pylint: disable=import-error
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
from ansible_collections.netraven.netraven.plugins.module_utils._db._models import JobLog, JobResult

pytestmark = pytest.mark.slow

DEVICES = 30
THRESHOLD = 5
PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "playbooks", "backup", "backup_hosts.yml")
CREDENTIALS = [
    {"name": "shared", "username": "shared", "password": "Shared-Wrong-Everywhere", "priority": 10, "tags": ["fleet"]},
    {"name": "local", "username": "local", "password": "Local-Right-Everywhere", "priority": 20, "tags": ["fleet"]},
]


def _specs():
    return [{"name": "guard-%02d" % i, "platform": ("cisco_ios", "arista_eos", "juniper_junos")[i % 3],
             "credentials": [{"username": "local", "password": "Local-Right-Everywhere", "privilege": 15}]}
            for i in range(DEVICES)]


def test_wrong_shared_credential_is_tried_on_at_most_k_devices(pg_db_url, encryption_key, device_lab_process, tmp_path):
    lab = device_lab_process(_specs())
    seeded = seed(pg_db_url, credentials=CREDENTIALS, key=encryption_key, jobs=[{"name": "guarded", "tags": ["fleet"]}],
                  devices=[{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
                            "device_type": spec["platform"], "tags": ["fleet"]}
                           for spec in _specs() for name in [spec["name"]]])
    job_id = seeded.jobs["guarded"]
    inventory = tmp_path / "guard.netraven.yml"
    inventory.write_text("plugin: netraven.netraven.netraven\n")
    env = ansible_env(tmp_path, pg_db_url, encryption_key)
    runs = []
    for index, limit in enumerate(("guard-0*:guard-1*", "guard-2*")):
        tree = tmp_path / ("tree-%d" % index)
        command = ["ansible-playbook", "-i", str(inventory), PLAYBOOK, "--limit", limit, "-f", "15",
                   "-e", "netraven_job_id=%d" % job_id, "-e", "netraven_lockout_threshold=%d" % THRESHOLD]
        runs.append((subprocess.Popen(command, env=with_tree_results(env, tree), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True), tree))
    outputs = [(proc.communicate(timeout=600)[0], proc.returncode, tree) for proc, tree in runs]
    for output, returncode, _tree in outputs:
        assert returncode == 0, output[-3000:]

    shared_tries = [r for r in lab.login_attempts() if r.username == "shared"]
    assert 1 <= len({r.device for r in shared_tries}) <= THRESHOLD
    assert len(shared_tries) == len({r.device for r in shared_tries})  # never twice on one device
    assert all(not r.accepted for r in shared_tries)
    assert len([r for r in lab.login_attempts() if r.username == "local" and r.accepted]) == DEVICES

    results = {}
    for _output, _rc, tree in outputs:
        results.update(read_tree_results(tree))
    assert len(results) == DEVICES
    guarded = [host for host, result in results.items()
               if any(s["reason"] == "lockout guard" for s in result["skipped_credentials"])]
    assert len(guarded) == DEVICES - len({r.device for r in shared_tries})
    for host in guarded:
        assert [a["credential_username"] for a in results[host]["attempts"]] == ["local"]

    engine = create_db_engine(pg_db_url)
    try:
        with engine.connect() as conn:
            warnings = conn.execute(sa.select(JobLog.message).where(
                JobLog.job_id == job_id, JobLog.device_id.is_(None), JobLog.level == "WARNING")).scalars().all()
            statuses = conn.execute(sa.select(JobResult.status).where(JobResult.job_id == job_id)).scalars().all()
    finally:
        engine.dispose()
    assert len([w for w in warnings if w.startswith("Lockout guard: credential 'shared'")]) == 1
    assert statuses == ["SUCCESS"] * DEVICES
