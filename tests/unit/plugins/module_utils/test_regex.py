# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A user's regex matches as re would, names itself in one line when invalid, and cannot run away on a device's line."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("regex")

# pylint: disable=wrong-import-position
from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError  # noqa: E402
from ansible_collections.netraven.netraven.plugins.module_utils._regex import BoundedRegex, RegexTimeoutError  # noqa: E402


def test_matches_as_re_does():
    pattern = BoundedRegex(r"^ntp server (?P<server>\S+)", "search")
    match = pattern.search("ntp server 10.0.0.1 prefer")
    assert match.group("server") == "10.0.0.1" and pattern.groupindex == {"server": 1}
    assert pattern.match("x ntp server 1") is None and pattern.fullmatch("ntp server a") is not None
    assert [m.group(0) for m in BoundedRegex(r"\d+", "search").finditer("a1 b22")] == ["1", "22"]
    assert BoundedRegex(r"secret \S+", "rule").sub("secret <x>", "enable secret 5 abc") == "enable secret <x> abc"


def test_an_invalid_pattern_is_one_line_naming_it():
    with pytest.raises(ValidationError) as error:
        BoundedRegex("interface (Gi", "rule 'ntp' must_contain")
    message = str(error.value)
    assert "rule 'ntp' must_contain" in message and "interface (Gi" in message and "\n" not in message


def test_a_catastrophic_pattern_on_a_40_character_line_returns_or_is_refused_within_a_second():
    # ^description (\w+\s?)+$ takes re ×4 per two more characters: minutes at 30.
    line = "description " + "a" * 40 + "!"
    for source in (r"^description (\w+\s?)+$", r"(a|aa)+$"):
        pattern = BoundedRegex(source, "search")
        started, cpu = time.monotonic(), time.process_time()
        try:
            assert pattern.search(line) is None
        except RegexTimeoutError as error:
            assert source in str(error) and "search" in str(error)
        # The work is bounded: CPU seconds, which a loaded machine does not stretch; the wall clock far below minutes.
        assert time.process_time() - cpu < 1.0 and time.monotonic() - started < 10


def test_the_timeout_is_raised_as_a_refusal_naming_the_pattern():
    pattern = BoundedRegex(r"(a|aa)+$", "search", timeout=0.01)
    with pytest.raises(RegexTimeoutError, match=r"\(a\|aa\)\+\$"):
        pattern.search("a" * 60 + "!")
