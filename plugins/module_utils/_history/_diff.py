# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Line diffs of stored configurations: one rule for every place that shows a change.

The backup's ``--diff``, ``config_info``'s diff mode, the job's ``changed_devices`` and the
HTML report all compare two masked texts the same way, so their line counts agree.
"""

from __future__ import annotations

import difflib
from typing import Dict, NamedTuple


class ConfigDiff(NamedTuple):
    """A unified diff and its counts of added and removed lines."""

    text: str
    added: int
    removed: int

    def stats(self) -> Dict[str, int]:
        """The ``{added, removed}`` mapping that results carry."""
        return {"added": self.added, "removed": self.removed}


def diff_configs(before: str | None, after: str | None, before_header: str = "before",
                 after_header: str = "after", context: int = 3) -> ConfigDiff:
    """The unified diff from ``before`` to ``after`` (None is an empty text)."""
    before_lines = (before or "").splitlines()
    after_lines = (after or "").splitlines()
    lines = list(difflib.unified_diff(before_lines, after_lines, before_header, after_header,
                                      n=context, lineterm=""))
    added = removed = 0
    for line in lines[2:]:
        if line.startswith("+"):
            added += 1
        elif line.startswith("-"):
            removed += 1
    return ConfigDiff("\n".join(lines) + ("\n" if lines else ""), added, removed)
