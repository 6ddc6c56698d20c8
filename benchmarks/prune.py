#!/usr/bin/env python
"""Prune of ROWS job_logs rows on PostgreSQL, beside a backup-like writer.

    python3 scripts/pgserver.py run -- .venv/bin/python benchmarks/prune.py [--rows 1000000] [--batch 5000]

On a fresh migrated database: one old finished job with ROWS job_logs rows, one RUNNING
job. A writer thread does what the backup store's final transaction does for a device of
the running job (a job_logs insert, a job_results update, commit) in a loop, timing every
commit. It runs first alone (baseline), then while prune(keep_days job_logs=1) deletes the
old rows. Printed: prune wall time, rows deleted, and the writer's longest and p99 commit
latency alone and during the prune (the longest pause the prune caused).

Not a test: figures on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

import sqlalchemy as sa  # noqa: E402 pylint: disable=wrong-import-position

from _databases import DatabaseFactory  # noqa: E402 pylint: disable=wrong-import-position,import-error
from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._history._prune import prune  # noqa: E402


def seed(engine, rows):
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO devices (hostname, ip_address, device_type) VALUES ('d1', '10.0.0.1', 'cisco_ios')"))
        conn.execute(sa.text("INSERT INTO jobs (name, status, completed_at) VALUES ('old', 'COMPLETED_SUCCESS', now() - interval '30 days')"))
        conn.execute(sa.text("INSERT INTO jobs (name, status, started_at) VALUES ('running', 'RUNNING', now())"))
        conn.execute(sa.text("INSERT INTO job_results (job_id, device_id, status) VALUES (2, 1, 'PENDING')"))
        conn.execute(sa.text(
            "INSERT INTO job_logs (job_id, device_id, timestamp, level, message) SELECT 1, 1, now() - interval '30 days', "
            "'INFO', 'credential attempt ' || g FROM generate_series(1, :rows) g"), {"rows": rows})
        conn.execute(sa.text("ANALYZE"))


def writer(engine, stop, latencies):
    while not stop.is_set():
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO job_logs (job_id, device_id, level, message) VALUES (2, 1, 'INFO', 'login ok')"))
            conn.execute(sa.text("UPDATE job_results SET status = 'SUCCESS', result_time = now() WHERE job_id = 2"))
        latencies.append(time.perf_counter() - started)
        time.sleep(0.005)


def measure(engine, seconds=None, work=None):
    stop, latencies = threading.Event(), []
    thread = threading.Thread(target=writer, args=(engine, stop, latencies))
    thread.start()
    result = None
    if work is not None:
        result = work()
    else:
        time.sleep(seconds)
    stop.set()
    thread.join()
    latencies.sort()
    return result, latencies


def figures(latencies):
    return "max %.1f ms, p99 %.1f ms over %d commits" % (
        latencies[-1] * 1000, latencies[int(len(latencies) * 0.99)] * 1000, len(latencies))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    factory = DatabaseFactory("postgresql", "/tmp")
    try:
        url = factory.new_url()
        engine = create_db_engine(url)
        seed(engine, args.rows)
        _none, alone = measure(engine, seconds=5)
        started = time.perf_counter()
        result, during = measure(engine, work=lambda: prune(engine, keep_days={"job_logs": 1}, batch_size=args.batch))
        elapsed = time.perf_counter() - started
        print("prune of %d job_logs rows (batch %d): %.1f s, %.0f rows/s, deleted %s" % (
            args.rows, args.batch, elapsed, args.rows / elapsed, result["deleted"]))
        print("writer alone:        " + figures(alone))
        print("writer during prune: " + figures(during))
        engine.dispose()
    finally:
        factory.cleanup()


if __name__ == "__main__":
    main()
