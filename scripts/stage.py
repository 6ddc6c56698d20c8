#!/usr/bin/env python
"""Run one stage of `make test` and time it (standard library only).

    python scripts/stage.py NAME -- command...   run, print "== NAME: passed in 12.3s (CPU 20.1s)", exit with its code
    python scripts/stage.py --summary JUNIT...   print the stage times recorded in this `make test`
                                                 and, last, the test counts of the JUnit files

With STAGE_GROUP_OUTPUT=1 (make test's lanes, when the output is not a terminal) a stage's output
is held back and printed in one block when the stage ends, so stages running side by side do not
interleave their lines in a CI log; the "== NAME:" start line still shows when it starts.

The CPU time is the stage's processes' own (user + system, every descendant that was waited
for), so it does not depend on what else the machine runs: on 2 cores, a stage whose CPU time is
well under twice its wall time leaves room for another stage beside it.

Stop signals are passed on as they are (a SIGINT only when the command did not get it from
the terminal), so a SIGTERM that make passes on stops the stage cleanly: the PostgreSQL wrapper
then stops its command and server, which can take it up to a minute before SIGKILL here.
Times are appended to $STAGE_TIMINGS (if set) for --summary.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import resource
import shutil
import tempfile
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgserver import Supervisor  # noqa: E402  pylint: disable=wrong-import-position


def run(name: str, command: list[str]) -> int:
    held = tempfile.TemporaryFile() if os.environ.get('STAGE_GROUP_OUTPUT') == '1' else None
    with _output_lock():
        print(f'== {name}: {" ".join(command)}' + (' (output when it ends)' if held else ''), flush=True)
    started = time.monotonic()
    started_at = time.time()
    cpu_before = _children_cpu()
    sup = Supervisor(polite=False, term_after=90, kill_after=120)
    sup.install()
    try:
        sup.child = subprocess.Popen(command, stdout=held, stderr=subprocess.STDOUT if held else None)
    except FileNotFoundError:
        print(f'== {name}: command not found: {command[0]}', flush=True)
        return 127
    rc = sup.exit_code(sup.wait())
    sup.quiet()
    elapsed, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    with _output_lock():
        if held is not None:
            print(f'== {name}: output', flush=True)
            held.seek(0)
            shutil.copyfileobj(held, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            held.close()
        _report(name, rc, sup, elapsed, cpu, started_at)
    return rc


@contextlib.contextmanager
def _output_lock():
    """Held while a stage prints, so that stages side by side print their blocks one at a time."""
    os.makedirs(os.path.join(ROOT, '.tmp'), exist_ok=True)
    with open(os.path.join(ROOT, '.tmp', 'stage-output.lock'), 'a', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _report(name: str, rc: int, sup: Supervisor, elapsed: float, cpu: float, started_at: float) -> None:
    """Print the stage's verdict line and append its times to $STAGE_TIMINGS."""
    if rc == 0:
        status = 'passed'
    elif sup.received or (rc > 128 and rc - 128 in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
        status = 'interrupted'
    else:
        status = f'FAILED (exit {rc})'
    print(f'== {name}: {status} in {elapsed:.1f}s (CPU {cpu:.1f}s)', flush=True)
    timings = os.environ.get('STAGE_TIMINGS')
    if timings:
        with open(timings, 'a', encoding='utf-8') as handle:
            handle.write(f'{name}\t{elapsed:.1f}\t{status}\t{started_at:.1f}\t{time.time():.1f}\t{cpu:.1f}\n')


def _children_cpu() -> float:
    """User + system seconds of this process's waited-for descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def junit_counts(path: str) -> tuple[int, int, int]:
    """(passed, failed, skipped) of a JUnit XML report (pytest's, ansible-test's)."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else root.iter('testsuite')
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get('tests', 0))
        failed += int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        skipped += int(suite.get('skipped', 0))
    return tests - failed - skipped, failed, skipped


def summary(patterns: list[str]) -> int:
    timings = os.environ.get('STAGE_TIMINGS')
    if timings and os.path.exists(timings):
        with open(timings, encoding='utf-8') as handle:
            rows = [line.rstrip('\n').split('\t') for line in handle if line.strip()]
        print('== stage times (wall, CPU)', flush=True)
        for name, seconds, status, *rest in rows:
            cpu = f'{float(rest[2]):8.1f}s' if len(rest) > 2 else ' ' * 9
            print(f'   {name:<15} {float(seconds):8.1f}s {cpu}  {status}')
        # Some stages run side by side (sanity and sanity-newest): their sum is not the time taken.
        cpu_total = sum(float(row[5]) for row in rows if len(row) > 5)
        print(f'   {"sum of stages":<15} {sum(float(row[1]) for row in rows):8.1f}s {cpu_total:8.1f}s')
        spans = [(float(row[3]), float(row[4])) for row in rows if len(row) >= 5]
        if spans:
            wall = max(end for _start, end in spans) - min(start for start, _end in spans)
            print(f'   {"wall":<15} {wall:8.1f}s  (first stage start to last stage end)')
    totals = [0, 0, 0]
    for path in sorted({p for pattern in patterns for p in glob.glob(pattern)}):
        counts = junit_counts(path)
        print(f'   {os.path.basename(path):<40} {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped')
        totals = [a + b for a, b in zip(totals, counts)]
    if patterns:
        print(f'tests: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped', flush=True)
    return 1 if totals[1] else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ['--summary']:
        return summary(argv[1:])
    if len(argv) < 3 or argv[1] != '--':
        print(__doc__, file=sys.stderr)
        return 2
    return run(argv[0], argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
