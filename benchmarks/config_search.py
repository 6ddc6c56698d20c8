#!/usr/bin/env python
"""config_info search over DEVICES devices with SIZE-byte configurations, on SQLite and PostgreSQL.

    python3 scripts/pgserver.py run -- .venv/bin/python benchmarks/config_search.py [--devices 10000] [--size 20000]
        [--versions 2] [--backends sqlite,postgresql]

Seeds a fresh migrated database with bulk SQL (executemany in batches): DEVICES enabled devices,
each with VERSIONS stored configurations of about SIZE bytes (the search reads the latest only).
Then each measurement runs in its own spawned Python, so that its peak RSS is its own:

- baseline: the same rows (hostname and text of each device's latest version) streamed with a
  plain SELECT and only their lengths summed: the floor a search cannot go below;
- fetchall: the same SELECT loaded at once, which is what not streaming would cost;
- search: the config_info core (config_history) with a regex that one device matches;
- absent: the same regex with absent: true (every other device is returned).

Printed per backend: wall time, peak RSS (sampled from /proc every 5 ms while the work runs) and
its growth over the RSS before the work, and the ratios to the baseline. Not a test: figures
on a shared machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT, os.path.join(REPO_ROOT, "tests", "integration")]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

import sqlalchemy as sa  # noqa: E402 pylint: disable=wrong-import-position

NEEDLE = "logging host 192.0.2.77"
PATTERN = r"^logging host 192\.0\.2\.77$"


def config_text(index, version, size):
    """About size bytes of IOS-like configuration, different per device and version."""
    a, b = index // 250 % 250, index % 250
    head = "hostname dev-%05d\n!\nversion 17.9\nservice timestamps log datetime msec\n!\n" % index
    lines = [head]
    total, port = len(head), 0
    while total < size:
        block = ("interface GigabitEthernet1/0/%d\n description access port %d of dev-%05d v%d\n switchport access vlan %d\n"
                 " spanning-tree portfast\n ip address 10.%d.%d.%d 255.255.255.252\n!\n"
                 % (port, port, index, version, 10 + port % 90, a, b, port % 250))
        lines.append(block)
        total += len(block)
        port += 1
    return "".join(lines) + "end\n"


def seed(url, devices, size, versions):
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO devices (hostname, ip_address, device_type, port, enabled) "
                             "VALUES (:h, :ip, 'cisco_ios', 22, :e)"),
                     [{"h": "dev-%05d" % i, "ip": "10.%d.%d.%d" % (i // 65536 % 256, i // 256 % 256, i % 256), "e": True}
                      for i in range(devices)])
    ids = None
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM devices ORDER BY hostname"))]
    statement = sa.text("INSERT INTO device_configurations (device_id, config_data, data_hash, retrieved_at) "
                        "VALUES (:d, :t, :h, CURRENT_TIMESTAMP)")
    for version in range(versions):
        for start in range(0, devices, 500):
            with engine.begin() as conn:
                rows = []
                for index in range(start, min(start + 500, devices)):
                    text = config_text(index, version, size)
                    if version == versions - 1 and index == devices // 2:
                        text = text.replace("!\nversion", "!\n%s\n!\nversion" % NEEDLE, 1)
                    rows.append({"d": ids[index], "t": text, "h": "%d-%d" % (index, version)})
                conn.execute(statement, rows)
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def _latest_query():
    return sa.text("SELECT d.hostname, c.config_data FROM device_configurations c "
                   "JOIN (SELECT max(id) AS id FROM device_configurations GROUP BY device_id) l ON l.id = c.id "
                   "JOIN devices d ON d.id = c.device_id WHERE d.enabled ORDER BY d.hostname")


def _rss_mb():
    """The current resident set size of this process, from /proc (ru_maxrss is a lifetime high-water mark)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class _Sampler(threading.Thread):
    """Samples the RSS every 5 ms while the work runs: its peak is the work's peak."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = _rss_mb()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.005)


def _measure(kind, url, queue):
    from ansible_collections.netraven.netraven.plugins.module_utils._history._versions import config_history  # noqa: E402
    from ansible_collections.netraven.netraven.plugins.module_utils._db._engine import create_db_engine  # noqa: E402
    engine = create_db_engine(url, check_schema=False)
    with engine.connect() as conn:  # connect and warm outside the timing
        conn.execute(sa.text("SELECT 1"))
    rss_before = _rss_mb()
    sampler = _Sampler()
    sampler.start()
    started = time.perf_counter()
    detail = ""
    if kind == "baseline":
        total = 0
        with engine.connect() as conn:
            for _hostname, text in conn.execution_options(stream_results=True, yield_per=200).execute(_latest_query()):
                total += len(text)
        detail = "%d MB read" % (total // 1000000)
    elif kind == "fetchall":
        with engine.connect() as conn:
            rows = conn.execute(_latest_query()).fetchall()
        detail = "%d rows" % len(rows)
    else:
        result = config_history(engine, {"search": PATTERN, "absent": kind == "absent", "context": 0, "limit": None})
        detail = "matched %d" % result["matched"]
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    peak = max(sampler.peak, _rss_mb())
    engine.dispose()
    queue.put((elapsed, peak, rss_before, detail))


def measure(kind, url):
    """(seconds, peak RSS MB, RSS MB before the work, detail) of one kind, in a fresh spawned Python."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(kind, url, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--versions", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    from _databases import DatabaseFactory  # noqa: E402 pylint: disable=import-error,import-outside-toplevel
    import tempfile  # pylint: disable=import-outside-toplevel
    workdir = tempfile.mkdtemp(prefix="netraven-search-bench-")
    print("devices=%d size=%d bytes versions=%d" % (args.devices, args.size, args.versions))
    for backend in args.backends.split(","):
        if backend == "postgresql" and not os.environ.get("NETRAVEN_TEST_PG_URL"):
            print("%s: skipped (no NETRAVEN_TEST_PG_URL; run under scripts/pgserver.py)" % backend)
            continue
        factory = DatabaseFactory(backend, workdir)
        try:
            url = factory.new_url()
            print("%s: seeded in %.1f s" % (backend, seed(url, args.devices, args.size, args.versions)))
            figures = {}
            for kind in ("baseline", "fetchall", "search", "absent"):
                figures[kind] = measure(kind, url)
                seconds, peak, before, detail = figures[kind]
                print("  %-8s %7.2f s  peak RSS %6.1f MB, +%.1f MB over the %.1f MB before the work  %s" % (
                    kind, seconds, peak, peak - before, before, detail))
            base = figures["baseline"]
            for kind in ("search", "absent", "fetchall"):
                print("  %-8s / baseline: time x%.2f, peak RSS x%.2f, RSS growth %+.1f MB vs %+.1f MB" % (
                    kind, figures[kind][0] / base[0], figures[kind][1] / base[1], figures[kind][1] - figures[kind][2],
                    base[1] - base[2]))
        finally:
            factory.cleanup()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
