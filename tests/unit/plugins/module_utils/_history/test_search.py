# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""config_info's search (_history._search): the whole-text path finds exactly the lines a line-by-line search finds.

The whole-text path is an optimisation of the line-by-line rule, so every case compares the two
on the same text: the lines str.splitlines() gives, each searched alone with the bounded regex.
"""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("regex")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._history._search import (  # noqa: E402
    LineMatcher,
    compile_search,
    whole_text_check,
)

TEXTS = [
    "", "\n", "a", "a\n", "\n\na\n\n", "hostname r1\ninterface Gi1\n description uplink\n description new\nend\n",
    "x\ny", "  \n\t\nfoo bar\nbar foo", "vlan 41\nvlan 5\nvlan 49\n", "a\u2028b\nc", "end", "end\n\n",
]
PATTERNS = [
    "^$", "x*", "^", "$", "a", "^a$", r"\s+foo", r"foo\s", r"bar\s*\n?foo", r"^ description \w+$", r"vlan 4\d$",
    r"(?<!\S)foo", r"\Aa", r"b\Z", r"^\s*$", r".*", "end$", r"uplink\s+description",
]


def one_by_one(pattern, text):
    return [index for index, line in enumerate(text.splitlines()) if pattern.search(line)]


@pytest.mark.parametrize("source, text", list(itertools.product(PATTERNS, TEXTS)))
def test_the_matching_lines_are_those_of_a_line_by_line_search(source, text):
    pattern = compile_search(source)
    expected = one_by_one(pattern, text)
    matcher = LineMatcher(pattern)
    assert matcher.lines(text) == expected, (source, text)
    assert matcher.lines(text, first_only=True) == expected[:1]


def test_patterns_that_look_outside_the_line_have_no_whole_text_path():
    for source in (r"\Aa", r"b\Z", r"(?<!\S)x", r"(?=a)", r"(?!a)", r"(a)?(?(1)a|b)"):
        assert whole_text_check(compile_search(source)) is None
    assert whole_text_check(compile_search(r"^ntp server \S+$")) is not None


def test_a_runaway_whole_text_search_falls_back_to_lines_each_bounded(monkeypatch):
    from ansible_collections.netraven.netraven.plugins.module_utils._regex import RegexTimeoutError

    matcher = LineMatcher(compile_search("b"))

    def too_slow(*_args, **_kwargs):
        raise RegexTimeoutError("twin ran away")

    monkeypatch.setattr(matcher.twin, "search", too_slow)
    assert matcher.lines("a\nb\nab\n") == [1, 2] and matcher.twin is None


@pytest.mark.parametrize("pattern", [r"\Ahostname", r"end\Z", r"^ntp(?= server)", r"(?<!no )shutdown", r"(?!x)a"])
def test_no_whole_text_check_for_a_regex_that_looks_outside_its_line(pattern):
    assert whole_text_check(compile_search(pattern)) is None


def test_the_whole_text_check_of_a_line_regex_is_its_multiline_twin():
    twin = whole_text_check(compile_search(r"(?i)^ntp server .*$"))
    assert twin.pattern == r"(?i)^ntp server .*$" and twin.search("a\nNTP server 1\n").start() == 2  # MULTILINE: ^ at a line; (?i) kept
    assert twin.search("hostname r1\nNTP server 192.0.2.1\nend\n")
