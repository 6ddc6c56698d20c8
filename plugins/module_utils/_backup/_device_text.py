# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration text helpers shared by every platform profile.

The per-platform rules (commands, end markers, volatile lines, secrets) live in
``_platforms/`` (docs/platforms.md); this module keeps the two platform-free steps.
"""

from __future__ import annotations

import hashlib
import re

# C0 controls but tab and newline, DEL and the C1 controls: never part of a configuration or a
# message, and NUL is more: PostgreSQL refuses it in text (psycopg2 raises) and in jsonb.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]+")
# A lone surrogate cannot be encoded as UTF-8, so no driver can send it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def config_hash(normalised: str) -> str:
    """sha256 hex of the normalised (and masked) configuration."""
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()


def clean_output(text: str) -> str:
    """Device output as storable text: no NUL or other control character but tab and newline, valid UTF-8.

    Line ends become newlines; control characters (C0 but tab and newline, DEL, C1) go;
    a lone surrogate becomes U+FFFD. The result always encodes as UTF-8 and holds no NUL,
    so PostgreSQL stores it (text and jsonb alike).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def clean_message(text: object) -> str:
    """A message from a device (banner, error text, output) as one storable line: clean_output, lines joined."""
    return " ".join(clean_output(str(text)).split())
