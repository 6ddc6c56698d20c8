#!/usr/bin/env python
"""Run one stage of `make test` and time it (standard library only).

    python scripts/stage.py NAME -- command...   run, print "== NAME: passed in 12.3s", exit with its code
    python scripts/stage.py --summary            print the stage times recorded in this `make test`

Stops are passed on like scripts/pgserver.py does (SIGTERM/SIGHUP at once, SIGINT when the
command did not get it from the terminal), so `make` being stopped stops the stage cleanly.
Times are appended to $STAGE_TIMINGS (if set) for --summary.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pgserver import Supervisor, exit_code  # noqa: E402  pylint: disable=wrong-import-position


def run(name: str, command: list[str]) -> int:
    print(f'== {name}: {" ".join(command)}', flush=True)
    started = time.monotonic()
    sup = Supervisor()
    sup.install()
    try:
        sup.child = subprocess.Popen(command)
    except FileNotFoundError:
        print(f'== {name}: command not found: {command[0]}', flush=True)
        return 127
    rc = exit_code(sup.wait())
    sup.quiet()
    elapsed = time.monotonic() - started
    if rc == 0:
        status = 'passed'
    elif sup.received or (rc > 128 and rc - 128 in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
        status = 'interrupted'
    else:
        status = f'FAILED (exit {rc})'
    print(f'== {name}: {status} in {elapsed:.1f}s', flush=True)
    timings = os.environ.get('STAGE_TIMINGS')
    if timings:
        with open(timings, 'a', encoding='utf-8') as handle:
            handle.write(f'{name}\t{elapsed:.1f}\t{status}\n')
    return rc


def summary() -> int:
    timings = os.environ.get('STAGE_TIMINGS')
    if not timings or not os.path.exists(timings):
        return 0
    with open(timings, encoding='utf-8') as handle:
        rows = [line.rstrip('\n').split('\t') for line in handle if line.strip()]
    total = sum(float(row[1]) for row in rows)
    print('== stage times', flush=True)
    for name, seconds, status in rows:
        print(f'   {name:<15} {float(seconds):8.1f}s  {status}')
    print(f'   {"total":<15} {total:8.1f}s', flush=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ['--summary']:
        return summary()
    if len(argv) < 3 or argv[1] != '--':
        print(__doc__, file=sys.stderr)
        return 2
    return run(argv[0], argv[2:])


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
