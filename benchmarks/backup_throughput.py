#!/usr/bin/env python
"""Backup throughput: the collection's playbook against a plain threaded netmiko script.

    python benchmarks/backup_throughput.py [--devices 200] [--forks 20] [--lockout-threshold 0] [--pg-url URL]

One run, one device lab (a child process): 200 devices on three platforms, half of
them accepting only the second credential of their chain. It times

* the collection: the backup task over the netraven inventory at -f FORKS, with
  metrics, logs, job results and stored configurations written to the database
  (the embedded SQLite file by default, or a fresh database on --pg-url /
  NETRAVEN_TEST_PG_URL's server);
* the baseline: a threaded netmiko script with FORKS workers doing the same device work
  (chain fallback, fetch, disconnect) on the same lab, writing nothing;
* Ansible's own floor: a debug task over the same inventory at -f FORKS.

It prints wall seconds and CPU seconds (user + system of the child processes) per
device for both, and the ratio of wall times (target: the playbook within 2x).
Not part of the tests: timings on a shared machine are figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

import _fleet as fleet  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _ansible import ansible_env  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _databases import DatabaseFactory  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _seed import seed  # noqa: E402 pylint: disable=wrong-import-position,import-error
from devicelab import LabProcess  # noqa: E402 pylint: disable=wrong-import-position,import-error

KEY = "benchmark-passphrase"
PLAYBOOK = os.path.join(REPO_ROOT, "tests", "integration", "playbooks", "backup", "backup_hosts.yml")


def timed(command, env=None):
    """Run a command; returns (wall seconds, child CPU seconds, CompletedProcess)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--lockout-threshold", type=int, default=0,
                        help="the playbook's netraven_lockout_threshold (default 0: the script has no guard either; "
                             "the playbook's own default is 5)")
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"),
                        help="PostgreSQL admin URL (a database is created and dropped); default: embedded SQLite")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="netraven-bench-")
    backend = "postgresql" if args.pg_url else "sqlite"
    if args.pg_url:
        os.environ["NETRAVEN_TEST_PG_URL"] = args.pg_url
    factory = DatabaseFactory(backend, workdir)
    lab = LabProcess(spec=fleet.lab_specs(args.devices), workdir=os.path.join(workdir, "lab")).start()
    try:
        db_url = factory.new_url()
        seeded = seed(db_url, credentials=fleet.CREDENTIALS, devices=fleet.device_rows(lab, args.devices),
                      jobs=[{"name": "bench", "tags": ["fleet"]}], key=KEY)
        inventory = os.path.join(workdir, "bench.netraven.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write("plugin: netraven.netraven.netraven\n")
        baseline_fleet = os.path.join(workdir, "fleet.json")
        with open(baseline_fleet, "w", encoding="utf-8") as handle:
            json.dump([{"host": lab.address(fleet.name(i)), "port": lab.port(fleet.name(i)),
                        "device_type": fleet.PLATFORMS[i % len(fleet.PLATFORMS)],
                        "chain": [{"username": c["username"], "password": c["password"]} for c in fleet.CREDENTIALS]}
                       for i in range(args.devices)], handle)

        script_wall, script_cpu, script = timed([sys.executable, os.path.join(REPO_ROOT, "benchmarks", "_netmiko_baseline.py"),
                                                 baseline_fleet, str(args.forks)])
        env = ansible_env(workdir, db_url, KEY)
        book_wall, book_cpu, book = timed(["ansible-playbook", "-i", inventory, PLAYBOOK, "-f", str(args.forks),
                                           "-e", "netraven_job_id=%d" % seeded.jobs["bench"],
                                           "-e", "netraven_lockout_threshold=%d" % args.lockout_threshold], env=env)
        floor_book = os.path.join(workdir, "floor.yml")
        with open(floor_book, "w", encoding="utf-8") as handle:
            handle.write("- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug:\n        msg: hi\n")
        floor_wall, floor_cpu, floor = timed(["ansible-playbook", "-i", inventory, floor_book, "-f", str(args.forks)],
                                             env=env)
        if script.returncode or book.returncode or floor.returncode:
            sys.stderr.write(script.stdout + script.stderr + book.stdout[-3000:] + book.stderr[-3000:])
            return 1
        n = args.devices
        print("backup throughput: %d lab devices (half need the 2nd credential), %d workers, %s database, "
              "lockout threshold %d" % (n, args.forks, backend, args.lockout_threshold))
        print("  netmiko script : wall %6.1f s  %.3f s/device   CPU %6.1f s  %.3f s/device   %s"
              % (script_wall, script_wall / n, script_cpu, script_cpu / n, script.stdout.strip()))
        print("  playbook -f %-3d: wall %6.1f s  %.3f s/device   CPU %6.1f s  %.3f s/device"
              % (args.forks, book_wall, book_wall / n, book_cpu, book_cpu / n))
        print("  Ansible floor  : wall %6.1f s  %.3f s/device   CPU %6.1f s  %.3f s/device   (a debug task, same hosts)"
              % (floor_wall, floor_wall / n, floor_cpu, floor_cpu / n))
        print("  playbook / script: wall %.2fx (target <= 2x), CPU %.2fx;  playbook / Ansible floor: wall %.2fx"
              % (book_wall / script_wall, book_cpu / script_cpu, book_wall / floor_wall))
        return 0
    finally:
        lab.stop()
        factory.cleanup()


if __name__ == "__main__":
    sys.exit(main())
