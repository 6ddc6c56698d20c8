# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cisco IOS and IOS-XE: show running-config, ends with "end"."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="ios",
    device_types=("cisco_ios", "cisco_xe"),
    commands=("show running-config",),
    end=r"^end$",
    facts=("show version",),
    fact_volatile=(r"\buptime is\b", r"^System restarted at", r"^System returned to ROM", r"^Last reload",
                   r"[Cc]onfiguration register is .* at next reload"),
    volatile=(
        r"^! Last configuration change at ",
        r"^! NVRAM config last updated at ",
        r"^! No configuration change since last restart",
        r"^ntp clock-period \d+",
        r"^Building configuration\.\.\.\s*$",
        r"^Current configuration ?: ?\d+ bytes\s*$",
    ),
    secrets=CISCO_LIKE_SECRETS,
)
