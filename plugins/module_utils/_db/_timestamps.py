# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Timestamps: every one the collection writes is UTC, and results and reports show them as ISO 8601 text."""

from __future__ import annotations

import datetime
from typing import Any


def utcnow() -> datetime.datetime:
    """Timezone-aware now; every timestamp the collection writes is UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def iso_text(value: Any) -> Any:
    """A timestamp as ISO 8601 text for a result; any other value (None included) as it is."""
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def iso_seconds(value: Any) -> Any:
    """As iso_text, to the second and naive values taken as UTC: how the report and the change lists show time."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat(timespec="seconds")
    return value
