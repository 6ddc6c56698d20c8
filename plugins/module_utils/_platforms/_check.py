# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check a platform profile against a saved device output, without a device or a database.

Whoever writes or changes a profile (docs/platforms.md "Check a profile against a saved
output") needs to see what the backup would make of a real capture: the text it would store,
what the hash covers, whether the end marker is found, which lines count as volatile and how
many secrets were masked. The backup's own Profile methods do the work, so the check cannot
drift from what a backup does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._errors import ValidationError, short_value
from ansible_collections.netraven.netraven.plugins.module_utils._platforms import PROFILES, PROFILES_BY_NAME
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._user_file import (
    load_platforms_file, platforms_file_path,
)

if TYPE_CHECKING:
    from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

MAX_OUTPUT_BYTES = 64 * 1024 * 1024


def find_profile(platform: str, platforms_file: Optional[str] = None) -> Profile:
    """The profile a device type (or a profile name) gets, with the user's platforms file on top."""
    path = platforms_file_path(platforms_file)
    registry = load_platforms_file(path) if path else PROFILES
    profile = registry.get(platform)
    if profile is None:
        profile = next((p for p in registry.values() if p.name == platform), None) or PROFILES_BY_NAME.get(platform)
    if profile is None:
        raise ValidationError("No platform profile for '%s': give a device type or a profile name (see docs/platforms.md)"
                              % short_value(platform))
    return profile


def check_output(platform: str, output_file: str, platforms_file: Optional[str] = None) -> Dict[str, Any]:
    """What a backup would make of ``output_file`` (a saved output of the profile's commands)."""
    profile = find_profile(platform, platforms_file)
    try:
        with open(output_file, "rb") as stream:
            raw = stream.read(MAX_OUTPUT_BYTES + 1)
    except OSError as error:
        raise ValidationError("Saved output %s cannot be read: %s" % (output_file, error.strerror or error)) from None
    if len(raw) > MAX_OUTPUT_BYTES:
        raise ValidationError("Saved output %s is larger than %d MB" % (output_file, MAX_OUTPUT_BYTES // 1024 // 1024))
    text = raw.decode("utf-8", "replace")
    masked = profile.mask_secrets(text)
    return {
        "changed": False,
        "profile": profile.name,
        "device_types": list(profile.device_types),
        "commands": list(profile.commands),
        "end": profile.end,
        "end_found": profile.end_found(text),
        "complete": profile.is_complete(text),
        "secrets_masked": masked.count("<secret") - text.count("<secret"),
        "volatile_lines": profile.volatile_lines(masked),
        "stored_text": masked,
        "normalised_text": profile.normalise(masked),
    }
