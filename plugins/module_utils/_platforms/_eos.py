# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Arista EOS: show running-config, ends with "end"."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._common import CISCO_LIKE_SECRETS
from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="eos",
    device_types=("arista_eos",),
    commands=("show running-config",),
    end=r"^end$",
    facts=("show version",),
    fact_volatile=(r"^Uptime:", r"^Free memory:"),
    volatile=(r"^! Command: show running-config", r"^! Time: ", r"^! Startup-config last modified at ",
              r"^! Last configuration change at ",
              r"^ntp clock-period "),
    # MACsec: "key <ckn> 7 <cak>" under "mac security / profile P" (the key name is no secret)
    secrets=CISCO_LIKE_SECRETS + (r"^\s+key [0-9a-fA-F]+ (?:0|7|8a) (?P<secret>\S+)",),
)
