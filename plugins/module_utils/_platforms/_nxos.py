# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco NX-OS: show running-config; no end marker, so only a minimum size is checked."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="nxos",
    device_types=("cisco_nxos",),
    commands=("show running-config",),
    facts=("show version",),
    fact_volatile=(r"[Uu]ptime is",),
    volatile=(r"^!Time: ", r"^!Running configuration last done at: ", r"^!Command: show running-config",
              r"^ntp clock-period "),
    secrets=CISCO_LIKE_SECRETS,
)
