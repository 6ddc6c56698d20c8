"""Mixed-fault run (every device recorded exactly once, whatever failed): 200 lab devices with every fault kind through playbooks/backup.yml.

One run on PostgreSQL, 50 forks, short timeouts. Whatever each device does (rejects a
credential first, rejects all, refuses TCP, never speaks, answers too slowly, drops the
session mid-configuration, offers only obsolete key exchanges, sends a long banner), it
ends with exactly one job result and one connection log, with the status its fault
means, and the summary the run prints (and publishes with set_stats) counts exactly
what the database holds.
"""

import collections
import time

import pytest
import sqlalchemy as sa

from _ansible import ansible_env  # pylint: disable=import-error
from _hardening import (  # pylint: disable=import-error
    BACKUP_PLAYBOOK,
    custom_stats,
    job_records,
    last_job_id,
    netraven_inventory,
    query,
    run,
    summary_line,
)
from _seed import seed  # pylint: disable=import-error

from ansible_collections.netraven.netraven.plugins.module_utils._db._models import Job

pytestmark = pytest.mark.slow

CONNECT_TIMEOUT = 5
COMMAND_TIMEOUT = 4
PASSWORDS = {"stale": "Stale-Everywhere-01", "alpha": "Alpha-Mixed-02", "delta": "Delta-Nowhere-03",
             "echo": "Echo-Nowhere-04"}
CREDENTIALS = [
    # Tried first on the wrong-first devices, accepted nowhere.
    {"name": "stale", "username": "stale", "password": PASSWORDS["stale"], "priority": 5, "tags": ["wrongfirst"]},
    {"name": "alpha", "username": "alpha", "password": PASSWORDS["alpha"], "priority": 10, "tags": ["lab"]},
    # The chain of the all-rejected devices: accepted nowhere.
    {"name": "delta", "username": "delta", "password": PASSWORDS["delta"], "priority": 10, "tags": ["locked"]},
    {"name": "echo", "username": "echo", "password": PASSWORDS["echo"], "priority": 20, "tags": ["locked"]},
]
ALPHA = [{"username": "alpha", "password": PASSWORDS["alpha"], "privilege": 15}]
# kind: (count, lab spec extras, tags, expected status)
KINDS = {
    "healthy": (60, {}, ["lab"], "SUCCESS"),
    "wrongfirst": (25, {}, ["wrongfirst", "lab"], "SUCCESS"),
    "rejected": (20, {"credentials": [{"username": "nobody", "password": "x", "privilege": 15}]}, ["locked"],
                 "FAILED_AUTH"),
    "closed": (15, {"fault": "closed"}, ["lab"], "FAILED_UNREACHABLE"),
    "blackhole": (15, {"fault": "blackhole"}, ["lab"], "FAILED_TIMEOUT"),
    "slow": (15, {"faults": {"slow": {"latency": COMMAND_TIMEOUT * 2}}}, ["lab"], "FAILED_TIMEOUT"),
    "truncate": (15, {"fault": "truncate"}, ["lab"], "FAILED_TRUNCATED"),
    "badkex": (15, {"fault": "bad_kex"}, ["lab"], "FAILED_SSH"),
    "banner": (20, {"faults": {"long_banner": {"size": 6000}}}, ["lab"], "SUCCESS"),
}
PLATFORMS = ("cisco_ios", "arista_eos", "juniper_junos")


def fleet():
    """[(name, kind, lab spec, tags)] with the kinds interleaved, as the inventory lists them."""
    queues = {kind: list(range(count)) for kind, (count, _e, _t, _s) in KINDS.items()}
    devices = []
    while any(queues.values()):
        for kind, numbers in queues.items():
            if numbers:
                numbers.pop(0)
                name = "mx-%03d-%s" % (len(devices), kind)
                spec = {"name": name, "platform": PLATFORMS[len(devices) % 3], "credentials": ALPHA}
                spec.update(KINDS[kind][1])
                devices.append((name, kind, spec, KINDS[kind][2]))
    assert len(devices) == 200
    return devices


