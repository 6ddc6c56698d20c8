# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every message about a database URL must be: one line, with no part of the URL's password.

Shared by the database tests (test_url_masking.py, test_engine.py), whose URLs all carry PASSWORD.
"""

from __future__ import annotations

PASSWORD = "Secr3tPw"


def assert_clean_one_line(message):
    assert "\n" not in message
    assert PASSWORD not in message
    # Not even a fragment of it (an unencoded '@' must not split it).
    assert "cr3tPw" not in message and "Secr3" not in message
