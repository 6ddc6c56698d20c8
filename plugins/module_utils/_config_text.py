# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration text helpers shared by every platform profile.

The per-platform rules (commands, end markers, volatile lines, secrets) live in
``_platforms/`` (docs/platforms.md); this module keeps the two platform-free steps.
"""

from __future__ import annotations

import hashlib


def config_hash(normalised: str) -> str:
    """sha256 hex of the normalised (and masked) configuration."""
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()


def clean_output(text: str) -> str:
    """Device output as storable text: no NUL or other control bytes but tab and newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