def test_mixed_fault_run_records_every_device_once_and_reports_what_the_database_holds(
        pg_db_url, encryption_key, device_lab_process, tmp_path):
    devices = fleet()
    lab = device_lab_process([spec for _n, _k, spec, _t in devices])
    seed(pg_db_url, credentials=CREDENTIALS, key=encryption_key,
         devices=[{"hostname": name, "ip_address": lab.address(name), "port": lab.port(name),
                   "device_type": spec["platform"], "tags": tags} for name, _kind, spec, tags in devices])
    inventory = netraven_inventory(tmp_path / "mixed.netraven.yml")
    env = ansible_env(tmp_path, pg_db_url, encryption_key, ANSIBLE_SHOW_CUSTOM_STATS="1")

    started = time.monotonic()
    proc = run(env, "ansible-playbook", "-i", inventory, BACKUP_PLAYBOOK, "-f", "50",
               "-e", "netraven_connect_timeout=%d" % CONNECT_TIMEOUT, "-e", "netraven_command_timeout=%d" % COMMAND_TIMEOUT)
    elapsed = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-4000:]
    assert "Traceback" not in output
    print("mixed-fault run: %.1f s" % elapsed)

    job_id = last_job_id(pg_db_url)
    records = job_records(pg_db_url, job_id)
    statuses = collections.Counter()
    wrong = {}
    for name, kind, _spec, _tags in devices:
        record = records[name]
        assert len(record["results"]) == 1 and len(record["connections"]) == 1, (
            name, record, [line for line in output.splitlines() if name in line])
        [result], [connection] = record["results"], record["connections"]
        statuses[result["status"]] += 1
        if result["status"] != KINDS[kind][3]:
            wrong[name] = (result["status"], result["details"].get("error_message"))
        assert connection["successful"] is (result["status"] == "SUCCESS"), name
        assert len(record["configs"]) == (1 if result["status"] == "SUCCESS" else 0), name
    assert wrong == {}

    # The lab saw what the chains and the lockout guard allow: no credential twice on one
    # device, nothing at all on devices that never completed an SSH handshake, and the
    # credentials accepted nowhere tried on at most K = 5 devices each.
    logins = lab.login_attempts()
    per_device = collections.Counter((r.device, r.username) for r in logins)
    assert max(per_device.values()) == 1
    kinds = {name: kind for name, kind, _s, _t in devices}
    assert not [r for r in logins if kinds[r.device] in ("closed", "blackhole", "badkex")]
    for username in ("stale", "delta", "echo"):
        assert 1 <= len({r.device for r in logins if r.username == username}) <= 5, username

    # The printed summary and the published stats are the database's counts.
    [job] = query(pg_db_url, sa.select(Job.status).where(Job.id == job_id))
    assert job["status"] == "COMPLETED_PARTIAL_FAILURE"
    succeeded = statuses["SUCCESS"]
    assert summary_line(proc.stdout, "Devices: ") == "Devices: 200 targeted, %d succeeded, %d failed, 0 pending" % (
        succeeded, 200 - succeeded)
    assert summary_line(proc.stdout, "By status: ") == "By status: " + ", ".join(
        "%s %d" % item for item in sorted(statuses.items()))
    stats = custom_stats(proc.stdout)
    assert stats["netraven_job_id"] == job_id and stats["netraven_job_status"] == "COMPLETED_PARTIAL_FAILURE"
    assert stats["netraven_job_counts"] == {"total": 200, "succeeded": succeeded, "failed": 200 - succeeded,
                                            "pending": 0, "by_status": dict(statuses)}
    recap_failed = sum(1 for line in proc.stdout.split("PLAY RECAP", 1)[1].splitlines()
                       if line.startswith("mx-") and "failed=1" in line)
    assert recap_failed == 200 - succeeded
