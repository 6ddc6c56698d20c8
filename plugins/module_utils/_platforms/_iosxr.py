# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco IOS-XR: show running-config, ends with "end"; the first line is the current time."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="iosxr",
    device_types=("cisco_xr",),
    commands=("show running-config",),
    end=r"^end$",
    volatile=(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ [\d:.]+ \S+$",
              r"^!! Last configuration change at ", r"^Building configuration\.\.\.\s*$"),
    secrets=CISCO_LIKE_SECRETS,
)
