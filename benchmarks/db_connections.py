#!/usr/bin/env python
"""PostgreSQL connections of a backup run: how many per device, and how many at once.

    NETRAVEN_TEST_PG_URL=postgresql+psycopg2://postgres@127.0.0.1:55432/postgres \\
        python benchmarks/db_connections.py [--devices 40] [--forks 20]

Feeds the sizing in docs/scale.md. On a fresh database of the server (dropped at the end),
with a device lab (a child process) whose even devices accept the first credential of
their chain and odd devices only the second, it runs the collection's backup playbook
(`playbooks/backup.yml` over the netraven inventory, -f FORKS) twice, over a quarter of
the devices and then over the other three quarters (devices never backed up before, so
that both runs try the same chains), and reports from PostgreSQL itself:

* sessions opened by each run (pg_stat_database.sessions, PostgreSQL 14+), and the
  difference between the two runs per extra device: the connections one device costs,
  the inventory and job steps being the same in both runs;
* the peak of connections open at once (pg_stat_activity, sampled every 10 ms), against
  the fork count;
* wall time per device.

With --pooler-url (a pgbouncer in front of the same server, in transaction pool mode,
forwarding every database: `* = host=... port=...`), the playbook connects through it, and
the sessions opened on the server show what the pooler saves.

Not part of the tests: on a shared machine these are figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

import sqlalchemy as sa  # noqa: E402 pylint: disable=wrong-import-position

import _fleet as fleet  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _ansible import ansible_env  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _databases import DatabaseFactory  # noqa: E402 pylint: disable=wrong-import-position,import-error
from _seed import seed  # noqa: E402 pylint: disable=wrong-import-position,import-error
from devicelab import LabProcess  # noqa: E402 pylint: disable=wrong-import-position,import-error

KEY = "benchmark-passphrase"
PLAYBOOK = os.path.join(REPO_ROOT, "playbooks", "backup.yml")


class Sampler(threading.Thread):
    """Polls the number of open connections to one database until stopped; keeps the peak."""

    def __init__(self, admin, database):
        super().__init__(daemon=True)
        self.admin, self.database = admin, database
        self.peak = 0
        self.done = threading.Event()

    def run(self):
        with self.admin.connect() as conn:
            while not self.done.is_set():
                count = conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %(d)s",
                                             {"d": self.database}).scalar_one()
                self.peak = max(self.peak, count)
                time.sleep(0.01)


def sessions(admin, database):
    """Sessions ever opened to the database, once the statistics of ended ones are flushed."""
    time.sleep(1.5)
    with admin.connect() as conn:
        return conn.exec_driver_sql("SELECT sessions FROM pg_stat_database WHERE datname = %(d)s",
                                    {"d": database}).scalar_one()


def backup_run(admin, database, env, inventory, limit, forks):
    """One backup playbook run over `limit`; returns (sessions opened, peak open, wall seconds)."""
    before = sessions(admin, database)
    sampler = Sampler(admin, database)
    sampler.start()
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", inventory, PLAYBOOK, "-f", str(forks), "--limit", limit],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    sampler.done.set()
    sampler.join()
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(1)
    return sessions(admin, database) - before, sampler.peak, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--devices", type=int, default=40, help="devices of both runs (a quarter, then the rest)")
    parser.add_argument("--forks", type=int, default=20)
    parser.add_argument("--pg-url", default=os.environ.get("NETRAVEN_TEST_PG_URL"), help="PostgreSQL admin URL")
    parser.add_argument("--pooler-url", help="URL of a pgbouncer in front of that server (its database name is replaced)")
    args = parser.parse_args()
    if not args.pg_url:
        parser.error("a PostgreSQL server is needed: --pg-url or NETRAVEN_TEST_PG_URL")
    os.environ["NETRAVEN_TEST_PG_URL"] = args.pg_url
    workdir = tempfile.mkdtemp(prefix="netraven-dbconn-")
    factory = DatabaseFactory("postgresql", workdir)
    # Autocommit: pg_stat_activity is a snapshot that a transaction would keep.
    admin = sa.create_engine(args.pg_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    lab = LabProcess(spec=fleet.lab_specs(args.devices), workdir=os.path.join(workdir, "lab")).start()
    try:
        db_url = factory.new_url()
        database = sa.engine.make_url(db_url).database
        seed(db_url, credentials=fleet.CREDENTIALS, devices=fleet.device_rows(lab, args.devices), key=KEY)
        inventory = os.path.join(workdir, "bench.netraven.yml")
        with open(inventory, "w", encoding="utf-8") as handle:
            handle.write("plugin: netraven.netraven.netraven\n")
        run_url = db_url
        if args.pooler_url:
            run_url = sa.engine.make_url(args.pooler_url).set(database=database).render_as_string(hide_password=False)
        env = ansible_env(workdir, run_url, KEY)
        quarter = args.devices // 4 // 2 * 2
        names = [fleet.name(i) for i in range(args.devices)]
        small = backup_run(admin, database, env, inventory, ",".join(names[:quarter]), args.forks)
        large = backup_run(admin, database, env, inventory, ",".join(names[quarter:]), args.forks)
        rest = args.devices - quarter
        per_device = (large[0] - small[0]) / float(rest - quarter)
        print("backup database connections: lab devices (even: 1st credential, odd: 2nd), -f %d, PostgreSQL%s"
              % (args.forks, " through the pooler (server-side sessions)" if args.pooler_url else ""))
        for count, (opened, peak, wall) in ((quarter, small), (rest, large)):
            print("  %4d devices: %5d sessions opened (%.1f per device), peak %3d open at once, wall %6.1f s (%.2f s/device)"
                  % (count, opened, opened / float(count), peak, wall, wall / count))
        print("  per extra device: %.2f sessions; fixed per run (inventory, job start and finish): %.0f"
              % (per_device, small[0] - per_device * quarter))
        return 0
    finally:
        lab.stop()
        factory.cleanup()
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
