#!/usr/bin/env python
"""The time bound on users' regexes (issue 25, L5): catastrophic patterns, and what the bound costs a normal search.

    .venv/bin/python benchmarks/regex_bound.py [--rounds 5]

1. The issue's pattern ``^description (\\w+\\s?)+$`` on a line that does not match: with Python's
   ``re`` (the baseline, only up to 22 characters: it grows ×4 for every two more), and with the
   search's ``_regex.BoundedRegex`` up to 40 characters; then ``(a|aa)+$``, which ``regex`` cannot
   save either, to show the refusal comes after the bound (0.25 s).
2. A normal search of one 20 kB configuration: before, ``re`` (a whole-text shortcut, then every
   line), the baseline; BoundedRegex in that same shape; and the search as it is
   (_history._search.LineMatcher: the twin finds the lines, each checked alone). Alternating,
   medians of --rounds, printed as ratios to the baseline.

Not a test: figures on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO_ROOT]
import conftest  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._history._search import LineMatcher, whole_text_check  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex, RegexTimeoutError  # noqa: E402

ISSUE_PATTERN = r"^description (\w+\s?)+$"


def timed(function) -> tuple:
    started = time.perf_counter()
    try:
        outcome = "match" if function() else "no match"
    except RegexTimeoutError:
        outcome = "refused"
    return time.perf_counter() - started, outcome


def catastrophic() -> None:
    print("1. %s on 'description ' + n word characters + '!' (no match)" % ISSUE_PATTERN)
    plain = re.compile(ISSUE_PATTERN)
    bounded = BoundedRegex(ISSUE_PATTERN, "search")
    baseline = None
    for size in (16, 18, 20, 22, 30, 40):
        line = "description " + "a" * size + "!"
        row = "   n=%2d" % size
        if size <= 22:
            seconds, _result = timed(lambda line=line: plain.search(line))
            baseline = seconds
            row += "  re %8.4f s" % seconds
        else:
            row += "  re %10s" % "(minutes)"
        seconds, outcome = timed(lambda line=line: bounded.search(line))
        row += "  BoundedRegex %8.5f s (%s)" % (seconds, outcome)
        if size <= 22:
            row += ", %.4f of re" % (seconds / baseline)
        print(row)
    line = "a" * 40 + "!"
    seconds, outcome = timed(lambda: BoundedRegex(r"(a|aa)+$", "search").search(line))
    print("   (a|aa)+$ on 40 a's + '!': BoundedRegex %.3f s (%s)" % (seconds, outcome))


def configuration() -> str:
    lines = ["hostname core-1"]
    port = 0
    while sum(len(line) + 1 for line in lines) < 20000:
        lines += ["interface GigabitEthernet1/0/%d" % port, " description access port %d" % port,
                  " switchport access vlan %d" % (10 + port % 90), " spanning-tree portfast", "!"]
        port += 1
    return "\n".join(lines + ["logging host 192.0.2.77", "end"]) + "\n"


def search_once(pattern, twin, text: str) -> int:
    """The search of one text before: the whole-text shortcut, then every line."""
    if twin is not None and twin.search(text) is None:
        return 0
    return sum(1 for line in text.splitlines() if pattern.search(line))


def normal_search(rounds: int) -> None:
    text = configuration()
    print("2. search of one %d-byte configuration (ms), medians of %d rounds, alternating; ratios to re" % (len(text), rounds))
    for source in (r"^logging host 192\.0\.2\.77$", r"vlan 4\d$", r"(?<!\S)portfast", r"^no such line$"):
        plain = re.compile(source)
        plain_twin = None if whole_text_check(BoundedRegex(source, "search")) is None else re.compile(source, re.M)
        bounded = BoundedRegex(source, "search")
        bounded_twin = whole_text_check(bounded)
        matcher = LineMatcher(bounded)
        runs = {"re": lambda p=plain, t=plain_twin: search_once(p, t, text),
                "bounded, every line": lambda p=bounded, t=bounded_twin: search_once(p, t, text),
                "LineMatcher": lambda m=matcher: len(m.lines(text))}
        assert len({run() for run in runs.values()}) == 1, source  # the same number of matching lines
        times = {name: [] for name in runs}
        for _round in range(rounds):
            for name, run in runs.items():
                started = time.perf_counter()
                for _repeat in range(20):
                    run()
                times[name].append((time.perf_counter() - started) / 20)
        base = statistics.median(times["re"])
        print("   %-32s " % source + "  ".join(
            "%s %.3f (%.2f)" % (name, statistics.median(values) * 1000, statistics.median(values) / base)
            for name, values in times.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    catastrophic()
    normal_search(args.rounds)


if __name__ == "__main__":
    main()
