# -*- coding: utf-8 -*-
# Copyright: NetRaven developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HPE Comware: display current-configuration in the user view, ends with "return"."""

from ansible_collections.netraven.netraven.plugins.module_utils._platforms._profile import Profile

PROFILE = Profile(
    name="comware",
    device_types=("hp_comware",),
    commands=("display current-configuration",),
    end=r"^return$",
    # netmiko's enable is system-view here; display works in the user view with the network-admin role.
    enable=False,
    comment="#",
    secrets=(
        r"\b(?:cipher|hash|simple) (?!authentication-mode\b|privacy-mode\b)(?P<secret>\S+)",
        r"\bcommunity (?:read|write) (?!cipher\b|simple\b)(?P<secret>\S+)",
        r"\b(?:authentication-mode|privacy-mode) \S+ (?P<secret>\S+)",
        # SNMP v1/v2c trap receivers: "snmp-agent target-host trap ... params securityname COMMUNITY v2c"
        r"\bparams securityname (?!cipher\b|simple\b)(?P<secret>\S+)(?=\s*$| v1\b| v2c\b)",
    ),
)
