# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The generic profile: used only for device types a user's platforms file maps to it."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="generic",
    device_types=(),
    commands=("show running-config",),
    volatile=(r"^! Last configuration change at ", r"^ntp clock-period "),
    secrets=CISCO_LIKE_SECRETS,
)
