# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The platform profiles: one small module per platform, and the registry that finds them.

A device type without a profile is not backed up (docs/platforms.md says how to add one).
"""

from __future__ import annotations

from typing import Dict, Optional

from ansible_collections.netraven.netraven.plugins.module_utils._platforms import (
    _aoscx, _asa, _comware, _eos, _exos, _fortios, _ftos, _generic, _ios, _iosxr, _junos, _nxos, _os10, _panos,
    _procurve, _routeros, _vrp,
)
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile
from ansible_collections.netraven.netraven.plugins.module_utils._errors import short_value

BUILT_IN = tuple(module.PROFILE for module in (
    _ios, _nxos, _iosxr, _asa, _eos, _junos, _fortios, _panos, _routeros, _vrp, _procurve, _aoscx, _comware,
    _os10, _ftos, _exos))
GENERIC = _generic.PROFILE
PROFILES_BY_NAME: Dict[str, Profile] = {profile.name: profile for profile in BUILT_IN + (GENERIC,)}
PROFILES: Dict[str, Profile] = {device_type: profile for profile in BUILT_IN for device_type in profile.device_types}
DOC = "docs/platforms.md"


def profile_for(device_type: str, registry: Optional[Dict[str, Profile]] = None) -> Optional[Profile]:
    """The profile serving a netmiko device_type (from ``registry``, default the built-ins), or None."""
    return (PROFILES if registry is None else registry).get(device_type)


def no_profile_message(device_type: str) -> str:
    """The one line a device without a profile fails with."""
    shown = short_value(device_type)
    return ("No platform profile for device_type '%s': add one in a platforms file (platforms_file, see %s)"
            % (shown, DOC))
