#!/usr/bin/env python
"""Compliance: RULES rules over DEVICES devices in one call, on SQLite and PostgreSQL, against a plain read.

    python3 scripts/pgserver.py run -- .venv/bin/python benchmarks/compliance.py [--devices 10000] [--rules 50]
        [--size 20000] [--backends sqlite,postgresql]

Seeds a fresh migrated database as benchmarks/config_search.py does (DEVICES IOS-like configurations
of about SIZE bytes), then measures, each in its own spawned Python so that its peak RSS is its own:

- baseline: the latest configuration of every device streamed with a plain SELECT (the floor);
- check: the compliance core (run_compliance) in check mode, list_results none: read, parse once
  per device, evaluate every rule, store nothing;
- store: the same, stored (DEVICES x RULES history rows, and as many state rows the first time);
- again: a second stored run over the unchanged estate (history rows only: the state is unchanged);
- changed_only: the backup playbook's call with nothing changed (state read, nothing evaluated).

The RULES rules are a realistic mix: whole-configuration must_contain and must_not_contain,
section rules over the interface blocks (with section_having), and match + intended features.
Printed per backend: wall time, peak RSS and its growth over the RSS before the work, and the
ratios to the baseline. Not a test: figures on a shared machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]
import config_search  # noqa: E402 pylint: disable=wrong-import-position,import-error

import sqlalchemy as sa  # noqa: E402 pylint: disable=wrong-import-position

KINDS = ("baseline", "check", "store", "again", "changed_only")


def make_rules(count):
    """count rules of the kinds a network team writes, over config_search's configurations."""
    kinds = [
        lambda n: {"must_contain": r"^service timestamps log datetime msec$"},
        lambda n: {"must_contain": r"^hostname dev-\d+$"},
        lambda n: {"must_not_contain": [r"^ip http server", r"^logging host 198\.51\.100\.%d$" % n]},
        lambda n: {"section": r"^interface GigabitEthernet", "section_having": r"^switchport access vlan",
                   "must_contain": r"^spanning-tree portfast"},
        lambda n: {"section": r"^interface GigabitEthernet1/0/%d$" % (n % 20), "must_not_contain": r"^shutdown$"},
        lambda n: {"match": "version", "intended": ["version 17.9"]},
        lambda n: {"section": r"^interface ", "must_contain": r"^description ", "must_not_contain": r"^ip proxy-arp"},
        lambda n: {"must_contain": [r"^end$", r"^!$|^version "]},
    ]
    return [dict(kinds[number % len(kinds)](number), name="rule-%02d" % number, platforms=["cisco_ios"])
            for number in range(count)]


def _measure(kind, url, rules, queue):
    from ansible_collections.netraven.netraven.plugins.module_utils._compliance._run import run_compliance
    from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine
    engine = create_db_engine(url, check_schema=False)
    with engine.connect() as conn:  # connect and warm outside the timing
        conn.execute(sa.text("SELECT 1"))
    rss_before = config_search._rss_mb()  # pylint: disable=protected-access
    sampler = config_search._Sampler()  # pylint: disable=protected-access
    sampler.start()
    started = time.perf_counter()
    if kind == "baseline":
        total = 0
        with engine.connect() as conn:
            for _hostname, text in conn.execution_options(stream_results=True, yield_per=200).execute(
                    config_search._latest_query()):  # pylint: disable=protected-access
                total += len(text)
        detail = "%d MB read" % (total // 1000000)
    else:
        result = run_compliance(engine, {"rules": rules, "list_results": "none", "changed_only": kind == "changed_only"},
                                check_mode=kind == "check")
        summary = result["summary"]
        detail = "%d results, %d evaluated, %s%% compliant, changed=%s" % (
            summary["compliant"] + summary["non_compliant"] + summary["not_applicable"], summary["evaluated"],
            summary["percent"], result["changed"])
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    peak = max(sampler.peak, config_search._rss_mb())  # pylint: disable=protected-access
    engine.dispose()
    queue.put((elapsed, peak, rss_before, detail))


def measure(kind, url, rules):
    """(seconds, peak RSS MB, RSS MB before the work, detail) of one kind, in a fresh spawned Python."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(kind, url, rules, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def table_sizes(url):
    """Rows of the two compliance tables."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        sizes = {table: conn.execute(sa.text("SELECT count(*) FROM %s" % table)).scalar()
                 for table in ("compliance_results", "compliance_state")}
    engine.dispose()
    return sizes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    from _databases import DatabaseFactory  # noqa: E402 pylint: disable=import-error,import-outside-toplevel
    workdir = tempfile.mkdtemp(prefix="netraven-compliance-bench-")
    rules = make_rules(args.rules)
    print("devices=%d rules=%d size=%d bytes" % (args.devices, args.rules, args.size))
    for backend in args.backends.split(","):
        if backend == "postgresql" and not os.environ.get("NETRAVEN_TEST_PG_URL"):
            print("%s: skipped (no NETRAVEN_TEST_PG_URL; run under scripts/pgserver.py)" % backend)
            continue
        factory = DatabaseFactory(backend, workdir)
        try:
            url = factory.new_url()
            print("%s: seeded in %.1f s" % (backend, config_search.seed(url, args.devices, args.size, 1)))
            figures = {}
            for kind in KINDS:
                figures[kind] = measure(kind, url, rules)
                seconds, peak, before, detail = figures[kind]
                print("  %-12s %7.2f s  peak RSS %6.1f MB, +%.1f MB over the %.1f MB before the work  %s" % (
                    kind, seconds, peak, peak - before, before, detail))
            base = figures["baseline"]
            for kind in KINDS[1:]:
                print("  %-12s / baseline: time x%.2f, RSS growth %+.1f MB vs %+.1f MB" % (
                    kind, figures[kind][0] / base[0], figures[kind][1] - figures[kind][2], base[1] - base[2]))
            print("  tables after %d stored runs: %s" % (2, table_sizes(url)))
        finally:
            factory.cleanup()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
