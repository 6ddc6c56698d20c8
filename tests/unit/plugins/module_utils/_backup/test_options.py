# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backup tunables below their minimum are refused in one line before anything runs."""

from __future__ import annotations

import pytest

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _options


@pytest.mark.parametrize("name,value", [("lockout_threshold", -1), ("max_attempts", -1), ("connect_timeout", -5),
                                        ("command_timeout", -1), ("connect_timeout", 0)])
def test_negative_tunables_are_refused_in_one_line(name, value):
    message = _options.tunable_error({name: value})
    assert message and name in message and "\n" not in message


def test_defaults_and_zero_thresholds_pass():
    assert _options.tunable_error({"lockout_threshold": 0, "max_attempts": None, "connect_timeout": 10,
                                   "command_timeout": 60}) is None
