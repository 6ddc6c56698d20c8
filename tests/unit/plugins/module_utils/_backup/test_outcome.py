# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A device's final status from its attempts and skips (docs/architecture.md: "Where each rule lives"), with no database.

The attempt loop that produces them is tested in test_device_backup.py.
"""

from __future__ import annotations

from ansible_collections.netraven.netraven.plugins.module_utils._backup import _outcome


def test_final_status_is_a_pure_rule():
    rejected = _outcome.Attempt(1, 7, "ops", error_type="AUTH", message="no")
    assert _outcome.final_status([rejected], [], [7]).status == "FAILED_AUTH"
    assert _outcome.final_status([], [], []).status == "NO_CREDENTIALS"
    guarded = _outcome.final_status([], [_outcome.Skip(7, _outcome.SKIP_GUARDED)], [7])
    assert (guarded.status, guarded.error_type) == ("FAILED_AUTH", "LOCKOUT_GUARD")
    assert _outcome.final_status([rejected], [], [7], internal_error="bug").status == "FAILED_UNEXPECTED"
