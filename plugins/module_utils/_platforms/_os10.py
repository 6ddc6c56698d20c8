# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dell OS10: show running-configuration; no end marker."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="os10",
    device_types=("dell_os10",),
    commands=("show running-configuration",),
    volatile=(r"^! Last configuration change at ", r"^! Version "),
    secrets=CISCO_LIKE_SECRETS,
)
